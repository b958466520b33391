//! B9 disputes: written notice within the profile's window from the invoice date, naming the
//! lines, the amount (at most those lines) and a reason; the undisputed part stays due.
//! Resolution: the upheld part becomes a credit note; what stays unpaid is due
//! [`RESOLUTION_DUE_DAYS`] after the resolution.

use jiff::civil::Date;
use jiff::Span;

use super::RESOLUTION_DUE_DAYS;
use crate::terms::TermsProfile;
use crate::{rules, Refusal};

/// B9: the last day a dispute of an invoice dated `invoice_date` may be opened.
pub fn last_dispute_day(profile: &TermsProfile, invoice_date: Date) -> Date {
    invoice_date
        .checked_add(Span::new().days(i64::from(profile.billing.dispute_window_days)))
        .expect("a civil date in range")
}

/// B9: whether a dispute opened on `opened_on` for `amount_minor` of lines worth
/// `lines_minor` may be opened.
pub fn check_dispute(
    profile: &TermsProfile,
    invoice_date: Date,
    opened_on: Date,
    amount_minor: i64,
    lines_minor: i64,
) -> Result<(), Refusal> {
    if amount_minor <= 0 {
        return Err(Refusal::invalid(
            "amount_invalid",
            "amount",
            "a disputed amount is positive",
        ));
    }
    if amount_minor > lines_minor {
        return Err(Refusal::new(
            "dispute_exceeds_lines",
            rules::B9,
            format!(
                "the disputed amount is more than the lines named ({} minor units) ({})",
                lines_minor,
                profile.clause_for(rules::B9)
            ),
        )
        .on_field("amount"));
    }
    let last = last_dispute_day(profile, invoice_date);
    if opened_on > last {
        return Err(Refusal::new(
            "dispute_late",
            rules::B9,
            format!(
                "a dispute must be raised within {} days of the invoice date {invoice_date}, by \
                 {last} ({} under {})",
                profile.billing.dispute_window_days,
                profile.clause_for(rules::B9),
                profile.id
            ),
        )
        .on_field("opened_on"));
    }
    Ok(())
}

/// What a resolution means for the money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Upheld: a credit note of this amount.
    pub credit_minor: i64,
    /// Not upheld: due again, from `due_on`.
    pub due_minor: i64,
    pub due_on: Date,
}

/// B9: resolves a dispute of `amount_minor`, upholding `upheld_minor` of it, on `resolved_on`.
pub fn resolve(
    amount_minor: i64,
    upheld_minor: i64,
    resolved_on: Date,
) -> Result<Resolution, Refusal> {
    if !(0..=amount_minor).contains(&upheld_minor) {
        return Err(Refusal::invalid(
            "amount_invalid",
            "upheld",
            format!("the upheld amount is between 0 and the disputed {amount_minor}"),
        ));
    }
    Ok(Resolution {
        credit_minor: upheld_minor,
        due_minor: amount_minor - upheld_minor,
        due_on: resolved_on
            .checked_add(Span::new().days(RESOLUTION_DUE_DAYS))
            .expect("a civil date in range"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn profile() -> TermsProfile {
        let text = include_str!("../../../../terms-profiles/x-hoppers-2025.toml");
        TermsProfile::parse("x-hoppers-2025", text).unwrap()
    }

    #[test]
    fn b9_a_dispute_on_the_last_day_of_the_window_is_accepted_and_one_day_later_refused() {
        // Invoice dated 2026-11-01, window 30 days: the last day is 2026-12-01.
        let p = profile();
        let inv = date(2026, 11, 1);
        assert_eq!(last_dispute_day(&p, inv), date(2026, 12, 1));
        assert!(check_dispute(&p, inv, date(2026, 12, 1), 500, 1_000).is_ok());
        let late = check_dispute(&p, inv, date(2026, 12, 2), 500, 1_000).unwrap_err();
        assert_eq!((late.code, late.rule.unwrap().rule), ("dispute_late", "B9"));
        assert!(late.message.contains("X 3.D"), "{}", late.message);
    }

    #[test]
    fn b9_a_dispute_is_at_most_the_lines_it_names() {
        let p = profile();
        let inv = date(2026, 11, 1);
        let e = check_dispute(&p, inv, inv, 1_001, 1_000).unwrap_err();
        assert_eq!((e.code, e.field), ("dispute_exceeds_lines", Some("amount")));
        assert_eq!(
            check_dispute(&p, inv, inv, 0, 1_000).unwrap_err().code,
            "amount_invalid"
        );
    }

    #[test]
    fn b9_a_rejected_dispute_is_due_thirty_days_after_the_resolution() {
        // Rejected on 2026-12-10: the whole 300.00 is due on 2027-01-09.
        let r = resolve(30_000, 0, date(2026, 12, 10)).unwrap();
        assert_eq!(
            (r.credit_minor, r.due_minor, r.due_on),
            (0, 30_000, date(2027, 1, 9))
        );
        // Upheld for 100.00 of it: a credit note of 100.00, 200.00 due on the same day.
        let r = resolve(30_000, 10_000, date(2026, 12, 10)).unwrap();
        assert_eq!((r.credit_minor, r.due_minor), (10_000, 20_000));
        assert!(resolve(30_000, 30_001, date(2026, 12, 10)).is_err());
    }
}
