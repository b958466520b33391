//! The answers on the wire, as Rust types: each serialises to exactly the JSON a handler
//! sends and describes itself (`utoipa::ToSchema`) for `/openapi.json`, so the document is
//! derived from what is sent. A file per domain; request types sit beside their handlers.
//!
//! Store rows and app results are mapped into these here (`From`), never serialised as they
//! are.

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
pub mod tenancy;

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::openapi::doc::one_of_strings;

/// A `201 Created` answer of `T` (the handler's return type says it creates).
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

/// A page of a list: `{"items": [...], "next_cursor": "..." | null}`; the cursor is the last
/// item's id when the page is full. Named `<Item>Page` in the document.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of at most `limit` items: full means there may be more after the last.
    pub fn of(items: Vec<T>, limit: i64, id_of: impl Fn(&T) -> String) -> Page<T> {
        let next_cursor = if items.len() as i64 == limit {
            items.last().map(id_of)
        } else {
            None
        };
        Page { items, next_cursor }
    }

    /// A whole list in one page (`next_cursor` is always null).
    pub fn all(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
        }
    }
}

impl<T: ToSchema> PartialSchema for Page<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "items",
                ArrayBuilder::new().items(RefOr::Ref(Ref::from_schema_name(T::name()))),
            )
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(
                        [Type::String, Type::Null]
                            .into_iter()
                            .collect::<utoipa::openapi::schema::SchemaType>(),
                    )
                    .description(Some(
                        "Give it as `cursor` for the next page; null on the last page.",
                    )),
            )
            .required("next_cursor")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Page<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Page", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().to_string(), T::schema()));
        T::schemas(schemas);
    }
}

/// For `#[schema(schema_with = ...)]`: a closed list of strings, from the table the code
/// checks against.
pub(crate) fn strings<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    one_of_strings(values)
}

/// For `#[schema(schema_with = ...)]`: an array of strings from a closed list.
pub(crate) fn string_array<'a>(values: impl IntoIterator<Item = &'a str>) -> ArrayBuilder {
    ArrayBuilder::new().items(one_of_strings(values))
}

/// A `PUT` body: the same fields as the `PATCH` body `T`, but every one required (`null`
/// still clears a nullable one); the handler refuses a missing one with `missing_field`.
#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
pub struct Whole<T>(pub T);

impl<T: ToSchema> PartialSchema for Whole<T> {
    fn schema() -> RefOr<Schema> {
        match T::schema() {
            RefOr::T(Schema::Object(mut o)) => {
                o.required = o.properties.keys().cloned().collect();
                RefOr::T(Schema::Object(o))
            }
            other => other,
        }
    }
}

impl<T: ToSchema> ToSchema for Whole<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Whole", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

/// For `#[schema(schema_with = ...)]` on a time the API takes: RFC 3339 or Unix seconds
/// (`tollgate_core::cdr::parse_time`), within 1970-2199.
pub(crate) fn time_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("RFC 3339 (`2026-11-17T09:30:00Z`) or Unix seconds."))
        .pattern(Some(
            "^([0-9]{1,10}|(19[7-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-][01][0-9]:[0-5][0-9]))$",
        ))
}
