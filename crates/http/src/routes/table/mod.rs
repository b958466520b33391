//! The route table, a fragment per domain (issue 10): each file declares its domain's routes
//! with `api!`; `crate::ROUTE_TABLES` lists the fragments and `crate::ROUTES` joins them.

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
pub mod system;
pub mod tenancy;

/// What the fragments name: handler modules, permissions, schema helpers for `doc:` clauses.
mod prelude {
    pub(crate) use crate::openapi::doc::{object_schema, text_schema};
    pub(crate) use crate::routes::assurance as assurance_routes;
    pub(crate) use crate::routes::billing as billing_routes;
    pub(crate) use crate::routes::frontline as frontline_routes;
    pub(crate) use crate::routes::guard as guard_routes;
    pub(crate) use crate::routes::hardware as hardware_routes;
    pub(crate) use crate::routes::messaging as messaging_routes;
    pub(crate) use crate::routes::numbers as numbers_routes;
    pub(crate) use crate::routes::rating as rating_routes;
    pub(crate) use crate::routes::receivables as receivables_routes;
    pub(crate) use crate::routes::support as support_routes;
    pub(crate) use crate::routes::{access, tenancy};
    pub(crate) use crate::wire::messaging::MessagingExportOut;
    pub(crate) use crate::wire::rating::{CdrLineIn, CdrOut, IngestReportOut};
    pub(crate) use crate::wire::Page;
    pub(crate) use crate::Access::{Perm, Public};
    pub(crate) use crate::{healthz, landing, metrics, openapi, readyz};
    pub(crate) use tollgate_core::tenancy::Permission as P;
}
