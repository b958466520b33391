//! One error shape for every route:
//! `{"error": {"code", "message", "rule", "clause", "fields", "request_id"}}`.
//!
//! Handlers return [`ApiError`]; it leaves an [`ErrorBody`] in the response extensions and the
//! request-context middleware renders it with the request id. Axum's own refusals (404, 405,
//! 413) and the URI and header limits (414, 431) get the same shape there. Hyper's own 414 and
//! 431, for requests beyond what it parses at all, are sent before any layer runs and stay bare. 500s log the detail and show only the request id.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tollgate_app::AppError;
use utoipa::ToSchema;

/// The one error shape on the wire (`Error` in the OpenAPI document).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorOut {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code.
    pub code: String,
    pub message: String,
    /// The RULEBOOK rule, when a rule refused.
    #[schema(required = true)]
    pub rule: Option<String>,
    /// The clause of the terms, when a rule refused.
    #[schema(required = true)]
    pub clause: Option<String>,
    /// The input that is wrong, by field or parameter name, and what is wrong with it.
    pub fields: BTreeMap<String, String>,
    /// Quote it to the operator.
    pub request_id: String,
}

#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub rule: Option<String>,
    pub clause: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub retry_after_s: Option<i64>,
}

impl ErrorBody {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            status,
            code: code.into(),
            message: message.into(),
            rule: None,
            clause: None,
            fields: BTreeMap::new(),
            retry_after_s: None,
        }
    }

    pub fn field(mut self, field: &str, problem: &str) -> ErrorBody {
        self.fields.insert(field.into(), problem.into());
        self
    }

    pub fn render(&self, request_id: &str) -> Response {
        let body = ErrorOut {
            error: ErrorDetail {
                code: self.code.clone(),
                message: self.message.clone(),
                rule: self.rule.clone(),
                clause: self.clause.clone(),
                fields: self.fields.clone(),
                request_id: request_id.into(),
            },
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after_s {
            if let Ok(v) = s.to_string().parse() {
                res.headers_mut().insert("retry-after", v);
            }
        }
        res
    }
}

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError(pub Box<ErrorBody>);

impl ApiError {
    pub fn new(body: ErrorBody) -> ApiError {
        ApiError(Box::new(body))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError::new(match e {
            AppError::Unauthenticated { code, message } => {
                ErrorBody::new(StatusCode::UNAUTHORIZED, code, message)
            }
            AppError::Forbidden(m) => ErrorBody::new(StatusCode::FORBIDDEN, "forbidden", m),
            AppError::NotFound(what) => ErrorBody::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            AppError::Invalid {
                code,
                message,
                fields,
            } => ErrorBody {
                fields,
                ..ErrorBody::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            },
            AppError::Refused(r) => {
                let mut b =
                    ErrorBody::new(StatusCode::UNPROCESSABLE_ENTITY, r.code, r.message.clone());
                if let Some(rule) = r.rule {
                    b.rule = Some(rule.rule.into());
                    b.clause = Some(rule.clause.into());
                }
                if let Some(f) = r.field {
                    b.fields.insert(f.into(), r.message);
                }
                b
            }
            AppError::Conflict { code, message } => {
                ErrorBody::new(StatusCode::CONFLICT, code, message)
            }
            AppError::TooManyRequests {
                code,
                message,
                retry_after_s,
            } => ErrorBody {
                retry_after_s: Some(retry_after_s),
                ..ErrorBody::new(StatusCode::TOO_MANY_REQUESTS, code, message)
            },
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ErrorBody::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; quote the request_id to the operator",
                )
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.0.status.into_response();
        res.extensions_mut().insert(*self.0);
        res
    }
}

/// The default body for a bare status from axum itself (no handler error).
pub fn for_status(status: StatusCode) -> ErrorBody {
    match status {
        StatusCode::NOT_FOUND => ErrorBody::new(status, "not_found", "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => ErrorBody::new(
            status,
            "method_not_allowed",
            "the route does not take this method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ErrorBody::new(
            status,
            "body_too_large",
            "the request body is larger than the limit",
        )
        .field("body", "too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ErrorBody::new(status, "unsupported_media_type", "send application/json")
                .field("content-type", "must be application/json")
        }
        StatusCode::URI_TOO_LONG => ErrorBody::new(
            status,
            "uri_too_long",
            "the request target (path and query) is longer than the limit",
        )
        .field("uri", "too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorBody::new(
            status,
            "headers_too_large",
            "the request headers are larger than the limit",
        )
        .field("headers", "too large"),
        s => ErrorBody::new(s, "http_error", s.canonical_reason().unwrap_or("error")),
    }
}
