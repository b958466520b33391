//! RMA of a CAPEX device (K4): opened as a support ticket of kind RMA CAPEX with the fault
//! and the proof of purchase, only within the warranty (K2); in the US the partner gives the
//! RMA number, weight and dimensions and logistics gets them for a return label (an outbox
//! message); then approved → unit received → verified (the verifier's exclusions refuse it,
//! K3) → replacement shipped | refurbished shipped | credit note (through the ledger: a
//! credit on the next invoice) | refused with its rule.

use serde_json::json;
use tollgate_core::hardware::rma::{self, RmaState, UsReturnLabel};
use tollgate_core::hardware::warranty::{self, Exclusion};
use tollgate_core::rules;
use tollgate_core::support::ticket::Impact;
use tollgate_store::hardware::{self as hw, system as hsys, RmaRow};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::{audit, Page, ScopeFilter};

use super::{check_serial, date, event};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::support::NewTicket;
use crate::{App, AppError, Caller};

/// Where US return-label requests go (the provider's logistics desk).
pub const LOGISTICS_ADDRESS: &str = "logistics@provider.invalid";
/// Characters of a proof-of-purchase reference at most.
pub const MAX_PROOF_CHARS: usize = 200;

/// A change of an RMA's state with what comes with it.
#[derive(Debug, Clone, Default)]
pub struct RmaChange {
    pub state: String,
    /// US: the return label's data (with `approved`).
    pub label: Option<UsReturnLabel>,
    /// The verifier's findings (with `verified`): any refuses the RMA (K3).
    pub exclusions: Vec<String>,
    /// The serial shipped (with `replacement_shipped` or `refurbished_shipped`).
    pub serial: Option<String>,
    /// The credit (with `credit_note`), micro units of the account's currency: above 0 and
    /// at most the model's casualty value.
    pub credit_micros: Option<i64>,
    /// Why (with `refused`).
    pub reason: Option<String>,
}

impl App {
    /// K4: opens an RMA for a CAPEX device in scope under warranty, with its support ticket.
    pub async fn open_rma(
        &self,
        caller: &Caller,
        device_id: &str,
        fault: &str,
        proof_of_purchase: &str,
    ) -> Result<RmaRow, AppError> {
        let proof = proof_of_purchase.trim();
        rma::check_request(fault, !proof.is_empty())?;
        if proof.chars().count() > MAX_PROOF_CHARS {
            return Err(AppError::invalid(
                "proof_of_purchase_invalid",
                "proof_of_purchase",
                format!("at most {MAX_PROOF_CHARS} characters"),
            ));
        }
        let fault = tollgate_core::text::check_free_text("fault", fault)?;
        // K2: no warranty, no RMA (the refusal names the end of the warranty).
        let eligibility = self.warranty(caller, device_id, None).await?;
        let (d, _) = self.device(caller, device_id).await?;
        let open = {
            let mut tx = self.store.begin().await?;
            hsys::open_rma_of(&mut tx, &d.id).await?
        };
        if open {
            return Err(AppError::Conflict {
                code: "rma_open",
                message: "an RMA of this device is in progress".into(),
            });
        }
        let model = self.model(&d.model_id, "model_id").await?;
        // W 22.5 a): the customer or the partner opens it. The RMA desk opens the ticket, so a
        // warranty return is not held to the support tiers of technical tickets (H1, H2, P4).
        let desk = Caller::system(caller.actor.clone());
        let ticket = self
            .create_ticket(
                &desk,
                NewTicket {
                    partner_id: d.partner_id.clone(),
                    customer_id: d.customer_id.clone(),
                    kind: "rma_capex".into(),
                    topic: None,
                    issue: None,
                    subject: format!("RMA: {} {}", model.name, d.serial),
                    message: format!(
                        "Fault: {fault}\nProof of purchase: {proof}\nWarranty: {} until {} (K2)\n",
                        eligibility.warranty.as_str(),
                        eligibility.ends_on
                    ),
                    device: Some(format!("{} {}", model.code, d.serial)),
                    versions: None,
                    trace_numbers: None,
                    trace_at: None,
                    impact: Impact::default(),
                    channel: "api".into(),
                },
            )
            .await?;
        let now = self.now();
        let row = RmaRow {
            id: new_id("rma"),
            device_id: d.id.clone(),
            customer_id: d.customer_id.clone().unwrap_or_default(),
            partner_id: d.partner_id.clone(),
            ticket_id: Some(ticket.ticket.id.clone()),
            state: RmaState::Requested.as_str().into(),
            fault,
            proof_of_purchase: proof.into(),
            rma_number: None,
            weight_g: None,
            length_mm: None,
            width_mm: None,
            height_mm: None,
            refused_code: None,
            refused_rule: None,
            refused_reason: None,
            exclusions: None,
            shipped_serial: None,
            credit_micros: None,
            pending_charge_id: None,
            created_at: now,
            updated_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        if hsys::open_rma_of(&mut tx, &d.id).await? {
            return Err(AppError::Conflict {
                code: "rma_open",
                message: "an RMA of this device is in progress".into(),
            });
        }
        row.insert(&mut tx).await?;
        event(
            &mut tx,
            caller,
            now,
            &d,
            "rma",
            format!("RMA {} opened (ticket {})", row.id, ticket.ticket.reference),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// RMAs in scope.
    pub async fn rmas(&self, caller: &Caller, page: &Page) -> Result<Vec<RmaRow>, AppError> {
        Ok(hw::list_rmas(&self.store, ScopeFilter::of(&caller.scope), page).await?)
    }

    /// K4 (W 22.5 b): in the US the partner gives logistics the RMA number, the weight and
    /// the dimensions of the return for a label (an e-mail through the outbox), before the
    /// unit is sent.
    pub async fn rma_label(
        &self,
        caller: &Caller,
        id: &str,
        label: UsReturnLabel,
    ) -> Result<RmaRow, AppError> {
        let mut r = hw::get_rma(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("rma"))?;
        let from = r.state.clone();
        if !["requested", "approved"].contains(&from.as_str()) {
            return Err(tollgate_core::Refusal::new(
                "rma_transition_invalid",
                rules::K4,
                "the return label is asked for before the unit is sent",
            )
            .on_field("state")
            .into());
        }
        let (d, _) = self.device(caller, &r.device_id).await?;
        let model = self.model(&d.model_id, "model_id").await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        send_label(&mut tx, &mut r, &d, &model.name, &label, now).await?;
        r.updated_at = now;
        if !hw::update_rma(&mut tx, &r, &from).await? {
            return Err(AppError::Conflict {
                code: "rma_changed",
                message: "the RMA was moved on meanwhile: read it again".into(),
            });
        }
        tollgate_store::commit(tx).await?;
        Ok(r)
    }

    /// K4: moves an RMA on (the provider's RMA desk).
    pub async fn set_rma_state(
        &self,
        caller: &Caller,
        id: &str,
        c: RmaChange,
    ) -> Result<RmaRow, AppError> {
        let to = RmaState::parse(&c.state)?;
        let mut r = hw::get_rma(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("rma"))?;
        let from = RmaState::parse(&r.state)?;
        rma::transition(from, to)?;
        let (d, _) = self.device(caller, &r.device_id).await?;
        let model = self.model(&d.model_id, "model_id").await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut to = to;
        match to {
            RmaState::Approved => {
                // US: the return label's data go to logistics.
                let us = self
                    .region_of_account(d.billing_account_id.as_deref().unwrap_or_default())
                    .await?
                    == tollgate_core::hardware::Region::Us;
                match (&c.label, us) {
                    (Some(l), _) => send_label(&mut tx, &mut r, &d, &model.name, l, now).await?,
                    (None, true) if r.rma_number.is_none() => {
                        return Err(tollgate_core::Refusal::new(
                            "label_required",
                            rules::K4,
                            "in the US the RMA number, weight and dimensions go to logistics for \
                             a return label",
                        )
                        .on_field("label")
                        .into());
                    }
                    (None, _) => {}
                }
            }
            RmaState::Verified => {
                let found = c
                    .exclusions
                    .iter()
                    .map(|e| Exclusion::parse(e))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Err(refusal) = warranty::check_exclusions(&found) {
                    // K3: the verifier found an exclusion: the RMA is refused with its rule.
                    to = RmaState::Refused;
                    r.refused_code = Some(refusal.code.into());
                    r.refused_rule = Some(rules::K3.rule.into());
                    r.exclusions = Some(c.exclusions.join(","));
                }
            }
            RmaState::ReplacementShipped | RmaState::RefurbishedShipped => {
                // Another unit (new, or an equivalent refurbished one, W 22.5 c) takes the old
                // one's place, under the same warranty.
                let serial = check_serial(c.serial.as_deref().unwrap_or_default(), "serial")?;
                if hsys::device_by_serial(&mut tx, &serial).await?.is_some() {
                    return Err(AppError::Conflict {
                        code: "serial_exists",
                        message: format!("{serial} is known"),
                    });
                }
                let mut new = d.clone();
                new.id = new_id("dev");
                new.serial = serial.clone();
                new.created_at = now;
                new.updated_at = now;
                if to == RmaState::RefurbishedShipped {
                    new.state = "refurbished".into();
                }
                new.insert(&mut tx).await?;
                event(
                    &mut tx,
                    caller,
                    now,
                    &new,
                    "sold",
                    format!("replacement of {} under RMA {} (K4)", d.serial, r.id),
                )
                .await?;
                let mut old = d.clone();
                super::to_stock(&mut old, "replaced", now);
                hw::update_device(&mut tx, &old).await?;
                r.shipped_serial = Some(serial);
            }
            RmaState::CreditNote => {
                let credit = c.credit_micros.unwrap_or(0);
                if credit <= 0 || credit > model.casualty_micros {
                    return Err(AppError::invalid(
                        "credit_invalid",
                        "credit",
                        format!(
                            "above 0 and at most the model's value ({})",
                            tollgate_core::money::format_scaled(
                                i128::from(model.casualty_micros),
                                tollgate_core::money::MICRO_DIGITS
                            )
                        ),
                    ));
                }
                let account = d.billing_account_id.clone().unwrap_or_default();
                let ba = self.get_billing_account(caller, &account).await?;
                super::same_currency(&model.currency, &ba.currency)?;
                let charge = super::pending_charge(
                    &account,
                    &ba.currency,
                    "credit",
                    format!(
                        "RMA {}: credit note for {} {} (no replacement available, K4)",
                        r.id, model.name, d.serial
                    ),
                    -credit,
                    rules::K4,
                    format!("rma:{}", r.id),
                    now,
                );
                charge.insert(&mut tx).await?;
                r.credit_micros = Some(credit);
                r.pending_charge_id = Some(charge.id);
            }
            RmaState::Refused => {
                let reason = tollgate_core::text::check_free_text(
                    "reason",
                    c.reason.as_deref().unwrap_or_default(),
                )?;
                r.refused_code = Some("rma_refused".into());
                r.refused_rule = Some(rules::K4.rule.into());
                r.refused_reason = Some(reason);
            }
            _ => {}
        }
        r.state = to.as_str().into();
        r.updated_at = now;
        if !hw::update_rma(&mut tx, &r, from.as_str()).await? {
            return Err(AppError::Conflict {
                code: "rma_changed",
                message: "the RMA was moved on meanwhile: read it again".into(),
            });
        }
        event(
            &mut tx,
            caller,
            now,
            &d,
            "rma",
            format!("RMA {}: {} on {}", r.id, r.state, date(now)),
        )
        .await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "rma.state",
                &r.id,
                json!({"from": from.as_str(), "to": r.state, "rule": "K4"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(r)
    }
}

/// Records the US return label's data on the RMA and asks logistics for the label (K4).
async fn send_label(
    tx: &mut tollgate_store::Tx,
    r: &mut RmaRow,
    d: &tollgate_store::hardware::DeviceRow,
    model: &str,
    l: &UsReturnLabel,
    now: i64,
) -> Result<(), AppError> {
    rma::check_us_label(l)?;
    r.rma_number = Some(l.rma_number.clone());
    r.weight_g = Some(l.weight_g);
    r.length_mm = Some(l.length_mm);
    r.width_mm = Some(l.width_mm);
    r.height_mm = Some(l.height_mm);
    outbox::enqueue(
        tx,
        &OutboxRow {
            id: new_id("msg"),
            at: now,
            channel: "email".into(),
            recipient: LOGISTICS_ADDRESS.into(),
            subject: format!("Return label for RMA {}", l.rma_number),
            body: format!(
                "RMA {num}: {model} {serial}; weight {w} g; {a} x {b} x {h} mm. Please issue a \
                 return label (K4, W 22.5).\n",
                num = l.rma_number,
                serial = d.serial,
                w = l.weight_g,
                a = l.length_mm,
                b = l.width_mm,
                h = l.height_mm
            ),
            rule: rules::K4.rule.into(),
        },
    )
    .await?;
    Ok(())
}
