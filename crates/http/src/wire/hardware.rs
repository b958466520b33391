//! Hardware wire types (issue 18): models, devices with their history, leases with their
//! Annex A, replacement claims, warranty, RMAs. Money as decimal strings of the currency's
//! units; days as `YYYY-MM-DD`.

use serde::Serialize;
use tollgate_app::hardware::leases::{LeaseView, Unreturned};
use tollgate_app::records::{
    ClaimRow, DeviceDocumentRow, DeviceEventRow, DeviceRow, LeaseRow, ModelRow, RmaRow,
};
use tollgate_core::hardware::warranty::Eligibility;
use utoipa::ToSchema;

use crate::extract::ts;

fn decimal(micros: i64) -> String {
    tollgate_core::money::format_scaled(i128::from(micros), tollgate_core::money::MICRO_DIGITS)
}

fn day(t: i64) -> String {
    tollgate_core::time::date_of(t).to_string()
}

/// A device model of the catalog.
#[derive(Serialize, ToSchema)]
pub struct DeviceModelOut {
    pub id: String,
    pub code: String,
    pub name: String,
    /// `desk_phone`, `headset`, `gateway` or `other`.
    pub kind: String,
    /// Charged for a loss not by fire or theft, or damage from an unsuitable environment
    /// (E6), and on non-return (E7).
    pub casualty_value: String,
    pub currency: String,
    /// The model offered free in its place (E8).
    pub replaced_by: Option<String>,
}

impl From<ModelRow> for DeviceModelOut {
    fn from(m: ModelRow) -> Self {
        DeviceModelOut {
            id: m.id,
            code: m.code,
            name: m.name,
            kind: m.kind,
            casualty_value: decimal(m.casualty_micros),
            currency: m.currency,
            replaced_by: m.replaced_by,
        }
    }
}

/// One event of a device's history.
#[derive(Serialize, ToSchema)]
pub struct DeviceEventOut {
    pub at: String,
    /// `delivered`, `returned`, `replaced`, `not_returned`, `sold`, `converted`, ….
    pub event: String,
    pub detail: String,
    pub actor: String,
}

impl From<DeviceEventRow> for DeviceEventOut {
    fn from(e: DeviceEventRow) -> Self {
        DeviceEventOut {
            at: ts(e.at),
            event: e.event,
            detail: e.detail,
            actor: e.actor,
        }
    }
}

/// A device by serial number.
#[derive(Serialize, ToSchema)]
pub struct DeviceOut {
    pub id: String,
    pub serial: String,
    pub model_id: String,
    /// `in_stock`, `delivered`, `in_service`, `replaced`, `returned`, `lost`, `refurbished`
    /// or `sold`.
    pub state: String,
    pub customer_id: Option<String>,
    pub billing_account_id: Option<String>,
    /// `lease` (HWaaS: owned by the provider's entity, E1) or `capex` (sold, K1).
    pub ownership: String,
    /// The owner: the provider's entity of the region, or `customer`.
    pub owner: String,
    pub lease_id: Option<String>,
    pub ordered_on: Option<String>,
    pub delivered_on: Option<String>,
    pub purchased_on: Option<String>,
    /// A signed 5-year warranty agreement (K2).
    pub five_year_agreement: bool,
    pub agreement_copy: Option<String>,
    /// Whether the device works (K5: only an operational device converts to HWaaS).
    pub operational: bool,
    /// The history, oldest first (on the one-device read).
    pub history: Vec<DeviceEventOut>,
}

impl DeviceOut {
    pub fn of(d: DeviceRow, history: Vec<DeviceEventRow>) -> DeviceOut {
        DeviceOut {
            id: d.id,
            serial: d.serial,
            model_id: d.model_id,
            state: d.state,
            customer_id: d.customer_id,
            billing_account_id: d.billing_account_id,
            ownership: d.ownership,
            owner: d.owner,
            lease_id: d.lease_id,
            ordered_on: d.ordered_on.map(day),
            delivered_on: d.delivered_on.map(day),
            purchased_on: d.purchased_on.map(day),
            five_year_agreement: d.five_year_agreement == 1,
            agreement_copy: d.agreement_copy,
            operational: d.operational == 1,
            history: history.into_iter().map(Into::into).collect(),
        }
    }
}

/// A device's line on a lease's Annex A.
#[derive(Serialize, ToSchema)]
pub struct AnnexLineOut {
    pub device_id: String,
    pub serial: String,
    pub model_id: String,
    pub subscription_id: String,
    pub ordered_on: String,
    pub delivered_on: String,
    /// Fees invoiced from this day: 14 days after the order (E4).
    pub invoicing_from: String,
    /// The first day a reduction or an exchange is allowed: 6 months after delivery (E3).
    pub changes_from: String,
    /// `active`, `removed`, `exchanged`, `replaced`, `returned`, `not_returned`.
    pub state: String,
    pub removed_on: Option<String>,
}

/// A HWaaS lease.
#[derive(Serialize, ToSchema)]
pub struct LeaseOut {
    pub id: String,
    pub billing_account_id: String,
    pub customer_id: String,
    /// The provider's entity that owns the devices (E1).
    pub entity: String,
    /// `month_to_month`, `year_to_year` or `five_years` (E2).
    pub term: String,
    /// `active`, `ending` (devices to return), `ended`.
    pub state: String,
    pub return_due_on: Option<String>,
    pub settled_at: Option<String>,
    /// Annex A (on the one-lease read): every device ever on the lease.
    pub annex_a: Vec<AnnexLineOut>,
}

impl LeaseOut {
    pub fn bare(l: LeaseRow) -> LeaseOut {
        LeaseOut {
            id: l.id,
            billing_account_id: l.billing_account_id,
            customer_id: l.customer_id,
            entity: l.entity,
            term: l.term,
            state: l.state,
            return_due_on: l.return_due_on.map(day),
            settled_at: l.settled_at.map(ts),
            annex_a: Vec::new(),
        }
    }
}

impl From<LeaseView> for LeaseOut {
    fn from(v: LeaseView) -> LeaseOut {
        let mut out = LeaseOut::bare(v.lease);
        out.annex_a = v
            .lines
            .into_iter()
            .map(|l| AnnexLineOut {
                changes_from: tollgate_core::hardware::lease::first_change_allowed(
                    tollgate_core::time::date_of(l.delivered_on),
                )
                .to_string(),
                device_id: l.device_id,
                serial: l.serial,
                model_id: l.model_id,
                subscription_id: l.subscription_id,
                ordered_on: day(l.ordered_on),
                delivered_on: day(l.delivered_on),
                invoicing_from: day(l.invoicing_from),
                state: l.state,
                removed_on: l.removed_on.map(ts),
            })
            .collect();
        out
    }
}

/// A device not returned at the end of its lease (E7): what was invoiced.
#[derive(Serialize, ToSchema)]
pub struct UnreturnedOut {
    pub device_id: String,
    pub serial: String,
    pub months_unpaid: i64,
    pub unpaid_fees: String,
    pub casualty_value: String,
    /// 10 % of the casualty value.
    pub surcharge: String,
    pub total: String,
    pub pending_charge_id: String,
}

impl From<Unreturned> for UnreturnedOut {
    fn from(u: Unreturned) -> Self {
        UnreturnedOut {
            device_id: u.device_id,
            serial: u.serial,
            months_unpaid: u.outcome.months_unpaid,
            unpaid_fees: decimal(u.outcome.unpaid_fees_micros),
            casualty_value: decimal(u.outcome.casualty_micros),
            surcharge: decimal(u.outcome.surcharge_micros),
            total: decimal(u.outcome.total_micros),
            pending_charge_id: u.pending_charge_id,
        }
    }
}

/// A lease settled after its return date (E7).
#[derive(Serialize, ToSchema)]
pub struct LeaseSettledOut {
    pub lease_id: String,
    pub not_returned: Vec<UnreturnedOut>,
}

/// A replacement request and its decision (E5, E6).
#[derive(Serialize, ToSchema)]
pub struct ClaimOut {
    pub id: String,
    pub device_id: String,
    pub customer_id: String,
    /// `defect`, `accident`, `deliberate`, `fire`, `theft`, `loss`, `unsuitable_environment`,
    /// `wear`.
    pub cause: String,
    pub label_identifiable: bool,
    /// `free` or `charged` (a refused request is not stored: it is answered with its rule).
    pub outcome: String,
    pub rule: String,
    pub clause: String,
    /// Charged on the next invoice (the casualty value), when charged.
    pub charge: String,
    pub currency: String,
    pub requested_at: String,
    /// The replacement ships within one working day (E5).
    pub ship_by: String,
    pub shipped_at: Option<String>,
    /// Shipped after `ship_by`, or not shipped and past it.
    pub late: bool,
    pub replacement_device_id: Option<String>,
    /// Charged at cost on the next invoice.
    pub transport: String,
}

impl ClaimOut {
    pub fn of(c: ClaimRow, now: i64) -> ClaimOut {
        ClaimOut {
            late: c.shipped_at.unwrap_or(now) > c.ship_by,
            id: c.id,
            device_id: c.device_id,
            customer_id: c.customer_id,
            cause: c.cause,
            label_identifiable: c.label_identifiable == 1,
            outcome: c.outcome,
            rule: c.rule,
            clause: c.clause,
            charge: decimal(c.charge_micros),
            currency: c.currency,
            requested_at: ts(c.requested_at),
            ship_by: ts(c.ship_by),
            shipped_at: c.shipped_at.map(ts),
            replacement_device_id: c.replacement_device_id,
            transport: decimal(c.transport_micros),
        }
    }
}

/// A CAPEX device's warranty on a day (K2).
#[derive(Serialize, ToSchema)]
pub struct WarrantyOut {
    pub device_id: String,
    pub on: String,
    /// `one_year` or `five_years`.
    pub warranty: String,
    /// The first day not covered.
    pub ends_on: String,
    /// An RMA needs a copy of the signed 5-year agreement (on file).
    pub agreement_copy_required: bool,
    pub rule: String,
    pub clause: String,
}

impl WarrantyOut {
    pub fn of(device_id: String, on: i64, e: Eligibility) -> WarrantyOut {
        WarrantyOut {
            device_id,
            on: day(on),
            warranty: e.warranty.as_str().into(),
            ends_on: e.ends_on.to_string(),
            agreement_copy_required: e.agreement_copy_required,
            rule: tollgate_core::rules::K2.rule.into(),
            clause: tollgate_core::rules::K2.clause.into(),
        }
    }
}

/// An RMA of a CAPEX device (K4).
#[derive(Serialize, ToSchema)]
pub struct RmaOut {
    pub id: String,
    pub device_id: String,
    pub customer_id: String,
    /// The support ticket (kind RMA CAPEX) it runs on.
    pub ticket_id: Option<String>,
    /// `requested`, `approved`, `unit_received`, `verified`, `replacement_shipped`,
    /// `refurbished_shipped`, `credit_note`, `refused`.
    pub state: String,
    pub fault: String,
    pub proof_of_purchase: String,
    /// US: the return label's data given to logistics.
    pub rma_number: Option<String>,
    pub weight_g: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    /// Refused: the code, the rule (K3 for the verifier's findings, K4 otherwise) and why.
    pub refused_code: Option<String>,
    pub refused_rule: Option<String>,
    pub refused_reason: Option<String>,
    /// The verifier's findings (K3).
    pub exclusions: Vec<String>,
    /// The serial shipped back: a replacement unit, or the refurbished device itself.
    pub shipped_serial: Option<String>,
    /// The credit note's amount, decimal, on the next invoice.
    pub credit: Option<String>,
    pub pending_charge_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<RmaRow> for RmaOut {
    fn from(r: RmaRow) -> Self {
        RmaOut {
            id: r.id,
            device_id: r.device_id,
            customer_id: r.customer_id,
            ticket_id: r.ticket_id,
            state: r.state,
            fault: r.fault,
            proof_of_purchase: r.proof_of_purchase,
            rma_number: r.rma_number,
            weight_g: r.weight_g,
            length_mm: r.length_mm,
            width_mm: r.width_mm,
            height_mm: r.height_mm,
            refused_code: r.refused_code,
            refused_rule: r.refused_rule,
            refused_reason: r.refused_reason,
            exclusions: r
                .exclusions
                .map(|e| {
                    e.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            shipped_serial: r.shipped_serial,
            credit: r.credit_micros.map(decimal),
            pending_charge_id: r.pending_charge_id,
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

/// A document of a device (its content is not echoed).
#[derive(Serialize, ToSchema)]
pub struct DeviceDocumentOut {
    pub id: String,
    pub device_id: String,
    /// `warranty_agreement`, `proof_of_purchase` or `police_report`.
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

impl From<DeviceDocumentRow> for DeviceDocumentOut {
    fn from(d: DeviceDocumentRow) -> Self {
        DeviceDocumentOut {
            id: d.id,
            device_id: d.device_id,
            kind: d.kind,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_at: ts(d.uploaded_at),
        }
    }
}

/// An upgrade offered to every lessee of a model (E8).
#[derive(Serialize, ToSchema)]
pub struct UpgradeOfferOut {
    pub model_id: String,
    pub replaced_by: String,
    /// The leased devices the offer reaches.
    pub device_ids: Vec<String>,
}
