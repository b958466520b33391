//! Tollgate's pure core: the rules of the terms, as functions.
//!
//! Architecture invariant: this crate does no I/O, never reads the clock and knows nothing of
//! HTTP, JSON or SQL. Every function takes `now` (and the state it needs) as arguments and
//! returns a value: a decision carrying a stable code, the RULEBOOK rule ID and the clause.

pub mod assurance;
pub mod billing;
pub mod cdr;
pub mod country;
pub mod decision;
pub mod e164;
pub mod frontline;
pub mod guard;
pub mod hardware;
pub mod ledger;
pub mod messaging;
pub mod money;
pub mod numbers;
pub mod postcode;
pub mod rating;
pub mod receivables;
pub mod rules;
pub mod support;
pub mod tenancy;
pub mod terms;
pub mod text;
pub mod time;

pub use decision::{Refusal, RuleRef};
