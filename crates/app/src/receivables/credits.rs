//! Billing credits (B9, B12) consumed by the next invoices, oldest first, in the run's
//! transaction: an allocation to the invoice and one ledger transaction (the customer's
//! credit against the receivable).

use tollgate_core::ledger::{AccountKind, Side, Transaction};
use tollgate_store::billing::InvoiceRow;
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::receivables::system as rec_store;
use tollgate_store::receivables::AllocationRow;
use tollgate_store::Tx;

use super::entry;
use crate::billing::{currency, stable_id};
use crate::{App, AppError};

impl App {
    /// Applies the billed party's credits to a newly issued invoice; returns the amount
    /// applied. Called by the run, which holds the party's money lock already.
    pub(crate) async fn apply_credits(
        &self,
        tx: &mut Tx,
        inv: &InvoiceRow,
    ) -> Result<i64, AppError> {
        if inv.total_minor <= 0 {
            return Ok(0);
        }
        let credits =
            rec_store::credits_left(tx, &inv.issuer_id, &inv.billed_id, &inv.currency).await?;
        let mut open = inv.total_minor;
        let mut applied = 0i64;
        for c in credits {
            if open == 0 {
                break;
            }
            let take = open.min(c.remaining_minor);
            AllocationRow {
                id: stable_id("alc", &[&c.id, &inv.id]),
                invoice_id: inv.id.clone(),
                source_kind: "credit".into(),
                source_id: c.id.clone(),
                amount_minor: take,
                on_day: inv.invoice_date,
                reversed_on: None,
            }
            .insert(tx)
            .await?;
            rec_store::set_credit_remaining(tx, &c.id, c.remaining_minor - take).await?;
            open -= take;
            applied += take;
        }
        if applied > 0 {
            let cur = currency(&inv.currency)?;
            let (issuer, billed) = (&inv.issuer_id, &inv.billed_id);
            let t = Transaction::new(vec![
                entry(
                    issuer,
                    billed,
                    AccountKind::CustomerCredit,
                    cur,
                    Side::Debit,
                    applied,
                ),
                entry(
                    issuer,
                    billed,
                    AccountKind::Receivable,
                    cur,
                    Side::Credit,
                    applied,
                ),
            ])?;
            let head = JournalHead {
                id: stable_id("ltx", &[&inv.id, "credits"]),
                at: inv.invoice_date,
                kind: "credit_applied".into(),
                ref_id: inv.id.clone(),
                memo: format!("billing credit applied to invoice {}", inv.number),
            };
            ledger_store::append(tx, &head, &t).await?;
        }
        Ok(applied)
    }
}
