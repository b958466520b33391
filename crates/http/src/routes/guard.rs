//! Guard handlers: admission, call progress, auth-failure events, incidents, suspensions,
//! policies, announcements, destination lists.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tollgate_app::guard::CallRequest;
use tollgate_app::{App, AppError, Caller};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{page, time_opt, ApiJson, ApiQuery, OptJson, PageQuery};
use crate::routes::{ApiCreated, ApiOk};
use crate::wire::guard::{
    AnnouncementOut, AuthFailureOut, CallAnsweredOut, CallEndedOut, DecisionOut, IncidentOut,
    PolicyOut, PolicyViewOut, PrefixOut, SuspensionOut, TeardownsOut,
};
use crate::wire::{Created, Page, Whole};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallIn {
    billing_account: Option<String>,
    from: String,
    to: String,
    source_ip: Option<String>,
    /// Now when absent.
    #[schema(schema_with = crate::wire::time_schema)]
    at: Option<String>,
    call_id: Option<String>,
}

pub async fn decide(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<CallIn>,
) -> ApiOk<DecisionOut> {
    let req = CallRequest {
        billing_account: b.billing_account,
        from: b.from,
        to: b.to,
        source_ip: b.source_ip,
        at: time_opt(&b.at, "at")?,
        call_id: b.call_id,
    };
    let d = app.guard_call(&c.actor, req).await?;
    Ok(Json(DecisionOut::from(&d)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AtIn {
    #[schema(schema_with = crate::wire::time_schema)]
    at: Option<String>,
}

pub async fn answer(
    State(app): State<App>,
    Path(id): Path<String>,
    OptJson(b): OptJson<AtIn>,
) -> ApiOk<CallAnsweredOut> {
    let at = time_opt(&b.at, "at")?;
    app.guard_answer(&id, at).await?;
    Ok(Json(CallAnsweredOut {
        call_id: id,
        answered: true,
    }))
}

pub async fn end(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<AtIn>,
) -> ApiOk<CallEndedOut> {
    let at = time_opt(&b.at, "at")?;
    let ended = app.guard_end(&c.actor, &id, at).await?;
    // The use case answers JSON; it is read into the wire type so the answer is exactly
    // what the document says (a field the type does not know is an error, not a leak).
    let ended = serde_json::from_value(ended)
        .map_err(|e| AppError::Internal(format!("call end answer: {e}")))?;
    Ok(Json(ended))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthFailureIn {
    source: String,
    #[schema(schema_with = crate::wire::time_schema)]
    at: Option<String>,
    /// The SIP username tried (an account's number lets the guard tell the account).
    username: Option<String>,
    billing_account: Option<String>,
}

pub async fn auth_failure(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<AuthFailureIn>,
) -> ApiOk<AuthFailureOut> {
    let ids = app
        .guard_auth_failure(
            &c.actor,
            &b.source,
            time_opt(&b.at, "at")?,
            b.billing_account.as_deref(),
            b.username.as_deref(),
        )
        .await?;
    Ok(Json(AuthFailureOut {
        source: b.source,
        incidents: ids,
    }))
}

pub async fn list_incidents(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<IncidentOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<IncidentOut> = app
        .list_incidents(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |i| i.id.clone())))
}

pub async fn list_suspensions(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<SuspensionOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<SuspensionOut> = app
        .list_suspensions(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |s| s.id.clone())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendIn {
    #[schema(schema_with = crate::wire::guard::scope_schema)]
    scope: String,
    reason: String,
    #[schema(schema_with = crate::wire::time_schema)]
    until: Option<String>,
    #[schema(schema_with = crate::wire::guard::suspension_rule_schema)]
    rule: Option<String>,
}

pub async fn suspend(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SuspendIn>,
) -> ApiCreated<SuspensionOut> {
    let reason = b.reason;
    let s = app
        .suspend(
            &c,
            &id,
            &b.scope,
            &reason,
            time_opt(&b.until, "until")?,
            b.rule.as_deref(),
        )
        .await?;
    Ok(Created(s.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactivateIn {
    reason: String,
}

pub async fn reactivate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReactivateIn>,
) -> ApiOk<SuspensionOut> {
    let reason = b.reason;
    Ok(Json(app.reactivate(&c, &id, &reason).await?.into()))
}

/// `PUT`: every field, so nothing is cleared by leaving it out (`null` clears the nullable
/// ones). `PATCH`: only the fields given change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyIn {
    // `null` clears only the nullable fields; the others take a value (or are left out).
    #[schema(nullable = false)]
    validated: Option<bool>,
    #[schema(minimum = 0, nullable = false)]
    licensed_calls: Option<i64>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(minimum = 0)]
    site_bandwidth_kbps: Option<Option<i64>>,
    #[schema(schema_with = crate::wire::guard::country_schema)]
    home_country: Option<String>,
    #[schema(schema_with = crate::wire::guard::countries_schema)]
    international_allowlist: Option<Vec<String>>,
    /// A decimal amount in the account's currency; null: no limit.
    #[serde(default, deserialize_with = "crate::extract::present")]
    credit_limit: Option<Option<String>>,
}

impl PolicyIn {
    fn patch(self) -> Result<tollgate_app::guard::PolicyPatch, ApiError> {
        let credit = match self.credit_limit {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => Some(Some(
                tollgate_core::money::parse_scaled(&v, tollgate_core::money::MICRO_DIGITS)
                    .map_err(|m| {
                        ApiError::from(AppError::invalid("credit_limit_invalid", "credit_limit", m))
                    })?,
            )),
        };
        Ok(tollgate_app::guard::PolicyPatch {
            validated: self.validated,
            licensed_calls: self.licensed_calls,
            site_bandwidth_kbps: self.site_bandwidth_kbps,
            home_country: self.home_country,
            international_allowlist: self.international_allowlist,
            credit_limit_micros: credit,
        })
    }

    /// The first field a `PUT` left out.
    fn missing(&self) -> Option<&'static str> {
        [
            ("validated", self.validated.is_none()),
            ("licensed_calls", self.licensed_calls.is_none()),
            ("site_bandwidth_kbps", self.site_bandwidth_kbps.is_none()),
            ("home_country", self.home_country.is_none()),
            (
                "international_allowlist",
                self.international_allowlist.is_none(),
            ),
            ("credit_limit", self.credit_limit.is_none()),
        ]
        .into_iter()
        .find(|(_, m)| *m)
        .map(|(f, _)| f)
    }
}

pub async fn put_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(Whole(b)): ApiJson<Whole<PolicyIn>>,
) -> ApiOk<PolicyOut> {
    if let Some(field) = b.missing() {
        return Err(ApiError::from(AppError::invalid(
            "missing_field",
            field,
            "PUT replaces the whole policy: give every field (null clears a nullable one), or PATCH only what changes",
        )));
    }
    let p = app.patch_guard_policy(&c, &id, b.patch()?).await?;
    Ok(Json(PolicyOut::from(&p)))
}

pub async fn patch_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PolicyIn>,
) -> ApiOk<PolicyOut> {
    let p = app.patch_guard_policy(&c, &id, b.patch()?).await?;
    Ok(Json(PolicyOut::from(&p)))
}

pub async fn get_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<PolicyViewOut> {
    let live = app.live_calls(&id);
    let p = app.get_guard_policy(&c, &id).await?;
    Ok(Json(PolicyViewOut::new(p.as_ref(), live)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnounceIn {
    #[schema(schema_with = crate::wire::time_schema)]
    from: String,
    #[schema(schema_with = crate::wire::time_schema)]
    until: String,
    factor: Option<i64>,
    note: String,
}

pub async fn announce(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AnnounceIn>,
) -> ApiCreated<AnnouncementOut> {
    let note = b.note;
    let from = time_opt(&Some(b.from), "from")?.unwrap_or_default();
    let until = time_opt(&Some(b.until), "until")?.unwrap_or_default();
    let a = app
        .announce(&c, &id, from, until, b.factor.unwrap_or(5), &note)
        .await?;
    Ok(Created(a.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefixIn {
    prefix: String,
    #[schema(schema_with = crate::wire::guard::dest_class_schema)]
    class: String,
    note: Option<String>,
}

pub async fn add_prefix(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PrefixIn>,
) -> ApiCreated<PrefixOut> {
    app.add_destination_prefix(&c, &b.prefix, &b.class, b.note.as_deref().unwrap_or(""))
        .await?;
    Ok(Created(PrefixOut {
        prefix: b.prefix,
        class: b.class,
        rule: "F2",
    }))
}

/// Live calls the edge must cut (F4), oldest order first.
pub async fn teardowns(State(app): State<App>) -> Json<TeardownsOut> {
    Json(TeardownsOut {
        items: app.calls_to_cut().into_iter().map(Into::into).collect(),
    })
}
