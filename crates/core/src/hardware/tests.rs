use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::casualty::{self, Cause, Claim, Outcome, PoliceReport};
use super::lease::{self, Change, LeaseTerm, NonReturn};
use super::rma::{self, RmaState, UsReturnLabel};
use super::warranty::{self, Exclusion, Warranty};
use super::{add_months, months_between, owning_entity, DeviceKind, DeviceState, Region};
use crate::rules;
use crate::support::clock::Calendar;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

// ---- calendar months -------------------------------------------------------------------

#[test]
fn add_months_clamps_to_the_month_end() {
    // August has 31 days, February 2027 28: 2026-08-31 + 6 → 2027-02-28.
    assert_eq!(add_months(d("2026-08-31"), 6), d("2027-02-28"));
    // 2024 is a leap year: 2024-01-31 + 1 → 2024-02-29; 2024-02-29 + 12 → 2025-02-28.
    assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
    assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
    assert_eq!(add_months(d("2026-03-31"), -1), d("2026-02-28"));
    assert_eq!(add_months(d("2026-06-01"), 0), d("2026-06-01"));
    // Out of jiff's range: saturates instead of panicking.
    assert_eq!(add_months(d("9999-12-01"), 1), Date::MAX);
    assert_eq!(add_months(d("2026-01-01"), i32::MAX), Date::MAX);
    assert_eq!(add_months(Date::MIN, -1), Date::MIN);
}

#[test]
fn months_between_counts_a_partial_month_whole() {
    // 2027-03-01 → 2027-06-01: March, April, May = 3.
    assert_eq!(months_between(d("2027-03-01"), d("2027-06-01")), 3);
    // 2027-03-15 → 2027-06-01: 2 months to 05-15, 17 days more → 3.
    assert_eq!(months_between(d("2027-03-15"), d("2027-06-01")), 3);
    // 2027-03-01 → 2027-06-02: one day into a 4th month → 4.
    assert_eq!(months_between(d("2027-03-01"), d("2027-06-02")), 4);
    // 2026-01-31 + 1 month clamps to 2026-02-28: exactly one month.
    assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), 1);
    assert_eq!(months_between(d("2026-01-31"), d("2026-03-01")), 2);
    assert_eq!(months_between(d("2026-06-01"), d("2026-06-01")), 0);
    assert_eq!(months_between(d("2026-06-02"), d("2026-06-01")), 0);
    assert_eq!(months_between(d("2026-06-01"), d("2026-06-02")), 1);
}

// ---- E1: owning entity -----------------------------------------------------------------

#[test]
fn e1_eu_lessees_devices_belong_to_the_estonian_entity_uk_to_the_uk_entity() {
    for (iso, region, owner) in [
        ("DE", Region::Eu, "estonian_entity"),
        (" ee ", Region::Eu, "estonian_entity"),
        ("GR", Region::Eu, "estonian_entity"),
        ("GB", Region::Uk, "uk_entity"),
        ("uk", Region::Uk, "uk_entity"),
        ("US", Region::Us, "provider"),
        // Europe outside the EU and the UK: the RULEBOOK's EU reading (see Region::parse).
        ("NO", Region::Other, "provider"),
        ("CH", Region::Other, "provider"),
        ("", Region::Other, "provider"),
        ("XX", Region::Other, "provider"),
    ] {
        assert_eq!(Region::parse(iso), region, "{iso}");
        assert_eq!(owning_entity(region), owner, "{iso}");
    }
    assert_eq!(super::EU_MEMBER_STATES.len(), 27);
}

#[test]
fn device_kinds_and_states_read_back_what_they_write() {
    for k in DeviceKind::ALL {
        assert_eq!(DeviceKind::parse(k.as_str()).unwrap(), k);
    }
    for s in DeviceState::ALL {
        assert_eq!(DeviceState::parse(s.as_str()).unwrap(), s);
    }
    assert_eq!(
        DeviceKind::parse("desk_phone").unwrap(),
        DeviceKind::DeskPhone
    );
    assert_eq!(
        DeviceState::parse("in_service").unwrap(),
        DeviceState::InService
    );
    let e = DeviceKind::parse("phone").unwrap_err();
    assert_eq!((e.code, e.field), ("kind_invalid", Some("kind")));
    assert_eq!(
        DeviceState::parse("broken").unwrap_err().code,
        "state_invalid"
    );
}

// ---- E2, E3, E4, product fact: leases ---------------------------------------------------

#[test]
fn e2_lease_terms_and_their_months() {
    for t in LeaseTerm::ALL {
        assert_eq!(LeaseTerm::parse(t.as_str()).unwrap(), t);
    }
    assert_eq!(LeaseTerm::MonthToMonth.months(), 1);
    assert_eq!(LeaseTerm::YearToYear.months(), 12);
    assert_eq!(LeaseTerm::FiveYears.months(), 60);
    let e = LeaseTerm::parse("3_years").unwrap_err();
    assert_eq!((e.code, e.field), ("term_invalid", Some("term")));
}

#[test]
fn e3_a_device_delivered_2026_06_01_cannot_be_reduced_or_exchanged_on_2026_11_30() {
    // 2026-06-01 + 6 months = 2026-12-01: the day before is still within the hold.
    let delivered = d("2026-06-01");
    assert_eq!(lease::first_change_allowed(delivered), d("2026-12-01"));
    for (change, field) in [(Change::Reduce, "quantity"), (Change::Exchange, "model")] {
        let e = lease::check_change(change, delivered, d("2026-11-30")).unwrap_err();
        assert_eq!(e.code, "within_six_months");
        assert_eq!(e.rule, Some(rules::E3));
        assert_eq!(e.rule.unwrap().clause, "W 21.6");
        assert_eq!(e.field, Some(field));
        assert!(e.message.contains("2026-12-01"), "{}", e.message);
        // Before delivery too.
        assert!(lease::check_change(change, delivered, d("2026-05-01")).is_err());
    }
}

#[test]
fn e3_a_device_delivered_2026_06_01_can_be_reduced_or_exchanged_on_2026_12_01() {
    let delivered = d("2026-06-01");
    for change in [Change::Reduce, Change::Exchange] {
        assert_eq!(
            lease::check_change(change, delivered, d("2026-12-01")),
            Ok(())
        );
        assert_eq!(
            lease::check_change(change, delivered, d("2027-03-15")),
            Ok(())
        );
    }
    // Delivered on a 31st: 2026-08-31 + 6 months clamps to 2027-02-28.
    assert!(lease::check_change(Change::Reduce, d("2026-08-31"), d("2027-02-27")).is_err());
    assert!(lease::check_change(Change::Reduce, d("2026-08-31"), d("2027-02-28")).is_ok());
}

#[test]
fn e4_a_device_ordered_2026_11_03_starts_invoicing_on_2026_11_17() {
    // 3 + 14 = 17 November.
    assert_eq!(lease::INVOICE_DELAY_DAYS, 14);
    assert_eq!(lease::invoicing_starts(d("2026-11-03")), d("2026-11-17"));
    // Across a month and a year end: 2026-12-25 + 14 = 2027-01-08.
    assert_eq!(lease::invoicing_starts(d("2026-12-25")), d("2027-01-08"));
    assert_eq!(lease::invoicing_starts(Date::MAX), Date::MAX);
}

#[test]
fn product_fact_a_lease_cancelled_before_6_months_is_billed_to_6_months() {
    // Delivered 2026-06-01, cancelled 2026-09-15: billed until 2026-12-01 (delivery + 6).
    let delivered = d("2026-06-01");
    assert_eq!(
        lease::billed_until_on_cancel(delivered, d("2026-09-15")),
        d("2026-12-01")
    );
    // Cancelled after the 6 months: billed until the cancellation.
    assert_eq!(
        lease::billed_until_on_cancel(delivered, d("2027-01-10")),
        d("2027-01-10")
    );
    assert_eq!(
        lease::billed_until_on_cancel(delivered, d("2026-12-01")),
        d("2026-12-01")
    );
}

// ---- E7: not returned -----------------------------------------------------------------

#[test]
fn e7_a_lease_ended_with_one_device_not_returned_invoices_the_unpaid_term_casualty_and_10_pct() {
    // A 5-year lease from 2024-12-01: the term ends 2024-12-01 + 60 months = 2029-12-01.
    // Terminated with fees paid until 2027-03-01; the device is never made available.
    // Months unpaid: 2027-03 → 2029-12 = 2 × 12 + (12 − 3) = 33.
    // Fees: 33 × 9.90 = 326.70; casualty value 120.00; 10 % of 120.00 = 12.00.
    // Total: 326.70 + 120.00 + 12.00 = 458.70.
    let term_ends = add_months(d("2024-12-01"), LeaseTerm::FiveYears.months());
    assert_eq!(term_ends, d("2029-12-01"));
    let n = lease::non_return(9_900_000, d("2027-03-01"), term_ends, 120_000_000).unwrap();
    assert_eq!(
        n,
        NonReturn {
            unpaid_fees_micros: 326_700_000,
            casualty_micros: 120_000_000,
            surcharge_micros: 12_000_000,
            total_micros: 458_700_000,
            months_unpaid: 33,
        }
    );
}

#[test]
fn e7_a_partial_month_of_the_term_counts_whole_and_the_surcharge_rounds_half_up() {
    // Paid until 2027-03-15, term ends 2027-06-01: 2.5 months → 3. Fee 12.50 → 37.50.
    // Casualty 89.90, 10 % = 8.99. Total 37.50 + 89.90 + 8.99 = 136.39.
    let n = lease::non_return(12_500_000, d("2027-03-15"), d("2027-06-01"), 89_900_000).unwrap();
    assert_eq!(n.months_unpaid, 3);
    assert_eq!(n.unpaid_fees_micros, 37_500_000);
    assert_eq!(n.surcharge_micros, 8_990_000);
    assert_eq!(n.total_micros, 136_390_000);
    // Casualty 12.345675: 10 % = 1.2345675 → 1.234568 (half up to the micro).
    // Paid to the end of the term: no fees. Total 12.345675 + 1.234568 = 13.580243.
    let n = lease::non_return(12_500_000, d("2027-06-01"), d("2027-06-01"), 12_345_675).unwrap();
    assert_eq!(
        (
            n.months_unpaid,
            n.unpaid_fees_micros,
            n.surcharge_micros,
            n.total_micros
        ),
        (0, 0, 1_234_568, 13_580_243)
    );
}

#[test]
fn e7_refuses_negative_amounts_and_overflow() {
    let e = lease::non_return(-1, d("2027-03-01"), d("2027-06-01"), 0).unwrap_err();
    assert_eq!(
        (e.code, e.field),
        ("amount_invalid", Some("monthly_fee_micros"))
    );
    let e = lease::non_return(0, d("2027-03-01"), d("2027-06-01"), -5).unwrap_err();
    assert_eq!(
        (e.code, e.field),
        ("amount_invalid", Some("casualty_micros"))
    );
    let e = lease::non_return(i64::MAX, d("2027-03-01"), d("2027-05-01"), 0).unwrap_err();
    assert_eq!(e.code, "amount_too_large");
    let e = lease::non_return(0, d("2027-03-01"), d("2027-05-01"), i64::MAX).unwrap_err();
    assert_eq!(e.code, "amount_too_large");
}

// ---- E5, E6, E8: damage, fire, theft, loss ---------------------------------------------

fn claim<'a>(cause: Cause, label: bool, report: Option<&'a PoliceReport>) -> Claim<'a> {
    Claim {
        cause,
        label_identifiable: label,
        police_report: report,
        device_model: "WP490",
        device_serial: "SN-0042",
    }
}

fn report(model: &str, serial: &str) -> PoliceReport {
    PoliceReport {
        model: model.into(),
        serial: serial.into(),
    }
}

#[test]
fn e5_theft_without_a_police_report_is_refused() {
    let e = casualty::decide(&claim(Cause::Theft, true, None)).unwrap_err();
    assert_eq!(e.code, "police_report_required");
    assert_eq!(e.rule, Some(rules::E5));
    assert_eq!(e.rule.unwrap().clause, "W 21.17");
    assert_eq!(e.field, Some("police_report"));
}

#[test]
fn e5_theft_with_a_police_report_naming_the_device_is_replaced_free() {
    // Trimmed and case-insensitive: " wp490 " / "sn-0042" names WP490 / SN-0042.
    let r = report(" wp490 ", "sn-0042");
    assert_eq!(
        casualty::decide(&claim(Cause::Theft, false, Some(&r))),
        Ok(Outcome::Free { rule: rules::E5 })
    );
    // Another serial, another model, or an empty report: refused.
    for r in [
        report("WP490", "SN-0043"),
        report("WP480", "SN-0042"),
        report("", ""),
    ] {
        let e = casualty::decide(&claim(Cause::Theft, false, Some(&r))).unwrap_err();
        assert_eq!(
            (e.code, e.field),
            ("police_report_mismatch", Some("police_report"))
        );
        assert_eq!(e.rule, Some(rules::E5));
    }
}

#[test]
fn e5_fire_with_an_identifiable_label_is_replaced_free() {
    let o = casualty::decide(&claim(Cause::Fire, true, None)).unwrap();
    assert_eq!(o, Outcome::Free { rule: rules::E5 });
    assert!(!o.is_charged());
}

#[test]
fn e5_fire_that_destroyed_the_label_needs_a_police_report() {
    let e = casualty::decide(&claim(Cause::Fire, false, None)).unwrap_err();
    assert_eq!(e.code, "police_report_required");
    let r = report("WP490", "SN-0042");
    assert_eq!(
        casualty::decide(&claim(Cause::Fire, false, Some(&r))),
        Ok(Outcome::Free { rule: rules::E5 })
    );
}

#[test]
fn e5_any_damage_is_replaced_free_while_the_device_can_be_identified() {
    for cause in [Cause::Defect, Cause::Accident, Cause::Deliberate] {
        assert_eq!(
            casualty::decide(&claim(cause, true, None)),
            Ok(Outcome::Free { rule: rules::E5 })
        );
        // Unidentifiable and no police report: refused.
        let e = casualty::decide(&claim(cause, false, None)).unwrap_err();
        assert_eq!(e.code, "device_unidentifiable");
        assert_eq!(
            (e.rule, e.field),
            (Some(rules::E5), Some("label_identifiable"))
        );
        // W 21.17's "other events that make it impossible to read the label": a matching
        // police report makes it free.
        let r = report("WP490", "SN-0042");
        assert!(!casualty::decide(&claim(cause, false, Some(&r)))
            .unwrap()
            .is_charged());
    }
}

#[test]
fn e6_complete_loss_and_an_unsuitable_environment_are_charged() {
    for cause in [Cause::Loss, Cause::UnsuitableEnvironment] {
        let o = casualty::decide(&claim(cause, true, None)).unwrap();
        assert_eq!(o, Outcome::Charged { rule: rules::E6 });
        assert_eq!(o.rule().clause, "W 21.19");
        assert!(o.is_charged());
    }
}

#[test]
fn e8_a_worn_device_is_replaced_free_on_request() {
    assert_eq!(
        casualty::decide(&claim(Cause::Wear, true, None)),
        Ok(Outcome::Free { rule: rules::E8 })
    );
    for c in Cause::ALL {
        assert_eq!(Cause::parse(c.as_str()).unwrap(), c);
    }
    let e = Cause::parse("flood").unwrap_err();
    assert_eq!((e.code, e.field), ("cause_invalid", Some("cause")));
}

fn berlin(holidays: &[&str]) -> Calendar {
    Calendar {
        tz: TimeZone::get("Europe/Berlin").unwrap(),
        holidays: holidays.iter().map(|h| d(h)).collect(),
    }
}

#[test]
fn e5_the_replacement_ships_within_one_working_day() {
    let c = berlin(&[]);
    // Monday 2026-11-23 15:00 CET (14:00Z): 3 h Monday + 6 h Tuesday from 09:00 →
    // Tuesday 15:00 CET = 14:00Z.
    assert_eq!(
        casualty::ship_by(at("2026-11-23T14:00:00Z"), &c),
        at("2026-11-24T14:00:00Z")
    );
    // Friday 2026-11-20 17:00 CET (16:00Z): 1 h Friday + 8 h Monday → Monday 17:00 CET.
    assert_eq!(
        casualty::ship_by(at("2026-11-20T16:00:00Z"), &c),
        at("2026-11-23T16:00:00Z")
    );
    // Saturday 2026-11-21: the clock starts Monday 09:00 CET → Monday 18:00 CET = 17:00Z.
    assert_eq!(
        casualty::ship_by(at("2026-11-21T12:00:00Z"), &c),
        at("2026-11-23T17:00:00Z")
    );
    // Thursday 2026-12-24 15:00 CET with the 25th a holiday: 3 h Thursday, then Monday
    // 2026-12-28 09:00 + 6 h = 15:00 CET = 14:00Z.
    assert_eq!(
        casualty::ship_by(at("2026-12-24T14:00:00Z"), &berlin(&["2026-12-25"])),
        at("2026-12-28T14:00:00Z")
    );
    // A UTC calendar: Wednesday 2026-11-25 10:00Z → Thursday 10:00Z.
    let utc = Calendar {
        tz: TimeZone::UTC,
        holidays: Default::default(),
    };
    assert_eq!(
        casualty::ship_by(at("2026-11-25T10:00:00Z"), &utc),
        at("2026-11-26T10:00:00Z")
    );
}

// ---- K1-K5: CAPEX ------------------------------------------------------------------------

#[test]
fn k1_a_capex_purchase_is_final() {
    let e = warranty::check_capex_return();
    assert_eq!((e.code, e.rule), ("purchase_final", Some(rules::K1)));
    assert_eq!(e.rule.unwrap().clause, "W 22.2");
}

#[test]
fn k2_warranty_for_a_device_bought_2022_07_01_without_agreement_ends_after_2023_06_30() {
    // 2022-07-01 + 12 months = 2023-07-01, the first day not covered.
    let bought = d("2022-07-01");
    let ok = warranty::eligibility(bought, false, false, d("2023-06-30")).unwrap();
    assert_eq!(ok.warranty, Warranty::OneYear);
    assert_eq!(ok.ends_on, d("2023-07-01"));
    assert!(!ok.agreement_copy_required);
    let e = warranty::eligibility(bought, false, false, d("2023-07-01")).unwrap_err();
    assert_eq!((e.code, e.rule), ("warranty_expired", Some(rules::K2)));
    assert!(e.message.contains("2023-06-30"), "{}", e.message);
}

#[test]
fn k2_a_device_bought_2021_03_01_with_a_5_year_agreement_is_eligible_on_2025_02_01() {
    // 2021-03-01 + 60 months = 2026-03-01 (first day not covered). On 2025-02-01 the device
    // is over a year old (2022-03-01 passed): the agreement copy is required.
    let bought = d("2021-03-01");
    let ok = warranty::eligibility(bought, true, true, d("2025-02-01")).unwrap();
    assert_eq!(ok.warranty, Warranty::FiveYears);
    assert_eq!(ok.ends_on, d("2026-03-01"));
    assert!(ok.agreement_copy_required);
    // Without the copy on file: refused, naming the agreement.
    let e = warranty::eligibility(bought, true, false, d("2025-02-01")).unwrap_err();
    assert_eq!(e.code, "agreement_copy_required");
    assert_eq!((e.rule, e.field), (Some(rules::K2), Some("agreement")));
    // Last covered day.
    assert!(warranty::eligibility(bought, true, true, d("2026-02-28")).is_ok());
}

#[test]
fn k2_a_device_bought_2021_03_01_with_a_5_year_agreement_is_refused_on_2026_03_02() {
    let bought = d("2021-03-01");
    for on in ["2026-03-01", "2026-03-02", "2030-01-01"] {
        let e = warranty::eligibility(bought, true, true, d(on)).unwrap_err();
        assert_eq!(
            (e.code, e.rule),
            ("warranty_expired", Some(rules::K2)),
            "{on}"
        );
        assert!(e.message.contains("2026-02-28"), "{}", e.message);
        assert!(e.message.contains("no RMA"), "{}", e.message);
    }
}

#[test]
fn k2_the_agreement_copy_is_required_from_the_first_anniversary() {
    // 2021-03-01 + 12 months = 2022-03-01: before it, no copy needed.
    let bought = d("2021-03-01");
    let ok = warranty::eligibility(bought, true, false, d("2022-02-28")).unwrap();
    assert!(!ok.agreement_copy_required);
    assert!(warranty::eligibility(bought, true, false, d("2022-03-01")).is_err());
}

#[test]
fn k2_before_the_cutoff_without_agreement_or_after_it_with_one_the_standard_year() {
    // Bought 2022-06-30 without agreement: 1 year, ends 2023-06-30.
    let ok = warranty::eligibility(d("2022-06-30"), false, false, d("2023-06-29")).unwrap();
    assert_eq!(
        (ok.warranty, ok.ends_on),
        (Warranty::OneYear, d("2023-06-30"))
    );
    assert!(warranty::eligibility(d("2022-06-30"), false, false, d("2023-06-30")).is_err());
    // Bought 2023-01-10 "with" a 5-year agreement: the terms know none after the cutoff.
    let ok = warranty::eligibility(d("2023-01-10"), true, true, d("2023-06-01")).unwrap();
    assert_eq!(
        (ok.warranty, ok.ends_on),
        (Warranty::OneYear, d("2024-01-10"))
    );
    // 2020-02-29 + 12 months clamps to 2021-02-28.
    let ok = warranty::eligibility(d("2020-02-29"), false, false, d("2020-03-01")).unwrap();
    assert_eq!(ok.ends_on, d("2021-02-28"));
    // A request before the purchase is bad input.
    let e = warranty::eligibility(d("2024-05-01"), false, false, d("2024-04-30")).unwrap_err();
    assert_eq!(
        (e.code, e.field),
        ("purchase_date_invalid", Some("purchased_on"))
    );
    assert_eq!(warranty::cutoff(), d("2022-07-01"));
}

#[test]
fn k3_the_first_exclusion_found_refuses_the_claim() {
    assert_eq!(warranty::check_exclusions(&[]), Ok(()));
    let e = warranty::check_exclusions(&[Exclusion::Wear, Exclusion::Misuse]).unwrap_err();
    assert_eq!((e.code, e.rule), ("not_covered", Some(rules::K3)));
    assert!(e.message.contains("wear"), "{}", e.message);
    assert!(!e.message.contains("misuse"), "{}", e.message);
    for x in Exclusion::ALL {
        assert_eq!(Exclusion::parse(x.as_str()).unwrap(), x);
        let e = warranty::check_exclusions(&[x]).unwrap_err();
        assert!(e.message.contains(x.as_str()), "{}", e.message);
    }
    assert_eq!(
        Exclusion::parse("unauthorised_change").unwrap(),
        Exclusion::UnauthorisedChange
    );
    assert_eq!(
        Exclusion::parse("water").unwrap_err().code,
        "exclusion_invalid"
    );
}

#[test]
fn k5_a_non_operational_device_cannot_be_converted_to_hwaas() {
    assert_eq!(warranty::check_conversion(true), Ok(()));
    let e = warranty::check_conversion(false).unwrap_err();
    assert_eq!(
        (e.code, e.rule),
        ("device_not_operational", Some(rules::K5))
    );
    assert_eq!(e.rule.unwrap().clause, "W 22.6");
}

#[test]
fn k4_rma_moves_requested_approved_received_verified_then_ships_or_credits() {
    use RmaState::*;
    let allowed = [
        (Requested, Approved),
        (Approved, UnitReceived),
        (UnitReceived, Verified),
        (Verified, ReplacementShipped),
        (Verified, RefurbishedShipped),
        (Verified, CreditNote),
        (Requested, Refused),
        (Approved, Refused),
        (UnitReceived, Refused),
        (Verified, Refused),
    ];
    for from in RmaState::ALL {
        for to in RmaState::ALL {
            let r = rma::transition(from, to);
            if allowed.contains(&(from, to)) {
                assert_eq!(r, Ok(()), "{from:?} → {to:?}");
            } else {
                let e = r.unwrap_err();
                assert_eq!(e.code, "rma_transition_invalid", "{from:?} → {to:?}");
                assert_eq!((e.rule, e.field), (Some(rules::K4), Some("state")));
            }
        }
    }
    // No shipping before the faulty unit is received and verified.
    assert!(rma::transition(UnitReceived, ReplacementShipped).is_err());
    let finals: Vec<_> = RmaState::ALL
        .into_iter()
        .filter(|s| rma::is_final(*s))
        .collect();
    assert_eq!(
        finals,
        [ReplacementShipped, RefurbishedShipped, CreditNote, Refused]
    );
    for s in RmaState::ALL {
        assert_eq!(RmaState::parse(s.as_str()).unwrap(), s);
    }
    assert_eq!(
        RmaState::parse("shipped").unwrap_err().code,
        "rma_state_invalid"
    );
}

#[test]
fn k4_an_rma_needs_a_fault_description_and_proof_of_purchase() {
    assert_eq!(rma::check_request("no dial tone", true), Ok(()));
    let e = rma::check_request("  ", true).unwrap_err();
    assert_eq!(
        (e.code, e.field),
        ("fault_description_required", Some("fault_description"))
    );
    let e = rma::check_request("no dial tone", false).unwrap_err();
    assert_eq!(
        (e.code, e.rule),
        ("proof_of_purchase_required", Some(rules::K4))
    );
}

#[test]
fn k4_a_us_return_label_needs_a_valid_rma_number_weight_and_dimensions() {
    let ok = UsReturnLabel {
        rma_number: "RMA-2026-0042".into(),
        weight_g: 850,
        length_mm: 300,
        width_mm: 200,
        height_mm: 120,
    };
    assert_eq!(rma::check_us_label(&ok), Ok(()));
    let bad = |f: fn(&mut UsReturnLabel)| {
        let mut l = ok.clone();
        f(&mut l);
        let e = rma::check_us_label(&l).unwrap_err();
        (e.code, e.field.unwrap())
    };
    assert_eq!(
        bad(|l| l.rma_number.clear()),
        ("rma_number_invalid", "rma_number")
    );
    assert_eq!(
        bad(|l| l.rma_number = "A".repeat(33)),
        ("rma_number_invalid", "rma_number")
    );
    assert_eq!(
        bad(|l| l.rma_number = "RMA 42".into()),
        ("rma_number_invalid", "rma_number")
    );
    assert_eq!(
        bad(|l| l.rma_number = "RMA_42".into()),
        ("rma_number_invalid", "rma_number")
    );
    assert_eq!(bad(|l| l.weight_g = 0), ("weight_invalid", "weight_g"));
    assert_eq!(
        bad(|l| l.weight_g = rma::MAX_WEIGHT_G + 1),
        ("weight_invalid", "weight_g")
    );
    assert_eq!(
        bad(|l| l.length_mm = -1),
        ("dimension_invalid", "length_mm")
    );
    assert_eq!(
        bad(|l| l.width_mm = rma::MAX_SIDE_MM + 1),
        ("dimension_invalid", "width_mm")
    );
    assert_eq!(bad(|l| l.height_mm = 0), ("dimension_invalid", "height_mm"));
    // The bounds themselves are accepted; 32 characters are.
    let mut edge = ok.clone();
    edge.rma_number = "A".repeat(32);
    edge.weight_g = rma::MAX_WEIGHT_G;
    edge.length_mm = rma::MAX_SIDE_MM;
    edge.width_mm = 1;
    assert_eq!(rma::check_us_label(&edge), Ok(()));
}

#[test]
fn rules_e1_to_e8_and_k1_to_k5_carry_their_clauses() {
    for (id, clause) in [
        ("E1", "W 21.4"),
        ("E2", "W 21.5"),
        ("E3", "W 21.6"),
        ("E4", "W 21.7"),
        ("E5", "W 21.17"),
        ("E6", "W 21.19"),
        ("E7", "W 21.24"),
        ("E8", "W 21.12-21.14"),
        ("K1", "W 22.2"),
        ("K2", "W 22.3"),
        ("K3", "W 22.4"),
        ("K4", "W 22.5"),
        ("K5", "W 22.6"),
    ] {
        assert_eq!(rules::by_id(id).map(|r| r.clause), Some(clause), "{id}");
    }
}

#[test]
fn e2_e7_the_term_running_ends_at_the_next_renewal_after_the_day() {
    use super::lease::{term_ends, LeaseTerm};
    let d = |y, m, dd| jiff::civil::date(y, m, dd);
    // Started 2026-11-17: year to year → 2027-11-17 while in the first year, then 2028-11-17.
    assert_eq!(
        term_ends(d(2026, 11, 17), LeaseTerm::YearToYear, d(2026, 12, 16)),
        d(2027, 11, 17)
    );
    assert_eq!(
        term_ends(d(2026, 11, 17), LeaseTerm::YearToYear, d(2027, 11, 17)),
        d(2028, 11, 17)
    );
    // Month to month: the current month; five years: 60 months on.
    assert_eq!(
        term_ends(d(2026, 11, 17), LeaseTerm::MonthToMonth, d(2026, 12, 16)),
        d(2026, 12, 17)
    );
    assert_eq!(
        term_ends(d(2026, 11, 17), LeaseTerm::FiveYears, d(2026, 12, 16)),
        d(2031, 11, 17)
    );
}
