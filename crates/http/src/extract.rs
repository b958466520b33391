//! Extractors that refuse bad input with the field named: JSON bodies (unknown fields
//! refused, wrong types and missing fields named by path), query strings and pagination.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tollgate_store::{Page, MAX_PAGE_LIMIT};

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

/// A JSON body of `T` (which should be `deny_unknown_fields`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json");
        if !ct.starts_with("application/json") {
            return Err(ApiError::new(for_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            )));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(for_status(r.status())))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
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
            ("json_invalid", "body".to_string())
        } else {
            (
                "invalid_type",
                if path == "." { "body".into() } else { path },
            )
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let status = if code == "json_invalid" {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        ApiError::new(ErrorBody::new(status, code, msg.clone()).field(&field, &msg))
    })
}

/// A query string of `T` (which should be `deny_unknown_fields`).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_like(q);
        match de {
            Ok(v) => Ok(ApiQuery(v)),
            Err(msg) => {
                let field = backticked(&msg).unwrap_or("query").to_string();
                let code = if msg.contains("unknown field") {
                    "unknown_field"
                } else {
                    "query_invalid"
                };
                Err(ApiError::new(
                    ErrorBody::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone())
                        .field(&field, &msg),
                ))
            }
        }
    }
}

fn serde_urlencoded_like<T: DeserializeOwned>(q: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{q}")
            .parse()
            .map_err(|_| "query is not valid".to_string())?,
    )
    .map(|axum::extract::Query(v)| v)
    .map_err(|e| {
        use std::error::Error;
        e.source()
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.body_text())
    })
}

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
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

/// A page of items with the cursor of the next page.
pub fn paged<T: serde::Serialize>(
    items: Vec<T>,
    limit: i64,
    id_of: impl Fn(&T) -> String,
) -> serde_json::Value {
    let next = if items.len() as i64 == limit {
        items.last().map(&id_of)
    } else {
        None
    };
    serde_json::json!({"items": items, "next_cursor": next})
}

/// A Unix time as RFC 3339 (UTC) on the wire.
pub fn ts(unix_s: i64) -> String {
    jiff::Timestamp::from_second(unix_s)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
