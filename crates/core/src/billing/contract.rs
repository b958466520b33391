//! Contract dates: when a subscription's charges start (B2, E4), when its term ends and renews
//! (C2), and whether a notice of non-renewal (C2) or a price change (C3) may take effect under
//! the agreement's terms profile.

use jiff::civil::Date;
use jiff::Span;

use crate::billing::catalog::{ProductKind, Term};
use crate::decision::RuleRef;
use crate::rules;
use crate::terms::TermsProfile;
use crate::Refusal;

/// E4: days from the order to the first invoiced day of a leased device.
pub const HWAAS_INVOICING_DELAY_DAYS: i64 = 14;

/// When a subscription's charges start, and the rule that says so:
/// a number at its Activation Date (B2; none yet while it is not active), a leased device 14
/// days after the order (E4), anything else at the order's Start Date (B2).
pub fn charges_start(
    kind: ProductKind,
    start_date: Date,
    ordered_on: Date,
    number_activated_on: Option<Date>,
) -> (Option<Date>, RuleRef) {
    match kind {
        ProductKind::Number => (number_activated_on, rules::B2),
        // E4: the one computation of a leased device's first invoiced day.
        ProductKind::LeasedDevice => (
            Some(crate::hardware::lease::invoicing_starts(ordered_on)),
            rules::E4,
        ),
        _ => (Some(start_date), rules::B2),
    }
}

/// `day` plus whole months (month ends clamp: 31 January + 1 month = 28/29 February).
pub fn add_months(day: Date, months: i64) -> Date {
    day.checked_add(Span::new().months(months))
        .expect("a civil date in range")
}

/// C2: the end of the term running on `on` (terms auto-renew for the same period): the first
/// `start + k × term` after `on`, k ≥ 1.
pub fn term_end_on(start: Date, term: Term, on: Date) -> Date {
    let step = i64::from(term.months());
    let mut k = 1;
    loop {
        let end = add_months(start, k * step);
        if end > on {
            return end;
        }
        k += 1;
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// C2: a notice of non-renewal must arrive at least the profile's days before the term ends;
/// a later one is refused and the term renews.
pub fn check_non_renewal(
    profile: &TermsProfile,
    term_end: Date,
    received_on: Date,
) -> Result<(), Refusal> {
    let need = i64::from(profile.contract.renewal_notice_days);
    let have = days_between(received_on, term_end);
    if have < need {
        return Err(Refusal::new(
            "non_renewal_too_late",
            rules::C2,
            format!(
                "a notice of non-renewal must arrive at least {need} days before the term ends \
                 on {term_end} ({} under {}); this one is {have} days before, so the term renews",
                profile.clause_for(rules::C2),
                profile.id
            ),
        )
        .on_field("received_on"));
    }
    Ok(())
}

/// C2: the last day the provider may send the renewal notice for a term ending on `term_end`.
pub fn renewal_notice_due(profile: &TermsProfile, term_end: Date) -> Date {
    term_end
        .checked_sub(Span::new().days(i64::from(profile.contract.renewal_notice_days)))
        .expect("a civil date in range")
}

/// C2: the term ends a run dated `run_on` must announce, the next run being on `next_run`:
/// every renewal after `run_on` whose last notice day falls before `next_run` (a notice the
/// next run would send too late), after `already` (the term end last announced). Ascending.
pub fn renewals_to_announce(
    profile: &TermsProfile,
    start: Date,
    term: Term,
    run_on: Date,
    next_run: Date,
    already: Option<Date>,
) -> Vec<Date> {
    let mut out = Vec::new();
    let mut end = term_end_on(start, term, run_on);
    while renewal_notice_due(profile, end) < next_run {
        if already.is_none_or(|a| end > a) {
            out.push(end);
        }
        end = add_months(end, i64::from(term.months()));
    }
    out
}

/// What a price change means for the customer, once allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChangeTerms {
    /// The first day the new price applies.
    pub effective_from: Date,
    /// `wildix-*`: the customer may withdraw until this day (C3); none under the others.
    pub withdraw_until: Option<Date>,
}

/// C3: whether a price change noticed on `noticed_on` may take effect on `effective_from` for
/// a subscription whose terms run from `start` for `term` each. Decreases always may. Under
/// `next_renewal_only` profiles an increase applies only from a renewal (the first day of a
/// term after the notice) with notice at least the profile's days before the term that ends
/// there; under `notice_with_withdrawal` profiles it applies on notice and the customer may
/// withdraw within the profile's days.
pub fn check_price_change(
    profile: &TermsProfile,
    increase: bool,
    (start, term): (Date, Term),
    noticed_on: Date,
    effective_from: Date,
) -> Result<PriceChangeTerms, Refusal> {
    let clause = profile.clause_for(rules::C3);
    if effective_from < noticed_on {
        return Err(Refusal::new(
            "price_change_retroactive",
            rules::C3,
            format!("a price change cannot apply before its notice ({clause})"),
        )
        .on_field("effective_from"));
    }
    if !increase {
        return Ok(PriceChangeTerms {
            effective_from,
            withdraw_until: None,
        });
    }
    match profile.contract.price_increase.as_str() {
        "next_renewal_only" => {
            // The renewal on or after `effective_from`; it must be `effective_from` itself.
            let day_before = effective_from.yesterday().expect("a civil date in range");
            let term_end = term_end_on(start, term, day_before.max(noticed_on));
            if effective_from != term_end {
                return Err(Refusal::new(
                    "price_increase_mid_term",
                    rules::C3,
                    format!(
                        "under {} a price increase applies only from a renewal term, the next \
                         one starting on {} ({clause})",
                        profile.id,
                        term_end_on(start, term, noticed_on)
                    ),
                )
                .on_field("effective_from"));
            }
            let need = i64::from(profile.contract.price_increase_notice_days);
            if days_between(noticed_on, term_end) < need {
                return Err(Refusal::new(
                    "price_increase_notice_too_short",
                    rules::C3,
                    format!(
                        "under {} a price increase needs notice at least {need} days before the \
                         term ends on {term_end} ({clause})",
                        profile.id
                    ),
                )
                .on_field("noticed_on"));
            }
            Ok(PriceChangeTerms {
                effective_from,
                withdraw_until: None,
            })
        }
        _ => Ok(PriceChangeTerms {
            effective_from,
            withdraw_until: Some(
                noticed_on
                    .checked_add(
                        Span::new().days(i64::from(profile.contract.price_increase_withdraw_days)),
                    )
                    .expect("a civil date in range"),
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn profile(id: &str) -> TermsProfile {
        let text = match id {
            "wildix-2026" => include_str!("../../../../terms-profiles/wildix-2026.toml"),
            _ => include_str!("../../../../terms-profiles/x-hoppers-2025.toml"),
        };
        TermsProfile::parse(id, text).unwrap()
    }

    #[test]
    fn c2_renewal_notices_go_out_on_the_last_run_before_the_thirty_day_mark() {
        let p = profile("wildix-2026");
        // Annual from 2026-01-20: the term ends 2027-01-20, its notice is due by 2026-12-21
        // (30 days before). The run of 2026-11-01 (next 2026-12-01) need not send it; the run
        // of 2026-12-01 (next 2027-01-01) must.
        let start = date(2026, 1, 20);
        let nov = renewals_to_announce(
            &p,
            start,
            Term::Annual,
            date(2026, 11, 1),
            date(2026, 12, 1),
            None,
        );
        assert!(nov.is_empty());
        let dec = renewals_to_announce(
            &p,
            start,
            Term::Annual,
            date(2026, 12, 1),
            date(2027, 1, 1),
            None,
        );
        assert_eq!(dec, vec![date(2027, 1, 20)]);
        // Sent once: the next run, or a rerun, has nothing more to say for that term.
        let again = renewals_to_announce(
            &p,
            start,
            Term::Annual,
            date(2026, 12, 1),
            date(2027, 1, 1),
            Some(date(2027, 1, 20)),
        );
        assert!(again.is_empty());
        // Monthly from 2026-11-17, run 2026-12-01: 2026-12-17 (due 2026-11-17, late but still
        // announced) and 2027-01-17 (due 2026-12-18, before the next run 2027-01-01).
        let m = renewals_to_announce(
            &p,
            date(2026, 11, 17),
            Term::Monthly,
            date(2026, 12, 1),
            date(2027, 1, 1),
            None,
        );
        assert_eq!(m, vec![date(2026, 12, 17), date(2027, 1, 17)]);
    }

    #[test]
    fn b2_e4_charges_start_at_activation_fourteen_days_after_a_lease_else_the_start_date() {
        let (ordered, start) = (date(2026, 10, 3), date(2026, 10, 17));
        assert_eq!(
            charges_start(ProductKind::Number, start, ordered, None),
            (None, rules::B2)
        );
        assert_eq!(
            charges_start(
                ProductKind::Number,
                start,
                ordered,
                Some(date(2026, 10, 20))
            )
            .0,
            Some(date(2026, 10, 20))
        );
        // 3 October + 14 days = 17 October.
        assert_eq!(
            charges_start(ProductKind::LeasedDevice, start, ordered, None),
            (Some(date(2026, 10, 17)), rules::E4)
        );
        assert_eq!(
            charges_start(ProductKind::Licence, start, ordered, None).0,
            Some(start)
        );
    }

    #[test]
    fn c2_terms_renew_for_the_same_period() {
        let s = date(2025, 1, 31);
        assert_eq!(term_end_on(s, Term::Annual, s), date(2026, 1, 31));
        assert_eq!(
            term_end_on(s, Term::Annual, date(2026, 1, 31)),
            date(2027, 1, 31)
        );
        // Month ends clamp: 31 January + 1 month = 28 February 2025.
        assert_eq!(term_end_on(s, Term::Monthly, s), date(2025, 2, 28));
    }

    #[test]
    fn c2_a_late_non_renewal_notice_is_refused() {
        let p = profile("wildix-2026");
        let end = date(2027, 3, 1);
        // 1 March 2027 − 30 days = 30 January 2027: in time; 31 January is 29 days before.
        assert!(check_non_renewal(&p, end, date(2027, 1, 30)).is_ok());
        let r = check_non_renewal(&p, end, date(2027, 1, 31)).unwrap_err();
        assert_eq!((r.code, r.rule), ("non_renewal_too_late", Some(rules::C2)));
        assert_eq!(renewal_notice_due(&p, end), date(2027, 1, 30));
    }

    #[test]
    fn c3_an_x_hoppers_mid_term_price_increase_is_refused() {
        let p = profile("x-hoppers-2025");
        // Annual terms from 1 June 2026: renewals on 1 June 2027, 1 June 2028, ...
        let terms = (date(2026, 6, 1), Term::Annual);
        let end = date(2027, 6, 1);
        let r =
            check_price_change(&p, true, terms, date(2026, 11, 23), date(2027, 1, 1)).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("price_increase_mid_term", Some(rules::C3))
        );
        // From the renewal with 30 days' notice: allowed; with 29: refused.
        assert!(check_price_change(&p, true, terms, date(2027, 5, 2), end).is_ok());
        // Mid-way through a later term: refused too; from the renewal after: allowed.
        let later = check_price_change(&p, true, terms, date(2026, 11, 23), date(2027, 9, 1));
        assert_eq!(later.unwrap_err().code, "price_increase_mid_term");
        assert!(check_price_change(&p, true, terms, date(2026, 11, 23), date(2028, 6, 1)).is_ok());
        assert_eq!(
            check_price_change(&p, true, terms, date(2027, 5, 3), end)
                .unwrap_err()
                .code,
            "price_increase_notice_too_short"
        );
        // A decrease applies whenever.
        assert!(
            check_price_change(&p, false, terms, date(2026, 11, 23), date(2026, 12, 1)).is_ok()
        );
    }

    #[test]
    fn c3_a_wildix_increase_applies_on_notice_and_may_be_withdrawn_within_60_days() {
        let p = profile("wildix-2026");
        let t = check_price_change(
            &p,
            true,
            (date(2026, 6, 1), Term::Annual),
            date(2026, 11, 23),
            date(2026, 12, 1),
        )
        .unwrap();
        // 23 November + 60 days = 22 January.
        assert_eq!(t.withdraw_until, Some(date(2027, 1, 22)));
    }
}
