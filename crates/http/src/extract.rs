//! Extractors that refuse bad input with the field named: JSON bodies (unknown fields
//! refused, wrong types and missing fields named by path), query strings and pagination.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tollgate_app::records::{Page, MAX_PAGE_LIMIT};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::IntoParams;

use crate::error::{for_status, ApiError, ErrorBody};

/// Items per page when the request does not say.
pub const DEFAULT_PAGE_LIMIT: i64 = 50;

fn backticked(msg: &str) -> Option<&str> {
    msg.split('`').nth(1)
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() || path == "." {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The 415 answer: the request's content-type is not one the route takes.
pub fn unsupported_media_type(takes: &str) -> ApiError {
    ApiError::new(
        ErrorBody::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send {takes}"),
        )
        .field("content-type", &format!("must be {takes}")),
    )
}

/// The media type of a request: `type/subtype` lower-cased (RFC 9110 8.3.1: both are
/// case-insensitive), parameters (`; charset=utf-8`) checked for form and dropped. `None`
/// when there is no content-type; a 415 when the header is not a media type at all.
pub fn media_type(headers: &HeaderMap, takes: &str) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(header::CONTENT_TYPE) else {
        return Ok(None);
    };
    let bad = || unsupported_media_type(takes);
    let v = v.to_str().map_err(|_| bad())?;
    let mut parts = v.split(';');
    let essence = parts.next().unwrap_or("").trim();
    let (ty, sub) = essence.split_once('/').ok_or_else(bad)?;
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    if !token(ty) || !token(sub) {
        return Err(bad());
    }
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !p.split_once('=').is_some_and(|(k, _)| token(k.trim())) {
            return Err(bad());
        }
    }
    Ok(Some(essence.to_ascii_lowercase()))
}

/// A body that must be JSON: `application/json` (any case, any parameters) or no
/// content-type at all (taken as JSON, as it always was); anything else is a 415.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    match media_type(headers, "application/json")?.as_deref() {
        None | Some("application/json") => Ok(()),
        Some(_) => Err(unsupported_media_type("application/json")),
    }
}

/// A JSON body of `T` (which should be `deny_unknown_fields`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(for_status(r.status())))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body of `T` whose fields are all optional: an empty body is `T::default()`.
pub struct OptJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(for_status(r.status())))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptJson(T::default()));
        }
        require_json(&headers)?;
        parse_json(&bytes).map(OptJson)
    }
}

fn json_invalid(msg: String) -> ApiError {
    ApiError::new(
        ErrorBody::new(StatusCode::BAD_REQUEST, "json_invalid", msg.clone()).field("body", &msg),
    )
}

/// Parses one JSON value (and nothing after it but whitespace), naming the field on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let v = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let (code, field) = if msg.starts_with("unknown field") {
            let name = backticked(&msg).unwrap_or("?");
            (
                "unknown_field",
                if path == "." || path.is_empty() {
                    name.to_string()
                } else {
                    path
                },
            )
        } else if msg.starts_with("missing field") {
            (
                "missing_field",
                join(&path, backticked(&msg).unwrap_or("?")),
            )
        } else if inner.is_syntax() || inner.is_eof() {
            return json_invalid(msg);
        } else {
            (
                "invalid_type",
                if path == "." { "body".into() } else { path },
            )
        };
        ApiError::new(
            ErrorBody::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone()).field(&field, &msg),
        )
    })?;
    // `{"a":1}{"b":2}`: the first value alone must not be taken for the body (issue 11 #10).
    de.end()
        .map_err(|e| json_invalid(format!("data after the JSON value: {e}")))?;
    Ok(v)
}

/// A query string of `T` (which should be `deny_unknown_fields`).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Parses a query string, naming the parameter that is unknown, missing or malformed.
pub fn parse_query<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let named = backticked(&msg).map(str::to_string);
        let (code, field) = if msg.starts_with("unknown field") {
            ("unknown_field", named.unwrap_or_else(|| "query".into()))
        } else if path.is_empty() || path == "." {
            // `missing field `number``, `duplicate field `limit``.
            ("query_invalid", named.unwrap_or_else(|| "query".into()))
        } else {
            ("query_invalid", path)
        };
        let msg = if msg.contains('`') {
            msg
        } else {
            format!("`{field}`: {msg}")
        };
        ApiError::new(
            ErrorBody::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone()).field(&field, &msg),
        )
    })
}

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Items per page (default 50).
    #[param(schema_with = limit_schema)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// For `#[param(schema_with = ...)]` on every `limit`: 1 to [`MAX_PAGE_LIMIT`], as [`page`]
/// checks.
pub fn limit_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(1))
        .maximum(Some(MAX_PAGE_LIMIT))
}

/// Checks a page request against [`MAX_PAGE_LIMIT`].
pub fn page(limit: Option<i64>, cursor: Option<String>) -> Result<Page, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
        let msg = format!("must be 1 to {MAX_PAGE_LIMIT}");
        return Err(ApiError::new(
            ErrorBody::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "limit_invalid",
                msg.clone(),
            )
            .field("limit", &msg),
        ));
    }
    Ok(Page {
        limit,
        after: cursor,
    })
}

/// A Unix time as RFC 3339 (UTC) on the wire.
pub fn ts(unix_s: i64) -> String {
    jiff::Timestamp::from_second(unix_s)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// For `#[serde(default, deserialize_with = "present")]`: a field that may be absent, `null`
/// or a value (`None` absent, `Some(None)` null), so `PUT` can require a field that `null`
/// clears and `PATCH` can tell "leave" from "clear".
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An optional time field (RFC 3339 or Unix seconds) read into Unix seconds.
pub(crate) fn time_opt(v: &Option<String>, field: &'static str) -> Result<Option<i64>, ApiError> {
    v.as_deref()
        .map(|s| {
            tollgate_core::cdr::parse_time(s, field)
                .map_err(|r| ApiError::from(tollgate_app::AppError::from(r)))
        })
        .transpose()
}
