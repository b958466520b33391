//! C4 cancellation: within the profile's window from a purchase's effective date a written
//! cancellation stops its fees from the notice date (usage excepted) and refunds the prepaid
//! unused part pro rata by days; after it (or under a profile without a window) purchases
//! are final.

use jiff::civil::Date;
use jiff::Span;

use crate::billing::prorate_micros;
use crate::terms::TermsProfile;
use crate::{rules, Refusal};

/// C4: whether a purchase effective on `effective` may be cancelled by a notice of
/// `notice_on`.
pub fn check_cancellation(
    profile: &TermsProfile,
    effective: Date,
    notice_on: Date,
) -> Result<(), Refusal> {
    let window = i64::from(profile.contract.cancellation_window_days);
    let clause = profile.clause_for(rules::C4);
    if window == 0 {
        return Err(Refusal::new(
            "purchase_final",
            rules::C4,
            format!("purchases are final under {} ({clause})", profile.id),
        ));
    }
    let last = effective
        .checked_add(Span::new().days(window))
        .expect("a civil date in range");
    if notice_on > last {
        return Err(Refusal::new(
            "cancellation_too_late",
            rules::C4,
            format!(
                "a purchase may be cancelled within {window} days of its effective date \
                 {effective}, by {last}; after that it is final ({clause} under {})",
                profile.id
            ),
        )
        .on_field("notice_on"));
    }
    Ok(())
}

/// The prepaid unused part of `paid_micros` for the service period `[from, to)`, when fees
/// stop on `stop_on` (by days, half up to the micro).
pub fn unused_part(paid_micros: i64, from: Date, to: Date, stop_on: Date) -> Result<i64, Refusal> {
    let total = i64::from((to - from).get_days());
    let start = stop_on.max(from);
    let unused = if start >= to {
        0
    } else {
        i64::from((to - start).get_days())
    };
    prorate_micros(paid_micros, unused, total)
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
    fn c4_a_cancellation_on_day_20_refunds_the_unused_days_and_on_day_35_is_refused() {
        // An annual purchase effective 2026-01-01, 1,200.00 prepaid for 2026 (365 days).
        // Notice on 2026-01-20 (day 20): fees stop that day; 20 Jan → 1 Jan 2027 is 346 days
        // unused: 1,200 × 346/365 = 1,137.534246.5… → 1,137.534247.
        let p = profile("x-hoppers-2025");
        let eff = date(2026, 1, 1);
        assert!(check_cancellation(&p, eff, date(2026, 1, 20)).is_ok());
        let refund = unused_part(1_200_000_000, eff, date(2027, 1, 1), date(2026, 1, 20)).unwrap();
        assert_eq!(refund, 1_137_534_247);
        // Day 35 (2026-02-04) is past the 30 days: final, with the clause.
        let e = check_cancellation(&p, eff, date(2026, 2, 4)).unwrap_err();
        assert_eq!(
            (e.code, e.rule.unwrap().rule),
            ("cancellation_too_late", "C4")
        );
        assert!(e.message.contains("X 14"), "{}", e.message);
    }

    #[test]
    fn c4_purchases_are_final_under_wildix() {
        let p = profile("wildix-2026");
        let e = check_cancellation(&p, date(2026, 1, 1), date(2026, 1, 2)).unwrap_err();
        assert_eq!(e.code, "purchase_final");
        assert!(e.message.contains("W 7.5"), "{}", e.message);
    }
}
