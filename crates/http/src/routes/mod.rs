//! The HTTP handlers, one module per domain. Thin: parse, call one use case, render.
//! Routes are mounted only through the `api!` table in `lib.rs`.

pub mod access;
pub mod numbers;
pub mod rating;
pub mod tenancy;

/// The guard handlers (still at `crate::guard_handlers` while the guard domain is reshaped).
pub use crate::guard_handlers as guard;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::Value;

use crate::error::ApiError;

pub(crate) type ApiResult = Result<axum::response::Response, ApiError>;

pub(crate) fn ok(v: Value) -> ApiResult {
    Ok(Json(v).into_response())
}

pub(crate) fn created(v: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
