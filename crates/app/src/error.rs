//! The application's error: business refusals (with rule and clause), input errors naming
//! the field, and internal failures whose detail is logged, never shown.

use std::collections::BTreeMap;

use tollgate_core::Refusal;
use tollgate_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Missing, unknown, expired or revoked credentials.
    Unauthenticated {
        code: &'static str,
        message: String,
    },
    /// Authenticated, but the role may not do this.
    Forbidden(String),
    /// Not found, or not in the caller's scope (the two look the same on purpose).
    NotFound(&'static str),
    /// Bad input: the fields named, with what is wrong.
    Invalid {
        code: &'static str,
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// A rule refused: stable code, rule and clause.
    Refused(Refusal),
    /// A unique constraint or state conflict.
    Conflict {
        code: &'static str,
        message: String,
    },
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after_s: i64,
    },
    Internal(String),
}

impl AppError {
    /// The stable code of the error (`not_found`, `forbidden`, `internal` for those kinds).
    pub fn code(&self) -> &str {
        match self {
            AppError::Unauthenticated { code, .. }
            | AppError::Invalid { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::TooManyRequests { code, .. } => code,
            AppError::Refused(r) => r.code,
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Invalid {
            code,
            fields: BTreeMap::from([(field.to_string(), message.clone())]),
            message,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        if r.rule.is_none() {
            let field = r.field.unwrap_or("body");
            return AppError::invalid(r.code, field, r.message);
        }
        AppError::Refused(r)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound("resource"),
            StoreError::Conflict(m) => AppError::Conflict {
                code: "conflict",
                message: m,
            },
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Unauthenticated { message, .. }
            | AppError::Forbidden(message)
            | AppError::Invalid { message, .. }
            | AppError::Conflict { message, .. }
            | AppError::TooManyRequests { message, .. }
            | AppError::Internal(message) => f.write_str(message),
            AppError::NotFound(what) => write!(f, "{what} not found"),
            AppError::Refused(r) => write!(f, "{r}"),
        }
    }
}

impl std::error::Error for AppError {}
