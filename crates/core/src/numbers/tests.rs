use super::*;
use NumberEvent as E;
use NumberState as S;

const NOW: i64 = 1_795_000_000;

/// Facts where every precondition of every event holds.
fn ready(state: NumberState) -> NumberFacts {
    NumberFacts {
        provider_verified: true,
        customer_confirmed: true,
        address_country: Some("GB".into()),
        emergency_ack: true,
        identity_document: true,
        quarantine_until: Some(NOW - 1),
        port_date: Some(NOW - 1),
        ..NumberFacts::new(state, "GB", NumberType::Geographic)
    }
}

/// Every (event, state) pair: the allowed ones with their target and rule, every other
/// one refused with its stable code and rule.
#[test]
fn t6_t10_b11_every_transition_allowed_or_refused_with_code_and_clause() {
    let allowed: &[(E, S, S, &str, &str)] = &[
        (E::Reserve, S::Available, S::Reserved, "T10", "X 15"),
        (E::Unreserve, S::Reserved, S::Available, "T10", "X 15"),
        (E::Activate, S::Reserved, S::Active, "B2", "W 7.9.1"),
        (
            E::RequestPortOut,
            S::Active,
            S::PortOutPending,
            "T8",
            "X 15.C",
        ),
        (
            E::RequestPortOut,
            S::Suspended,
            S::PortOutPending,
            "T8",
            "X 15.C",
        ),
        (
            E::CompletePortOut,
            S::PortOutPending,
            S::PortedOut,
            "T6",
            "W 5.1",
        ),
        (
            E::CancelPortOut,
            S::PortOutPending,
            S::Active,
            "T8",
            "X 15.C",
        ),
        (E::Release, S::Active, S::Released, "T9", "X 15.F"),
        (E::Release, S::Suspended, S::Released, "T9", "X 15.F"),
        (
            E::StartQuarantine,
            S::Released,
            S::Quarantine,
            "T9",
            "X 15.F",
        ),
        (
            E::EndQuarantine,
            S::Quarantine,
            S::Available,
            "T9",
            "X 15.F",
        ),
        (E::Suspend, S::Active, S::Suspended, "B11", "W 7.9.3"),
        (E::Resume, S::Suspended, S::Active, "B11", "W 7.9.3"),
    ];
    let refused_code = |e: E| match e {
        E::Reserve => ("number_not_available", "T10"),
        E::Unreserve | E::Activate => ("number_not_reserved", "T10"),
        E::RequestPortOut => ("number_not_in_service", "T8"),
        E::CompletePortOut => ("port_out_not_pending", "T6"),
        E::CancelPortOut => ("port_out_not_pending", "T8"),
        E::Release => ("number_not_releasable", "T9"),
        E::StartQuarantine => ("number_not_released", "T9"),
        E::EndQuarantine => ("number_not_in_quarantine", "T9"),
        E::Suspend => ("number_not_active", "B11"),
        E::Resume => ("number_not_suspended", "B11"),
    };
    let mut n_allowed = 0;
    for e in E::ALL {
        for s in S::ALL {
            let got = decide(e, &ready(s), NOW);
            match allowed.iter().find(|a| a.0 == e && a.1 == s) {
                Some(&(_, _, to, rule, clause)) => {
                    let t = got.unwrap_or_else(|r| panic!("{e:?} from {s:?}: {r}"));
                    assert_eq!((t.from, t.to), (s, to), "{e:?} from {s:?}");
                    assert_eq!((t.rule.rule, t.rule.clause), (rule, clause));
                    n_allowed += 1;
                }
                None => {
                    let r = got.expect_err(&format!("{e:?} from {s:?} must be refused"));
                    let (code, rule) = if e == E::Release && s == S::PortOutPending {
                        ("port_out_pending", "T8")
                    } else {
                        refused_code(e)
                    };
                    assert_eq!(r.code, code, "{e:?} from {s:?}");
                    let rr = r.rule.expect("business refusal carries a rule");
                    assert_eq!(rr.rule, rule, "{e:?} from {s:?}");
                    assert!(!rr.clause.is_empty());
                }
            }
        }
    }
    assert_eq!(n_allowed, allowed.len());
}

#[test]
fn t10_new_numbers_are_provisional_until_confirmed() {
    let mut f = ready(S::Reserved);
    f.provider_verified = false;
    let r = decide(E::Activate, &f, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("provider_verification_missing", Some(rules::T10))
    );
    f.provider_verified = true;
    f.customer_confirmed = false;
    let r = decide(E::Activate, &f, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("customer_confirmation_missing", Some(rules::T10))
    );
    f.customer_confirmed = true;
    assert_eq!(decide(E::Activate, &f, NOW).unwrap().to, S::Active);
}

#[test]
fn t13_acknowledged_text_agrees_with_the_guard_on_suspension() {
    // T13's decision: emergency numbers are admitted even for suspended accounts, so
    // the text the customer signs must not say they stop working when suspended.
    let text = EMERGENCY_ACK_TEXT.replace(char::is_whitespace, " ");
    assert!(text.contains("they do work while the service is suspended"));
    assert!(!text.contains("or while the service is suspended"));
}

#[test]
fn t13_activation_without_address_or_acknowledgement_is_refused() {
    let mut f = ready(S::Reserved);
    f.address_country = None;
    let r = decide(E::Activate, &f, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("emergency_address_missing", Some(rules::T13))
    );
    assert_eq!(r.rule.unwrap().clause, "X 5.B.ii");
    f.address_country = Some("GB".into());
    f.emergency_ack = false;
    let r = decide(E::Activate, &f, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("emergency_ack_missing", Some(rules::T13))
    );
    // A number without voice needs neither (T13 concerns numbers used for calls).
    f.voice = false;
    f.address_country = None;
    assert!(decide(E::Activate, &f, NOW).is_ok());
}

#[test]
fn t11_numbering_rules_are_checked_before_activation() {
    let mut f = ready(S::Reserved);
    f.address_country = Some("FR".into());
    let r = decide(E::Activate, &f, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("numbering_local_address_required", Some(rules::T11))
    );
    let mut de = NumberFacts {
        country: "DE".into(),
        address_country: Some("DE".into()),
        identity_document: false,
        ..ready(S::Reserved)
    };
    let r = decide(E::Activate, &de, NOW).unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("numbering_identity_document_required", Some(rules::T11))
    );
    de.identity_document = true;
    assert!(decide(E::Activate, &de, NOW).is_ok());
    // A mobile GB number has no local-address requirement.
    let mobile = NumberFacts {
        number_type: NumberType::Mobile,
        address_country: Some("IE".into()),
        ..ready(S::Reserved)
    };
    assert!(decide(E::Activate, &mobile, NOW).is_ok());
}

#[test]
fn t9_quarantine_ends_only_after_its_time() {
    let mut f = ready(S::Quarantine);
    f.quarantine_until = Some(quarantine_until(NOW, 90));
    let r = decide(E::EndQuarantine, &f, NOW + 89 * 86_400).unwrap_err();
    assert_eq!((r.code, r.rule), ("quarantine_not_over", Some(rules::T9)));
    assert_eq!(
        decide(E::EndQuarantine, &f, NOW + 90 * 86_400).unwrap().to,
        S::Available
    );
}

#[test]
fn t6_t8_port_out_follows_a_valid_request_and_leaves_at_the_port_date() {
    assert!(check_port_out_request("Other Telco", "PAC123", NOW + 86_400, NOW).is_ok());
    let r = check_port_out_request("Other Telco", "PAC123", NOW - 3 * 86_400, NOW).unwrap_err();
    assert_eq!((r.code, r.rule), ("port_date_in_past", Some(rules::T8)));
    assert_eq!(
        check_port_out_request("", "PAC", NOW, NOW)
            .unwrap_err()
            .field,
        Some("gaining_provider")
    );
    let mut f = ready(S::PortOutPending);
    f.port_date = Some(NOW + 10);
    let r = decide(E::CompletePortOut, &f, NOW).unwrap_err();
    assert_eq!((r.code, r.rule), ("port_date_not_reached", Some(rules::T6)));
    assert!(decide(E::CompletePortOut, &f, NOW + 10).is_ok());
    let r = decide(E::Release, &f, NOW).unwrap_err();
    assert_eq!((r.code, r.rule), ("port_out_pending", Some(rules::T8)));
}

#[test]
fn t7_every_port_in_transition_allowed_or_refused() {
    use PortInEvent as P;
    use PortInState as Q;
    let allowed: &[(P, Q, Q)] = &[
        (P::Submit, Q::Draft, Q::Submitted),
        (P::Accept, Q::Submitted, Q::Pending),
        (P::Schedule, Q::Pending, Q::Scheduled),
        (P::Schedule, Q::Scheduled, Q::Scheduled),
        (P::Complete, Q::Scheduled, Q::Completed),
        (P::Reject, Q::Submitted, Q::Rejected),
        (P::Reject, Q::Pending, Q::Rejected),
        (P::Reject, Q::Scheduled, Q::Rejected),
        (P::Cancel, Q::Draft, Q::Cancelled),
        (P::Cancel, Q::Submitted, Q::Cancelled),
        (P::Cancel, Q::Pending, Q::Cancelled),
        (P::Cancel, Q::Scheduled, Q::Cancelled),
    ];
    for e in PortInEvent::ALL {
        for s in PortInState::ALL {
            let f = PortInFacts {
                state: s,
                foc_date: Some(NOW),
                open_document_requests: 0,
                emergency_ack: true,
            };
            let got = decide_port_in(e, &f, Some(NOW + 86_400), NOW);
            match allowed.iter().find(|a| a.0 == e && a.1 == s) {
                Some(&(_, _, to)) => assert_eq!(got, Ok(to), "{e:?} from {s:?}"),
                None => {
                    let r = got.expect_err("refused");
                    assert_eq!((r.code, r.rule), ("port_in_state_invalid", Some(rules::T7)));
                    assert_eq!(r.rule.unwrap().clause, "X 15.A-E");
                }
            }
        }
    }
    let sched = PortInFacts {
        state: Q::Scheduled,
        foc_date: Some(NOW + 100),
        open_document_requests: 0,
        emergency_ack: true,
    };
    let code =
        |f: &PortInFacts, foc, now| decide_port_in(P::Complete, f, foc, now).unwrap_err().code;
    assert_eq!(code(&sched, None, NOW), "foc_date_not_reached");
    let docs = PortInFacts {
        open_document_requests: 1,
        ..sched.clone()
    };
    assert_eq!(code(&docs, None, NOW + 100), "documents_outstanding");
    let no_ack = PortInFacts {
        emergency_ack: false,
        ..sched.clone()
    };
    assert_eq!(code(&no_ack, None, NOW + 100), "emergency_ack_missing");
    let pending = PortInFacts {
        state: Q::Pending,
        ..sched
    };
    assert_eq!(
        decide_port_in(P::Schedule, &pending, Some(NOW - 1), NOW)
            .unwrap_err()
            .code,
        "foc_date_in_past"
    );
    assert_eq!(
        decide_port_in(P::Schedule, &pending, None, NOW)
            .unwrap_err()
            .code,
        "foc_date_missing"
    );
}

fn loa() -> Loa {
    Loa {
        holder: "Acme Dental".into(),
        service_address: Address {
            street: "1 Rue de Rivoli".into(),
            city: "Paris".into(),
            postcode: "75001".into(),
            country: "FR".into(),
            ..Address::default()
        },
        losing_provider: "Old Telco".into(),
        account_number: "ACC-1".into(),
        signatory: "Dr. A. Smile".into(),
        existing_service_active: true,
        numbers: vec!["33142685301".into()],
    }
}

#[test]
fn t7_loa_must_be_complete_and_existing_service_active() {
    assert!(check_loa(&loa()).is_ok());
    let r = check_loa(&Loa {
        existing_service_active: false,
        ..loa()
    })
    .unwrap_err();
    assert_eq!(
        (r.code, r.rule),
        ("existing_service_inactive", Some(rules::T7))
    );
    let r = check_loa(&Loa {
        signatory: " ".into(),
        ..loa()
    })
    .unwrap_err();
    assert_eq!((r.code, r.field), ("loa_incomplete", Some("signatory")));
    let r = check_loa(&Loa {
        numbers: vec![],
        ..loa()
    })
    .unwrap_err();
    assert_eq!(r.code, "loa_numbers_invalid");
    let r = check_loa(&Loa {
        numbers: vec!["1".into(), "1".into()],
        ..loa()
    })
    .unwrap_err();
    assert_eq!(r.code, "loa_numbers_invalid");
}

#[test]
fn b11_document_limits_and_deadlines() {
    let pdf = b"%PDF-1.7 hello".to_vec();
    assert!(check_document("application/pdf", &pdf).is_ok());
    assert_eq!(
        check_document("application/zip", &pdf).unwrap_err().code,
        "document_type_not_allowed"
    );
    assert_eq!(
        check_document("image/png", &pdf).unwrap_err().code,
        "document_content_mismatch"
    );
    let big = [b"%PDF-".as_slice(), &vec![0u8; MAX_DOCUMENT_BYTES]].concat();
    assert_eq!(
        check_document("application/pdf", &big).unwrap_err().code,
        "document_too_large"
    );
    assert_eq!(
        check_document("application/pdf", b"").unwrap_err().code,
        "document_empty"
    );
    assert!(check_deadline(NOW + 86_400, NOW).is_ok());
    assert!(check_deadline(NOW + 60, NOW).is_err());
    assert!(check_deadline(NOW + 61 * 86_400, NOW).is_err());
    assert!(!deadline_missed(true, NOW, NOW));
    assert!(deadline_missed(true, NOW, NOW + 1));
    assert!(!deadline_missed(false, NOW, NOW + 1));
    assert!(check_document_kind("identity").is_ok());
    assert!(check_document_kind("selfie").is_err());
}

#[test]
fn base64_encodes_the_rfc_4648_vectors() {
    use super::{decode_base64, encode_base64};
    // RFC 4648 section 10.
    for (plain, coded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(encode_base64(plain.as_bytes()), coded);
        assert_eq!(decode_base64(coded, 16, "x").unwrap(), plain.as_bytes());
    }
}

#[test]
fn base64_round_trips_and_refuses_garbage() {
    assert_eq!(decode_base64("JVBERi0=", 100, "f").unwrap(), b"%PDF-");
    assert_eq!(decode_base64("JVBERi0", 100, "f").unwrap(), b"%PDF-");
    assert_eq!(
        decode_base64("aGVsbG8gd29ybGQ=", 100, "f").unwrap(),
        b"hello world"
    );
    assert_eq!(decode_base64("", 100, "f").unwrap(), b"");
    assert_eq!(
        decode_base64("a$bc", 100, "f").unwrap_err().code,
        "base64_invalid"
    );
    assert_eq!(
        decode_base64("ab=c", 100, "f").unwrap_err().code,
        "base64_invalid"
    );
    assert_eq!(
        decode_base64("a", 100, "f").unwrap_err().code,
        "base64_invalid"
    );
    assert_eq!(
        decode_base64(&"A".repeat(400), 100, "f").unwrap_err().code,
        "document_too_large"
    );
}

#[test]
fn t13_address_change_is_pending_48h_and_the_old_address_is_used_meanwhile() {
    let p = ADDRESS_CHANGE_PENDING_S;
    assert_eq!(address_effective_at(S::Reserved, true, NOW, p), NOW);
    assert_eq!(address_effective_at(S::Active, false, NOW, p), NOW);
    assert_eq!(
        address_effective_at(S::Active, true, NOW, p),
        NOW + ADDRESS_CHANGE_PENDING_S
    );
    assert_eq!(
        address_effective_at(S::Active, true, NOW, 3_600),
        NOW + 3_600
    ); // per profile
    let versions = [(NOW - 100, NOW - 100, "old"), (NOW + 48 * 3600, NOW, "new")];
    assert_eq!(in_force_at(&versions, NOW - 200), None);
    assert_eq!(in_force_at(&versions, NOW), Some(&"old"));
    assert_eq!(in_force_at(&versions, NOW + 48 * 3600 - 1), Some(&"old"));
    assert_eq!(in_force_at(&versions, NOW + 48 * 3600), Some(&"new"));
    let a = Address {
        street: "10 Downing St".into(),
        city: "London".into(),
        postcode: "SW1A 2AA".into(),
        country: "GB".into(),
        floor: Some("2".into()),
        ..Address::default()
    };
    assert_eq!(a.one_line(), "10 Downing St, floor 2, SW1A 2AA London, GB");
    assert!(check_address(&a).is_ok());
    assert_eq!(
        check_address(&Address {
            country: "gb".into(),
            ..a.clone()
        })
        .unwrap_err()
        .field,
        Some("country")
    );
    assert_eq!(
        check_address(&Address {
            street: "".into(),
            ..a
        })
        .unwrap_err()
        .field,
        Some("street")
    );
}

#[test]
fn t13_a_us_or_canadian_address_names_its_state_for_dispatch() {
    let sf = Address {
        street: "500 Market St".into(),
        city: "San Francisco".into(),
        postcode: "94105".into(),
        country: "US".into(),
        ..Address::default()
    };
    let r = check_address(&sf).unwrap_err();
    assert_eq!((r.code, r.field), ("region_required", Some("region")));
    let with_state = Address {
        region: Some("CA".into()),
        ..sf
    };
    assert!(check_address(&with_state).is_ok());
    assert_eq!(
        with_state.one_line(),
        "500 Market St, 94105 San Francisco CA, US"
    );
}

#[test]
fn numbering_table_classifies_country_and_type() {
    let cases = [
        ("442079460000", "GB", NumberType::Geographic),
        ("447700900123", "GB", NumberType::Mobile),
        ("448001234567", "GB", NumberType::TollFree),
        ("443001234567", "GB", NumberType::National),
        ("449001234567", "GB", NumberType::PremiumRate),
        ("448451234567", "GB", NumberType::SharedCost),
        ("447012345678", "GB", NumberType::Personal),
        ("14155550100", "US", NumberType::Geographic),
        ("18005550100", "US", NumberType::TollFree),
        ("14165550100", "CA", NumberType::Geographic),
        ("33142685300", "FR", NumberType::Geographic),
        ("33612345678", "FR", NumberType::Mobile),
        ("4930123456", "DE", NumberType::Geographic),
        ("4915112345678", "DE", NumberType::Mobile),
        ("390612345678", "IT", NumberType::Geographic),
        ("34912345678", "ES", NumberType::Geographic),
        ("31201234567", "NL", NumberType::Geographic),
        ("3221234567", "BE", NumberType::Geographic),
        ("35312345678", "IE", NumberType::Geographic),
        ("35318001234", "IE", NumberType::TollFree),
        ("4312345678", "AT", NumberType::Geographic),
        ("41441234567", "CH", NumberType::Geographic),
        ("61212345678", "AU", NumberType::Geographic),
        ("61412345678", "AU", NumberType::Mobile),
    ];
    for (d, iso, t) in cases {
        let i = classify(d, "e164").unwrap_or_else(|r| panic!("{d}: {r}"));
        assert_eq!((i.country, i.number_type), (iso, t), "{d}");
    }
    assert_eq!(
        classify("8612345678901", "e164").unwrap_err().code,
        "number_country_unsupported"
    );
    assert_eq!(
        classify("4420794", "e164").unwrap_err().code,
        "number_length_invalid"
    );
    assert_eq!(
        classify("10155550100", "e164").unwrap_err().code,
        "number_invalid"
    );
    for c in COUNTRIES {
        assert!(c.nsn_len.0 <= c.nsn_len.1, "{}", c.iso);
    }
}

#[test]
fn t14_no_trunking_and_cnam_for_us_ca_only() {
    assert!(check_routing(true, Routing::Direct).is_ok());
    assert!(check_routing(true, Routing::ForwardSingleLine).is_ok());
    for r in [
        Routing::SipTrunk,
        Routing::ForwardPbx,
        Routing::ForwardMultiCall,
    ] {
        let e = check_routing(true, r).unwrap_err();
        assert_eq!((e.code, e.rule), ("trunking_not_allowed", Some(rules::T14)));
        assert!(check_routing(false, r).is_ok());
    }
    assert_eq!(check_cnam("US", " ACME DENTAL ").unwrap(), "ACME DENTAL");
    assert_eq!(
        check_cnam("GB", "ACME").unwrap_err().code,
        "cnam_not_applicable"
    );
    assert_eq!(
        check_cnam("CA", "A VERY LONG NAME INDEED")
            .unwrap_err()
            .code,
        "cnam_invalid"
    );
    assert_eq!(
        parse_capabilities("voice,sms,voice", "c").unwrap(),
        vec![Capability::Voice, Capability::Sms]
    );
    assert!(parse_capabilities("video", "c").is_err());
}
