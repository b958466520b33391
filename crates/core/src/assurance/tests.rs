use super::availability::{
    clip, format_pct, measure, notified_in_time, subtract, total, union, Maintenance, Measure,
    Outage, Span,
};
use super::probe::{self, ProbeKind, ProbeSpec, Streak, Transition};
use super::restoration::restoration;
use super::sla::{credit_micros, evaluate, Tier, Tiers};
use super::{dns, sip, Cause};

const MIN: i64 = 60;
const H: i64 = 3_600;
const DAY: i64 = 86_400;

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

/// July 2026: 31 days = 44,640 minutes = 2,678,400 s.
fn july() -> Span {
    Span::new(at("2026-07-01T00:00:00Z"), at("2026-08-01T00:00:00Z"))
}

fn outage(start: i64, end: i64, cause: Cause) -> Outage {
    Outage {
        start,
        end: Some(end),
        cause,
    }
}

fn provider(start: i64, end: i64) -> Outage {
    outage(start, end, Cause::Provider)
}

fn maint(start: i64, end: i64, notice_at: Option<i64>) -> Maintenance {
    Maintenance {
        start,
        end,
        notice_at,
    }
}

fn tier_for(up_s: i64, period_s: i64) -> i64 {
    evaluate(up_s, period_s, &Tiers::s3_default()).payable_pct
}

// ---- S1, S3: the month and its tier ----

#[test]
fn s3_a_31_day_month_with_120_notified_maintenance_minutes_is_99_19_and_pays_100() {
    // 44,640 min. Provider outage 360 min (counted); maintenance 120 min notified 72 h before
    // with a 48 h lead (excluded, S1). Up = 44,640 − 360 = 44,280 min;
    // 44,280 / 44,640 = 99.1935… % → 99.19 (rounded down) → ≥ 99 % → 100 % payable.
    let p = july();
    let o = provider(p.start + 3 * DAY, p.start + 3 * DAY + 360 * MIN);
    let mstart = p.start + 10 * DAY;
    let m = maint(mstart, mstart + 120 * MIN, Some(mstart - 72 * H));
    let now = p.end + DAY;
    let r = measure(p, now, &[o], &[m], 48 * H);
    assert_eq!(
        r,
        Measure {
            period_s: 44_640 * MIN,
            counted_s: 360 * MIN,
            excluded_maintenance_s: 120 * MIN,
            excluded_other_s: 0,
        }
    );
    assert_eq!(r.up_s(), 44_280 * MIN);
    assert_eq!(r.pct_hundredths(), 9_919);
    assert_eq!(format_pct(r.pct_hundredths()), "99.19");
    let out = evaluate(r.up_s(), r.period_s, &Tiers::s3_default());
    assert_eq!(
        (out.tier_from_ppm, out.payable_pct, out.credit_pct),
        (990_000, 100, 0)
    );
    assert_eq!(credit_micros(123_456_789, out.credit_pct).unwrap(), 0);
}

#[test]
fn s1_maintenance_notified_too_late_counts_98_92_and_pays_90() {
    // Same month, the maintenance notified 1 h before (lead 48 h): not "notified in advance",
    // so it counts. Counted 360 + 120 = 480 min; 44,160 / 44,640 = 98.9247… % → 98.92 →
    // [90, 99) → 90 % payable, 10 % credit. On a fee of 123.456789: 12.3456789 → 12.345679.
    let p = july();
    let o = provider(p.start + 3 * DAY, p.start + 3 * DAY + 360 * MIN);
    let mstart = p.start + 10 * DAY;
    let m = maint(mstart, mstart + 120 * MIN, Some(mstart - H));
    assert!(!notified_in_time(&m, 48 * H));
    let r = measure(p, p.end, &[o], &[m], 48 * H);
    assert_eq!(r.counted_s, 480 * MIN);
    assert_eq!(r.excluded_maintenance_s, 0);
    assert_eq!(format_pct(r.pct_hundredths()), "98.92");
    let out = evaluate(r.up_s(), r.period_s, &Tiers::s3_default());
    assert_eq!((out.payable_pct, out.credit_pct), (90, 10));
    assert_eq!(
        credit_micros(123_456_789, out.credit_pct).unwrap(),
        12_345_679
    );
}

#[test]
fn s1_never_notified_maintenance_counts_and_notice_exactly_at_the_lead_is_in_time() {
    // notice_at + lead == start is in time; one second later is not; no notice never is.
    let m = maint(100 * H, 101 * H, Some(52 * H));
    assert!(notified_in_time(&m, 48 * H));
    assert!(!notified_in_time(
        &maint(100 * H, 101 * H, Some(52 * H + 1)),
        48 * H
    ));
    assert!(!notified_in_time(&maint(100 * H, 101 * H, None), 0));
}

#[test]
fn s3_tier_boundaries_are_exact_and_belong_to_the_upper_tier() {
    // Period 1,000,000 s: 1 s = 1 ppm, so every boundary is a whole second.
    let p = 1_000_000;
    let cases = [
        (1_000_000, 100),
        (990_000, 100), // exactly 99.0 %
        (989_999, 90),
        (900_000, 90), // exactly 90.0 %
        (899_999, 70),
        (800_000, 70), // exactly 80.0 %
        (799_999, 50),
        (700_000, 50), // exactly 70.0 %
        (699_999, 0),
        (0, 0),
    ];
    for (up, payable) in cases {
        assert_eq!(tier_for(up, p), payable, "up {up} of {p}");
    }
    // An empty period is the top tier.
    assert_eq!(tier_for(0, 0), 100);
}

#[test]
fn s3_boundary_through_measure_10_000_seconds_of_a_1_000_000_second_period_is_99_00() {
    // 10,000 s down of 1,000,000 = exactly 99.00 % → 100 %; 10,001 s → 98.99 % → 90 %.
    let p = Span::new(0, 1_000_000);
    let r = measure(p, p.end, &[provider(5_000, 15_000)], &[], 0);
    assert_eq!(
        (r.pct_hundredths(), tier_for(r.up_s(), r.period_s)),
        (9_900, 100)
    );
    let r = measure(p, p.end, &[provider(5_000, 15_001)], &[], 0);
    assert_eq!(
        (r.pct_hundredths(), tier_for(r.up_s(), r.period_s)),
        (9_899, 90)
    );
}

#[test]
fn s3_force_majeure_minutes_do_not_count() {
    // 360 min provider; 600 min force majeure (W 9.8), 60 min third party, 30 min customer:
    // only the provider's sole fault counts → counted 360, excluded 690 → 99.19 % → 100 %.
    let p = july();
    let d = |n| p.start + n * DAY;
    let outages = [
        provider(d(1), d(1) + 360 * MIN),
        outage(d(2), d(2) + 600 * MIN, Cause::ForceMajeure),
        outage(d(3), d(3) + 60 * MIN, Cause::ThirdParty),
        outage(d(4), d(4) + 30 * MIN, Cause::Customer),
    ];
    let r = measure(p, p.end, &outages, &[], 48 * H);
    assert_eq!(r.counted_s, 360 * MIN);
    assert_eq!(r.excluded_other_s, 690 * MIN);
    assert_eq!(r.excluded_maintenance_s, 0);
    assert_eq!(format_pct(r.pct_hundredths()), "99.19");
    assert_eq!(tier_for(r.up_s(), r.period_s), 100);
}

#[test]
fn s3_overlapping_incidents_count_once() {
    // Provider outages 10:00-14:00 and 12:00-16:00 → 6 h, not 8 h. A force-majeure outage
    // 15:00-17:00 overlapping the second: the hour 15-16 is not the provider's sole fault →
    // counted 5 h; excluded 15:00-17:00 = 2 h.
    let p = Span::new(0, DAY);
    let outages = [
        provider(10 * H, 14 * H),
        provider(12 * H, 16 * H),
        outage(15 * H, 17 * H, Cause::ForceMajeure),
    ];
    assert_eq!(measure(p, p.end, &outages[..2], &[], 0).counted_s, 6 * H);
    let r = measure(p, p.end, &outages, &[], 0);
    assert_eq!((r.counted_s, r.excluded_other_s), (5 * H, 2 * H));
    // Two reports of the same incident count once.
    let twice = [provider(10 * H, 11 * H), provider(10 * H, 11 * H)];
    assert_eq!(measure(p, p.end, &twice, &[], 0).counted_s, H);
}

#[test]
fn s1_an_open_outage_counts_only_until_now_and_the_denominator_is_the_whole_period() {
    // July; now = 10 July 12:00; an outage open since 10:00 counts 2 h; period_s stays 31 days.
    let p = july();
    let now = at("2026-07-10T12:00:00Z");
    let open = Outage {
        start: at("2026-07-10T10:00:00Z"),
        end: None,
        cause: Cause::Provider,
    };
    let r = measure(p, now, &[open], &[], 0);
    assert_eq!((r.counted_s, r.period_s), (2 * H, 44_640 * MIN));
    // A maintenance scheduled after now is neither down nor excluded yet.
    let later = maint(now + DAY, now + DAY + H, None);
    assert_eq!(measure(p, now, &[open], &[later], 0).counted_s, 2 * H);
    // Measured after the month, an outage still open runs to the period's end only:
    // 31 July 22:00 → 1 August 00:00 = 2 h.
    let late = Outage {
        start: at("2026-07-31T22:00:00Z"),
        end: None,
        cause: Cause::Provider,
    };
    assert_eq!(
        measure(p, p.end + 5 * DAY, &[late], &[], 0).counted_s,
        2 * H
    );
    // An outage that began in June counts from 1 July only.
    let june = provider(p.start - 3 * H, p.start + H);
    assert_eq!(measure(p, p.end, &[june], &[], 0).counted_s, H);
}

#[test]
fn s1_a_maintenance_overlapping_an_outage_is_counted_once() {
    // Outage 02:00-04:00; maintenance 01:00-03:00.
    let p = Span::new(0, DAY);
    let o = [provider(2 * H, 4 * H)];
    // Not notified: the union 01:00-04:00 = 3 h counts, not 2 + 2.
    let r = measure(p, p.end, &o, &[maint(H, 3 * H, None)], 48 * H);
    assert_eq!((r.counted_s, r.excluded_maintenance_s), (3 * H, 0));
    // Notified in time: 01:00-03:00 excluded, only 03:00-04:00 counts.
    let m = maint(H, 3 * H, Some(H - 48 * H));
    let r = measure(p, p.end, &o, &[m], 48 * H);
    assert_eq!((r.counted_s, r.excluded_maintenance_s), (H, 2 * H));
    // A third-party outage inside notified maintenance is excluded once, as maintenance.
    let tp = outage(2 * H, 5 * H, Cause::ThirdParty);
    let r = measure(p, p.end, &[tp], &[m], 48 * H);
    assert_eq!(
        (r.counted_s, r.excluded_maintenance_s, r.excluded_other_s),
        (0, 2 * H, 2 * H)
    );
}

#[test]
fn s2_a_day_measured_before_it_starts_is_100_percent() {
    let p = Span::new(DAY, 2 * DAY);
    let r = measure(p, DAY - 1, &[provider(0, 3 * DAY)], &[], 0);
    assert_eq!(
        (r.counted_s, r.period_s, r.pct_hundredths()),
        (0, DAY, 10_000)
    );
    assert_eq!(format_pct(Measure::default().pct_hundredths()), "100.00");
    assert_eq!(format_pct(5), "0.05");
}

#[test]
fn spans_union_subtract_clip_total() {
    let s = |a, b| Span::new(a, b);
    assert_eq!(
        union(&[s(5, 7), s(0, 2), s(1, 3), s(4, 4), s(9, 8), s(7, 8)]),
        vec![s(0, 3), s(5, 8)]
    );
    assert_eq!(
        subtract(
            &[s(0, 10), s(20, 30)],
            &[s(2, 3), s(8, 22), s(2, 4), s(25, 26)]
        ),
        vec![s(0, 2), s(4, 8), s(22, 25), s(26, 30)]
    );
    assert_eq!(subtract(&[s(0, 10)], &[s(-5, 15)]), vec![]);
    assert_eq!(subtract(&[s(0, 10)], &[]), vec![s(0, 10)]);
    assert_eq!(
        clip(&[s(-5, 5), s(8, 20), s(30, 40)], s(0, 10)),
        vec![s(0, 5), s(8, 10)]
    );
    assert_eq!(total(&[s(0, 10), s(5, 15), s(20, 21)]), 16);
}

// ---- S3: tier tables from a profile, credits ----

#[test]
fn s3_tier_table_from_pairs_matches_the_default_and_refuses_bad_tables() {
    let pairs = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
        v.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    };
    let ok = pairs(&[("99", 100), ("90", 90), ("80", 70), ("70", 50), ("0", 0)]);
    assert_eq!(Tiers::from_pairs(&ok).unwrap(), Tiers::s3_default());
    let fine = Tiers::from_pairs(&pairs(&[("99.95", 100), ("99.5", 90), ("0", 50)])).unwrap();
    assert_eq!(
        fine.0[..2],
        [
            Tier {
                from_ppm: 999_500,
                payable_pct: 100
            },
            Tier {
                from_ppm: 995_000,
                payable_pct: 90
            }
        ]
    );
    let bad = [
        pairs(&[]),
        pairs(&[("99", 100)]),                       // last not 0
        pairs(&[("90", 100), ("99", 90), ("0", 0)]), // not descending
        pairs(&[("99", 90), ("0", 100)]),            // payable rises
        pairs(&[("99", 101), ("0", 0)]),             // payable > 100
        pairs(&[("101", 100), ("0", 0)]),            // > 100 %
        pairs(&[("99.12345", 100), ("0", 0)]),       // 5 decimals
        pairs(&[("99.", 100), ("0", 0)]),
        pairs(&[("-1", 100), ("0", 0)]),
        pairs(&[("abc", 100), ("0", 0)]),
    ];
    for b in bad {
        assert!(Tiers::from_pairs(&b).is_err(), "{b:?}");
    }
}

#[test]
fn s3_credit_is_half_up_to_the_micro_and_checked() {
    // 30 % of 0.000005 = 0.0000015 → 0.000002; 100 % credit is the whole fee.
    assert_eq!(credit_micros(5, 30).unwrap(), 2);
    assert_eq!(credit_micros(99_000_000, 100).unwrap(), 99_000_000);
    assert_eq!(credit_micros(i64::MAX, 100).unwrap(), i64::MAX);
    let e = credit_micros(1, 101).unwrap_err();
    assert_eq!(
        (e.code, e.field),
        ("credit_pct_invalid", Some("credit_pct"))
    );
    assert_eq!(e.rule, Some(crate::rules::S3));
}

#[test]
fn cause_round_trips_and_refuses_unknown() {
    for c in Cause::ALL {
        assert_eq!(Cause::parse(c.as_str()).unwrap(), c);
    }
    let e = Cause::parse("act_of_god").unwrap_err();
    assert_eq!((e.code, e.field), ("cause_invalid", Some("cause")));
}

// ---- S4: probes ----

fn spec(kind: ProbeKind, target: &str) -> ProbeSpec {
    ProbeSpec {
        kind,
        target: target.into(),
        dns_name: None,
        expect_status: None,
        expect_body: None,
        interval_s: 60,
        timeout_ms: 5_000,
        fail_threshold: 3,
        recover_threshold: 2,
    }
}

fn refusal(s: &ProbeSpec) -> (&'static str, &'static str) {
    let e = probe::validate(s).unwrap_err();
    (e.code, e.field.unwrap())
}

#[test]
fn s4_valid_probes_pass() {
    let mut http = spec(
        ProbeKind::Http,
        "http://status.example.com:8080/health?full=1",
    );
    http.expect_status = Some(200);
    http.expect_body = Some("\"ok\"".into());
    let mut dns = spec(ProbeKind::Dns, "9.9.9.9:53");
    dns.dns_name = Some("sip.example.com.".into());
    let mut sip = spec(ProbeKind::SipUdp, "[2001:db8::1]:5060");
    sip.expect_status = Some(200);
    for s in [
        http,
        dns,
        sip,
        spec(ProbeKind::Http, "http://10.0.0.1"),
        spec(ProbeKind::Tcp, "pbx.example.com:443"),
        spec(ProbeKind::SipTcp, "localhost:5060"),
    ] {
        assert_eq!(probe::validate(&s), Ok(()), "{s:?}");
    }
    let t = probe::http_target("HTTP://[::1]?q=1").unwrap();
    assert_eq!(
        (t.host.as_str(), t.port, t.path.as_str()),
        ("::1", 80, "/?q=1")
    );
    assert_eq!(
        probe::host_port("a.example:5061").unwrap(),
        ("a.example".into(), 5061)
    );
}

#[test]
fn s4_probe_validation_refuses_with_stable_codes() {
    let https = spec(ProbeKind::Http, "https://status.example.com/");
    let e = probe::validate(&https).unwrap_err();
    assert_eq!((e.code, e.field), ("https_not_supported", Some("target")));
    assert!(
        e.message.contains("TLS") && e.message.contains("443"),
        "{}",
        e.message
    );

    use ProbeKind::{Dns, Http, SipTcp, SipUdp, Tcp};
    let long = format!("{}:1", "a".repeat(513));
    let targets = [
        (Tcp, "pbx.example.com:0", "port_invalid"),
        (Tcp, "pbx.example.com:65536", "port_invalid"),
        (Tcp, "pbx.example.com:", "port_invalid"),
        (Tcp, "pbx.example.com", "target_invalid"),
        (SipUdp, "2001:db8::1:5060", "target_invalid"),
        (Tcp, "300.1.1.1:80", "target_invalid"),
        (Tcp, "-bad.example:80", "target_invalid"),
        (Tcp, long.as_str(), "target_invalid"),
        (Http, "ftp://x.example/", "target_invalid"),
        (Http, "http://u:p@x.example/", "target_invalid"),
        (Http, "http://x.example/a b", "target_invalid"),
    ];
    for (kind, target, code) in targets {
        assert_eq!(refusal(&spec(kind, target)), (code, "target"), "{target}");
    }
    assert_eq!(
        refusal(&spec(Dns, "9.9.9.9:53")),
        ("dns_name_required", "dns_name")
    );

    type Edit = fn(&mut ProbeSpec);
    let edits: [(ProbeKind, Edit, &str, &str); 14] = [
        (
            Dns,
            |s| s.dns_name = Some("bad_name.example".into()),
            "dns_name_invalid",
            "dns_name",
        ),
        (
            Dns,
            |s| s.dns_name = Some(format!("{}.x", "a".repeat(64))),
            "dns_name_invalid",
            "dns_name",
        ),
        (
            Tcp,
            |s| s.dns_name = Some("x.example".into()),
            "dns_name_not_allowed",
            "dns_name",
        ),
        (
            SipUdp,
            |s| s.expect_status = Some(180),
            "expect_status_invalid",
            "expect_status",
        ),
        (
            Http,
            |s| s.expect_status = Some(600),
            "expect_status_invalid",
            "expect_status",
        ),
        (
            SipTcp,
            |s| s.expect_status = Some(700),
            "expect_status_invalid",
            "expect_status",
        ),
        (
            Tcp,
            |s| s.expect_status = Some(200),
            "expect_status_not_allowed",
            "expect_status",
        ),
        (
            SipUdp,
            |s| s.expect_body = Some("ok".into()),
            "expect_body_not_allowed",
            "expect_body",
        ),
        (
            Http,
            |s| s.expect_body = Some(String::new()),
            "expect_body_invalid",
            "expect_body",
        ),
        (Tcp, |s| s.interval_s = 4, "interval_invalid", "interval_s"),
        (Tcp, |s| s.timeout_ms = 99, "timeout_invalid", "timeout_ms"),
        (
            Tcp,
            |s| (s.interval_s, s.timeout_ms) = (5, 5_001),
            "timeout_invalid",
            "timeout_ms",
        ),
        (
            Tcp,
            |s| s.fail_threshold = 0,
            "threshold_invalid",
            "fail_threshold",
        ),
        (
            Tcp,
            |s| s.recover_threshold = 101,
            "threshold_invalid",
            "recover_threshold",
        ),
    ];
    for (kind, edit, code, field) in edits {
        let mut s = spec(
            kind,
            if kind == Http {
                "http://x.example"
            } else {
                "x.example:53"
            },
        );
        edit(&mut s);
        assert_eq!(refusal(&s), (code, field), "{s:?}");
    }
    let e = ProbeKind::parse("icmp").unwrap_err();
    assert_eq!((e.code, e.field), ("kind_invalid", Some("kind")));
    for k in ProbeKind::ALL {
        assert_eq!(ProbeKind::parse(k.as_str()).unwrap(), k);
    }
}

#[test]
fn s4_probe_opens_after_fail_threshold_and_closes_after_recover_threshold() {
    // fail 3, recover 2: F F (S resets) F F F → Open; F stays open; S F (resets) S S → Close.
    let run = "FFSFFFFSFSS";
    let mut s = Streak::default();
    let mut seen = Vec::new();
    for c in run.chars() {
        let (n, t) = probe::step(s, c == 'S', 3, 2);
        s = n;
        seen.push(t);
    }
    use Transition::{Close, None as No, Open};
    assert_eq!(seen, vec![No, No, No, No, No, Open, No, No, No, No, Close]);
    assert!(!s.open);
    assert_eq!((s.failures, s.successes), (0, 2));
    // Threshold 1 opens and closes on a single result.
    let (o, t) = probe::step(Streak::default(), false, 1, 1);
    assert_eq!((o.open, t), (true, Open));
    let (c, t) = probe::step(o, true, 1, 1);
    assert_eq!((c.open, t), (false, Close));
    // Successes while closed change nothing.
    assert_eq!(probe::step(c, true, 1, 1).1, No);
}

// ---- S2/S4: SIP OPTIONS (RFC 3261 §11) ----

#[test]
fn s4_sip_options_request_text_is_exact() {
    let o = sip::Options {
        host: "sip.example.com",
        port: 5060,
        transport: "UDP",
        local: "192.0.2.10:40000",
        call_id: "c0ffee@tollgate",
        branch: "z9hG4bK776asdhds",
        tag: "1928301774",
        cseq: 42,
    };
    assert_eq!(
        sip::options_request(&o),
        "OPTIONS sip:sip.example.com:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bK776asdhds;rport\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:sip.example.com:5060>\r\n\
         From: <sip:tollgate@192.0.2.10:40000>;tag=1928301774\r\n\
         Call-ID: c0ffee@tollgate\r\n\
         CSeq: 42 OPTIONS\r\n\
         Contact: <sip:tollgate@192.0.2.10:40000>\r\n\
         Accept: application/sdp\r\n\
         User-Agent: tollgate\r\n\
         Content-Length: 0\r\n\
         \r\n"
    );
    let v6 = sip::Options {
        host: "2001:db8::1",
        transport: "TCP",
        ..o
    };
    assert!(sip::options_request(&v6).starts_with("OPTIONS sip:[2001:db8::1]:5060 SIP/2.0\r\n"));
}

#[test]
#[should_panic(expected = "z9hG4bK")]
fn s4_sip_branch_without_the_magic_cookie_is_a_bug() {
    let o = sip::Options {
        host: "h",
        port: 5060,
        transport: "UDP",
        local: "192.0.2.10:1",
        call_id: "c",
        branch: "abc",
        tag: "t",
        cseq: 1,
    };
    let _ = sip::options_request(&o);
}

#[test]
fn s4_sip_response_parsing_reads_status_call_id_and_cseq() {
    let ok = b"SIP/2.0 200 OK\r\n\
        Via: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bK776asdhds;rport=40000\r\n\
        To: <sip:sip.example.com:5060>;tag=93810874\r\n\
        From: <sip:tollgate@192.0.2.10:40000>;tag=1928301774\r\n\
        Call-ID: c0ffee@tollgate\r\n\
        CSeq: 42 OPTIONS\r\n\
        Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n\
        Content-Length: 0\r\n\r\n";
    assert_eq!(
        sip::parse_response(ok).unwrap(),
        sip::SipAnswer {
            status: 200,
            reason: "OK".into(),
            call_id: "c0ffee@tollgate".into(),
            cseq_method: "OPTIONS".into(),
        }
    );
    // Compact `i:` for Call-ID, lowercase names, bare LF, a folded header, a reason with
    // spaces.
    let compact = b"SIP/2.0 405 Method Not Allowed\n\
        v: SIP/2.0/TCP x\n  ;branch=z9hG4bKx\n\
        i:abc\n\
        cseq:  7   OPTIONS\n\n";
    let a = sip::parse_response(compact).unwrap();
    assert_eq!(
        (
            a.status,
            a.reason.as_str(),
            a.call_id.as_str(),
            a.cseq_method.as_str()
        ),
        (405, "Method Not Allowed", "abc", "OPTIONS")
    );
    let lower = b"SIP/2.0 100 Trying\r\ncall-id: z\r\ncseq: 1 OPTIONS\r\n\r\n";
    assert_eq!(sip::parse_response(lower).unwrap().status, 100);
    // TCP: the caller passes the bytes up to the end of the headers, blank line or not.
    assert!(sip::parse_response(b"SIP/2.0 200 OK\r\ni: q\r\nCSeq: 1 OPTIONS").is_ok());

    let bad: [(&[u8], &str); 8] = [
        (b"", "empty"),
        (b"HTTP/1.1 200 OK\r\n\r\n", "not_sip_response"),
        (b"SIP/2.0 2000 OK\r\n\r\n", "status_invalid"),
        (b"SIP/2.0 099 Odd\r\n\r\n", "status_invalid"),
        (
            b"SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\n",
            "call_id_missing",
        ),
        (b"SIP/2.0 200 OK\r\ni: a\r\n\r\n", "cseq_missing"),
        (
            b"SIP/2.0 200 OK\r\ni: a\r\nCSeq: x OPTIONS\r\n\r\n",
            "cseq_invalid",
        ),
        (b"SIP/2.0 200 OK\r\ngarbage\r\n\r\n", "header_invalid"),
    ];
    for (bytes, code) in bad {
        assert_eq!(
            sip::parse_response(bytes),
            Err(code),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn s4_sip_answer_is_up_on_a_final_answer_below_500() {
    assert!(!sip::answer_is_up(100, None)); // provisional: not an answer yet
    assert!(!sip::answer_is_up(180, None));
    assert!(sip::answer_is_up(200, None));
    assert!(sip::answer_is_up(404, None)); // a SIP stack answering is alive
    assert!(sip::answer_is_up(405, None));
    assert!(sip::answer_is_up(499, None));
    assert!(!sip::answer_is_up(500, None));
    assert!(!sip::answer_is_up(503, None));
    assert!(!sip::answer_is_up(603, None));
    assert!(sip::answer_is_up(200, Some(200)));
    assert!(!sip::answer_is_up(404, Some(200)));
    assert!(sip::answer_is_up(503, Some(503)));
}

// ---- S2/S4: DNS (RFC 1035 §4.1) ----

#[test]
fn s4_dns_query_for_example_com_follows_the_rfc_1035_layout() {
    let q = dns::query(0xABCD, "example.com").unwrap();
    #[rustfmt::skip]
    let want: Vec<u8> = [
        &[0xAB, 0xCD][..],      // ID
        &[0x01, 0x00],          // QR 0, OPCODE 0, RD 1
        &[0x00, 0x01],          // QDCOUNT 1
        &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // ANCOUNT, NSCOUNT, ARCOUNT
        &[7], b"example", &[3], b"com", &[0], // QNAME
        &[0x00, 0x01],          // QTYPE A
        &[0x00, 0x01],          // QCLASS IN
    ]
    .concat();
    assert_eq!(q, want);
    assert_eq!(q.len(), 29);
    assert_eq!(dns::query(0xABCD, "example.com.").unwrap(), want);

    assert_eq!(dns::query(1, ""), Err("name_invalid"));
    assert_eq!(dns::query(1, "a..b"), Err("name_invalid"));
    assert_eq!(dns::query(1, "exämple.com"), Err("name_invalid"));
    assert_eq!(dns::query(1, &"a".repeat(64)), Err("label_too_long"));
    let long = vec!["a".repeat(63); 4].join("."); // 4 × 64 + 1 = 257 octets encoded
    assert_eq!(dns::query(1, &long), Err("name_too_long"));
}

#[test]
fn s4_dns_answer_header_is_checked() {
    // The query echoed with QR, RD, RA set (0x8180), one A record 93.184.215.14.
    let mut a = dns::query(0x1234, "example.com").unwrap();
    a[2..4].copy_from_slice(&[0x81, 0x80]);
    a[6..8].copy_from_slice(&[0x00, 0x01]);
    a.extend_from_slice(&[
        0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 93, 184, 215, 14,
    ]);
    let ans = dns::parse_answer(0x1234, &a).unwrap();
    assert_eq!(
        ans,
        dns::DnsAnswer {
            rcode: 0,
            answers: 1
        }
    );
    assert!(dns::answer_is_up(&ans));

    // NXDOMAIN (RCODE 3), no answers: down.
    let mut nx = dns::query(0x1234, "nope.example").unwrap();
    nx[2..4].copy_from_slice(&[0x81, 0x83]);
    let ans = dns::parse_answer(0x1234, &nx).unwrap();
    assert_eq!(
        ans,
        dns::DnsAnswer {
            rcode: 3,
            answers: 0
        }
    );
    assert!(!dns::answer_is_up(&ans));
    // No error but no record: down.
    assert!(!dns::answer_is_up(&dns::DnsAnswer {
        rcode: 0,
        answers: 0
    }));

    assert_eq!(dns::parse_answer(0x1235, &a), Err("id_mismatch"));
    let query = dns::query(0x1234, "example.com").unwrap();
    assert_eq!(dns::parse_answer(0x1234, &query), Err("not_response"));
    assert_eq!(dns::parse_answer(0x1234, &a[..11]), Err("short"));
}

// ---- T5: restoration time ----

#[test]
fn t5_restored_in_exactly_the_srt_is_in_time_one_second_more_is_a_breach() {
    // SRT 4 h = 14,400 s from 10:00: due 14:00.
    let start = at("2026-07-10T10:00:00Z");
    let due = at("2026-07-10T14:00:00Z");
    let r = restoration(start, Some(due), due + DAY, 4);
    assert_eq!((r.elapsed_s, r.due_at, r.breached), (14_400, due, false));
    let r = restoration(start, Some(due + 1), due + DAY, 4);
    assert_eq!((r.elapsed_s, r.breached), (14_401, true));
    // Still open: runs to now. x-hoppers-2025's 8 h SRT.
    let r = restoration(start, None, due, 8);
    assert_eq!(
        (r.elapsed_s, r.due_at, r.breached),
        (4 * H, start + 8 * H, false)
    );
    let r = restoration(start, None, start + 8 * H + 1, 8);
    assert!(r.breached);
    // A clock before the start never makes negative time.
    assert_eq!(restoration(start, None, start - 10, 4).elapsed_s, 0);
}
