//! B6 late interest on the next invoice: for each earlier invoice of the billed party that is
//! overdue on the new invoice's date, the interest to that date (the undisputed overdue
//! amount, payments from their dates, capitalised on each monthly anniversary of the due
//! date, at the profile's rate capped by the jurisdiction's legal maximum) less what earlier
//! invoices charged already.

use jiff::civil::Date;
use tollgate_core::billing::invoice::{Charge, LineKind};
use tollgate_core::receivables::interest::{accrue, rate_bp, Hold, Movement};
use tollgate_core::receivables::RESOLUTION_DUE_DAYS;
use tollgate_core::rules;
use tollgate_core::time::date_of;
use tollgate_store::receivables::system as rec_store;
use tollgate_store::Tx;

use crate::billing::{currency, micros_text};
use crate::{App, AppError};

/// An interest line waiting for its invoice: the charge, and what to record once issued.
pub(crate) struct InterestDue {
    pub charge: Charge,
    pub invoice_id: String,
    pub through_day: i64,
    pub total_micros: i64,
}

impl App {
    /// The interest lines for `billed_id`'s next invoice dated `on` from `issuer`.
    pub(crate) async fn interest_due(
        &self,
        tx: &mut Tx,
        issuer: &str,
        billed_id: &str,
        currency_code: &str,
        jurisdiction: Option<&str>,
        on: Date,
    ) -> Result<Vec<InterestDue>, AppError> {
        let cur = currency(currency_code)?;
        let per_minor = super::micros_per_minor(cur);
        let on_day = crate::billing::day(on);
        let mut out = Vec::new();
        for o in rec_store::invoices_of(tx, issuer, billed_id, currency_code).await? {
            let inv = &o.invoice;
            if inv.due_date >= on_day {
                continue;
            }
            let Some(profile) = self
                .terms
                .get(&inv.profile_id, Some(inv.profile_version as u32))
            else {
                continue;
            };
            let cap = match jurisdiction {
                Some(j) => rec_store::interest_cap(tx, j, on_day).await?,
                None => None,
            };
            let bp = rate_bp(&profile.billing.late_interest_annual_pct, cap)?;
            if bp == 0 {
                continue;
            }
            let (lines, _) =
                tollgate_store::billing::system::invoice_parts(&self.store, &inv.id).await?;
            let interest_lines: i64 = lines
                .iter()
                .filter(|l| l.kind == "interest")
                .map(|l| l.amount_minor)
                .sum();
            let principal = (inv.total_minor - interest_lines) * per_minor;
            let mut movements = Vec::new();
            for a in rec_store::allocations_of(tx, &inv.id).await? {
                movements.push(Movement {
                    on: date_of(a.on_day),
                    micros: a.amount_minor * per_minor,
                });
                if let Some(r) = a.reversed_on {
                    movements.push(Movement {
                        on: date_of(r),
                        micros: -a.amount_minor * per_minor,
                    });
                }
            }
            let mut holds = Vec::new();
            for d in rec_store::disputes_of(tx, &inv.id).await? {
                let resolved = d.resolved_on.map(date_of);
                holds.push(Hold {
                    from: date_of(d.opened_on),
                    until: resolved,
                    micros: d.amount_minor * per_minor,
                });
                if let (Some(r), Some(up)) = (resolved, d.upheld_minor) {
                    // What was not upheld is due 30 days after the resolution.
                    let rest = d.amount_minor - up;
                    if rest > 0 {
                        let due = r
                            .checked_add(jiff::Span::new().days(RESOLUTION_DUE_DAYS))
                            .map_err(|e| AppError::Internal(e.to_string()))?;
                        holds.push(Hold {
                            from: r,
                            until: Some(due),
                            micros: rest * per_minor,
                        });
                    }
                }
            }
            let due = date_of(inv.due_date);
            let a = accrue(principal, due, on, bp, &movements, &holds)?;
            let (before, charged_to) = rec_store::interest_charged(tx, &inv.id).await?;
            let new = a.total_micros - before;
            if new <= 0 {
                continue;
            }
            let since = charged_to.map_or(due, date_of);
            let days = i64::from((on - since).get_days());
            let description = format!(
                "Late interest on invoice {} (due {due}), {since} to {on}: {days} day(s) at \
                 {}.{:02} % a year, daily on the overdue undisputed amount and capitalised on \
                 each monthly anniversary of the due date ({} capitalised so far); {} since the \
                 due date, less {} charged before",
                inv.number,
                bp / 100,
                bp % 100,
                micros_text(a.capitalised_micros, cur),
                micros_text(a.total_micros, cur),
                micros_text(before, cur),
            );
            out.push(InterestDue {
                charge: Charge {
                    kind: LineKind::Interest,
                    revenue: "interest".into(),
                    description,
                    rule: rules::B6,
                    quantity: 1,
                    unit_micros: new,
                    exact_micros: i128::from(new),
                    service_from: Some(since),
                    service_to: Some(on),
                    source: format!("interest:{}", inv.id),
                    taxable: false,
                },
                invoice_id: inv.id.clone(),
                through_day: on_day,
                total_micros: a.total_micros,
            });
        }
        Ok(out)
    }
}
