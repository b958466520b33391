//! B9 disputes: opened by the billed party within the profile's window, naming lines and an
//! amount; the undisputed part stays due (and alone accrues interest). Resolved by the issuer:
//! the upheld part becomes a credit note (its own gapless series), paying what is still open
//! on the invoice and leaving the rest as a billing credit for the next invoices; what is not
//! upheld is due 30 days after the resolution.

use serde_json::json;
use tollgate_core::ledger::{AccountKind, Side, Transaction};
use tollgate_core::receivables::dispute::{check_dispute, resolve};
use tollgate_core::rules;
use tollgate_core::terms::TermsProfile;
use tollgate_core::time::date_of;
use tollgate_store::audit;
use tollgate_store::billing::system as billing_sys;
use tollgate_store::billing::InvoiceRow;
use tollgate_store::ledger::{self as ledger_store, JournalHead};
use tollgate_store::receivables::system as rec_store;
use tollgate_store::receivables::{AllocationRow, BillingCreditRow, CreditNoteRow, DisputeRow};

use super::{acts_for, entry, minor_amount};
use crate::access::audit_row;
use crate::billing::{currency, day, stable_id};
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Most lines one dispute names.
pub const MAX_DISPUTED_LINES: usize = 500;

#[derive(Debug, Clone)]
pub struct NewDispute {
    /// The invoice's line numbers disputed.
    pub lines: Vec<i64>,
    pub amount: String,
    pub reason: String,
    /// `YYYY-MM-DD` the written notice arrived; today when absent.
    pub opened_on: Option<String>,
    pub ticket_ref: Option<String>,
}

/// How the issuer resolves a dispute.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The amount upheld (0: rejected; the whole amount: upheld).
    pub upheld: String,
    pub note: String,
}

impl App {
    fn profile_of_invoice(&self, inv: &InvoiceRow) -> Result<TermsProfile, AppError> {
        self.terms
            .get(&inv.profile_id, Some(inv.profile_version as u32))
            .cloned()
            .ok_or_else(|| AppError::Internal(format!("terms profile {} missing", inv.profile_id)))
    }

    /// B9: opens a dispute on an invoice the caller sees (a customer its own).
    pub async fn open_dispute(
        &self,
        caller: &Caller,
        invoice: &str,
        d: NewDispute,
    ) -> Result<DisputeRow, AppError> {
        if billing_sys::is_credit_note(&self.store, invoice).await? {
            return Err(AppError::invalid(
                "dispute_on_credit_note",
                "invoice",
                "a credit note cannot be disputed; dispute the invoice it credits",
            ));
        }
        let inv = self.invoice_in_scope(caller, invoice).await?;
        // B9: the billed party disputes; the partner that issued the invoice does not dispute
        // its own bill (the provider's staff may record a written dispute they received).
        if caller.principal.role.level() == tollgate_core::tenancy::Level::Partner
            && caller.principal.partner_id.as_deref() == Some(inv.issuer_id.as_str())
        {
            return Err(AppError::from(tollgate_core::Refusal::new(
                "dispute_by_issuer",
                rules::B9,
                "the billed party disputes an invoice; its issuer resolves the dispute",
            )));
        }
        let cur = currency(&inv.currency)?;
        let amount = minor_amount(&d.amount, cur, "amount")?;
        let reason = tollgate_core::text::check_free_text("reason", &d.reason)?;
        let ticket_ref =
            tollgate_core::text::check_opt_free_text("ticket_ref", d.ticket_ref.as_deref())?;
        if d.lines.is_empty() || d.lines.len() > MAX_DISPUTED_LINES {
            return Err(AppError::invalid(
                "lines_invalid",
                "lines",
                format!("1 to {MAX_DISPUTED_LINES} line numbers of the invoice"),
            ));
        }
        let now = self.now();
        // The day the written notice arrived: a customer's is today's; the issuer may record
        // one that came in the last days.
        let opened =
            crate::billing::notice_day(caller, d.opened_on.as_deref(), date_of(now), "opened_on")?;
        let (lines, _) = billing_sys::invoice_parts(&self.store, &inv.id).await?;
        let mut named = d.lines.clone();
        named.sort_unstable();
        named.dedup();
        let mut lines_minor = 0i64;
        for n in &named {
            let l = lines.iter().find(|l| l.line_no == *n).ok_or_else(|| {
                AppError::invalid(
                    "lines_invalid",
                    "lines",
                    format!("invoice {} has no line {n}", inv.number),
                )
            })?;
            lines_minor = lines_minor.saturating_add(l.amount_minor.max(0));
        }
        let profile = self.profile_of_invoice(&inv)?;
        let mut tx = self.store.begin().await?;
        rec_store::lock_party(&mut tx, &inv.billed_id).await?;
        let already: i64 = rec_store::disputes_of(&mut tx, &inv.id)
            .await?
            .iter()
            .filter(|x| x.state != "rejected")
            .map(|x| x.upheld_minor.unwrap_or(x.amount_minor))
            .sum();
        check_dispute(
            &profile,
            date_of(inv.invoice_date),
            opened,
            amount,
            lines_minor,
        )?;
        if already + amount > inv.total_minor {
            return Err(AppError::invalid(
                "dispute_exceeds_invoice",
                "amount",
                "disputes of this invoice (open or upheld) would exceed its total",
            ));
        }
        // The same lines cannot be disputed past their amount by disputes one after another:
        // the disputes (open or upheld) that name any of these lines, with this one, stay
        // within the lines they name together.
        let overlapping: Vec<DisputeRow> = rec_store::disputes_of(&mut tx, &inv.id)
            .await?
            .into_iter()
            .filter(|x| x.state != "rejected")
            .filter(|x| {
                x.line_numbers
                    .split(',')
                    .filter_map(|n| n.trim().parse::<i64>().ok())
                    .any(|n| named.contains(&n))
            })
            .collect();
        if !overlapping.is_empty() {
            let mut union = named.clone();
            for x in &overlapping {
                union.extend(
                    x.line_numbers
                        .split(',')
                        .filter_map(|n| n.trim().parse::<i64>().ok()),
                );
            }
            union.sort_unstable();
            union.dedup();
            let union_minor: i64 = lines
                .iter()
                .filter(|l| union.contains(&l.line_no))
                .map(|l| l.amount_minor.max(0))
                .sum();
            let disputed: i64 = overlapping
                .iter()
                .map(|x| x.upheld_minor.unwrap_or(x.amount_minor))
                .sum();
            if disputed + amount > union_minor {
                return Err(AppError::from(
                    tollgate_core::Refusal::new(
                        "lines_already_disputed",
                        rules::B9,
                        format!(
                            "these lines are already disputed for {} of their {}: at most {} more",
                            tollgate_core::money::format_minor(disputed, cur),
                            tollgate_core::money::format_minor(union_minor, cur),
                            tollgate_core::money::format_minor(
                                (union_minor - disputed).max(0),
                                cur
                            )
                        ),
                    )
                    .on_field("amount"),
                ));
            }
        }
        let row = DisputeRow {
            id: new_id("dsp"),
            invoice_id: inv.id.clone(),
            billed_id: inv.billed_id.clone(),
            opened_on: day(opened),
            amount_minor: amount,
            line_numbers: named
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            reason,
            ticket_ref,
            state: "open".into(),
            resolved_on: None,
            upheld_minor: None,
            due_on: None,
            credit_note_id: None,
            created_at: now,
        };
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "dispute.opened", &row.id, json!({"invoice": inv.number, "amount_minor": amount, "lines": named, "rule": "B9", "clause": profile.clause_for(rules::B9)})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    /// B9: the issuer resolves an open dispute.
    pub async fn resolve_dispute(
        &self,
        caller: &Caller,
        id: &str,
        r: Resolution,
    ) -> Result<(DisputeRow, Option<CreditNoteRow>), AppError> {
        let now = self.now();
        let today = date_of(now);
        let mut tx = self.store.begin().await?;
        let mut d = rec_store::get_dispute(&mut tx, id)
            .await
            .map_err(|_| AppError::NotFound("dispute"))?;
        let inv = billing_sys::invoice_by_id(&self.store, &d.invoice_id).await?;
        if !acts_for(caller, &inv.issuer_id) {
            return Err(AppError::NotFound("dispute"));
        }
        if d.state != "open" {
            return Err(AppError::Conflict {
                code: "dispute_resolved",
                message: format!("the dispute was {} already", d.state),
            });
        }
        let cur = currency(&inv.currency)?;
        let upheld = tollgate_core::money::parse_scaled(&r.upheld, cur.minor_digits())
            .map_err(|m| AppError::invalid("amount_invalid", "upheld", m))?;
        let note = tollgate_core::text::check_free_text("note", &r.note)?;
        let res = resolve(d.amount_minor, upheld, today)?;
        d.state = match (res.credit_minor, res.due_minor) {
            (0, _) => "rejected",
            (_, 0) => "upheld",
            _ => "partly_upheld",
        }
        .into();
        d.resolved_on = Some(day(today));
        d.upheld_minor = Some(res.credit_minor);
        d.due_on = (res.due_minor > 0).then(|| day(res.due_on));
        let mut note_row = None;
        if res.credit_minor > 0 {
            let cn = self
                .issue_credit_note(&mut tx, &inv, &d, res.credit_minor, &note, day(today))
                .await?;
            d.credit_note_id = Some(cn.id.clone());
            note_row = Some(cn);
        }
        if !rec_store::resolve_dispute(&mut tx, &d).await? {
            return Err(AppError::Conflict {
                code: "dispute_resolved",
                message: "the dispute was resolved meanwhile".into(),
            });
        }
        audit::append(
            &mut tx,
            &audit_row(&caller.actor, now, "dispute.resolved", &d.id, json!({"state": d.state, "upheld_minor": res.credit_minor, "due_minor": res.due_minor, "due_on": d.due_on.map(crate::billing::day_text), "note": note, "rule": "B9"})),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok((d, note_row))
    }

    /// A credit note of `amount` on `inv`: it pays what is open on the invoice, the rest is a
    /// billing credit; one ledger transaction (revenue given back against the receivable and
    /// the customer's credit).
    async fn issue_credit_note(
        &self,
        tx: &mut tollgate_store::Tx,
        inv: &InvoiceRow,
        d: &DisputeRow,
        net: i64,
        reason: &str,
        on: i64,
    ) -> Result<CreditNoteRow, AppError> {
        rec_store::lock_party(tx, &inv.billed_id).await?;
        let cur = currency(&inv.currency)?;
        // The upheld amount is of the lines' price; when they were taxed, the tax on it goes
        // back too, at the invoice's rates.
        let (lines, _) = billing_sys::invoice_parts(&self.store, &inv.id).await?;
        let named: Vec<i64> = d
            .line_numbers
            .split(',')
            .filter_map(|n| n.parse().ok())
            .collect();
        let mut taxes: std::collections::BTreeMap<String, i128> = Default::default();
        if lines
            .iter()
            .any(|l| named.contains(&l.line_no) && l.taxable != 0)
        {
            let per_minor = i128::from(super::micros_per_minor(cur));
            super::tax_back(self, &inv.id, i128::from(net) * per_minor, &mut taxes).await?;
        }
        let tax: Vec<(String, i64)> = taxes
            .into_iter()
            .map(|(j, m)| (j, tollgate_core::money::micros_to_minor(m, cur)))
            .filter(|(_, m)| *m > 0)
            .collect();
        let amount = net + tax.iter().map(|(_, m)| m).sum::<i64>();
        let year = i64::from(date_of(on).year());
        let n =
            billing_sys::next_invoice_number(tx, &format!("{}#credit-notes", inv.issuer_id), year)
                .await?;
        let id = stable_id("cn", &[&d.id]);
        let ltx = stable_id("ltx", &[&id]);
        let row = CreditNoteRow {
            id: id.clone(),
            // The issuer's invoice prefix, so two issuers' notes never share a number.
            number: format!(
                "{}-CN-{year}-{n:06}",
                inv.number.split('-').next().unwrap_or("CN")
            ),
            issuer_id: inv.issuer_id.clone(),
            invoice_id: inv.id.clone(),
            dispute_id: Some(d.id.clone()),
            billed_id: inv.billed_id.clone(),
            currency: inv.currency.clone(),
            amount_minor: amount,
            issued_on: on,
            reason: reason.into(),
            ledger_transaction_id: ltx.clone(),
        };
        row.insert(tx).await?;
        let open = rec_store::invoices_of(tx, &inv.issuer_id, &inv.billed_id, &inv.currency)
            .await?
            .into_iter()
            .find(|o| o.invoice.id == inv.id)
            .map_or(0, |o| o.open_minor().max(0));
        let to_invoice = open.min(amount);
        let to_credit = amount - to_invoice;
        if to_invoice > 0 {
            AllocationRow {
                id: stable_id("alc", &[&id, &inv.id]),
                invoice_id: inv.id.clone(),
                source_kind: "credit_note".into(),
                source_id: id.clone(),
                amount_minor: to_invoice,
                on_day: on,
                reversed_on: None,
            }
            .insert(tx)
            .await?;
        }
        if to_credit > 0 {
            BillingCreditRow {
                id: stable_id("crd", &[&id]),
                issuer_id: inv.issuer_id.clone(),
                billed_id: inv.billed_id.clone(),
                currency: inv.currency.clone(),
                amount_minor: to_credit,
                remaining_minor: to_credit,
                source_kind: "credit_note".into(),
                source_id: id.clone(),
                created_on: on,
                refunded_on: None,
            }
            .insert(tx)
            .await?;
        }
        let (issuer, billed) = (&inv.issuer_id, &inv.billed_id);
        let mut entries = vec![entry(
            issuer,
            billed,
            AccountKind::Revenue("credit_notes".into()),
            cur,
            Side::Debit,
            net,
        )];
        for (j, m) in &tax {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::TaxPayable(j.clone()),
                cur,
                Side::Debit,
                *m,
            ));
        }
        if to_invoice > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::Receivable,
                cur,
                Side::Credit,
                to_invoice,
            ));
        }
        if to_credit > 0 {
            entries.push(entry(
                issuer,
                billed,
                AccountKind::CustomerCredit,
                cur,
                Side::Credit,
                to_credit,
            ));
        }
        let head = JournalHead {
            id: ltx,
            at: on,
            kind: "credit_note".into(),
            ref_id: id,
            memo: format!("credit note {} on invoice {}", row.number, inv.number),
        };
        ledger_store::append(tx, &head, &Transaction::new(entries)?).await?;
        Ok(row)
    }
}
