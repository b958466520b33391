//! S3 per component: each component's exclusions stay with it; counted downtime is united.

use super::availability::{measure_parts, Maintenance, Outage, Part, Span};
use super::Cause;

const H: i64 = 3_600;

/// A 30-day period: 720 hours = 2,592,000 s.
fn period() -> Span {
    Span::new(0, 720 * H)
}

fn out(start_h: i64, end_h: i64, cause: Cause) -> Outage {
    Outage {
        start: start_h * H,
        end: Some(end_h * H),
        cause,
    }
}

fn part(outages: Vec<Outage>) -> Part {
    Part {
        outages,
        maintenance: vec![],
    }
}

#[test]
fn s3_a_customer_caused_outage_of_one_component_does_not_hide_the_providers_outage_of_another() {
    // Component A: the customer broke it from hour 10 to 14 (excluded, S3).
    // Component B: the provider's outage from hour 11 to 13 (2 h, counts).
    // Measured together before the fix, A's exclusion swallowed B's 2 h; per component it
    // counts 7,200 s, and the excluded figure is A's 4 h less the 2 h counted = 7,200 s.
    let parts = [
        part(vec![out(10, 14, Cause::Customer)]),
        part(vec![out(11, 13, Cause::Provider)]),
    ];
    let m = measure_parts(period(), 720 * H, &parts, 48 * H);
    assert_eq!(m.counted_s, 2 * H);
    assert_eq!(m.excluded_other_s, 2 * H);
    assert_eq!(m.excluded_maintenance_s, 0);
    // 2,592,000 − 7,200 = 2,584,800 up → 99.72 % (floored from 99.7222…).
    assert_eq!(m.pct_hundredths(), 9_972);
}

#[test]
fn s3_the_same_hour_down_on_two_components_counts_once() {
    // A down 10-12, B down 11-13 (both the provider's): union 10-13 = 3 h = 10,800 s.
    let parts = [
        part(vec![out(10, 12, Cause::Provider)]),
        part(vec![out(11, 13, Cause::Provider)]),
    ];
    let m = measure_parts(period(), 720 * H, &parts, 48 * H);
    assert_eq!(m.counted_s, 3 * H);
}

#[test]
fn s1_maintenance_notified_on_one_component_excludes_only_that_component() {
    // A: maintenance 100-102 noticed at hour 0 (100 h ahead ≥ the 48 h lead) and a provider
    // outage 100-102 inside it → excluded. B: a provider outage 100-102, no maintenance →
    // counts.
    // Counted = 2 h (B); excluded maintenance = A's 2 h less the counted 2 h = 0.
    let a = Part {
        outages: vec![out(100, 102, Cause::Provider)],
        maintenance: vec![Maintenance {
            start: 100 * H,
            end: 102 * H,
            notice_at: Some(0),
        }],
    };
    let b = part(vec![out(100, 102, Cause::Provider)]);
    let m = measure_parts(period(), 720 * H, &[a.clone(), b], 48 * H);
    assert_eq!(
        (m.counted_s, m.excluded_maintenance_s, m.excluded_other_s),
        (2 * H, 0, 0)
    );
    // A alone: nothing counted, 2 h of maintenance excluded.
    let m = measure_parts(period(), 720 * H, &[a], 48 * H);
    assert_eq!((m.counted_s, m.excluded_maintenance_s), (0, 2 * H));
}

#[test]
fn s1_s3_notified_maintenance_on_one_component_partly_under_an_outage_of_another() {
    // A: maintenance 100-104 noticed at hour 0 (≥ 48 h ahead): excluded on A.
    // B: a provider outage 102-106: counts 4 h.
    // Counted 102-106 = 4 h; maintenance excluded outside it: 100-102 = 2 h; other 0;
    // 4 + 2 ≤ 720 h.
    let a = Part {
        outages: vec![],
        maintenance: vec![Maintenance {
            start: 100 * H,
            end: 104 * H,
            notice_at: Some(0),
        }],
    };
    let b = part(vec![out(102, 106, Cause::Provider)]);
    let m = measure_parts(period(), 720 * H, &[a, b], 48 * H);
    assert_eq!(
        (m.counted_s, m.excluded_maintenance_s, m.excluded_other_s),
        (4 * H, 2 * H, 0)
    );
}

#[test]
fn s1_an_open_outage_of_one_component_runs_to_now_and_is_united_with_the_others() {
    // A: open since hour 700 (now = 710 h): 10 h so far. B: provider 705-708, inside it.
    // Counted: 700-710 = 10 h (B's 3 h once).
    let a = part(vec![Outage {
        start: 700 * H,
        end: None,
        cause: Cause::Provider,
    }]);
    let b = part(vec![out(705, 708, Cause::Provider)]);
    let m = measure_parts(period(), 710 * H, &[a, b], 48 * H);
    assert_eq!(m.counted_s, 10 * H);
}
