//! Payments: recorded by the issuer (by API, or a bank statement import, idempotent by the
//! bank's reference), allocated to a named invoice or the oldest open invoice first; what is
//! left becomes a billing credit (B9). A declined or returned payment reverses its allocation
//! and tells the account's contacts (B10); the invoices stay due.

use serde_json::json;
use tollgate_core::ledger::{AccountKind, Side, Transaction};
use tollgate_core::money::Currency;
use tollgate_core::receivables::allocation::{allocate, OpenItem};
use tollgate_core::rules;
use tollgate_core::time::parse_day;
use tollgate_store::billing::{self as billing_store, InvoiceRow};
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::receivables::system as rec_store;
use tollgate_store::receivables::{AllocationRow, BillingCreditRow, PaymentRow};
use tollgate_store::{audit, ScopeFilter};

use super::{acts_for, entry, minor_amount};
use crate::access::audit_row;
use crate::billing::{day, stable_id};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Longest bank reference kept.
pub const MAX_BANK_REFERENCE_CHARS: usize = 100;

#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The invoice paid (id, number or payment reference); it names the billed party.
    pub invoice: String,
    /// Allocate to the named invoice first (else: oldest open first).
    pub to_named_invoice: bool,
    pub amount: String,
    pub currency: String,
    /// `YYYY-MM-DD`; today when absent.
    pub received_on: Option<String>,
    pub bank_reference: String,
    pub method: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PaymentOutcome {
    pub payment: PaymentRow,
    pub allocations: Vec<AllocationRow>,
    /// The bank reference was recorded before: nothing new was written.
    pub duplicate: bool,
}

impl App {
    /// An invoice the caller may see, by id, number or payment reference.
    pub(crate) async fn invoice_in_scope(
        &self,
        caller: &Caller,
        key: &str,
    ) -> Result<InvoiceRow, AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        if let Ok(i) = billing_store::get_invoice(&self.store, scope, key).await {
            return Ok(i);
        }
        let id = billing_store::system::invoice_id_by_reference(&self.store, key)
            .await?
            .ok_or(AppError::NotFound("invoice"))?;
        billing_store::get_invoice(&self.store, scope, &id)
            .await
            .map_err(|_| AppError::NotFound("invoice"))
    }

    /// B9: records a payment to the invoice's issuer and allocates it.
    pub async fn record_payment(
        &self,
        caller: &Caller,
        p: NewPayment,
    ) -> Result<PaymentOutcome, AppError> {
        // The invoice is named in the body: one that is unknown (or out of scope) is bad input
        // naming the field, not a missing resource.
        let inv = match self.invoice_in_scope(caller, &p.invoice).await {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::invalid(
                    "invoice_unknown",
                    "invoice",
                    "no invoice with this id, number or payment reference",
                ))
            }
            r => r?,
        };
        if !acts_for(caller, &inv.issuer_id) {
            return Err(AppError::Forbidden(
                "only the invoice's issuer records its payments".into(),
            ));
        }
        let cur = Currency::parse(&p.currency)
            .map_err(|m| AppError::invalid("currency_invalid", "currency", m))?;
        if cur.as_str() != inv.currency {
            return Err(AppError::invalid(
                "currency_mismatch",
                "currency",
                format!("invoice {} is in {}", inv.number, inv.currency),
            ));
        }
        let amount = minor_amount(&p.amount, cur, "amount")?;
        let reference = p.bank_reference.trim();
        if reference.is_empty() || reference.chars().count() > MAX_BANK_REFERENCE_CHARS {
            return Err(AppError::invalid(
                "bank_reference_invalid",
                "bank_reference",
                format!("1 to {MAX_BANK_REFERENCE_CHARS} characters"),
            ));
        }
        let now = self.now();
        let received = match &p.received_on {
            Some(d) => day(parse_day(d, "received_on")?),
            None => day(tollgate_core::time::date_of(now)),
        };
        if received > now {
            return Err(AppError::invalid(
                "date_in_future",
                "received_on",
                "a payment is received on or before today",
            ));
        }
        let mut tx = self.store.begin().await?;
        rec_store::lock_party(&mut tx, &inv.billed_id).await?;
        if let Some(old) =
            rec_store::payment_by_reference(&mut tx, &inv.issuer_id, reference).await?
        {
            if old.amount_minor != amount
                || old.billed_id != inv.billed_id
                || old.currency != inv.currency
            {
                return Err(AppError::Conflict {
                    code: "bank_reference_reused",
                    message: format!("bank reference {reference} was recorded for another payment"),
                });
            }
            let allocations = rec_store::allocations_from(&mut tx, &old.id).await?;
            return Ok(PaymentOutcome {
                payment: old,
                allocations,
                duplicate: true,
            });
        }
        let invoices =
            rec_store::invoices_of(&mut tx, &inv.issuer_id, &inv.billed_id, &inv.currency).await?;
        let open: Vec<OpenItem> = invoices
            .iter()
            .map(|o| OpenItem {
                id: o.invoice.id.clone(),
                open_minor: o.open_minor(),
            })
            .collect();
        // A payment naming an invoice with nothing left to pay is refused, not moved elsewhere.
        if open.iter().any(|o| o.id == inv.id && o.open_minor <= 0) {
            return Err(AppError::invalid(
                "invoice_closed",
                "invoice",
                format!("invoice {} has nothing left to pay", inv.number),
            ));
        }
        let named = p.to_named_invoice.then_some(inv.id.as_str());
        let split = allocate(amount, &open, named)?;
        let id = stable_id("pay", &[&inv.issuer_id, reference]);
        let payment = PaymentRow {
            id: id.clone(),
            issuer_id: inv.issuer_id.clone(),
            billed_id: inv.billed_id.clone(),
            currency: inv.currency.clone(),
            amount_minor: amount,
            received_on: received,
            bank_reference: reference.into(),
            method: p.method.clone().unwrap_or_else(|| "bank_transfer".into()),
            state: "received".into(),
            declined_on: None,
            decline_reason: None,
            credit_minor: split.leftover_minor,
            created_at: now,
        };
        payment.insert(&mut tx).await?;
        let mut allocations = Vec::new();
        for (invoice_id, minor) in &split.parts {
            let a = AllocationRow {
                id: stable_id("alc", &[&id, invoice_id]),
                invoice_id: invoice_id.clone(),
                source_kind: "payment".into(),
                source_id: id.clone(),
                amount_minor: *minor,
                on_day: received,
                reversed_on: None,
            };
            a.insert(&mut tx).await?;
            allocations.push(a);
        }
        if split.leftover_minor > 0 {
            BillingCreditRow {
                id: stable_id("crd", &[&id]),
                issuer_id: inv.issuer_id.clone(),
                billed_id: inv.billed_id.clone(),
                currency: inv.currency.clone(),
                amount_minor: split.leftover_minor,
                remaining_minor: split.leftover_minor,
                source_kind: "overpayment".into(),
                source_id: id.clone(),
                created_on: received,
                refunded_on: None,
            }
            .insert(&mut tx)
            .await?;
        }
        let (issuer, billed) = (&inv.issuer_id, &inv.billed_id);
        let allocated = amount - split.leftover_minor;
        let mut entries = vec![entry(
            issuer,
            billed,
            AccountKind::Cash,
            cur,
            Side::Debit,
            amount,
        )];
        if allocated > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::Receivable,
                cur,
                Side::Credit,
                allocated,
            ));
        }
        if split.leftover_minor > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::CustomerCredit,
                cur,
                Side::Credit,
                split.leftover_minor,
            ));
        }
        let head = JournalHead {
            id: stable_id("ltx", &[&id]),
            at: received,
            kind: "payment".into(),
            ref_id: id.clone(),
            memo: format!("payment {reference}"),
        };
        ledger_store::append(&mut tx, &head, &Transaction::new(entries)?).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "payment.recorded",
                &id,
                json!({"invoice": inv.number, "amount_minor": amount, "currency": inv.currency,
                       "allocated": split.parts, "credit_minor": split.leftover_minor, "rule": "B9"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(PaymentOutcome {
            payment,
            allocations,
            duplicate: false,
        })
    }

    /// B10: a declined or returned payment: its allocations are reversed (the invoices stay
    /// due), the credit it left is withdrawn, and the account's contacts are told.
    pub async fn decline_payment(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<PaymentRow, AppError> {
        let now = self.now();
        let on = day(tollgate_core::time::date_of(now));
        let mut tx = self.store.begin().await?;
        let p = rec_store::get_payment(&mut tx, id)
            .await
            .map_err(|_| AppError::NotFound("payment"))?;
        rec_store::lock_party(&mut tx, &p.billed_id).await?;
        if !acts_for(caller, &p.issuer_id) {
            return Err(AppError::NotFound("payment"));
        }
        if p.state != "received" {
            return Err(AppError::Conflict {
                code: "payment_not_received",
                message: format!("payment {} is already {}", p.bank_reference, p.state),
            });
        }
        let reason = tollgate_core::text::check_free_text("reason", reason)?;
        let cur = crate::billing::currency(&p.currency)?;
        let allocations = rec_store::allocations_from(&mut tx, &p.id).await?;
        let mut reversed = 0i64;
        for a in &allocations {
            rec_store::reverse_allocation(&mut tx, &a.id, on).await?;
            reversed += a.amount_minor;
        }
        if p.credit_minor > 0 {
            let c = rec_store::credit_by_source(&mut tx, &p.id)
                .await?
                .ok_or_else(|| AppError::Internal("an overpayment without its credit".into()))?;
            if c.remaining_minor < p.credit_minor {
                return Err(AppError::Conflict {
                    code: "credit_already_used",
                    message: "the credit this payment left was applied to a later invoice; \
                              reverse that first"
                        .into(),
                });
            }
            rec_store::set_credit_remaining(&mut tx, &c.id, c.remaining_minor - p.credit_minor)
                .await?;
        }
        rec_store::decline_payment(&mut tx, &p.id, on, &reason).await?;
        let (issuer, billed) = (&p.issuer_id, &p.billed_id);
        let mut entries = vec![entry(
            issuer,
            billed,
            AccountKind::Cash,
            cur,
            Side::Credit,
            p.amount_minor,
        )];
        if reversed > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::Receivable,
                cur,
                Side::Debit,
                reversed,
            ));
        }
        if p.credit_minor > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::CustomerCredit,
                cur,
                Side::Debit,
                p.credit_minor,
            ));
        }
        let head = JournalHead {
            id: stable_id("ltx", &[&p.id, "declined"]),
            at: on,
            kind: "payment_declined".into(),
            ref_id: p.id.clone(),
            memo: format!("payment {} declined: {reason}", p.bank_reference),
        };
        ledger_store::append(&mut tx, &head, &Transaction::new(entries)?).await?;
        let contacts = self.billing_contacts(billed).await?;
        for recipient in contacts {
            outbox::enqueue(
                &mut tx,
                &OutboxRow {
                    id: new_id("msg"),
                    at: now,
                    channel: "email".into(),
                    recipient,
                    subject: format!("Payment {} declined", p.bank_reference),
                    body: format!(
                        "Your payment {} of {} {} was declined or returned ({reason}). The \
                         invoices it paid are due again; please pay them again (B10, {}).\n",
                        p.bank_reference,
                        tollgate_core::money::format_minor(p.amount_minor, cur),
                        p.currency,
                        rules::B10.clause
                    ),
                    rule: rules::B10.rule.into(),
                },
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "payment.declined",
                &p.id,
                json!({"reason": reason, "reversed_minor": reversed, "rule": "B10"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(PaymentRow {
            state: "declined".into(),
            declined_on: Some(on),
            decline_reason: Some(reason),
            ..p
        })
    }

    /// The admins to tell about a billed party's money: a billing account's customer's (and
    /// its partner's) admins, or a partner's own.
    pub(crate) async fn billing_contacts(&self, billed_id: &str) -> Result<Vec<String>, AppError> {
        match tollgate_store::tenancy::system::get_billing_account(&self.store, billed_id).await {
            Ok(a) => self.contacts_of(&a.customer_id).await,
            // A partner billed wholesale: its own admins.
            Err(_) => Ok(tollgate_store::auth::system::admin_contacts_of_customer(
                &self.store,
                "",
                Some(billed_id),
            )
            .await?),
        }
    }
}
