//! Guard handlers: admission, call progress, auth-failure events, incidents, suspensions,
//! policies, announcements, destination lists.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use tollgate_app::guard::{CallRequest, Decided};
use tollgate_app::{App, AppError, Caller};
use tollgate_store::guard::{IncidentRow, PolicyRow, SuspensionRow};

use crate::error::ApiError;
use crate::extract::{page, paged, ts, ApiJson, ApiQuery, OptJson, PageQuery};

type ApiResult = Result<axum::response::Response, ApiError>;

fn time_opt(v: &Option<String>, field: &'static str) -> Result<Option<i64>, ApiError> {
    v.as_deref()
        .map(|s| {
            tollgate_core::cdr::parse_time(s, field).map_err(|r| ApiError::from(AppError::from(r)))
        })
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallIn {
    billing_account: Option<String>,
    from: String,
    to: String,
    source_ip: Option<String>,
    at: Option<String>,
    call_id: Option<String>,
}

/// The wire form of a decision.
pub fn decided_json(d: &Decided) -> Value {
    let v = &d.verdict;
    let mut out = json!({
        "decision": v.decision.as_str(), "code": v.code, "rule": v.rule.rule, "clause": d.clause,
        "message": v.message, "call_id": d.call_id, "billing_account": d.billing_account,
        "max_duration_s": v.max_duration_s, "international": v.international,
        "sip_status": match v.decision { tollgate_core::guard::Decision::Allow => 200, tollgate_core::guard::Decision::Busy => 486, tollgate_core::guard::Decision::Deny => 403 },
    });
    if let Some(e) = &d.emergency {
        out["emergency"] = json!({
            "address": e.address,
            "address_registered": e.address.is_some(),
            "callback": e.callback,
            "note": if e.address.is_some() { "dispatch to the registered address" } else { "no emergency address is registered for this number" },
        });
    }
    if !d.incidents.is_empty() {
        out["incidents"] = json!(d.incidents);
    }
    out
}

pub async fn decide(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<CallIn>,
) -> ApiResult {
    let req = CallRequest {
        billing_account: b.billing_account,
        from: b.from,
        to: b.to,
        source_ip: b.source_ip,
        at: time_opt(&b.at, "at")?,
        call_id: b.call_id,
    };
    let d = app.guard_call(&c.actor, req).await?;
    Ok(Json(decided_json(&d)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AtIn {
    at: Option<String>,
}

pub async fn answer(
    State(app): State<App>,
    Path(id): Path<String>,
    OptJson(b): OptJson<AtIn>,
) -> ApiResult {
    let at = time_opt(&b.at, "at")?;
    app.guard_answer(&id, at).await?;
    Ok(Json(json!({"call_id": id, "answered": true})).into_response())
}

pub async fn end(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    OptJson(b): OptJson<AtIn>,
) -> ApiResult {
    let at = time_opt(&b.at, "at")?;
    Ok(Json(app.guard_end(&c.actor, &id, at).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFailureIn {
    source: String,
    at: Option<String>,
    /// The SIP username tried (an account's number lets the guard tell the account).
    username: Option<String>,
    billing_account: Option<String>,
}

pub async fn auth_failure(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<AuthFailureIn>,
) -> ApiResult {
    let ids = app
        .guard_auth_failure(
            &c.actor,
            &b.source,
            time_opt(&b.at, "at")?,
            b.billing_account.as_deref(),
            b.username.as_deref(),
        )
        .await?;
    Ok(Json(json!({"source": b.source, "incidents": ids})).into_response())
}

fn incident_json(i: IncidentRow) -> Value {
    json!({
        "id": i.id, "at": ts(i.at), "billing_account": i.billing_account_id, "customer_id": i.customer_id, "source": i.source,
        "detector": i.detector, "rule": i.rule, "clause": i.clause,
        "evidence": {"count": i.count, "window_s": i.window_s, "threshold": i.threshold, "detail": i.detail},
        "action": i.action,
    })
}

fn suspension_json(s: SuspensionRow) -> Value {
    json!({
        "id": s.id, "billing_account": s.billing_account_id, "scope": s.scope, "rule": s.rule, "clause": s.clause,
        "reason": s.reason, "created_at": ts(s.created_at), "created_by": s.created_by, "until": s.until_at.map(ts),
        "incident_id": s.incident_id, "lifted_at": s.lifted_at.map(ts), "lifted_by": s.lifted_by, "lift_reason": s.lift_reason,
    })
}

pub async fn list_incidents(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<Value> = app
        .list_incidents(&c, &pg)
        .await?
        .into_iter()
        .map(incident_json)
        .collect();
    Ok(Json(paged(items, pg.limit, |v: &Value| {
        v["id"].as_str().unwrap_or_default().to_string()
    }))
    .into_response())
}

pub async fn list_suspensions(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<Value> = app
        .list_suspensions(&c, &pg)
        .await?
        .into_iter()
        .map(suspension_json)
        .collect();
    Ok(Json(paged(items, pg.limit, |v: &Value| {
        v["id"].as_str().unwrap_or_default().to_string()
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspendIn {
    scope: String,
    reason: String,
    until: Option<String>,
    rule: Option<String>,
}

pub async fn suspend(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SuspendIn>,
) -> ApiResult {
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
    Ok((StatusCode::CREATED, Json(suspension_json(s))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReactivateIn {
    reason: String,
}

pub async fn reactivate(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReactivateIn>,
) -> ApiResult {
    let reason = b.reason;
    Ok(Json(suspension_json(app.reactivate(&c, &id, &reason).await?)).into_response())
}

/// `PUT`: every field, so nothing is cleared by leaving it out (`null` clears the nullable
/// ones). `PATCH`: only the fields given change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyIn {
    validated: Option<bool>,
    licensed_calls: Option<i64>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    site_bandwidth_kbps: Option<Option<i64>>,
    home_country: Option<String>,
    international_allowlist: Option<Vec<String>>,
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

fn policy_json(p: &PolicyRow) -> Value {
    json!({
        "billing_account": p.billing_account_id, "validated": p.validated, "licensed_calls": p.licensed_calls,
        "site_bandwidth_kbps": p.site_bandwidth_kbps, "home_country": p.home_country,
        "international_allowlist": p.international_allowlist.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        "credit_limit": p.credit_limit_micros.map(|m| tollgate_core::money::format_scaled(i128::from(m), tollgate_core::money::MICRO_DIGITS)),
        "updated_at": ts(p.updated_at),
    })
}

pub async fn put_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PolicyIn>,
) -> ApiResult {
    if let Some(field) = b.missing() {
        return Err(ApiError::from(AppError::invalid(
            "missing_field",
            field,
            "PUT replaces the whole policy: give every field (null clears a nullable one), or PATCH only what changes",
        )));
    }
    let p = app.patch_guard_policy(&c, &id, b.patch()?).await?;
    Ok(Json(policy_json(&p)).into_response())
}

pub async fn patch_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PolicyIn>,
) -> ApiResult {
    let p = app.patch_guard_policy(&c, &id, b.patch()?).await?;
    Ok(Json(policy_json(&p)).into_response())
}

pub async fn get_policy(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let live = app.live_calls(&id);
    let p = app.get_guard_policy(&c, &id).await?;
    Ok(Json(json!({"policy": p.as_ref().map(policy_json), "live_calls": live.calls, "live_international_calls": live.international_calls})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnounceIn {
    from: String,
    until: String,
    factor: Option<i64>,
    note: String,
}

pub async fn announce(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AnnounceIn>,
) -> ApiResult {
    let note = b.note;
    let from = time_opt(&Some(b.from), "from")?.unwrap_or_default();
    let until = time_opt(&Some(b.until), "until")?.unwrap_or_default();
    let a = app
        .announce(&c, &id, from, until, b.factor.unwrap_or(5), &note)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": a.id, "billing_account": a.billing_account_id, "from": ts(a.from_at), "until": ts(a.until_at), "factor": a.factor, "note": a.note, "rule": "F7"}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixIn {
    prefix: String,
    class: String,
    note: Option<String>,
}

pub async fn add_prefix(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiJson(b): ApiJson<PrefixIn>,
) -> ApiResult {
    app.add_destination_prefix(&c, &b.prefix, &b.class, b.note.as_deref().unwrap_or(""))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"prefix": b.prefix, "class": b.class, "rule": "F2"})),
    )
        .into_response())
}

/// Live calls the edge must cut (F4), oldest order first.
pub async fn teardowns(State(app): State<App>) -> ApiResult {
    let items: Vec<Value> = app
        .calls_to_cut()
        .into_iter()
        .map(|c| {
            json!({"call_id": c.call_id, "billing_account": c.billing_account, "rule": c.rule.rule,
                   "clause": c.rule.clause, "reason": c.reason, "ordered_at": ts(c.ordered_at)})
        })
        .collect();
    Ok(Json(json!({"items": items})).into_response())
}
