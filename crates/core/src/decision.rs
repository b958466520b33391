//! Decisions are values: a stable code, the rule and the clause it rests on.

use std::fmt;

/// A RULEBOOK rule ID and the clause of the terms it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleRef {
    /// RULEBOOK ID, e.g. `F2`.
    pub rule: &'static str,
    /// Terms reference, e.g. `W 8.2`.
    pub clause: &'static str,
}

/// A refusal by the rules: never a free string; the code is stable snake_case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub rule: Option<RuleRef>,
    pub message: String,
    /// The input field the refusal is about, when there is one.
    pub field: Option<&'static str>,
}

impl Refusal {
    pub fn new(code: &'static str, rule: RuleRef, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            rule: Some(rule),
            message: message.into(),
            field: None,
        }
    }

    /// A refusal about bad input that no business rule covers (a malformed field).
    pub fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            rule: None,
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn on_field(mut self, field: &'static str) -> Refusal {
        self.field = Some(field);
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(r) = self.rule {
            write!(f, " ({}, {})", r.rule, r.clause)?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}
