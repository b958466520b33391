use super::schedule::{announcements_by, next_step};
use super::seats::check_seat;
use super::signature::{parse, signed_payload};
use super::stats::{hour_of, percentile, presence_ms, summarize, Outcome};
use super::*;

fn timing() -> Timing {
    // Repeat every 20 s, escalate after 60 s, missed after 300 s.
    Timing::new(20, 60, 300).unwrap()
}

#[test]
fn q_an_alert_is_announced_at_once_then_repeats_at_its_frequency() {
    let t = timing();
    assert_eq!(
        next_step(1_000, t, 0, false),
        (1_000, Step::Announce { repeat: 0 })
    );
    // Announced once: the repeat is due 20 s after the raise.
    assert_eq!(
        next_step(1_000, t, 1, false),
        (21_000, Step::Announce { repeat: 1 })
    );
    assert_eq!(
        next_step(1_000, t, 2, false),
        (41_000, Step::Announce { repeat: 2 })
    );
}

#[test]
fn q_escalation_comes_at_the_configured_time_before_the_repeat_due_then() {
    let t = timing();
    // Three announcements made (0, 20, 40 s): at 60 s both the escalation and the fourth
    // announcement are due; the escalation comes first, once.
    assert_eq!(next_step(0, t, 3, false), (60_000, Step::Escalate));
    assert_eq!(
        next_step(0, t, 3, true),
        (60_000, Step::Announce { repeat: 3 })
    );
}

#[test]
fn q_an_alert_nobody_accepts_is_missed_at_its_time_and_not_announced_then() {
    let t = timing();
    // Announcements at 0, 20, …, 280 s: 15 of them. The 16th would fall at 300 s, the miss.
    assert_eq!(next_step(0, t, 15, true), (300_000, Step::Miss));
    assert_eq!(
        next_step(0, t, 14, true),
        (280_000, Step::Announce { repeat: 14 })
    );
}

#[test]
fn q_after_a_restart_the_repeats_keep_their_rhythm() {
    let t = timing();
    // Raised at 0; the process comes back at 45 s: announcements at 0, 20, 40 were due (3);
    // the next repeat falls at 60 s.
    assert_eq!(announcements_by(0, t, 45_000), 3);
    assert_eq!(next_step(0, t, 3, true).0, 60_000);
    // Exactly on an announcement time it counts; never past the miss time (15 at most).
    assert_eq!(announcements_by(0, t, 40_000), 3);
    assert_eq!(announcements_by(0, t, 10_000_000), 15);
}

#[test]
fn q_timing_is_checked_with_its_field() {
    assert_eq!(Timing::new(4, 60, 300).unwrap_err().field, Some("repeat_s"));
    assert_eq!(
        Timing::new(601, 700, 900).unwrap_err().field,
        Some("repeat_s")
    );
    assert_eq!(
        Timing::new(20, 10, 300).unwrap_err().field,
        Some("escalate_after_s")
    );
    assert_eq!(
        Timing::new(20, 300, 300).unwrap_err().field,
        Some("escalate_after_s")
    );
    assert_eq!(
        Timing::new(20, 60, 3_601).unwrap_err().field,
        Some("miss_after_s")
    );
    assert_eq!(Timing::new(20, 20, 21).unwrap().miss_after_ms, 21_000);
}

#[test]
fn l1_seats_are_never_exceeded_and_need_a_subscription() {
    assert!(check_seat(Device::Headset, 4, Some(5)).is_ok());
    let full = check_seat(Device::Headset, 5, Some(5)).unwrap_err();
    assert_eq!(
        (full.code, full.rule.unwrap().rule),
        ("seats_exhausted", "L1")
    );
    let none = check_seat(Device::App, 0, None).unwrap_err();
    assert_eq!(
        (none.code, none.rule.unwrap().rule),
        ("no_seat_subscription", "L2")
    );
}

#[test]
fn signature_header_shape_and_age() {
    let hex = "a".repeat(64);
    let ok = parse(Some(&format!("t=1000,v1={hex}")), 1_300).unwrap();
    assert_eq!(ok.t, 1000);
    // 301 s apart: a replay.
    assert_eq!(
        parse(Some(&format!("t=1000,v1={hex}")), 1_301)
            .unwrap_err()
            .code,
        "signature_expired"
    );
    assert_eq!(parse(None, 0).unwrap_err().code, "signature_missing");
    assert_eq!(
        parse(Some("t=1000,v1=abc"), 1000).unwrap_err().code,
        "signature_invalid"
    );
    assert_eq!(
        parse(Some("v1=00"), 1000).unwrap_err().code,
        "signature_invalid"
    );
    // A time chosen to overflow the difference is old, not fresh.
    let far = format!("t={},v1={hex}", i64::MIN);
    assert_eq!(
        parse(Some(&far), 1_000).unwrap_err().code,
        "signature_expired"
    );
    assert_eq!(signed_payload(7, b"{}"), b"7.{}".to_vec());
}

#[test]
fn q_percentiles_are_nearest_rank() {
    // n = 4: p50 → rank ⌈2⌉ = 2 → 20; p90 → rank ⌈3.6⌉ = 4 → 40.
    assert_eq!(percentile(&[10, 20, 30, 40], 50), Some(20));
    assert_eq!(percentile(&[10, 20, 30, 40], 90), Some(40));
    // n = 10: p90 → rank 9.
    let v: Vec<i64> = (1..=10).collect();
    assert_eq!(percentile(&v, 90), Some(9));
    assert_eq!(percentile(&[], 50), None);
}

#[test]
fn q_the_summary_adds_up() {
    let o = |raised, acc: Option<i64>, esc, missed| Outcome {
        raised_ms: raised,
        accepted_ms: acc,
        escalated: esc,
        missed,
    };
    let s = summarize(&[
        o(0, Some(5_000), false, false),
        o(0, Some(15_000), false, false),
        o(0, Some(70_000), true, false),
        o(0, None, true, true),
        o(0, None, false, false),
    ]);
    // 5 raised = 3 accepted + 1 missed + 1 open; responses 5, 15, 70 s: p50 rank 2 = 15 s,
    // p90 rank ⌈2.7⌉ = 3 = 70 s.
    assert_eq!(
        (s.raised, s.accepted, s.missed, s.open, s.escalated),
        (5, 3, 1, 1, 2)
    );
    assert_eq!(
        (s.response_p50_ms, s.response_p90_ms),
        (Some(15_000), Some(70_000))
    );
}

#[test]
fn q_staff_time_counts_each_instant_once_within_the_period() {
    // Period [100, 1000). Joined 50–200 (counts 100–200 = 100), 150–300 overlaps (adds
    // 200–300 = 100), 900 and never left (runs to 1000: 100). Total 300.
    assert_eq!(
        presence_ms(
            &[(50, Some(200)), (150, Some(300)), (900, None)],
            100,
            1_000
        ),
        300
    );
    assert_eq!(presence_ms(&[(2_000, None)], 100, 1_000), 0);
    assert_eq!(hour_of(3_600_000 + 59), 3_600_000);
}

#[test]
fn closed_lists_parse_their_texts_only() {
    for t in NotificationType::ALL {
        assert_eq!(NotificationType::parse(t.as_str(), "type").unwrap(), *t);
    }
    assert_eq!(
        EventKind::parse("fire", "event").unwrap_err().code,
        "event_invalid"
    );
    assert_eq!(video_event("queue_too_long").unwrap(), EventKind::Queue);
    assert_eq!(
        speech_text("Till <4>", "Help   needed!"),
        "Till 4: Help needed!"
    );
}
