//! The HTTP handlers, one module per domain. Thin: parse, call one use case, render.
//! Routes are mounted only through the route table's fragments (`table/`, one per domain).
//!
//! A handler's signature is its documentation: the extractors (`ApiJson<T>`, `OptJson<T>`,
//! `ApiQuery<Q>`, `Path`) and the answer type ([`ApiOk`], [`ApiCreated`]) are what
//! `/openapi.json` describes (see `openapi::doc`).

pub mod access;
pub mod assurance;
pub mod billing;
pub mod frontline;
pub mod guard;
pub mod hardware;
pub mod messaging;
pub mod numbers;
pub mod rating;
pub mod receivables;
pub mod support;
pub mod table;
pub mod tenancy;

use axum::Json;

use crate::error::ApiError;
use crate::wire::Created;

/// A `200 OK` answer of `T`, or the one error shape.
pub(crate) type ApiOk<T> = Result<Json<T>, ApiError>;

/// A `201 Created` answer of `T`, or the one error shape.
pub(crate) type ApiCreated<T> = Result<Created<T>, ApiError>;

/// An answer whose type does not say it all (another media type on request): the route's
/// `doc:` clause in the table documents it.
pub(crate) type ApiResult = Result<axum::response::Response, ApiError>;
