//! A portal page's error: the API's code, rule, clause and fields, shown to a person. The
//! status is the API's for the same error, so a customer editing a URL to another customer's
//! page gets the same 404 as the API would give.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tollgate_app::AppError;

/// What went wrong, as the API would say it.
#[derive(Debug, Clone)]
pub struct ErrorView {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub rule: Option<String>,
    pub clause: Option<String>,
    /// Field name → what is wrong with it.
    pub fields: BTreeMap<String, String>,
}

impl ErrorView {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ErrorView {
        ErrorView {
            status,
            code: code.into(),
            message: message.into(),
            rule: None,
            clause: None,
            fields: BTreeMap::new(),
        }
    }

    /// `rule F4, W 8.2` or empty.
    pub fn cites(&self) -> String {
        match (&self.rule, &self.clause) {
            (Some(r), Some(c)) => format!("rule {r}, {c}"),
            (Some(r), None) => format!("rule {r}"),
            _ => String::new(),
        }
    }
}

impl From<AppError> for ErrorView {
    fn from(e: AppError) -> ErrorView {
        match e {
            AppError::Unauthenticated { code, message } => {
                ErrorView::new(StatusCode::UNAUTHORIZED, code, message)
            }
            AppError::Forbidden(m) => ErrorView::new(StatusCode::FORBIDDEN, "forbidden", m),
            AppError::NotFound(what) => ErrorView::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            AppError::Invalid {
                code,
                message,
                fields,
            } => ErrorView {
                fields,
                ..ErrorView::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            },
            AppError::Refused(r) => {
                let mut v =
                    ErrorView::new(StatusCode::UNPROCESSABLE_ENTITY, r.code, r.message.clone());
                if let Some(rule) = r.rule {
                    v.rule = Some(rule.rule.into());
                    v.clause = Some(rule.clause.into());
                }
                if let Some(f) = r.field {
                    v.fields.insert(f.into(), r.message);
                }
                v
            }
            AppError::Conflict { code, message } => {
                ErrorView::new(StatusCode::CONFLICT, code, message)
            }
            AppError::TooManyRequests { code, message, .. } => {
                ErrorView::new(StatusCode::TOO_MANY_REQUESTS, code, message)
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error (portal)");
                ErrorView::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; quote the time to the operator",
                )
            }
        }
    }
}

/// A whole page that failed: rendered as the error page with the status (boxed: the error
/// path is rare, the `Result` stays small).
#[derive(Debug)]
pub struct PageError(pub Box<ErrorView>);

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(Box::new(e.into()))
    }
}

impl From<ErrorView> for PageError {
    fn from(e: ErrorView) -> PageError {
        PageError(Box::new(e))
    }
}

impl PageError {
    pub fn not_found(what: &str) -> PageError {
        PageError::from(ErrorView::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        ))
    }

    pub fn bad_request(code: &str, field: &str, message: &str) -> PageError {
        let mut v = ErrorView::new(StatusCode::BAD_REQUEST, code, message);
        v.fields.insert(field.into(), message.into());
        PageError::from(v)
    }
}

#[derive(Template)]
#[template(path = "error.html", whitespace = "minimize")]
struct ErrorPage<'a> {
    e: &'a ErrorView,
    css: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            e: &self.0,
            css: crate::assets::css_path(),
        };
        match page.render() {
            Ok(html) => (self.0.status, Html(html)).into_response(),
            Err(_) => self.0.status.into_response(),
        }
    }
}

/// What every page handler answers.
pub type PageResult = Result<Response, PageError>;
