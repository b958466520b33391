//! The records use cases return, and the paging and filter types they take. They are the
//! store's rows, named here so that the HTTP crate depends on the app alone (cli → http →
//! app → store): the wire format is the HTTP crate's own types (`http::wire`), mapped from
//! these, so a column added to a table changes no answer until a wire type says so.

pub use tollgate_store::assurance::system::IncidentFilter;
pub use tollgate_store::assurance::{
    ComponentRow, CreditFilter, CustomerComponentRow, DailyRow,
    IncidentRow as AssuranceIncidentRow, IncidentUpdateRow, MaintenanceRow, ProbeResultRow,
    ProbeRow, ServiceRow, SlaCreditRow,
};
pub use tollgate_store::audit::AuditRow;
pub use tollgate_store::auth::{CredentialRow, UserRow};
pub use tollgate_store::billing::system::RunRow;
pub use tollgate_store::billing::{
    InvoiceFilter, InvoiceLineRow, InvoiceRow, InvoiceTaxRow, OrderLineRow, OrderRow,
    PriceDiscountRow, PriceItemRow, PriceListRow, PriceVersionRow, ProductRow,
    SubscriptionPriceRow, SubscriptionRow, TaxRateRow,
};
pub use tollgate_store::frontline::{
    BroadcastRow as FrontlineBroadcastRow, CallPointRow, NotificationRow, ScanCount,
    StaffRow as FrontlineStaffRow, StoreRow as FrontlineStoreRow, VideoSourceRow,
};
pub use tollgate_store::guard::{AnnouncementRow, IncidentRow, PolicyRow, SuspensionRow};
pub use tollgate_store::hardware::{
    ClaimRow, DeviceDocumentRow, DeviceEventRow, DeviceRow, LeaseDeviceRow, LeaseRow, ModelRow,
    RmaRow,
};
pub use tollgate_store::messaging::{
    ConsentRow, MessageFilter, MessageRow, RegistrationRow, SuppressionRow,
};
pub use tollgate_store::numbers::{
    AckRow, AddressRow, ContactRow, DocRequestRow, DocumentRow, FlagRow, NumberFilter, NumberRow,
    PortInRow, PortOutRow, TransitionRow,
};
pub use tollgate_store::outbox::system::webhooks::WebhookEndpoint;
pub use tollgate_store::outbox::system::Queued;
pub use tollgate_store::rating::{CdrRow, RateVersionRow, RejectRow};
pub use tollgate_store::receivables::{
    AllocationRow, BillingCreditRow, CreditNoteRow, DisputeRow, PaymentRow,
};
pub use tollgate_store::support::AttachmentRow;
pub use tollgate_store::support::{ArticleRow, TicketMessageRow, TicketRow};
pub use tollgate_store::tenancy::{AgreementRow, BillingAccountRow, CustomerRow, PartnerRow};
pub use tollgate_store::{Page, MAX_PAGE_LIMIT};
