//! Rating handlers: rate tables, quotes, CDR intake and traffic review (T12).

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tollgate_app::rating::{BodyReader, CdrCursor, CdrFilter, CdrFormat};
use tollgate_app::records::CdrRow;
use tollgate_app::{App, AppError, Caller};
use tollgate_core::money::{format_minor, format_scaled, micros_to_minor, Currency, MICRO_DIGITS};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{media_type, page, ts, unsupported_media_type, ApiQuery, PageQuery};
use crate::routes::{ApiCreated, ApiOk, ApiResult};
use crate::wire::rating::{
    AccountRatingOut, CdrRejectOut, QuoteOut, RateTableImportedOut, RateTableOut,
};
use crate::wire::{Created, Page};

fn micros(v: i64) -> String {
    format_scaled(i128::from(v), MICRO_DIGITS)
}

fn time_param(v: &str, field: &'static str) -> Result<i64, ApiError> {
    tollgate_core::cdr::parse_time(v, field).map_err(|r| ApiError::from(AppError::from(r)))
}

pub async fn list_rate_tables(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
) -> ApiOk<Page<RateTableOut>> {
    let items: Vec<RateTableOut> = app
        .rate_versions(&c)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::all(items)))
}

pub async fn import_rate_table(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiCreated<RateTableImportedOut> {
    let (v, errors) = app.import_rate_table(&c.actor, &name, &body, None).await?;
    if !errors.is_empty() {
        let mut e = ErrorBody::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "rate_table_invalid",
            format!("{} line(s) refused; nothing was imported", errors.len()),
        );
        for l in &errors {
            e.fields.insert(
                format!("line {}: {}", l.line, l.field),
                format!("{}: {}", l.code, l.message),
            );
        }
        return Err(ApiError::new(e));
    }
    Ok(Created(RateTableImportedOut {
        name: v.table_name,
        version: v.version,
        rows: v.row_count,
        imported_at: ts(v.imported_at),
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuoteQuery {
    /// The number called (E.164).
    number: String,
    /// Now when absent.
    #[param(schema_with = crate::wire::time_schema)]
    at: Option<String>,
    /// Seconds (default 60).
    duration_s: Option<u32>,
}

pub async fn quote(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<QuoteQuery>,
) -> ApiOk<QuoteOut> {
    let at = match &q.at {
        Some(a) => time_param(a, "at")?,
        None => app.now(),
    };
    let d = q.duration_s.unwrap_or(60);
    let r = app.quote(&c, &name, &q.number, at, d).await?;
    Ok(Json(QuoteOut {
        prefix: r.row.prefix,
        destination: r.row.destination,
        rate: micros(r.row.rate_per_min_micros),
        connection_fee: micros(r.row.connection_fee_micros),
        billed_duration_s: r.billed_s,
        amount: format_minor(
            micros_to_minor(i128::from(r.amount_micros), r.row.currency),
            r.row.currency,
        ),
        amount_exact: micros(r.amount_micros),
        currency: r.row.currency.as_str().to_string(),
        version: r.row.version,
        at: ts(at),
        rule: r.rule.rule,
        clause: r.rule.clause,
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IngestQuery {
    /// Where the CDRs come from; with `call_id` the idempotency key.
    source: Option<String>,
}

/// Body pieces in flight between the connection and the CDR parser.
const BODY_PIECES_IN_FLIGHT: usize = 8;

/// Streams the request body into `tx`, at most `limit` bytes: `Ok(true)` when it was read to
/// its end, `Ok(false)` when the reading stopped first, `Err` when the body is larger.
async fn pump_body(
    body: Body,
    tx: tollgate_app::rating::BodySender,
    limit: usize,
) -> Result<bool, ()> {
    let mut stream = body.into_data_stream();
    let mut total = 0usize;
    while let Some(piece) = stream.next().await {
        let piece = match piece {
            Ok(p) => p,
            Err(e) => {
                let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                return Ok(false);
            }
        };
        total += piece.len();
        if total > limit {
            let _ = tx.send(Err(std::io::Error::other("body too large"))).await;
            return Err(());
        }
        if tx.send(Ok(piece.to_vec())).await.is_err() {
            // The parser stopped (the intake failed): the rest of the body is not needed.
            return Ok(false);
        }
    }
    Ok(true)
}

/// An answer given before the request body was read to its end closes the connection, so a
/// client's next request never lands in the unread rest (issue 11 #12).
fn closing(e: impl IntoResponse) -> axum::response::Response {
    let mut r = e.into_response();
    r.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    r
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(ErrorBody::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("a CDR batch is at most {limit} bytes; the CDRs before the limit that were taken are kept, and a resend is idempotent: split the file"),
    ))
}

/// `POST /v1/cdrs`: the body is parsed and committed as it arrives, chunk by chunk (issue 11
/// #7), never held whole.
pub async fn ingest_cdrs(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<IngestQuery>,
    body: Body,
) -> ApiResult {
    const TAKES: &str = "application/json, application/x-ndjson or text/csv";
    let media = match media_type(&headers, TAKES) {
        Ok(m) => m,
        Err(e) => return Ok(closing(e)),
    };
    let format = match media.as_deref() {
        Some("text/csv") => CdrFormat::Csv,
        Some("application/x-ndjson" | "application/jsonl") => CdrFormat::Ndjson,
        None | Some("application/json") => CdrFormat::Json,
        Some(_) => return Ok(closing(unsupported_media_type(TAKES))),
    };
    let limit = crate::BULK_MAX_BODY_BYTES;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Ok(closing(too_large(limit)));
    }
    let (tx, reader) = BodyReader::channel(BODY_PIECES_IN_FLIGHT);
    let (pumped, report) = tokio::join!(
        pump_body(body, tx, limit),
        app.ingest_stream(&c.actor, format, reader, q.source.as_deref(), None)
    );
    let r = match (pumped, report) {
        (Err(()), _) => return Ok(closing(too_large(limit))),
        (Ok(true), report) => report?,
        (Ok(false), Err(e)) => return Ok(closing(ApiError::from(e))),
        (Ok(false), Ok(r)) => r,
    };
    let rejects: Vec<Value> = r
        .rejects
        .iter()
        .map(|x| json!({"line": x.line, "code": x.code, "field": x.field, "message": x.message}))
        .collect();
    let totals: serde_json::Map<String, Value> = r
        .totals
        .iter()
        .map(|(cur, (n, m))| (cur.clone(), json!({"calls": n, "amount_exact": micros(*m)})))
        .collect();
    Ok(Json(json!({
        "batch_id": r.batch_id, "received": r.received, "inserted": r.inserted, "duplicates": r.duplicates,
        "rejected": r.rejected, "rejects": rejects, "totals": totals,
    }))
    .into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CdrQuery {
    billing_account: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    from: Option<String>,
    #[param(schema_with = crate::wire::time_schema)]
    to: Option<String>,
    #[param(schema_with = crate::extract::limit_schema)]
    limit: Option<i64>,
    cursor: Option<String>,
    #[param(schema_with = crate::wire::rating::cdr_format_schema)]
    format: Option<String>,
}

fn cdr_json(d: &CdrRow) -> Value {
    let cur = Currency::parse_stored(&d.currency).ok();
    json!({
        "id": d.id, "source": d.source, "call_id": d.call_id, "billing_account": d.billing_account_id,
        "from": format!("+{}", d.from_number), "to": if d.direction == "emergency" { d.to_number.clone() } else { format!("+{}", d.to_number) },
        "start": ts(d.start_at), "answer": d.answer_at.map(ts), "end": ts(d.end_at), "duration_s": d.duration_s,
        "disposition": d.disposition, "direction": d.direction, "prefix": d.prefix, "destination": d.destination,
        "rate": micros(d.rate_micros), "billed_s": d.billed_s, "bundle_s": d.bundle_s,
        "amount": cur.map(|c| format_minor(micros_to_minor(i128::from(d.amount_micros), c), c)),
        "amount_exact": micros(d.amount_micros), "currency": d.currency,
        "rate_table": d.rate_table, "rate_version": d.rate_version,
    })
}

pub async fn list_cdrs(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<CdrQuery>,
) -> ApiResult {
    let pg = page(q.limit, None)?;
    let cursor = q.cursor.as_deref().map(CdrCursor::parse).transpose()?;
    let filter = CdrFilter {
        account: q.billing_account.clone(),
        from: q
            .from
            .as_deref()
            .map(|v| time_param(v, "from"))
            .transpose()?,
        to: q.to.as_deref().map(|v| time_param(v, "to")).transpose()?,
    };
    let got = app
        .list_cdrs(&c, &filter, cursor.as_ref(), pg.limit)
        .await?;
    let rows = got.rows;
    let next = got.next.map(|n| n.encode());
    match q.format.as_deref() {
        None | Some("json") => {
            let items: Vec<Value> = rows.iter().map(cdr_json).collect();
            Ok(Json(json!({"items": items, "next_cursor": next})).into_response())
        }
        Some("csv") => {
            let cols = [
                "id",
                "call_id",
                "billing_account",
                "from",
                "to",
                "start",
                "end",
                "duration_s",
                "disposition",
                "direction",
                "destination",
                "rate",
                "billed_s",
                "bundle_s",
                "amount",
                "currency",
            ];
            // Through the one CSV writer: quoting and formula neutralising (issue 11 #11).
            let out = tollgate_app::csv_out::to_string(
                std::iter::once(cols.map(str::to_string).to_vec()).chain(rows.iter().map(|r| {
                    let v = cdr_json(r);
                    cols.iter()
                        .map(|k| match &v[*k] {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            x => x.to_string(),
                        })
                        .collect()
                })),
            );
            let mut res =
                ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response();
            if let Some(n) = next.and_then(|n| n.parse().ok()) {
                res.headers_mut().insert("x-next-cursor", n);
            }
            Ok(res)
        }
        Some(_) => Err(ApiError::from(AppError::invalid(
            "format_invalid",
            "format",
            "must be json or csv",
        ))),
    }
}

pub async fn list_rejects(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiOk<Page<CdrRejectOut>> {
    let pg = page(q.limit, q.cursor)?;
    let items: Vec<CdrRejectOut> = app
        .list_rejects(&c, &pg)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(Page::of(items, pg.limit, |r| r.id.clone())))
}

/// `PUT` gives both `rate_table` and `included` (null removes them); `PATCH` only what
/// changes. `included` is `{"zone": "area1", "minutes": 5000}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    #[serde(default, deserialize_with = "crate::extract::present")]
    rate_table: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    included: Option<Option<IncludedIn>>,
    // The earlier flat form, still accepted by PUT: both or neither.
    included_zone: Option<String>,
    included_minutes: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncludedIn {
    zone: String,
    #[schema(minimum = 0)]
    minutes: i64,
}

impl RatingIn {
    fn included(&self) -> Result<Option<Option<(String, i64)>>, ApiError> {
        match (
            &self.included,
            self.included_zone.as_deref(),
            self.included_minutes,
        ) {
            (Some(i), None, None) => Ok(Some(i.as_ref().map(|i| (i.zone.clone(), i.minutes)))),
            (None, Some(z), Some(m)) => Ok(Some(Some((z.to_string(), m)))),
            (None, None, None) => Ok(None),
            (None, None, Some(_)) => Err(ApiError::from(AppError::invalid(
                "included_zone_required",
                "included_zone",
                "included minutes need a zone",
            ))),
            (None, Some(_), None) => Err(ApiError::from(AppError::invalid(
                "included_minutes_required",
                "included_minutes",
                "a zone needs its minutes per month",
            ))),
            (Some(_), _, _) => Err(ApiError::from(AppError::invalid(
                "included_ambiguous",
                "included",
                "give `included` or `included_zone` with `included_minutes`, not both",
            ))),
        }
    }
}

pub async fn get_account_rating(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiOk<AccountRatingOut> {
    Ok(Json(app.get_account_rating(&c, &id).await?.into()))
}

pub async fn put_account_rating(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    crate::extract::ApiJson(b): crate::extract::ApiJson<RatingIn>,
) -> ApiOk<AccountRatingOut> {
    let included = b.included()?;
    // PUT replaces both, so both must be given (null removes): leaving one out must not
    // silently remove a rate table or included minutes.
    if b.rate_table.is_none() {
        return Err(ApiError::from(AppError::invalid(
            "missing_field",
            "rate_table",
            "PUT replaces the account's rating: give rate_table (null: none) and included (null: none), or PATCH only what changes",
        )));
    }
    if included.is_none() {
        return Err(ApiError::from(AppError::invalid(
            "missing_field",
            "included",
            "PUT replaces the account's rating: give included (null: none), or PATCH only what changes",
        )));
    }
    let r = app
        .patch_account_rating(
            &c,
            &id,
            Some(b.rate_table.clone().flatten()),
            Some(included.flatten()),
        )
        .await?;
    Ok(Json(r.into()))
}

pub async fn patch_account_rating(
    State(app): State<App>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    crate::extract::ApiJson(b): crate::extract::ApiJson<RatingIn>,
) -> ApiOk<AccountRatingOut> {
    let included = b.included()?;
    let r = app
        .patch_account_rating(&c, &id, b.rate_table.clone(), included)
        .await?;
    Ok(Json(r.into()))
}
