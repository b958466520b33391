//! The typed half of an operation: its query parameters, request body and answers, read off
//! the handler's own signature.
//!
//! Why from the signature: the route table (`api!` in `lib.rs`) stays the one list of routes
//! (method, path, access, summary: what mounts the handler and what the authorization matrix
//! reads), and the handler's argument and return types are the one statement of what it
//! takes and answers. [`describe`] turns those types into an [`OpDoc`] through the traits
//! below ([`DocArg`] per extractor, [`DocAnswer`] per return type), so neither a second list
//! of routes (`#[utoipa::path]` repeats method and path) nor a hand-written schema can drift
//! from the code. What a type cannot say (a raw CSV body, a CSV alternative answer, a 429)
//! the route adds in the table's `doc:` clause.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use axum::{Extension, Json};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Content, Ref, RefOr, Required};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorOut};
use crate::extract::{ApiJson, ApiQuery, OptJson};
use crate::wire::Created;
use crate::{Access, RouteSpec};

/// One operation as documented: built from the route and the handler's types.
#[derive(Clone)]
pub struct OpDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    /// The answers, by status: the 2xx ones with their schema, the errors with [`ErrorOut`].
    pub answers: BTreeMap<u16, Answer>,
    /// Every schema the operation references, by component name.
    pub schemas: Vec<(String, RefOr<Schema>)>,
}

/// One documented answer: a description and its body per media type.
#[derive(Clone)]
pub struct Answer {
    pub description: String,
    pub content: Vec<(String, RefOr<Schema>)>,
}

/// What every error answer means (the body is always [`ErrorOut`]).
pub fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The body is not one JSON value (`json_invalid`).",
        401 => "No valid token (`unauthenticated`, `token_expired`, ...); `WWW-Authenticate` names the scheme.",
        403 => "The token's role does not have the route's permission (`forbidden`).",
        404 => "Not found, or outside the caller's scope (`not_found`).",
        409 => "Conflicts with what exists: a duplicate, or a state that changed meanwhile.",
        413 => "The body is larger than the route's limit (`body_too_large`).",
        414 => "The path and query are longer than the limit (`uri_too_long`).",
        415 => "The content-type is not one the route takes (`unsupported_media_type`).",
        422 => "Refused: a field or parameter is missing, unknown or malformed, or a rule refuses the request; the code is stable, the rule and clause are named, `fields` names the input.",
        429 => "Too many attempts; `Retry-After` says how many seconds to wait.",
        431 => "The request headers are larger than the limit (`headers_too_large`).",
        503 => "The database does not answer (`database_unreachable`).",
        _ => "Refused.",
    }
}

/// A string schema with a closed list of values.
pub fn one_of_strings<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_string)))
}

/// A plain string schema with a description (a body that is not JSON: CSV, HTML).
pub fn text_schema(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .into()
}

/// Any JSON object, described in words (the OpenAPI document itself).
pub fn object_schema(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .into()
}

/// An input field that names an existing object by id (`customer_id`, `billing_account`): one
/// that does not exist, or is outside the caller's scope, is a 404. A `call_id` names a new
/// call, not an existing one.
fn names_an_object(field: &str) -> bool {
    (field.ends_with("_id") && field != "call_id") || field == "billing_account"
}

impl OpDoc {
    /// The operation as the route table alone describes it: its path parameters, and the
    /// refusals every route can give (414, 431 before any handler; 401 and 403 on a route
    /// that needs a token).
    pub fn new(r: &RouteSpec) -> OpDoc {
        let parameters = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1)),
                    ))
                    .build()
            })
            .collect();
        let mut d = OpDoc {
            method: r.method,
            path: r.path,
            parameters,
            body: None,
            answers: BTreeMap::new(),
            schemas: Vec::new(),
        };
        d = d.errors(&[414, 431]);
        if let Access::Perm(_) = r.access {
            d = d.errors(&[401, 403]);
        }
        d
    }

    /// Registers `T` (and what it references) and returns a reference to it.
    pub fn schema_ref<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let name = T::name().to_string();
        self.schemas.push((name.clone(), T::schema()));
        T::schemas(&mut self.schemas);
        RefOr::Ref(Ref::from_schema_name(name))
    }

    /// A JSON request body of `T`.
    pub fn json_body<T: ToSchema>(mut self, required: bool) -> OpDoc {
        let schema = self.schema_ref::<T>();
        if let RefOr::T(Schema::Object(o)) = T::schema() {
            if o.properties.keys().any(|k| names_an_object(k)) {
                self = self.errors(&[404]);
            }
        }
        let mut body = self.body.take().unwrap_or_default();
        body.content
            .insert("application/json".into(), Content::new(Some(schema)));
        body.required = Some(if required {
            Required::True
        } else {
            Required::False
        });
        self.body = Some(body);
        self.errors(&[400, 413, 415, 422])
    }

    /// A JSON array of `T` as the request body (a bulk body: items refused alone are
    /// reported in the answer, not refused with the request).
    pub fn json_array_body<T: ToSchema>(mut self) -> OpDoc {
        let item = self.schema_ref::<T>();
        let mut body = self.body.take().unwrap_or_default();
        body.content.insert(
            "application/json".into(),
            Content::new(Some(ArrayBuilder::new().items(item))),
        );
        body.required = Some(Required::True);
        self.body = Some(body);
        self.errors(&[413])
    }

    /// Another media type the body may come as (e.g. `text/csv`), as text.
    pub fn body_as(mut self, media_type: &str, description: &str) -> OpDoc {
        let mut body = self.body.take().unwrap_or_default();
        body.content.insert(
            media_type.into(),
            Content::new(Some(text_schema(description))),
        );
        body.required = Some(Required::True);
        self.body = Some(body);
        self.errors(&[413])
    }

    /// The query parameters of `Q`. An optional one is left out, never `null`: a query
    /// string has no null, so the type says only what a value may be.
    pub fn query<Q: IntoParams>(mut self) -> OpDoc {
        for mut p in Q::into_params(|| Some(ParameterIn::Query)) {
            if let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() {
                if let SchemaType::Array(types) = &o.schema_type {
                    let kept: Vec<Type> = types
                        .iter()
                        .filter(|t| **t != Type::Null)
                        .cloned()
                        .collect();
                    o.schema_type = match kept.as_slice() {
                        [one] => SchemaType::Type(one.clone()),
                        _ => SchemaType::Array(kept),
                    };
                }
            }
            if names_an_object(&p.name) {
                self = self.errors(&[404]);
            }
            self.parameters.push(p);
        }
        self.errors(&[422])
    }

    /// A JSON answer of `T` with this status.
    pub fn answer<T: ToSchema>(mut self, status: u16, description: &str) -> OpDoc {
        let schema = self.schema_ref::<T>();
        self.answers.insert(
            status,
            Answer {
                description: description.into(),
                content: vec![("application/json".into(), schema)],
            },
        );
        self
    }

    /// An answer (or another media type of one, e.g. `text/csv` when asked) whose schema is
    /// not a Rust type.
    pub fn answer_as(
        mut self,
        status: u16,
        media_type: &str,
        schema: RefOr<Schema>,
        description: &str,
    ) -> OpDoc {
        let a = self.answers.entry(status).or_insert_with(|| Answer {
            description: description.into(),
            content: Vec::new(),
        });
        a.content.push((media_type.into(), schema));
        self
    }

    /// Refusals the route can give besides those its types imply.
    pub fn errors(mut self, statuses: &[u16]) -> OpDoc {
        let schema = self.schema_ref::<ErrorOut>();
        for &s in statuses {
            self.answers.entry(s).or_insert_with(|| Answer {
                description: error_description(s).into(),
                content: vec![("application/json".into(), schema.clone())],
            });
        }
        self
    }

    /// A handler returning `Result<_, ApiError>` can be refused by the use case: a write by
    /// a rule or by what exists (422, 409).
    fn fallible(self) -> OpDoc {
        if self.method == "GET" {
            self
        } else {
            self.errors(&[409, 422])
        }
    }

    /// The statuses documented, in order.
    pub fn statuses(&self) -> BTreeSet<u16> {
        self.answers.keys().copied().collect()
    }
}

/// What an extractor adds to an operation.
pub trait DocArg {
    fn doc(d: OpDoc) -> OpDoc {
        d
    }
}

impl<S> DocArg for State<S> {}
impl<T> DocArg for Extension<T> {}
impl DocArg for HeaderMap {}
impl DocArg for Bytes {}
impl DocArg for Body {}

impl<T> DocArg for Path<T> {
    /// The parameters themselves come from the path template; an unknown id is a 404.
    fn doc(d: OpDoc) -> OpDoc {
        d.errors(&[404])
    }
}

impl<T: ToSchema> DocArg for ApiJson<T> {
    fn doc(d: OpDoc) -> OpDoc {
        d.json_body::<T>(true)
    }
}

impl<T: ToSchema> DocArg for OptJson<T> {
    fn doc(d: OpDoc) -> OpDoc {
        d.json_body::<T>(false)
    }
}

impl<Q: IntoParams> DocArg for ApiQuery<Q> {
    fn doc(d: OpDoc) -> OpDoc {
        d.query::<Q>()
    }
}

/// What a handler's return type answers.
pub trait DocAnswer {
    fn doc(d: OpDoc) -> OpDoc;
}

impl<T: ToSchema> DocAnswer for Json<T> {
    fn doc(d: OpDoc) -> OpDoc {
        d.answer::<T>(200, "OK")
    }
}

impl<T: ToSchema> DocAnswer for Created<T> {
    fn doc(d: OpDoc) -> OpDoc {
        d.answer::<T>(201, "Created")
    }
}

impl DocAnswer for Html<String> {
    fn doc(d: OpDoc) -> OpDoc {
        d.answer_as(200, "text/html", text_schema("An HTML page."), "OK")
    }
}

/// A bare response says nothing by its type: the route's `doc:` clause documents it.
impl DocAnswer for Response {
    fn doc(d: OpDoc) -> OpDoc {
        d
    }
}

impl<T: DocAnswer> DocAnswer for Result<T, ApiError> {
    fn doc(d: OpDoc) -> OpDoc {
        T::doc(d).fallible()
    }
}

/// A handler (an async fn of extractors) documents itself: its return type, then each
/// argument. `Args` only tells the arities apart, as in axum's `Handler`.
pub trait DocHandler<Args> {
    fn doc(d: OpDoc) -> OpDoc;
}

macro_rules! doc_handler {
    ($($a:ident),*) => {
        impl<F, Fut, $($a,)*> DocHandler<($($a,)*)> for F
        where
            F: Fn($($a),*) -> Fut,
            Fut: std::future::Future,
            Fut::Output: DocAnswer,
            $($a: DocArg,)*
        {
            fn doc(d: OpDoc) -> OpDoc {
                let d = <Fut::Output as DocAnswer>::doc(d);
                $(let d = <$a as DocArg>::doc(d);)*
                d
            }
        }
    };
}

doc_handler!();
doc_handler!(A1);
doc_handler!(A1, A2);
doc_handler!(A1, A2, A3);
doc_handler!(A1, A2, A3, A4);
doc_handler!(A1, A2, A3, A4, A5);
doc_handler!(A1, A2, A3, A4, A5, A6);

/// The operation of route `r` served by `handler`, then what the route's `doc:` clause adds.
pub fn describe<H: DocHandler<Args>, Args>(
    r: &RouteSpec,
    _handler: &H,
    extra: fn(OpDoc) -> OpDoc,
) -> OpDoc {
    extra(H::doc(OpDoc::new(r)))
}
