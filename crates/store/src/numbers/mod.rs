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

pub use documents::*;
pub use emergency::*;
pub use number::*;
pub use port_in::*;
pub use port_out::*;
pub use transitions::*;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{
    fetch_dynamic, opt_text, Arg, Page, Result, Scope, ScopeFilter, ScopedQuery, Store, StoreError,
    Tx,
};
