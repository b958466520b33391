//! Phone numbers: inventory and state (T6-T10), the transitions log, emergency addresses,
//! acknowledgements and contacts (T13), port-ins with documents and document requests
//! (T7, B11), port-outs (T6, T8).
//!
//! Numbers belong to a customer (through it, to a partner); lists and gets are filtered by
//! [`ScopeFilter`] on the owning customer. Unassigned inventory (no customer) is visible to
//! the operator and, for reservation, to partners, never to customers.

mod documents;
mod emergency;
mod number;
mod port_in;
mod port_out;
mod transitions;

pub mod system;

pub use documents::*;
pub use emergency::*;
pub use number::*;
pub use port_in::*;
pub use port_out::*;
pub use transitions::*;

use sqlx::any::AnyRow;
use sqlx::Row;

/// `AND <col> IN (numbers in scope)`: the number `col` names is in `scope` (as
/// [`get_number`] with unassigned inventory: the operator and partners see it, customers not).
fn push_number_in_scope(sql: &mut String, args: &mut Vec<Arg>, scope: ScopeFilter<'_>, col: &str) {
    if matches!(scope.scope(), Scope::All) {
        return;
    }
    sql.push_str(&format!(
        " AND {col} IN (SELECT n.id FROM {} WHERE n.id = {col}",
        number::NUMBER_FROM
    ));
    number::push_number_scope(sql, args, scope, true);
    sql.push(')');
}

/// `AND <col> IN (port-ins in scope)`.
fn push_port_in_in_scope(sql: &mut String, args: &mut Vec<Arg>, scope: ScopeFilter<'_>, col: &str) {
    scope.push_in(
        sql,
        args,
        col,
        &format!("SELECT p.id FROM port_ins p JOIN customers c ON c.id = p.customer_id WHERE p.id = {col}"),
        "c.id",
        "c.partner_id",
    );
}

/// `AND <col> IN (customers in scope)`.
fn push_customer_in_scope(
    sql: &mut String,
    args: &mut Vec<Arg>,
    scope: ScopeFilter<'_>,
    col: &str,
) {
    scope.push_in(
        sql,
        args,
        col,
        &format!("SELECT c.id FROM customers c WHERE c.id = {col}"),
        "c.id",
        "c.partner_id",
    );
}

use crate::{
    fetch_dynamic, opt_text, Arg, Page, Result, Scope, ScopeFilter, ScopedQuery, Store, StoreError,
    Tx,
};
