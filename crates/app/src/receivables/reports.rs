//! Statements of account (read from the ledger: the billed party's receivable and credit
//! accounts with its issuer, so a statement cannot disagree with the books) and aged
//! receivables per issuer (open invoices by days past due).

use std::collections::BTreeMap;

use tollgate_core::ledger::AccountKind;
use tollgate_core::tenancy::Scope;
use tollgate_core::time::date_of;
use tollgate_store::ledger::system::account_entries;
use tollgate_store::receivables::system as rec_store;
use tollgate_store::{tenancy as tenancy_store, ScopeFilter};

use crate::{App, AppError, Caller};

/// One movement of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub on: i64,
    /// `invoice`, `payment`, `payment_declined`, `credit_note`, ...
    pub kind: String,
    pub reference: String,
    pub memo: String,
    /// What it adds to the balance owed (negative: a payment, a credit).
    pub amount_minor: i64,
    pub balance_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub issuer_id: String,
    pub billed_id: String,
    pub currency: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub opening_minor: i64,
    pub lines: Vec<StatementLine>,
    /// Owed (positive) or in credit (negative).
    pub closing_minor: i64,
}

/// Aged-receivables buckets: (label, first day past due, last day past due).
pub const AGED_BUCKETS: &[(&str, i64, i64)] = &[
    ("current", i64::MIN, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("over_90", 91, i64::MAX),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgedBucket {
    pub label: &'static str,
    pub minor: i64,
}

/// One billed party's open amounts by age, per issuer and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgedRow {
    pub issuer_id: String,
    pub billed_id: String,
    pub billed_name: String,
    pub currency: String,
    pub buckets: Vec<AgedBucket>,
    pub total_minor: i64,
}

impl App {
    /// The statement of a billing account the caller sees, with each issuer that billed it,
    /// from `from` to `to` (days, `to` exclusive).
    pub async fn statement(
        &self,
        caller: &Caller,
        billing_account: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<Statement>, AppError> {
        let account = tenancy_store::get_billing_account(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billing_account,
        )
        .await
        .map_err(|_| AppError::NotFound("billing account"))?;
        let customer =
            tenancy_store::system::get_customer(&self.store, &account.customer_id).await?;
        let issuer = match customer.partner_id {
            Some(p) => p,
            None => self.operator_id().await?,
        };
        Ok(vec![
            self.statement_of(&issuer, &account.id, &account.currency, from, to)
                .await?,
        ])
    }

    pub(crate) async fn statement_of(
        &self,
        issuer: &str,
        billed: &str,
        currency: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Statement, AppError> {
        let mut by_tx: BTreeMap<(i64, String), StatementLine> = BTreeMap::new();
        for kind in [AccountKind::Receivable, AccountKind::CustomerCredit] {
            for e in account_entries(&self.store, issuer, billed, &kind.name(), currency).await? {
                let l = by_tx
                    .entry((e.at, e.transaction_id.clone()))
                    .or_insert(StatementLine {
                        on: e.at,
                        kind: e.kind.clone(),
                        reference: e.ref_id.clone(),
                        memo: e.memo.clone(),
                        amount_minor: 0,
                        balance_minor: 0,
                    });
                l.amount_minor += e.signed_minor;
            }
        }
        let (mut opening, mut balance) = (0i64, 0i64);
        let mut lines = Vec::new();
        for (_, mut l) in by_tx {
            if from.is_some_and(|f| l.on < f) {
                opening += l.amount_minor;
                balance = opening;
                continue;
            }
            if to.is_some_and(|t| l.on >= t) {
                break;
            }
            if l.amount_minor == 0 {
                // A credit applied moves money between two of the party's accounts.
                continue;
            }
            balance += l.amount_minor;
            l.balance_minor = balance;
            lines.push(l);
        }
        Ok(Statement {
            issuer_id: issuer.into(),
            billed_id: billed.into(),
            currency: currency.into(),
            from,
            to,
            opening_minor: opening,
            lines,
            closing_minor: balance,
        })
    }

    /// Aged receivables as of today: the operator's for every issuer, a partner's own.
    pub async fn aged_receivables(&self, caller: &Caller) -> Result<Vec<AgedRow>, AppError> {
        let issuer = match &caller.scope {
            Scope::All => None,
            Scope::Partners(ids) => Some(ids.first().cloned().unwrap_or_default()),
            Scope::Customer(_) => return Err(AppError::Forbidden("issuers only".into())),
        };
        let today = self.now();
        let mut rows: BTreeMap<(String, String, String), AgedRow> = BTreeMap::new();
        for o in rec_store::open_invoices_of_issuer(&self.store, issuer.as_deref()).await? {
            let inv = &o.invoice;
            let late = i64::from((date_of(today) - date_of(inv.due_date)).get_days());
            let key = (
                inv.issuer_id.clone(),
                inv.billed_id.clone(),
                inv.currency.clone(),
            );
            let row = rows.entry(key).or_insert_with(|| AgedRow {
                issuer_id: inv.issuer_id.clone(),
                billed_id: inv.billed_id.clone(),
                billed_name: inv.billed_name.clone(),
                currency: inv.currency.clone(),
                buckets: AGED_BUCKETS
                    .iter()
                    .map(|(label, _, _)| AgedBucket { label, minor: 0 })
                    .collect(),
                total_minor: 0,
            });
            let i = AGED_BUCKETS
                .iter()
                .position(|(_, lo, hi)| (*lo..=*hi).contains(&late))
                .unwrap_or(0);
            row.buckets[i].minor += o.open_minor();
            row.total_minor += o.open_minor();
        }
        Ok(rows.into_values().collect())
    }
}

impl App {
    pub async fn list_payments(
        &self,
        caller: &Caller,
        billed_id: Option<&str>,
        page: &tollgate_store::Page,
    ) -> Result<Vec<tollgate_store::receivables::PaymentRow>, AppError> {
        Ok(tollgate_store::receivables::list_payments(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billed_id,
            page,
        )
        .await?)
    }

    pub async fn list_disputes(
        &self,
        caller: &Caller,
        invoice_id: Option<&str>,
        page: &tollgate_store::Page,
    ) -> Result<Vec<tollgate_store::receivables::DisputeRow>, AppError> {
        Ok(tollgate_store::receivables::list_disputes(
            &self.store,
            ScopeFilter::of(&caller.scope),
            invoice_id,
            page,
        )
        .await?)
    }

    pub async fn list_credit_notes(
        &self,
        caller: &Caller,
        page: &tollgate_store::Page,
    ) -> Result<Vec<tollgate_store::receivables::CreditNoteRow>, AppError> {
        Ok(tollgate_store::receivables::list_credit_notes(
            &self.store,
            ScopeFilter::of(&caller.scope),
            page,
        )
        .await?)
    }

    pub async fn list_billing_credits(
        &self,
        caller: &Caller,
        billed_id: Option<&str>,
        page: &tollgate_store::Page,
    ) -> Result<Vec<tollgate_store::receivables::BillingCreditRow>, AppError> {
        Ok(tollgate_store::receivables::list_credits(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billed_id,
            page,
        )
        .await?)
    }
}

impl App {
    /// B6: the legal maximum rate of late interest in a jurisdiction from a day (the
    /// operator's data; a later row of the same jurisdiction replaces it from its day).
    pub async fn set_interest_cap(
        &self,
        caller: &Caller,
        jurisdiction: &str,
        max_annual_pct: &str,
        effective_from: &str,
    ) -> Result<i64, AppError> {
        if !matches!(caller.scope, Scope::All) {
            return Err(AppError::Forbidden(
                "interest caps are the operator's data".into(),
            ));
        }
        let j = jurisdiction.trim();
        if j.is_empty() || j.len() > 10 || !j.chars().all(|c| c.is_ascii_uppercase() || c == '-') {
            return Err(AppError::invalid(
                "jurisdiction_invalid",
                "jurisdiction",
                "a country code, optionally with a region (GB, US-NY)",
            ));
        }
        let bp = tollgate_core::receivables::interest::rate_bp(max_annual_pct, None)
            .map_err(|r| AppError::invalid(r.code, "max_annual_pct", r.message))?;
        let from = tollgate_core::time::parse_day(effective_from, "effective_from")?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        rec_store::set_interest_cap(&mut tx, j, crate::billing::day(from), bp).await?;
        tollgate_store::audit::append(
            &mut tx,
            &crate::access::audit_row(
                &caller.actor,
                now,
                "interest_cap.set",
                j,
                serde_json::json!({"max_annual_bp": bp, "effective_from": from.to_string(), "rule": "B6"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(bp)
    }
}
