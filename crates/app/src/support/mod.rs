//! The support desk (issue 16): tickets with eligibility by tier and profile (H1, H2, P3,
//! P4), class of service (H4), response clocks in the partner's region's support hours (H3,
//! H4 decision, H7), threads with internal notes, e-mail for follow-ups only (H5), no reopen
//! (H9), feedback (H10), documentation suggested while typing (H11), NOC tickets from guard
//! incidents (S4) and direct contact of an end customer (H12).

use std::collections::BTreeSet;

use jiff::tz::TimeZone;
use tollgate_core::support::clock::Calendar;
use tollgate_store::support as support_store;

use crate::{App, AppError};

pub mod attachments;
pub mod demo;
pub mod kb;
pub mod kb_demo;
pub mod mail;
pub mod noc;
pub mod report;
pub mod suggest;
pub mod tickets;

pub use tickets::{NewTicket, TicketView};

/// The region of tickets with no partner to take one from (direct customers, the NOC's
/// tickets to them): the provider's own support hours.
pub const DEFAULT_REGION: &str = "emea";
/// How long a region's calendar is reused before its holidays are read again (another node
/// may have set one; this node drops its own copy at once when it sets one).
pub const CALENDAR_CACHE_S: i64 = 60;
/// Longest holiday name, characters.
pub const MAX_HOLIDAY_NAME_CHARS: usize = 100;

/// H3: the support regions and their zones.
pub const REGIONS: [(&str, &str); 2] =
    [("americas", "America/New_York"), ("emea", "Europe/Berlin")];

/// The zone of a support region.
pub fn zone_of(region: &str) -> Result<&'static str, AppError> {
    REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, z)| *z)
        .ok_or_else(|| AppError::invalid("region_invalid", "region", "americas or emea"))
}

impl App {
    /// A caller acting as the user with this e-mail (demo seeding, inbound e-mail).
    pub(crate) async fn caller_for_email(&self, email: &str) -> Result<crate::Caller, AppError> {
        let user = tollgate_store::auth::system::find_user_by_email(&self.store, email)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let role = tollgate_core::tenancy::Role::parse(&user.role)
            .ok_or_else(|| AppError::Internal(format!("stored role `{}`", user.role)))?;
        let principal = crate::Principal {
            user_id: user.id.clone(),
            email: user.email.clone(),
            role,
            partner_id: user.partner_id.clone(),
            customer_id: user.customer_id.clone(),
            credential_id: "internal".into(),
        };
        Ok(crate::Caller {
            scope: self.scope_of(&principal).await?,
            principal,
            actor: crate::Actor {
                actor: format!("user:{}", user.id),
                source: "internal".into(),
                request_id: crate::ids::new_id("req"),
            },
        })
    }

    /// Sets a holiday of a support region (the operator's calendar, H3).
    pub async fn set_holiday(
        &self,
        caller: &crate::Caller,
        region: &str,
        day: &str,
        name: &str,
    ) -> Result<(), AppError> {
        if !matches!(caller.scope, tollgate_core::tenancy::Scope::All) {
            return Err(AppError::Forbidden(
                "holidays are the operator's calendar".into(),
            ));
        }
        zone_of(region)?;
        let d = tollgate_core::time::parse_day(day, "day")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_HOLIDAY_NAME_CHARS {
            return Err(AppError::invalid(
                "name_invalid",
                "name",
                format!("1 to {MAX_HOLIDAY_NAME_CHARS} characters"),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        support_store::put_holiday(&mut tx, region, tollgate_core::time::day_start(d), name)
            .await?;
        // The region's clocks see the holiday from the next ticket on.
        self.calendars
            .lock()
            .expect("calendars lock")
            .remove(region);
        tollgate_store::audit::append(
            &mut tx,
            &crate::access::audit_row(
                &caller.actor,
                now,
                "support.holiday",
                region,
                serde_json::json!({"day": d.to_string(), "name": name, "rule": "H3"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// The holidays of a support region.
    pub async fn holidays(&self, region: &str) -> Result<Vec<(i64, String)>, AppError> {
        zone_of(region)?;
        Ok(support_store::system::holidays(&self.store, region).await?)
    }

    /// H3: a partner's support region (`americas` or `emea`).
    pub async fn set_support_region(
        &self,
        caller: &crate::Caller,
        partner: &str,
        region: &str,
    ) -> Result<(), AppError> {
        if !matches!(caller.scope, tollgate_core::tenancy::Scope::All) {
            return Err(AppError::Forbidden(
                "support regions are the operator's".into(),
            ));
        }
        zone_of(region)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !support_store::set_partner_region(&mut tx, partner, region).await? {
            return Err(AppError::NotFound("partner"));
        }
        tollgate_store::audit::append(
            &mut tx,
            &crate::access::audit_row(
                &caller.actor,
                now,
                "partner.support_region",
                partner,
                serde_json::json!({"region": region, "rule": "H3"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(())
    }

    /// The support region of a ticket of `partner` (its own, else [`DEFAULT_REGION`]).
    pub(crate) async fn support_region_of(
        &self,
        partner: Option<&str>,
    ) -> Result<String, AppError> {
        Ok(match partner {
            Some(p) => support_store::system::partner_region(&self.store, p).await?,
            None => None,
        }
        .unwrap_or_else(|| DEFAULT_REGION.into()))
    }

    /// The support calendar of a region: its zone and the operator's holidays for it.
    pub async fn support_calendar(&self, region: &str) -> Result<Calendar, AppError> {
        let now = self.now();
        if let Some((c, at)) = self.calendars.lock().expect("calendars lock").get(region) {
            if now - at < CALENDAR_CACHE_S {
                return Ok(c.clone());
            }
        }
        let zone = zone_of(region)?;
        let tz = TimeZone::get(zone)
            .map_err(|e| AppError::Internal(format!("time zone {zone}: {e}")))?;
        let holidays: BTreeSet<jiff::civil::Date> =
            support_store::system::holidays(&self.store, region)
                .await?
                .into_iter()
                .map(|(day, _)| tollgate_core::time::date_of(day))
                .collect();
        let cal = Calendar { tz, holidays };
        self.calendars
            .lock()
            .expect("calendars lock")
            .insert(region.to_string(), (cal.clone(), now));
        Ok(cal)
    }
}
