//! Tenancy handlers (P1-P3): partners, customers, billing accounts, users, terms profiles,
//! the audit log. Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::Extension;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tollgate_app::tenancy::{NewCustomer, NewUser};
use tollgate_app::{App, Caller};
use tollgate_core::terms::TermsProfile;
use tollgate_store::auth::UserRow;
use tollgate_store::tenancy::{AgreementRow, BillingAccountRow, CustomerRow, PartnerRow};

use crate::extract::{page, paged, ts, ApiJson, ApiQuery, PageQuery};

use super::{created, ok, ApiResult};

#[derive(Serialize)]
pub struct PartnerOut {
    id: String,
    name: String,
    tier: String,
    assigned_partner_id: Option<String>,
    created_at: String,
}

impl From<PartnerRow> for PartnerOut {
    fn from(p: PartnerRow) -> PartnerOut {
        PartnerOut {
            id: p.id,
            name: p.name,
            tier: p.tier,
            assigned_partner_id: p.assigned_partner_id,
            created_at: ts(p.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct CustomerOut {
    id: String,
    name: String,
    partner_id: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement: Option<Value>,
}

fn customer_out(c: CustomerRow, a: Option<AgreementRow>) -> CustomerOut {
    CustomerOut {
        id: c.id,
        name: c.name,
        partner_id: c.partner_id,
        created_at: ts(c.created_at),
        agreement: a.map(|a| {
            json!({"id": a.id, "issuer": a.issuer, "terms_profile": a.profile_id, "terms_version": a.profile_version, "signed_at": ts(a.signed_at)})
        }),
    }
}

#[derive(Serialize)]
pub struct BillingAccountOut {
    id: String,
    customer_id: String,
    name: String,
    currency: String,
    rate_table: Option<String>,
    created_at: String,
}

impl From<BillingAccountRow> for BillingAccountOut {
    fn from(b: BillingAccountRow) -> BillingAccountOut {
        BillingAccountOut {
            id: b.id,
            customer_id: b.customer_id,
            name: b.name,
            currency: b.currency,
            rate_table: b.rate_table,
            created_at: ts(b.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct UserOut {
    id: String,
    email: String,
    name: String,
    role: String,
    partner_id: Option<String>,
    customer_id: Option<String>,
    totp_enabled: bool,
    created_at: String,
}

impl From<UserRow> for UserOut {
    fn from(u: UserRow) -> UserOut {
        UserOut {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            partner_id: u.partner_id,
            customer_id: u.customer_id,
            totp_enabled: u.totp_enabled,
            created_at: ts(u.created_at),
        }
    }
}

fn profile_out(p: &TermsProfile) -> Value {
    json!({
        "id": p.id, "version": p.version, "title": p.title, "source": p.source, "effective_from": p.effective_from,
        "availability": {"commitment_pct": p.availability.commitment_pct},
        "telephony": {
            "restoration_time_h": p.telephony.restoration_time_h,
            "max_call_duration_s": p.telephony.max_call_duration_s,
            "bandwidth_per_call_kbps": p.telephony.bandwidth_per_call_kbps,
            "included_area1_minutes_per_user": p.telephony.included_area1_minutes_per_user,
            "included_sms_per_user": p.telephony.included_sms_per_user,
            "no_trunking": p.telephony.no_trunking,
            "number_quarantine_days": p.telephony.number_quarantine_days,
            "emergency_address_pending_h": p.telephony.emergency_address_pending_h,
        },
        "contract": {
            "cancellation_window_days": p.contract.cancellation_window_days,
            "cancellation_refund": p.contract.cancellation_refund,
            "price_increase": p.contract.price_increase,
            "price_increase_withdraw_days": p.contract.price_increase_withdraw_days,
            "price_increase_notice_days": p.contract.price_increase_notice_days,
            "renewal_notice_days": p.contract.renewal_notice_days,
        },
        "billing": {
            "currency": p.billing.currency,
            "invoice_due_days": p.billing.invoice_due_days,
            "late_interest_annual_pct": p.billing.late_interest_annual_pct,
            "interest_compounding": p.billing.interest_compounding,
            "dispute_window_days": p.billing.dispute_window_days,
        },
        "support": {"direct_tiers": p.support.direct_tiers, "bronze_limited": p.support.bronze_limited},
        "clauses": p.clauses,
    })
}

pub async fn list_partners(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<PartnerOut> = app
        .list_partners(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    ok(paged(items, pg.limit, |p| p.id.clone()))
}

pub async fn get_partner(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let p = app.get_partner(&c, &id).await?;
    // B11: open non-responsive flags (missed document deadlines) of this partner.
    let flags: Vec<Value> = app
        .nonresponsive_flags(&c, &p.id)
        .await?
        .into_iter()
        .map(|f| json!({"id": f.id, "document_request_id": f.document_request_id, "raised_at": ts(f.raised_at), "rule": "B11"}))
        .collect();
    let mut v = json!(PartnerOut::from(p));
    v["nonresponsive"] = json!(!flags.is_empty());
    v["nonresponsive_flags"] = json!(flags);
    ok(v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    name: String,
    tier: String,
    assigned_partner_id: Option<String>,
}

pub async fn create_partner(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PartnerIn>,
) -> ApiResult {
    let p = app
        .create_partner(&c, &b.name, &b.tier, b.assigned_partner_id.as_deref())
        .await?;
    created(json!(PartnerOut::from(p)))
}

pub async fn list_customers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<CustomerOut> = app
        .list_customers(&c, &pg)
        .await?
        .into_iter()
        .map(|c| customer_out(c, None))
        .collect();
    ok(paged(items, pg.limit, |c| c.id.clone()))
}

pub async fn get_customer(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let (cu, a) = app.get_customer(&c, &id).await?;
    ok(json!(customer_out(cu, a)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerIn {
    name: String,
    partner_id: Option<String>,
    terms_profile: Option<String>,
    terms_version: Option<u32>,
}

pub async fn create_customer(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<CustomerIn>,
) -> ApiResult {
    let new = NewCustomer {
        name: b.name,
        partner_id: b.partner_id,
        terms_profile: b.terms_profile,
        terms_version: b.terms_version,
    };
    let (cu, a) = app.create_customer(&c, new).await?;
    created(json!(customer_out(cu, Some(a))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingAccountsQuery {
    customer_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list_billing_accounts(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<BillingAccountsQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<BillingAccountOut> = app
        .list_billing_accounts(&c, q.customer_id.as_deref(), &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    ok(paged(items, pg.limit, |b| b.id.clone()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingAccountIn {
    customer_id: String,
    name: String,
    currency: String,
    rate_table: Option<String>,
}

pub async fn create_billing_account(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<BillingAccountIn>,
) -> ApiResult {
    let row = app
        .create_billing_account(
            &c,
            &b.customer_id,
            &b.name,
            &b.currency,
            b.rate_table.as_deref(),
        )
        .await?;
    created(json!(BillingAccountOut::from(row)))
}

pub async fn list_users(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<UserOut> = app
        .list_users(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    ok(paged(items, pg.limit, |u| u.id.clone()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    email: String,
    name: String,
    role: String,
    partner_id: Option<String>,
    customer_id: Option<String>,
    password: Option<String>,
}

pub async fn create_user(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<UserIn>,
) -> ApiResult {
    let new = NewUser {
        email: b.email,
        name: b.name,
        role: b.role,
        partner_id: b.partner_id,
        customer_id: b.customer_id,
        password: b.password,
    };
    created(json!(UserOut::from(app.create_user(&c, new).await?)))
}

pub async fn list_terms_profiles(State(app): State<App>) -> ApiResult {
    let items: Vec<Value> = app.terms.all().iter().map(profile_out).collect();
    ok(json!({"items": items, "next_cursor": null}))
}

pub async fn list_audit(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<Value> = app
        .list_audit(&c, &pg)
        .await?
        .into_iter()
        .map(|a| {
            json!({"id": a.id, "at": ts(a.at), "actor": a.actor, "action": a.action, "target": a.target,
                "source": a.source, "request_id": a.request_id,
                "detail": serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::Null)})
        })
        .collect();
    ok(paged(items, pg.limit, |a| {
        a["id"].as_str().unwrap_or_default().to_string()
    }))
}
