//! The guard's rules, case by case.

use super::*;
use crate::money::Currency;

const NOW: i64 = 1_795_000_000;

fn facts(to: &str) -> CallFacts<'_> {
    CallFacts {
        to,
        rate_per_min_micros: None,
        source: None,
    }
}

fn policy() -> AccountPolicy {
    AccountPolicy {
        validated: true,
        licensed_calls: 2,
        site_bandwidth_kbps: None,
        home_country: "FR".into(),
        international_allowlist: vec!["DE".into()],
        owned_numbers: vec!["33170000001".into()],
        credit_left_micros: None,
        max_call_duration_s: 14_400,
        suspensions: vec![],
        announcements: vec![],
    }
}

fn classes() -> DestinationClasses {
    DestinationClasses::parse(
        "prefix,class,note\n3389,premium_rate,FR\n882,high_risk,x\n4487,shared_cost,UK\n",
    )
    .unwrap()
}

fn attempt<'a>(to: &'a str) -> Attempt<'a> {
    Attempt {
        from: "33170000001",
        dialled: to,
        to: Some(to),
        source: None,
        now: NOW,
    }
}

fn check(p: &AccountPolicy, live: Live, a: &Attempt) -> (Decision, &'static str, &'static str) {
    match check_contract(p, live, a, &classes(), false) {
        Ok(_) => (Decision::Allow, "passes", ""),
        Err(v) => (v.decision, v.code, v.rule.rule),
    }
}

fn suspended(scope: SuspensionScope) -> AccountPolicy {
    AccountPolicy {
        suspensions: vec![Suspension {
            id: "s".into(),
            scope,
            until: None,
            rule: rules::F4,
            reason: "test".into(),
        }],
        ..policy()
    }
}

#[test]
fn t13_emergency_calls_pass_even_when_suspended() {
    let p = suspended(SuspensionScope::All);
    for n in ["112", "15", "17", "18", "+33112", "+33 15"] {
        let a = Attempt {
            to: None,
            ..attempt(n)
        };
        let v = check_contract(
            &p,
            Live {
                calls: 99,
                international_calls: 0,
            },
            &a,
            &classes(),
            true,
        )
        .unwrap_err();
        assert_eq!(
            (v.decision, v.code, v.rule.rule, v.emergency),
            (Decision::Allow, "emergency_call", "T13", true),
            "{n}"
        );
    }
}

#[test]
fn t13_a_short_code_that_is_an_emergency_number_elsewhere_is_not_one_at_home() {
    // A suspended UK account: 118 (directory enquiries in the UK, an ambulance in Italy),
    // 101 and 100 are ordinary services and stay refused; 999 and 112 pass.
    let p = AccountPolicy {
        home_country: "GB".into(),
        owned_numbers: vec!["442079460000".into()],
        ..suspended(SuspensionScope::All)
    };
    let a = |d: &'static str| Attempt {
        from: "442079460000",
        to: None,
        ..attempt(d)
    };
    for d in ["118", "101", "100", "911", "144"] {
        let v = check_contract(&p, Live::default(), &a(d), &classes(), false).unwrap_err();
        assert_eq!(v.code, "account_suspended", "{d}");
    }
    for d in ["999", "112"] {
        let v = check_contract(&p, Live::default(), &a(d), &classes(), false).unwrap_err();
        assert_eq!((v.code, v.emergency), ("emergency_call", true), "{d}");
    }
    // An Austrian caller's 144 (ambulance) is an emergency call.
    let at = AccountPolicy {
        home_country: "AT".into(),
        ..p.clone()
    };
    let v = check_contract(
        &at,
        Live::default(),
        &Attempt {
            from: "4315550000",
            ..a("144")
        },
        &classes(),
        false,
    )
    .unwrap_err();
    assert_eq!((v.code, v.rule.rule), ("emergency_call", "T13"));
}

#[test]
fn f4_suspensions_full_and_selective() {
    assert_eq!(
        check(
            &suspended(SuspensionScope::All),
            Live::default(),
            &attempt("33142685300")
        ),
        (Decision::Deny, "account_suspended", "F4")
    );
    let intl = suspended(SuspensionScope::International);
    assert_eq!(
        check(&intl, Live::default(), &attempt("4930123456")),
        (Decision::Deny, "service_suspended", "F4")
    );
    assert_eq!(
        check(&intl, Live::default(), &attempt("33142685300")).1,
        "passes"
    ); // only as far as needed
    let mut temp = suspended(SuspensionScope::Outbound);
    temp.suspensions[0].until = Some(NOW);
    assert_eq!(
        check(&temp, Live::default(), &attempt("33142685300")).1,
        "passes"
    ); // expired by itself
}

#[test]
fn f6_banned_source_is_refused() {
    let v = check_contract(
        &policy(),
        Live::default(),
        &attempt("33142685300"),
        &classes(),
        true,
    )
    .unwrap_err();
    assert_eq!((v.code, v.rule.rule), ("source_banned", "F6"));
}

#[test]
fn t2_unvalidated_accounts_cannot_call() {
    let p = AccountPolicy {
        validated: false,
        ..policy()
    };
    assert_eq!(
        check(&p, Live::default(), &attempt("33142685300")),
        (Decision::Deny, "account_not_validated", "T2")
    );
}

#[test]
fn f8_caller_id_must_be_owned() {
    let a = Attempt {
        from: "33999999999",
        ..attempt("33142685300")
    };
    assert_eq!(
        check(&policy(), Live::default(), &a),
        (Decision::Deny, "caller_id_not_owned", "F8")
    );
}

#[test]
fn f2_forbidden_destination_classes() {
    assert_eq!(
        check(&policy(), Live::default(), &attempt("33899123456")),
        (Decision::Deny, "destination_premium_rate", "F2")
    );
    assert_eq!(
        check(&policy(), Live::default(), &attempt("882123456789")),
        (Decision::Deny, "destination_high_risk", "F2")
    );
    assert_eq!(
        check(&policy(), Live::default(), &attempt("448712345678")),
        (Decision::Deny, "destination_shared_cost", "F2")
    );
}

#[test]
fn f2_international_is_off_by_default_and_opened_by_allowlist() {
    assert_eq!(
        check(&policy(), Live::default(), &attempt("442079460000")),
        (Decision::Deny, "international_not_allowed", "F2")
    );
    assert_eq!(
        check(&policy(), Live::default(), &attempt("4930123456")).1,
        "passes"
    );
}

#[test]
fn t3_t4_over_licence_is_busy_not_an_error() {
    assert_eq!(
        check(
            &policy(),
            Live {
                calls: 2,
                international_calls: 0
            },
            &attempt("33142685300")
        ),
        (Decision::Busy, "over_licensed_calls", "T3")
    );
}

#[test]
fn t1_bandwidth_caps_calls_at_60_kbps_each() {
    let p = AccountPolicy {
        licensed_calls: 100,
        site_bandwidth_kbps: Some(150),
        ..policy()
    };
    assert_eq!(
        check(
            &p,
            Live {
                calls: 1,
                international_calls: 0
            },
            &attempt("33142685300")
        )
        .1,
        "passes"
    );
    assert_eq!(
        check(
            &p,
            Live {
                calls: 2,
                international_calls: 0
            },
            &attempt("33142685300")
        ),
        (Decision::Busy, "over_bandwidth", "T1")
    );
}

fn rate_row(rate: i64) -> RateRow {
    RateRow {
        prefix: "33".into(),
        destination: "France".into(),
        rate_per_min_micros: rate,
        connection_fee_micros: 0,
        initial_s: 60,
        subsequent_s: 60,
        min_billed_s: 0,
        valid_from: 0,
        valid_until: None,
        currency: Currency::parse("EUR").unwrap(),
        zone: None,
        version: 1,
    }
}

#[test]
fn b4_max_duration_comes_from_credit_with_the_rating_code() {
    let p = AccountPolicy {
        credit_left_micros: Some(100_000),
        ..policy()
    };
    let v = check_price(&p, Some(&rate_row(10_000)), false, 0);
    assert_eq!((v.decision, v.max_duration_s), (Decision::Allow, 600)); // 0.10 at 0.01/min
    let v = check_price(
        &AccountPolicy {
            credit_left_micros: Some(1),
            ..policy()
        },
        Some(&rate_row(10_000)),
        false,
        0,
    );
    assert_eq!(
        (v.decision, v.code, v.rule.rule),
        (Decision::Deny, "insufficient_credit", "B5")
    );
    // B5: what live calls hold is not credit left. 0.10 credit, 0.06 held by live
    // calls: 0.04 at 0.01/min buys 240 s, and a call of 240 s holds exactly 0.04.
    let v = check_price(&p, Some(&rate_row(10_000)), false, 60_000);
    assert_eq!(v.max_duration_s, 240);
    assert_eq!(worst_case_cost(&rate_row(10_000), 240), 40_000);
    let v = check_price(&p, Some(&rate_row(10_000)), false, 100_000);
    assert_eq!(v.code, "insufficient_credit");
    assert_eq!(
        check_price(&policy(), None, false, 0).code,
        "destination_unrated"
    );
    assert_eq!(
        check_price(&policy(), Some(&rate_row(10_000)), false, 0).max_duration_s,
        14_400
    );
}

#[test]
fn f3_dialer_signature_fires_once() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    let mut fired = vec![];
    for i in 0..25 {
        fired.extend(d.on_end(
            &mut w,
            &policy(),
            if i % 10 == 0 { 90 } else { 12 },
            100,
            NOW + i,
        ));
    }
    assert_eq!(fired.len(), 1);
    assert_eq!(
        (fired[0].detector, fired[0].rule.rule),
        ("dialer_short_calls", "F3")
    );
}

#[test]
fn f3_enumeration_and_f7_announcement_raises_thresholds() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    let mut fired = vec![];
    for i in 0..10 {
        let to = format!("33142685{i:03}");
        fired.extend(d.on_attempt(&mut w, &policy(), Live::default(), &facts(&to), false, NOW));
    }
    assert_eq!(
        fired.iter().map(|i| i.detector).collect::<Vec<_>>(),
        ["number_enumeration"]
    );
    let announced = AccountPolicy {
        announcements: vec![(NOW - 10, NOW + 3_600, 5)],
        ..policy()
    };
    let mut w = AccountWindow::default();
    let mut fired = vec![];
    for i in 0..10 {
        fired.extend(d.on_attempt(
            &mut w,
            &announced,
            Live::default(),
            &facts(&format!("33142685{i:03}")),
            false,
            NOW,
        ));
    }
    assert!(fired.is_empty());
}

#[test]
fn f4_detectors_re_arm_after_the_episode() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    let burst = |w: &mut AccountWindow, at: i64| {
        (0..40)
            .flat_map(|i| {
                d.on_attempt(
                    w,
                    &policy(),
                    Live::default(),
                    &facts(&format!("3314{:07}", i * 7919)),
                    false,
                    at,
                )
            })
            .filter(|i| i.detector == "attempts_per_minute")
            .count()
    };
    assert_eq!(burst(&mut w, NOW), 1);
    assert_eq!(burst(&mut w, NOW + 10), 0); // same episode
    d.on_attempt(
        &mut w,
        &policy(),
        Live::default(),
        &facts("33142685300"),
        false,
        NOW + 3_600,
    ); // quiet again
    assert_eq!(burst(&mut w, NOW + 7_200), 1); // a later burst is caught again
}

#[test]
fn f6_auth_failures_ban_the_source_for_ten_minutes() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = SourceWindow::default();
    let mut fired = vec![];
    for i in 0..5 {
        fired.extend(d.on_auth_failure(&mut w, "192.0.2.7", NOW + i * 60));
    }
    assert_eq!(fired.len(), 1);
    assert_eq!(
        fired[0].action,
        Action::BanSource {
            source: "192.0.2.7".into(),
            until: NOW + 240 + 600
        }
    );
}

#[test]
fn account_window_stays_within_its_byte_bound() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    for i in 0..10_000i64 {
        let to = format!("{}{:08}", 20 + i % 80, i);
        let call = CallFacts {
            source: Some(["192.0.2.1", "192.0.2.2", "198.51.100.9"][i as usize % 3]),
            rate_per_min_micros: Some(500_000),
            ..facts(&to)
        };
        d.on_attempt(&mut w, &policy(), Live::default(), &call, true, NOW + i);
        d.on_end(&mut w, &policy(), 30, 10, NOW + i * 60);
        d.on_forbidden(&mut w, NOW + i);
    }
    let bytes = std::mem::size_of::<AccountWindow>()
        + w.attempts.capacity() * std::mem::size_of::<(u32, u32)>()
        + w.completed.capacity() * 2
        + w.destinations.capacity() * std::mem::size_of::<(u32, u64)>()
        + w.countries.capacity() * 2
        + w.spend.capacity() * std::mem::size_of::<(u32, i64)>()
        + w.forbidden.capacity() * 4
        + w.baseline.heap_bytes();
    assert!(bytes <= MAX_ACCOUNT_WINDOW_BYTES, "{bytes} bytes");
}

#[test]
fn thresholds_are_configuration_with_defaults() {
    let t = Thresholds::parse("guard.toml", "attempts_per_minute = 120\nban_s = 3600\n").unwrap();
    assert_eq!(
        (t.attempts_per_minute, t.ban_s, t.auth_failures),
        (120, 3_600, Thresholds::default().auth_failures)
    );
    assert!(Thresholds::parse("guard.toml", "attempts_per_minut = 1")
        .unwrap_err()
        .contains("attempts_per_minut"));
    assert!(Thresholds::parse("guard.toml", "dialer_short_pct = 150").is_err());
    assert!(Thresholds::parse("guard.toml", "ban_s = 0").is_err());
}

#[test]
fn f2_international_is_by_iso_country_so_nanp_neighbours_are_abroad() {
    // A US account: Canada and Jamaica share +1 but are other countries; only an
    // allowlisted one may be called.
    let p = AccountPolicy {
        home_country: "US".into(),
        international_allowlist: vec!["CA".into()],
        owned_numbers: vec!["14155550100".into()],
        ..policy()
    };
    let a = |to: &'static str| Attempt {
        from: "14155550100",
        ..attempt(to)
    };
    let run = |to| check_contract(&p, Live::default(), &a(to), &classes(), false);
    assert_eq!(run("12125550123"), Ok(false), "US to US is domestic");
    assert_eq!(run("14165550123"), Ok(true), "Canada is allowlisted");
    let jm = run("18765550123").unwrap_err();
    assert_eq!((jm.code, jm.rule.rule), ("international_not_allowed", "F2"));
    assert!(jm.message.contains("JM"), "{}", jm.message);
}

/// An account with a working history: 40 office calls on weekday mornings (UTC 09-11h)
/// from one PBX address to France.
fn office_history(d: &Detectors, w: &mut AccountWindow) {
    // NOW is a Wednesday 11:06 UTC; the history is the same morning, an hour earlier.
    for i in 0..40 {
        let call = CallFacts {
            source: Some("192.0.2.10"),
            rate_per_min_micros: Some(15_000),
            ..facts("33142685300")
        };
        d.on_attempt(
            w,
            &policy(),
            Live::default(),
            &call,
            false,
            NOW - 3_600 + i * 60,
        );
    }
}

#[test]
fn f4_irsf_low_concurrency_long_costly_calls_fire_within_minutes() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    office_history(&d, &mut w);
    // Saturday 02:00 UTC, a new source, Somalia at 1.20/min: three simultaneous long calls.
    // Points: 3 (very costly) + 2 (new country) + 2 (an hour never called in) + 1 (new
    // source) = 8 for the first; 9 for the second (one other live) = 17 >= 12: fires on
    // the second call.
    let saturday_night = NOW + 3 * 86_400 - 9 * 3_600;
    let call = CallFacts {
        source: Some("203.0.113.66"),
        rate_per_min_micros: Some(1_200_000),
        ..facts("252612345678")
    };
    let first = d.on_attempt(
        &mut w,
        &policy(),
        Live::default(),
        &call,
        true,
        saturday_night,
    );
    assert!(
        first.iter().all(|i| i.detector != "irsf_score"),
        "{first:?}"
    );
    let live = Live {
        calls: 1,
        international_calls: 1,
    };
    let second = d.on_attempt(&mut w, &policy(), live, &call, true, saturday_night + 60);
    let i = second
        .iter()
        .find(|i| i.detector == "irsf_score")
        .expect("the second costly call trips the IRSF score");
    assert_eq!((i.count, i.threshold, i.rule.rule), (17, 12, "F4"));
    assert!(matches!(
        i.action,
        Action::Suspend {
            scope: SuspensionScope::International,
            until: Some(u)
        } if u == saturday_night + 60 + t.temporary_block_s
    ));
}

#[test]
fn f4_an_office_calling_cheap_neighbours_scores_nothing_and_gets_more_room() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    office_history(&d, &mut w);
    // Six simultaneous calls to Ireland and Germany at 0.02/min: no IRSF points, and the
    // simultaneous-international limit doubles for cheap destinations (5 -> 10).
    let mut fired = Vec::new();
    for n in 0..9u32 {
        let to = if n % 2 == 0 {
            "35312345678"
        } else {
            "4930123456"
        };
        let call = CallFacts {
            source: Some("192.0.2.10"),
            rate_per_min_micros: Some(20_000),
            ..facts(to)
        };
        let live = Live {
            calls: n,
            international_calls: n,
        };
        fired.extend(d.on_attempt(&mut w, &policy(), live, &call, true, NOW + i64::from(n)));
    }
    assert!(
        fired.iter().all(|i| i.detector == "new_country"),
        "{fired:?}"
    );
}

#[test]
fn f4_automatic_suspensions_are_temporary_and_escalate_on_repeats() {
    let t = Thresholds::default();
    let mut w = AccountWindow::default();
    // 900 s, then 1,800 s, then 3,600 s within a day; a day later it starts over.
    assert_eq!(w.block_until(&t, NOW), Some(NOW + 900));
    assert_eq!(w.block_until(&t, NOW + 1_000), Some(NOW + 1_000 + 1_800));
    assert_eq!(w.block_until(&t, NOW + 5_000), Some(NOW + 5_000 + 3_600));
    assert_eq!(w.block_until(&t, NOW + 100_000), Some(NOW + 100_000 + 900));
    for _ in 0..30 {
        w.block_until(&t, NOW + 100_001);
    }
    assert_eq!(
        w.block_until(&t, NOW + 100_002),
        Some(NOW + 100_002 + t.max_block_s)
    );
}

#[test]
fn f6_failures_during_a_ban_extend_it_and_repeat_offenders_get_longer_bans() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = SourceWindow::default();
    for s in 0..5 {
        d.on_auth_failure(&mut w, "192.0.2.7", NOW + s);
    }
    assert_eq!(w.banned_until, Some(NOW + 4 + 600));
    // The attack goes on every 30 s for an hour: the ban never runs out meanwhile.
    let mut notices = 0;
    for k in 1..=120 {
        let at = NOW + 4 + k * 30;
        let inc = d.on_auth_failure(&mut w, "192.0.2.7", at);
        notices += inc.len();
        assert!(
            w.banned_until.is_some_and(|u| u > at + 500),
            "at +{}",
            k * 30
        );
    }
    // One "goes on" incident per half ban (300 s) at most: 3,600 s / 300 s = 12.
    assert!((1..=12).contains(&notices), "{notices}");
    // The ban ends 600 s after the last failure; the next episode bans for 1,200 s.
    let last = NOW + 4 + 120 * 30;
    assert_eq!(w.banned_until, Some(last + 600));
    let later = last + 700;
    let mut second = Vec::new();
    for s in 0..5 {
        second.extend(d.on_auth_failure(&mut w, "192.0.2.7", later + s));
    }
    assert_eq!(
        second.last().map(|i| &i.action),
        Some(&Action::BanSource {
            source: "192.0.2.7".into(),
            until: later + 4 + 1_200
        })
    );
}

#[test]
fn t13_f8_a_caller_id_the_account_does_not_own_does_not_choose_the_emergency_country() {
    // A suspended UK account presents an Italian number it does not own and dials 118
    // (Italy's ambulance, the UK's directory enquiries): not an emergency call here.
    let p = AccountPolicy {
        home_country: "GB".into(),
        owned_numbers: vec!["442079460000".into()],
        ..suspended(SuspensionScope::All)
    };
    let a = Attempt {
        from: "390612345678",
        to: None,
        ..attempt("118")
    };
    let v = check_contract(&p, Live::default(), &a, &classes(), false).unwrap_err();
    assert_eq!(v.code, "account_suspended");
    // The account's own Italian number would make it Italy's 118.
    let own = AccountPolicy {
        owned_numbers: vec!["390612345678".into(), "442079460000".into()],
        ..p
    };
    let v = check_contract(&own, Live::default(), &a, &classes(), false).unwrap_err();
    assert_eq!(v.code, "emergency_call");
}

#[test]
fn f4_a_reactivation_forgets_the_overruled_evidence() {
    let t = Thresholds::default();
    let d = Detectors { t: &t };
    let mut w = AccountWindow::default();
    let mut fired = 0;
    for _ in 0..25 {
        fired += d.on_end(&mut w, &policy(), 2, 0, NOW).len();
    }
    assert_eq!(fired, 1, "the dialer signature fired once");
    reset_fired(&mut w);
    // The next short call alone is no dialer: the 25 overruled calls are forgotten.
    assert!(d.on_end(&mut w, &policy(), 2, 0, NOW + 60).is_empty());
}
