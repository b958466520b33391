//! The audit export (M7, W 23.8): an account's consents and opt-outs, registrations,
//! suppressions and message log for a period, as CSV (one file per kind) or JSON (all).

use tollgate_store::messaging::{
    self as msg_store, ConsentRow, MessageFilter, MessageRow, RegistrationRow, SuppressionRow,
};
use tollgate_store::{Page, ScopeFilter, MAX_PAGE_LIMIT};

use crate::{App, AppError, Caller};

/// Rows an export holds at most per kind (a longer period is exported in parts).
pub const MAX_EXPORT_ROWS: usize = 500_000;
/// The kinds of a CSV export.
pub const EXPORT_KINDS: &[&str] = &["messages", "consents", "registrations", "suppressions"];

/// Everything an audit asks for about one account and period.
#[derive(Debug, Clone, Default)]
pub struct AuditExport {
    pub billing_account: String,
    pub from: i64,
    pub to: i64,
    pub messages: Vec<MessageRow>,
    pub consents: Vec<ConsentRow>,
    pub registrations: Vec<RegistrationRow>,
    pub suppressions: Vec<SuppressionRow>,
}

async fn all_pages<T, F, Fut>(id: impl Fn(&T) -> String, mut fetch: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, tollgate_store::StoreError>>,
{
    let mut out: Vec<T> = Vec::new();
    let mut after = None;
    loop {
        let rows = fetch(Page {
            limit: MAX_PAGE_LIMIT,
            after: after.take(),
        })
        .await?;
        let full = rows.len() as i64 == MAX_PAGE_LIMIT;
        after = rows.last().map(&id);
        out.extend(rows);
        if out.len() > MAX_EXPORT_ROWS {
            return Err(AppError::invalid(
                "export_too_large",
                "from",
                format!("more than {MAX_EXPORT_ROWS} rows: export a shorter period"),
            ));
        }
        if !full {
            return Ok(out);
        }
    }
}

impl App {
    /// The audit export of an account in scope for `[from, to)`.
    pub async fn messaging_export(
        &self,
        caller: &Caller,
        account: &str,
        from: i64,
        to: i64,
    ) -> Result<AuditExport, AppError> {
        if to <= from {
            return Err(AppError::invalid(
                "period_invalid",
                "to",
                "must be after from",
            ));
        }
        let ba = self.get_billing_account(caller, account).await?;
        let scope = ScopeFilter::of(&caller.scope);
        let f = MessageFilter {
            billing_account: Some(ba.id.clone()),
            created: Some((from, to)),
            ..MessageFilter::default()
        };
        let messages = all_pages(
            |m: &MessageRow| m.id.clone(),
            |p| {
                let f = f.clone();
                async move { msg_store::list_messages(&self.store, scope, &f, &p).await }
            },
        )
        .await?;
        let consents = all_pages(
            |c: &ConsentRow| c.id.clone(),
            |p| async move {
                msg_store::list_consents(
                    &self.store,
                    scope,
                    Some(account),
                    None,
                    Some((from, to)),
                    &p,
                )
                .await
            },
        )
        .await?;
        let registrations = all_pages(
            |r: &RegistrationRow| r.id.clone(),
            |p| async move {
                msg_store::list_registrations(&self.store, scope, Some(account), &p).await
            },
        )
        .await?;
        let suppressions =
            all_pages(
                |s: &SuppressionRow| s.id.clone(),
                |p| async move {
                    msg_store::list_suppressions(&self.store, scope, Some(account), &p).await
                },
            )
            .await?;
        Ok(AuditExport {
            billing_account: ba.id,
            from,
            to,
            messages,
            consents,
            registrations,
            suppressions,
        })
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// One kind of the export as CSV (UTF-8, a header row).
pub fn to_csv(e: &AuditExport, kind: &str) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |err: csv::Error| AppError::Internal(err.to_string());
    match kind {
        "messages" => {
            w.write_record([
                "id",
                "created_at",
                "direction",
                "sender",
                "recipient",
                "category",
                "campaign",
                "segments",
                "status",
                "code",
                "rule",
                "clause",
                "state",
                "smsc_id",
                "submitted_at",
                "done_at",
                "keyword",
                "review",
            ])
            .map_err(io)?;
            for m in &e.messages {
                w.write_record([
                    m.id.clone(),
                    m.created_at.to_string(),
                    m.direction.clone(),
                    m.sender.clone(),
                    m.recipient.clone(),
                    m.category.clone(),
                    opt(&m.campaign),
                    m.segments.to_string(),
                    m.status.clone(),
                    m.code.clone(),
                    opt(&m.rule),
                    opt(&m.clause),
                    m.state.clone(),
                    opt(&m.smsc_id),
                    opt(&m.submitted_at),
                    opt(&m.done_at),
                    opt(&m.keyword),
                    opt(&m.review),
                ])
                .map_err(io)?;
            }
        }
        "consents" => {
            w.write_record([
                "id",
                "at",
                "recipient",
                "action",
                "method",
                "text_shown",
                "evidence",
                "country",
                "region",
                "time_zone",
                "recorded_by",
                "message_id",
            ])
            .map_err(io)?;
            for c in &e.consents {
                w.write_record([
                    c.id.clone(),
                    c.at.to_string(),
                    c.recipient.clone(),
                    c.action.clone(),
                    c.method.clone(),
                    opt(&c.text_shown),
                    opt(&c.evidence),
                    opt(&c.country),
                    opt(&c.region),
                    opt(&c.time_zone),
                    c.recorded_by.clone(),
                    opt(&c.message_id),
                ])
                .map_err(io)?;
            }
        }
        "registrations" => {
            w.write_record([
                "id",
                "kind",
                "reference",
                "brand_id",
                "numbers",
                "region",
                "status",
                "expires_at",
                "currency",
                "fee_micros",
                "monthly_fee_micros",
                "surcharge_micros",
                "created_at",
                "updated_at",
            ])
            .map_err(io)?;
            for r in &e.registrations {
                w.write_record([
                    r.id.clone(),
                    r.kind.clone(),
                    r.reference.clone(),
                    opt(&r.brand_id),
                    r.numbers.clone(),
                    opt(&r.region),
                    r.status.clone(),
                    opt(&r.expires_at),
                    r.currency.clone(),
                    r.fee_micros.to_string(),
                    r.monthly_fee_micros.to_string(),
                    r.surcharge_micros.to_string(),
                    r.created_at.to_string(),
                    r.updated_at.to_string(),
                ])
                .map_err(io)?;
            }
        }
        "suppressions" => {
            w.write_record(["id", "recipient", "reason", "added_at", "added_by"])
                .map_err(io)?;
            for s in &e.suppressions {
                w.write_record([
                    s.id.clone(),
                    s.recipient.clone(),
                    s.reason.clone(),
                    s.added_at.to_string(),
                    s.added_by.clone(),
                ])
                .map_err(io)?;
            }
        }
        _ => {
            return Err(AppError::invalid(
                "kind_invalid",
                "kind",
                format!("one of {}", EXPORT_KINDS.join(", ")),
            ));
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|err| AppError::Internal(err.to_string()))?;
    String::from_utf8(bytes).map_err(|err| AppError::Internal(err.to_string()))
}
