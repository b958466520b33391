use jiff::tz::TimeZone;

use super::*;
use crate::guard::Suspension;

/// 2026-11-22 is a Sunday; Chicago is on CST (UTC-6), New York on EST (UTC-5), London on GMT.
fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn zones_of(number: &str) -> Vec<TimeZone> {
    zones::place_of(number)
        .unwrap()
        .zones
        .iter()
        .map(|z| TimeZone::get(z).unwrap())
        .collect()
}

struct Case {
    registered: Registered,
    owned: Vec<String>,
    suspensions: Vec<Suspension>,
    consent: bool,
    opted_out: bool,
    last_24h: u32,
}

impl Case {
    fn new() -> Case {
        Case {
            registered: Registered {
                tendlc_numbers: vec!["12145550100".into()],
                states: vec!["US-FL".into(), "US-TX".into()],
                sender_ids: vec!["Acme".into()],
                ..Registered::default()
            },
            owned: vec![
                "12145550100".into(),
                "12145550199".into(),
                "447700900001".into(),
            ],
            suspensions: vec![],
            consent: true,
            opted_out: false,
            last_24h: 0,
        }
    }

    fn admit(&self, from: &str, to: &str, category: Category, body: &str, now: i64) -> Admission {
        self.admit_with(from, to, category, body, now, false)
    }

    fn admit_with(
        &self,
        from: &str,
        to: &str,
        category: Category,
        body: &str,
        now: i64,
        defer: bool,
    ) -> Admission {
        let sender = Sender::parse(from).unwrap();
        let place = zones::place_of(to);
        let zones = zones_of(to);
        let facts = Facts {
            validated: true,
            suspensions: &self.suspensions,
            home_country: "US",
            owned_numbers: &self.owned,
            registered: &self.registered,
            opted_out: self.opted_out,
            suppressed: false,
            consent: self.consent,
            marketing_last_24h: self.last_24h,
            enumeration: false,
            bulk_without_consent: false,
        };
        let req = Request {
            sender: &sender,
            recipient: Recipient {
                number: to,
                country: None,
                region: place.and_then(|p| p.region),
                zones: &zones,
            },
            category,
            body,
            defer_if_quiet: defer,
            now,
        };
        admit(&req, &facts, &QuietRules::builtin())
    }
}

const PROMO: &str = "Spring sale: 20% off. Reply STOP to opt out";
const FROM_TX: &str = "+12145550100";

#[test]
fn m4_texas_sunday_0830_is_refused_or_deferred_to_noon_and_allowed_at_1230() {
    let c = Case::new();
    // 08:30 CST on Sunday 2026-11-22 = 14:30Z; Texas allows Sundays from 12:00 only.
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        PROMO,
        at("2026-11-22T14:30:00Z"),
    );
    assert_eq!(
        (a.status, a.code, a.rule),
        (Status::Refused, "quiet_hours", Some(rules::M4))
    );
    assert!(a.message.contains("US-TX"), "{}", a.message);
    let d = c.admit_with(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        PROMO,
        at("2026-11-22T14:30:00Z"),
        true,
    );
    // Deferred to 12:00 CST = 18:00Z.
    assert_eq!(d.status, Status::Deferred);
    assert_eq!(d.send_at, Some(at("2026-11-22T18:00:00Z")));
    let ok = c.admit(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        PROMO,
        at("2026-11-22T18:30:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m4_florida_2030_local_is_refused() {
    let c = Case::new();
    // 20:30 EST on Wed 2026-11-18 = 01:30Z on the 19th; Florida ends at 20:00.
    let a = c.admit(
        FROM_TX,
        "13055550142",
        Category::Marketing,
        PROMO,
        at("2026-11-19T01:30:00Z"),
    );
    assert_eq!((a.status, a.code), (Status::Refused, "quiet_hours"));
    assert!(a.message.contains("US-FL"), "{}", a.message);
    // 19:30 EST is inside.
    let ok = c.admit(
        FROM_TX,
        "13055550142",
        Category::Marketing,
        PROMO,
        at("2026-11-19T00:30:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m4_uk_mobile_2130_refuses_marketing_and_accepts_transactional() {
    let c = Case::new();
    // 21:30 GMT: after the terms' 21:00 (W 23.5); the UK sets no stricter window.
    let t = at("2026-11-18T21:30:00Z");
    let a = c.admit(
        "+447700900001",
        "447700900123",
        Category::Marketing,
        PROMO,
        t,
    );
    assert_eq!(
        (a.status, a.code, a.rule),
        (Status::Refused, "quiet_hours", Some(rules::M4))
    );
    let ok = c.admit(
        "+447700900001",
        "447700900123",
        Category::Transactional,
        "Your code is 1234",
        t,
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m4_a_number_spanning_two_zones_must_be_inside_the_window_in_both() {
    let c = Case::new();
    // 208 (Idaho) spans Mountain (UTC-7) and Pacific (UTC-8). 16:30Z = 09:30 MST but 08:30
    // PST: outside the terms' 09:00 start in the Pacific part.
    let a = c.admit(
        FROM_TX,
        "12085550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T16:30:00Z"),
    );
    assert_eq!(
        (a.status, a.code),
        (Status::Refused, "quiet_hours"),
        "{a:?}"
    );
    // 17:30Z = 10:30 MST and 09:30 PST: inside in both.
    let ok = c.admit(
        FROM_TX,
        "12085550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T17:30:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m4_deferral_is_the_first_minute_allowed_in_every_zone() {
    let c = Case::new();
    // Idaho at 16:30Z: Mountain opens at 09:00 MST = 16:00Z (already past), Pacific at
    // 09:00 PST = 17:00Z: the intersection opens at 17:00Z.
    let d = c.admit_with(
        FROM_TX,
        "12085550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T16:30:00Z"),
        true,
    );
    assert_eq!(d.send_at, Some(at("2026-11-18T17:00:00Z")));
}

#[test]
fn m4_state_holidays_ban_where_the_statute_says_so() {
    // Thanksgiving 2026 is the fourth Thursday of November: the 26th. Independence Day
    // 2026 is a Saturday, observed on Friday 3 July.
    assert!(quiet::is_us_federal_holiday(jiff::civil::date(
        2026, 11, 26
    )));
    assert!(quiet::is_us_federal_holiday(jiff::civil::date(2026, 7, 3)));
    assert!(!quiet::is_us_federal_holiday(jiff::civil::date(
        2026, 11, 25
    )));
    let c = Case::new();
    // Utah (801, Mountain, UTC-7) bans legal holidays: 12:00 MST on Thanksgiving = 19:00Z.
    let a = c.admit(
        FROM_TX,
        "18015550142",
        Category::Marketing,
        PROMO,
        at("2026-11-26T19:00:00Z"),
    );
    assert_eq!((a.status, a.code), (Status::Refused, "quiet_hours"));
    let ok = c.admit(
        FROM_TX,
        "18015550142",
        Category::Marketing,
        PROMO,
        at("2026-11-25T19:00:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m4_a_deferred_message_still_meets_the_caps() {
    let mut c = Case::new();
    c.last_24h = 3;
    // 21:30 EST in Florida (02:30Z): outside, and the recipient already had three today.
    let a = c.admit_with(
        FROM_TX,
        "13055550142",
        Category::Marketing,
        PROMO,
        at("2026-11-19T02:30:00Z"),
        true,
    );
    assert_eq!((a.status, a.code), (Status::Refused, "jurisdiction_cap"));
}

#[test]
fn m4_the_address_on_record_sets_the_quiet_hours_not_the_line_country() {
    // A US number whose consent record puts the recipient in Paris: the US 10DLC rule still
    // applies to the line (M5), while the quiet hours are Paris's (the terms' window only).
    let c = Case::new();
    let sender = Sender::parse("+12145550199").unwrap();
    let paris = [TimeZone::get("Europe/Paris").unwrap()];
    let facts = Facts {
        validated: true,
        suspensions: &[],
        home_country: "US",
        owned_numbers: &c.owned,
        registered: &c.registered,
        opted_out: false,
        suppressed: false,
        consent: true,
        marketing_last_24h: 0,
        enumeration: false,
        bulk_without_consent: false,
    };
    let req = Request {
        sender: &sender,
        recipient: Recipient {
            number: "12145550142",
            country: Some("FR"),
            region: None,
            zones: &paris,
        },
        category: Category::Marketing,
        body: PROMO,
        defer_if_quiet: false,
        now: at("2026-11-18T17:00:00Z"),
    };
    assert_eq!(
        admit(&req, &facts, &QuietRules::builtin()).code,
        "tendlc_unregistered"
    );
    // From the registered number: 17:00Z is 18:00 in Paris, inside; no Texas registration
    // asked (the recipient is not in Texas).
    let sender = Sender::parse(FROM_TX).unwrap();
    let mut facts = facts;
    let none = Registered {
        states: vec![],
        ..c.registered.clone()
    };
    facts.registered = &none;
    let req = Request {
        sender: &sender,
        ..req
    };
    assert_eq!(
        admit(&req, &facts, &QuietRules::builtin()).status,
        Status::Accepted
    );
    // 21:30 in Paris (20:30Z) is outside though it is the afternoon in Texas.
    let req = Request {
        now: at("2026-11-18T20:30:00Z"),
        ..req
    };
    assert_eq!(
        admit(&req, &facts, &QuietRules::builtin()).code,
        "quiet_hours"
    );
}

#[test]
fn m4_florida_caps_marketing_at_three_per_recipient_per_day() {
    let mut c = Case::new();
    c.last_24h = 3;
    let a = c.admit(
        FROM_TX,
        "13055550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!((a.code, a.rule), ("jurisdiction_cap", Some(rules::M4)));
    c.last_24h = 2;
    let ok = c.admit(
        FROM_TX,
        "13055550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted);
}

#[test]
fn m2_marketing_without_consent_is_refused() {
    let mut c = Case::new();
    c.consent = false;
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (a.status, a.code, a.rule),
        (Status::Refused, "consent_missing", Some(rules::M2))
    );
    // Consent is a duty of marketing only.
    let ok = c.admit(
        FROM_TX,
        "12145550142",
        Category::Informational,
        "Your order shipped",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted);
}

#[test]
fn m3_marketing_without_an_opt_out_instruction_is_refused() {
    let c = Case::new();
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        "Spring sale: 20% off!",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (a.code, a.rule),
        ("opt_out_instruction_missing", Some(rules::M3))
    );
    // A word that merely contains STOP is no instruction.
    assert!(!keywords::has_opt_out_instruction(
        "Visit our STOPWATCH shop"
    ));
    assert!(keywords::has_opt_out_instruction("Txt stop to end"));
    assert!(!keywords::has_opt_out_instruction(
        "Stop by our store today: 20% off"
    ));
    assert!(keywords::has_opt_out_instruction("Reply STOP to opt out"));
    assert!(keywords::has_opt_out_instruction(
        "Text STOP to 12345 to end"
    ));
    assert!(keywords::has_opt_out_instruction(
        "Opt-out: reply UNSUBSCRIBE"
    ));
}

#[test]
fn m3_an_opted_out_recipient_gets_nothing_more() {
    let mut c = Case::new();
    c.opted_out = true;
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Informational,
        "Hello",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!((a.code, a.rule), ("recipient_opted_out", Some(rules::M3)));
}

#[test]
fn m5_us_a2p_from_an_unregistered_10dlc_number_is_refused() {
    let c = Case::new();
    // +1 214 555 0199 is the account's, but no approved campaign covers it.
    let a = c.admit(
        "+12145550199",
        "12145550142",
        Category::Transactional,
        "Code 1234",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (a.status, a.code, a.rule),
        (Status::Refused, "tendlc_unregistered", Some(rules::M5))
    );
    // The same number to a UK recipient is not A2P in the US: no 10DLC needed.
    let ok = c.admit(
        "+12145550199",
        "447700900123",
        Category::Transactional,
        "Code 1234",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted, "{ok:?}");
}

#[test]
fn m5_marketing_to_texas_needs_the_state_registration() {
    let mut c = Case::new();
    c.registered.states.clear();
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Marketing,
        PROMO,
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (a.code, a.rule),
        ("state_registration_missing", Some(rules::M5))
    );
}

#[test]
fn f8_a_spoofed_sender_is_refused() {
    let c = Case::new();
    let a = c.admit(
        "+12125550100",
        "12145550142",
        Category::Transactional,
        "Code 1234",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (a.status, a.code, a.rule),
        (Status::Refused, "sender_not_owned", Some(rules::F8))
    );
    let id = c.admit(
        "Bank",
        "447700900123",
        Category::Transactional,
        "Code",
        at("2026-11-18T17:00:00Z"),
    );
    // A sender ID or short code not registered to the account is a registration matter (M5).
    assert_eq!(
        (id.code, id.rule),
        ("sender_id_unregistered", Some(rules::M5))
    );
    let sc = c.admit(
        "76543",
        "447700900123",
        Category::Transactional,
        "Code",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (sc.code, sc.rule),
        ("short_code_unregistered", Some(rules::M5))
    );
    let ok = c.admit(
        "Acme",
        "447700900123",
        Category::Transactional,
        "Code",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(ok.status, Status::Accepted);
    // NANP carriers take no alphanumeric sender IDs.
    let us = c.admit(
        "Acme",
        "12145550142",
        Category::Transactional,
        "Code",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!(
        (us.code, us.rule),
        ("sender_id_not_supported", Some(rules::M5))
    );
}

#[test]
fn f4_a_messaging_suspension_refuses_messages() {
    let mut c = Case::new();
    c.suspensions = vec![Suspension {
        id: "s1".into(),
        scope: crate::guard::SuspensionScope::Messaging,
        until: None,
        rule: rules::F9,
        reason: "bulk".into(),
    }];
    let a = c.admit(
        FROM_TX,
        "12145550142",
        Category::Transactional,
        "Code",
        at("2026-11-18T17:00:00Z"),
    );
    assert_eq!((a.code, a.rule), ("service_suspended", Some(rules::F9)));
}

#[test]
fn m3_keywords_are_whole_messages_case_insensitive() {
    use keywords::{classify, Keyword};
    assert_eq!(classify("Stop"), Keyword::OptOut);
    assert_eq!(classify("  stop all "), Keyword::OptOut);
    assert_eq!(classify("STOP."), Keyword::OptOut);
    assert_eq!(classify("arret"), Keyword::OptOut);
    assert_eq!(classify("START"), Keyword::OptIn);
    assert_eq!(classify("unstop"), Keyword::OptIn);
    assert_eq!(classify("help"), Keyword::Help);
    assert_eq!(classify("please stop texting me"), Keyword::StopRequest);
    assert_eq!(classify("Don't text me again"), Keyword::StopRequest);
    assert_eq!(classify("See you at the bus stop"), Keyword::StopRequest);
    assert_eq!(classify("Thanks, see you Tuesday"), Keyword::None);
}

#[test]
fn b8_segments_are_counted_per_encoding() {
    use segments::{count, Encoding};
    // 160 GSM-7 characters fit one message; 161 need two parts of at most 153.
    assert_eq!(count(&"a".repeat(160)), (Encoding::Gsm7, 1));
    assert_eq!(count(&"a".repeat(161)), (Encoding::Gsm7, 2));
    // 306 = 2 x 153; 307 needs a third part.
    assert_eq!(count(&"a".repeat(306)), (Encoding::Gsm7, 2));
    assert_eq!(count(&"a".repeat(307)), (Encoding::Gsm7, 3));
    // The euro sign is escaped: 80 of them are 160 septets, 81 are 162 (two parts).
    assert_eq!(count(&"€".repeat(80)), (Encoding::Gsm7, 1));
    assert_eq!(count(&"€".repeat(81)), (Encoding::Gsm7, 2));
    // One character outside the alphabet makes it UCS-2: 70 units in one, 67 per part.
    assert_eq!(count(&format!("{}é", "ж".repeat(69))), (Encoding::Ucs2, 1));
    assert_eq!(count(&"ж".repeat(71)), (Encoding::Ucs2, 2));
    // An emoji is two UTF-16 units and is never split: 33 of them = 66 units, 34 = 68 > 67.
    assert_eq!(count(&"😀".repeat(35)), (Encoding::Ucs2, 1));
    assert_eq!(count(&"😀".repeat(36)), (Encoding::Ucs2, 2));
}

#[test]
fn gsm7_round_trips_the_alphabet_and_its_extension() {
    let text = "@£$¥ Hello {world} [x] ~|^\\ €5 ÄÖÑÜ§¿äöñüà";
    let septets = gsm7::encode(text).unwrap();
    assert_eq!(gsm7::decode(&septets), text);
    assert!(gsm7::encode("東京").is_none());
}

#[test]
fn m6_sequential_recipients_are_an_enumeration() {
    let mut r = detectors::Recipients::default();
    let now = at("2026-11-18T17:00:00Z");
    // Nine consecutive numbers are admitted; the tenth completes a run of ten.
    for i in 0..9u64 {
        let to = (12145550100 + i).to_string();
        assert!(!r.check(&to, Category::Informational, true, now).enumeration);
        r.record(&to, Category::Informational, true, now);
    }
    assert!(
        r.check("12145550109", Category::Informational, true, now)
            .enumeration
    );
    // After the window they are forgotten.
    let later = now + detectors::ENUMERATION_WINDOW_S + 1;
    assert!(
        !r.check("12145550109", Category::Informational, true, later)
            .enumeration
    );
}

#[test]
fn f9_bulk_sends_without_consent_are_refused_past_the_limit() {
    let mut r = detectors::Recipients::default();
    let now = at("2026-11-18T17:00:00Z");
    // Spread numbers (steps of 7) so the enumeration detector stays quiet.
    for i in 0..detectors::BULK_NO_CONSENT_LIMIT as u64 {
        let to = (447700000000 + i * 7).to_string();
        r.record(&to, Category::Informational, false, now);
    }
    assert!(
        r.check("447799999999", Category::Informational, false, now)
            .bulk_without_consent
    );
    // With consent, or transactional, it is not bulk without consent.
    assert!(
        !r.check("447799999999", Category::Informational, true, now)
            .bulk_without_consent
    );
    assert!(
        !r.check("447799999999", Category::Transactional, false, now)
            .bulk_without_consent
    );
}

#[test]
fn the_quiet_hours_table_parses_and_refuses_bad_rows() {
    let q = QuietRules::builtin();
    assert!(q
        .jurisdictions
        .iter()
        .any(|j| j.id == "US-TX" && j.registration));
    assert!(QuietRules::parse(
        "version = \"x\"\n[[jurisdiction]]\nid = \"US\"\nsource = \"s\"\nwindows = []\n"
    )
    .is_err());
    let backwards = "version = \"x\"\n[[jurisdiction]]\nid = \"*\"\nsource = \"s\"\nwindows = [{ days = \"mon-sun\", from = \"21:00\", to = \"09:00\" }]\n";
    assert!(QuietRules::parse(backwards).is_err());
}
