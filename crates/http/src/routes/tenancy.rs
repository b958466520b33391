//! Tenancy handlers (P1-P3): partners, customers, billing accounts, users, terms profiles,
//! the audit log. Thin: parse, call one use case, render.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::tenancy::{NewCustomer, NewUser};
use tollgate_app::{App, Caller};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{page, ApiJson, ApiQuery, PageQuery};
use crate::wire::tenancy::{
    AuditEntryOut, BillingAccountOut, CustomerOut, PartnerDetailOut, PartnerOut, TermsProfileOut,
    UserOut,
};
use crate::wire::{Created, Page};

use super::{ApiCreated, ApiOk};

pub async fn list_partners(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<PartnerOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<PartnerOut> = app
        .list_partners(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |p| p.id.clone())))
}

pub async fn get_partner(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PartnerDetailOut> {
    let p = app.get_partner(&c, &id).await?;
    // B11: open non-responsive flags (missed document deadlines) of this partner.
    let flags: Vec<_> = app
        .nonresponsive_flags(&c, &p.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PartnerDetailOut {
        partner: p.into(),
        nonresponsive: !flags.is_empty(),
        nonresponsive_flags: flags,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    name: String,
    #[schema(schema_with = crate::wire::tenancy::tier_schema)]
    tier: String,
    assigned_partner_id: Option<String>,
}

pub async fn create_partner(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PartnerIn>,
) -> ApiCreated<PartnerOut> {
    let p = app
        .create_partner(&c, &b.name, &b.tier, b.assigned_partner_id.as_deref())
        .await?;
    Ok(Created(p.into()))
}

pub async fn list_customers(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<CustomerOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<CustomerOut> = app
        .list_customers(&c, &pg)
        .await?
        .into_iter()
        .map(|c| CustomerOut::new(c, None))
        .collect();
    Ok(Json(Page::of(items, pg.limit, |c| c.id.clone())))
}

pub async fn get_customer(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<CustomerOut> {
    let (cu, a) = app.get_customer(&c, &id).await?;
    Ok(Json(CustomerOut::new(cu, a)))
}

#[derive(Deserialize, ToSchema)]
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
) -> ApiCreated<CustomerOut> {
    let new = NewCustomer {
        name: b.name,
        partner_id: b.partner_id,
        terms_profile: b.terms_profile,
        terms_version: b.terms_version,
    };
    let (cu, a) = app.create_customer(&c, new).await?;
    Ok(Created(CustomerOut::new(cu, Some(a))))
}

#[derive(Deserialize, IntoParams)]
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
) -> ApiOk<Page<BillingAccountOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<BillingAccountOut> = app
        .list_billing_accounts(&c, q.customer_id.as_deref(), &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |b| b.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingAccountIn {
    customer_id: String,
    name: String,
    #[schema(schema_with = crate::wire::tenancy::currency_schema)]
    currency: String,
    rate_table: Option<String>,
}

pub async fn create_billing_account(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<BillingAccountIn>,
) -> ApiCreated<BillingAccountOut> {
    let row = app
        .create_billing_account(
            &c,
            &b.customer_id,
            &b.name,
            &b.currency,
            b.rate_table.as_deref(),
        )
        .await?;
    Ok(Created(row.into()))
}

pub async fn list_users(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<UserOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<UserOut> = app
        .list_users(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |u| u.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    email: String,
    name: String,
    #[schema(schema_with = crate::wire::access::role_schema)]
    role: String,
    partner_id: Option<String>,
    customer_id: Option<String>,
    password: Option<String>,
}

pub async fn create_user(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<UserIn>,
) -> ApiCreated<UserOut> {
    let new = NewUser {
        email: b.email,
        name: b.name,
        role: b.role,
        partner_id: b.partner_id,
        customer_id: b.customer_id,
        password: b.password,
    };
    Ok(Created(app.create_user(&c, new).await?.into()))
}

pub async fn list_terms_profiles(State(app): State<App>) -> Json<Page<TermsProfileOut>> {
    Json(Page::all(app.terms.all().iter().map(Into::into).collect()))
}

pub async fn list_audit(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<AuditEntryOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<AuditEntryOut> = app
        .list_audit(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |a| a.id.clone())))
}
