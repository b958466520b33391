//! Stores, broadcasts and staff: a retailer's set-up (its call points and video sources are
//! in `sources`), each write with its audit entry in one transaction. Staff take headset and
//! app seats of the store's subscriptions (L1), counted under the subscription's lock.

use serde_json::json;
use tollgate_core::frontline::seats::check_seat;
use tollgate_core::frontline::{Device, Timing};
use tollgate_core::text::check_name;
use tollgate_core::{rules, Refusal};
use tollgate_store::frontline::{self as fl, system as fsys, BroadcastRow, StaffRow, StoreRow};
use tollgate_store::{audit, Page, ScopeFilter, Tx};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::secrets::{new_token, token_hash};
use crate::{App, AppError, Caller};

/// The subscriptions' product kinds that carry seats: a licence per app user or headset, or a
/// leased headset.
pub const SEAT_KINDS: &[&str] = &["licence", "leased_device"];

/// A store's seat subscriptions (L1): `None` leaves one unset.
#[derive(Debug, Clone, Default)]
pub struct Seats {
    pub headset_subscription_id: Option<String>,
    pub app_subscription_id: Option<String>,
}

/// A staff member created: the device token is shown once.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub staff: StaffRow,
    pub token: String,
}

/// Appends the write's audit entry and commits the transaction.
pub(super) async fn commit_audited(
    mut tx: Tx,
    caller: &Caller,
    now: i64,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        &mut tx,
        &audit_row(&caller.actor, now, action, target, detail),
    )
    .await?;
    tx.commit().await.map_err(tollgate_store::StoreError::Db)?;
    Ok(())
}

impl App {
    /// A store in scope.
    pub async fn frontline_store(&self, caller: &Caller, id: &str) -> Result<StoreRow, AppError> {
        fl::get_store(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("store"))
    }

    /// A broadcast in scope.
    pub async fn frontline_broadcast(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<BroadcastRow, AppError> {
        fl::get_broadcast(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("broadcast"))
    }

    /// A staff member in scope.
    pub async fn frontline_staff(&self, caller: &Caller, id: &str) -> Result<StaffRow, AppError> {
        fl::get_staff(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("staff member"))
    }

    /// Stores in scope, of a customer when given.
    pub async fn frontline_stores(
        &self,
        caller: &Caller,
        customer: Option<&str>,
        page: &Page,
    ) -> Result<Vec<StoreRow>, AppError> {
        Ok(fl::list_stores(&self.store, ScopeFilter::of(&caller.scope), customer, page).await?)
    }

    /// Opens a store for a customer in scope, with its seat subscriptions.
    pub async fn create_frontline_store(
        &self,
        caller: &Caller,
        customer_id: &str,
        name: &str,
        seats: Seats,
    ) -> Result<StoreRow, AppError> {
        let (customer, _) = self.get_customer(caller, customer_id).await?;
        let name = check_name("name", name)?;
        let now = self.now();
        let mut row = StoreRow {
            id: new_id("fl_store"),
            customer_id: customer.id.clone(),
            partner_id: customer.partner_id.clone(),
            name,
            headset_subscription_id: None,
            app_subscription_id: None,
            manager_staff_id: None,
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        if !row.insert_unless(&mut tx, "customer_id, name").await? {
            return Err(AppError::Conflict {
                code: "store_exists",
                message: format!("{} has a store named {}", customer.name, row.name),
            });
        }
        self.set_seats_in(&mut tx, &mut row, seats).await?;
        commit_audited(
            tx,
            caller,
            now,
            "frontline.store_created",
            &row.id,
            json!({"name": row.name}),
        )
        .await?;
        Ok(row)
    }

    /// Names a store's seat subscriptions (L1) and its manager.
    pub async fn update_frontline_store(
        &self,
        caller: &Caller,
        id: &str,
        seats: Option<Seats>,
        manager_staff_id: Option<Option<String>>,
    ) -> Result<StoreRow, AppError> {
        let mut row = self.frontline_store(caller, id).await?;
        if let Some(Some(m)) = &manager_staff_id {
            let staff = self.frontline_staff(caller, m).await?;
            if staff.store_id != row.id {
                return Err(AppError::invalid(
                    "manager_invalid",
                    "manager_staff_id",
                    "a staff member of this store",
                ));
            }
        }
        let mut tx = self.store.begin().await?;
        if let Some(seats) = seats {
            self.set_seats_in(&mut tx, &mut row, seats).await?;
        }
        if let Some(m) = manager_staff_id {
            // Escalations reach whoever carries the manager's mark.
            if let Some(old) = row
                .manager_staff_id
                .as_deref()
                .filter(|o| Some(*o) != m.as_deref())
            {
                fsys::set_manager_flag(&mut tx, old, false).await?;
            }
            if let Some(new) = &m {
                fsys::set_manager_flag(&mut tx, new, true).await?;
            }
            row.manager_staff_id = m;
            fsys::update_store(&mut tx, &row).await?;
        }
        commit_audited(
            tx,
            caller,
            self.now(),
            "frontline.store_updated",
            &row.id,
            json!({
                "headset_subscription_id": row.headset_subscription_id,
                "app_subscription_id": row.app_subscription_id,
                "manager_staff_id": row.manager_staff_id,
            }),
        )
        .await?;
        Ok(row)
    }

    /// Checks and writes the seat subscriptions: each an active subscription of the store's
    /// customer serving one kind of device (the two kinds never share one).
    async fn set_seats_in(
        &self,
        tx: &mut Tx,
        row: &mut StoreRow,
        seats: Seats,
    ) -> Result<(), AppError> {
        let now = self.now();
        for (device, new, field, other, current) in [
            (
                Device::Headset,
                &seats.headset_subscription_id,
                "headset_subscription_id",
                &seats.app_subscription_id,
                &row.headset_subscription_id,
            ),
            (
                Device::App,
                &seats.app_subscription_id,
                "app_subscription_id",
                &seats.headset_subscription_id,
                &row.app_subscription_id,
            ),
        ] {
            if let Some(sub) = new {
                let owned = fsys::subscription_seats(tx, sub)
                    .await?
                    .filter(|s| s.customer_id == row.customer_id);
                let Some(s) = owned else {
                    return Err(AppError::invalid(
                        "subscription_invalid",
                        field,
                        "a subscription of the store's customer",
                    ));
                };
                if !SEAT_KINDS.contains(&s.kind.as_str())
                    || s.state != "active"
                    || s.ends_on.is_some_and(|e| e <= now)
                    || Some(sub) == other.as_ref()
                {
                    return Err(AppError::invalid(
                        "subscription_invalid",
                        field,
                        "an active licence or leased-device subscription, not the one named for \
                         the other kind of device",
                    ));
                }
            }
            if new == current {
                continue;
            }
            // The store's staff with this device move to the new subscription's seats: they
            // must fit beside those it already serves (L1), and may not be left without (L2).
            let here = fsys::store_staff_count(tx, &row.id, device.as_str()).await?;
            if here == 0 {
                continue;
            }
            let Some(sub) = new else {
                return Err(Refusal::new(
                    "seats_in_use",
                    rules::L2,
                    format!(
                        "{here} staff of the store use {} seats: deactivate them first",
                        device.as_str()
                    ),
                )
                .on_field(field)
                .into());
            };
            tollgate_store::receivables::system::lock_party(tx, &format!("seats:{sub}")).await?;
            let quantity = fsys::subscription_seats(tx, sub)
                .await?
                .map_or(0, |s| s.quantity);
            let elsewhere = fsys::seats_in_use(tx, sub, device.as_str()).await?;
            if elsewhere + here > quantity {
                return Err(Refusal::new(
                    "seats_exhausted",
                    rules::L1,
                    format!(
                        "{elsewhere} of {quantity} seats are taken: the store's {here} do not fit"
                    ),
                )
                .on_field(field)
                .into());
            }
        }
        row.headset_subscription_id = seats.headset_subscription_id;
        row.app_subscription_id = seats.app_subscription_id;
        fsys::update_store(tx, row).await?;
        Ok(())
    }

    /// Adds a broadcast group to a store with its notifications' timing (Q).
    pub async fn create_broadcast(
        &self,
        caller: &Caller,
        store_id: &str,
        name: &str,
        timing: (i64, i64, i64),
    ) -> Result<BroadcastRow, AppError> {
        let store = self.frontline_store(caller, store_id).await?;
        let name = check_name("name", name)?;
        Timing::new(timing.0, timing.1, timing.2)?;
        let now = self.now();
        let row = BroadcastRow {
            id: new_id("fl_bc"),
            store_id: store.id.clone(),
            customer_id: store.customer_id.clone(),
            partner_id: store.partner_id.clone(),
            name,
            repeat_s: timing.0,
            escalate_after_s: timing.1,
            miss_after_s: timing.2,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        if !row.insert_unless(&mut tx, "store_id, name").await? {
            return Err(AppError::Conflict {
                code: "broadcast_exists",
                message: format!("{} has a broadcast named {}", store.name, row.name),
            });
        }
        commit_audited(
            tx,
            caller,
            now,
            "frontline.broadcast_created",
            &row.id,
            json!({"store_id": store.id, "name": row.name}),
        )
        .await?;
        Ok(row)
    }

    /// Adds a staff member with a headset or the app: takes a seat of the store's
    /// subscription for the device (L1), refused when none is left.
    pub async fn create_staff(
        &self,
        caller: &Caller,
        store_id: &str,
        name: &str,
        device: &str,
        manager: bool,
    ) -> Result<NewStaff, AppError> {
        let store = self.frontline_store(caller, store_id).await?;
        let name = check_name("name", name)?;
        let device = Device::parse(device, "device")?;
        let token = format!("{}{}", super::STAFF_TOKEN_PREFIX, new_token());
        let now = self.now();
        let row = StaffRow {
            id: new_id("fl_staff"),
            store_id: store.id.clone(),
            customer_id: store.customer_id.clone(),
            partner_id: store.partner_id.clone(),
            name,
            device: device.as_str().into(),
            manager: i64::from(manager),
            active: 1,
            token_hash: token_hash(&token),
            broadcast_id: None,
            joined_at_ms: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        take_seat(&mut tx, &store, device, now).await?;
        row.insert(&mut tx).await?;
        if manager && store.manager_staff_id.is_none() {
            fsys::update_store(
                &mut tx,
                &StoreRow {
                    manager_staff_id: Some(row.id.clone()),
                    ..store
                },
            )
            .await?;
        }
        commit_audited(
            tx,
            caller,
            now,
            "frontline.staff_created",
            &row.id,
            json!({"device": row.device, "manager": manager}),
        )
        .await?;
        Ok(NewStaff { staff: row, token })
    }

    /// Deactivates a staff member (the seat is freed, the device token stops working) or
    /// activates one again (a seat is taken, L1).
    pub async fn set_staff_active(
        &self,
        caller: &Caller,
        id: &str,
        active: bool,
    ) -> Result<StaffRow, AppError> {
        let staff = self.frontline_staff(caller, id).await?;
        let store = self.frontline_store(caller, &staff.store_id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if active && staff.active == 0 {
            take_seat(
                &mut tx,
                &store,
                Device::parse(&staff.device, "device")?,
                now,
            )
            .await?;
        }
        let left = if active {
            None
        } else {
            self.leave_in(&mut tx, &staff).await?
        };
        fsys::set_active(&mut tx, &staff.id, active, now).await?;
        commit_audited(
            tx,
            caller,
            now,
            "frontline.staff_active",
            &staff.id,
            json!({"active": active}),
        )
        .await?;
        if !active {
            // Every stream of theirs on this node ends (a manager outside any broadcast too).
            self.frontline().streams.end(&staff.id);
        }
        if let Some(b) = left {
            // Their stream ends with their own leave; the broadcast hears it.
            let e = super::presence::presence_event("left", &staff, &b, self.clock.now_ms());
            self.frontline().hubs.to_broadcast(&b, e);
        }
        Ok(StaffRow {
            active: i64::from(active),
            broadcast_id: if active { staff.broadcast_id } else { None },
            ..staff
        })
    }
}

/// Takes one `device` seat of the store's subscription for it, under the subscription's lock
/// (two staff added at once cannot both take the last seat): refused with L1 when none is
/// left, with L2 when the store names no active subscription.
async fn take_seat(
    tx: &mut Tx,
    store: &StoreRow,
    device: Device,
    now: i64,
) -> Result<(), AppError> {
    let sub = match device {
        Device::Headset => &store.headset_subscription_id,
        Device::App => &store.app_subscription_id,
    };
    let limit = match sub {
        Some(id) => {
            tollgate_store::receivables::system::lock_party(tx, &format!("seats:{id}")).await?;
            fsys::subscription_seats(tx, id)
                .await?
                .filter(|s| s.state == "active" && s.ends_on.is_none_or(|e| e > now))
                .map(|s| (id, s.quantity))
        }
        None => None,
    };
    let in_use = match limit {
        Some((id, _)) => fsys::seats_in_use(tx, id, device.as_str()).await?,
        None => 0,
    };
    check_seat(device, in_use, limit.map(|(_, q)| q))?;
    Ok(())
}
