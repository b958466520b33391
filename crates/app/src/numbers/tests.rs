use super::*;
use crate::tenancy::NewCustomer;
use crate::Clock;

const NOW: i64 = 1_795_000_000; // 2026-11-17
const DAY: i64 = 86_400;

async fn setup() -> (App, Caller) {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    let dir = std::env::temp_dir().join(format!("tg-num-{}", new_id("t")));
    crate::demo::seed(&app, &dir).await.unwrap();
    (app, Caller::system(Actor::cli()))
}

fn refusal(e: AppError) -> (&'static str, &'static str, &'static str) {
    match e {
        AppError::Refused(r) => {
            let rule = r.rule.expect("rule");
            (r.code, rule.rule, rule.clause)
        }
        e => panic!("expected a refusal, got {e:?}"),
    }
}

/// A new customer (under Northwind) with one EUR billing account and nothing on file.
async fn fresh_customer(app: &App, sys: &Caller) -> (String, String) {
    let partner =
        tenancy_store::system::find_partner_by_name(&app.store, "Northwind Communications")
            .await
            .unwrap()
            .unwrap();
    let (c, _) = app
        .create_customer(
            sys,
            NewCustomer {
                name: format!("Fresh {}", new_id("x")),
                partner_id: Some(partner.id),
                terms_profile: None,
                terms_version: None,
            },
        )
        .await
        .unwrap();
    let ba = app
        .create_billing_account(sys, &c.id, "Main", "EUR", None)
        .await
        .unwrap();
    (c.id, ba.id)
}

fn london() -> Address {
    Address {
        street: "1 Fleet Street".into(),
        city: "London".into(),
        postcode: "EC4Y 1AA".into(),
        country: "GB".into(),
        floor: Some("3".into()),
        ..Address::default()
    }
}

fn pdf(kind: &str) -> NewDocument {
    NewDocument {
        kind: kind.into(),
        filename: format!("{kind}.pdf"),
        content_type: "application/pdf".into(),
        content_base64: DEMO_PDF_BASE64.into(),
    }
}

#[tokio::test]
async fn t10_t13_activation_needs_confirmation_address_and_acknowledgement() {
    let (app, sys) = setup().await;
    let (cid, ba) = fresh_customer(&app, &sys).await;
    let r = app
        .import_numbers_csv(
            &sys,
            b"e164,capabilities\n+442079460500,voice\nnonsense,\n+442079460500,\n",
        )
        .await
        .unwrap();
    assert_eq!(r.inserted.len(), 1);
    let codes: Vec<(usize, &str)> = r
        .rejected
        .iter()
        .map(|l| (l.line, l.code.as_str()))
        .collect();
    assert_eq!(codes, vec![(3, "number_invalid"), (4, "number_exists")]);
    let n = app
        .reserve_number(&sys, "+442079460500", &ba)
        .await
        .unwrap();
    assert_eq!(
        (n.state.as_str(), n.customer_id.as_deref()),
        ("reserved", Some(cid.as_str()))
    );
    let code = |e| refusal(e).0;
    assert_eq!(
        code(app.activate_number(&sys, &n.id).await.unwrap_err()),
        "provider_verification_missing"
    );
    app.verify_number(&sys, &n.id, None).await.unwrap();
    assert_eq!(
        code(app.activate_number(&sys, &n.id).await.unwrap_err()),
        "customer_confirmation_missing"
    );
    app.confirm_number(&sys, &n.id, "test_call", None)
        .await
        .unwrap();
    assert_eq!(
        refusal(app.activate_number(&sys, &n.id).await.unwrap_err()),
        ("emergency_address_missing", "T13", "X 5.B.ii")
    );
    app.set_emergency_address(&sys, &n.id, &london())
        .await
        .unwrap();
    assert_eq!(
        refusal(app.activate_number(&sys, &n.id).await.unwrap_err()),
        ("emergency_ack_missing", "T13", "X 5.B.ii")
    );
    app.acknowledge_emergency(
        &sys,
        &cid,
        numbers_rules::EMERGENCY_ACK_TEXT_VERSION,
        "Jane Doe",
    )
    .await
    .unwrap();
    let n = app.activate_number(&sys, &n.id).await.unwrap();
    assert_eq!((n.state.as_str(), n.activated_at), ("active", Some(NOW)));
    assert_eq!(
        app.numbers_of_account(&Caller::system(Actor::cli()), &ba)
            .await
            .unwrap(),
        vec!["442079460500".to_string()]
    );
    let h = app.number_history(&sys, &n.id).await.unwrap();
    let events: Vec<&str> = h.transitions.iter().map(|t| t.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "import",
            "reserve",
            "provider_verify",
            "customer_confirm",
            "emergency_address",
            "activate"
        ]
    );
    let act = h.transitions.last().unwrap();
    assert_eq!(
        (
            act.rule.as_str(),
            act.clause.as_str(),
            act.actor.as_str(),
            act.at
        ),
        ("B2", "W 7.9.1", "cli", NOW)
    );
    // Refused transitions keep their code and clause on the way out.
    assert_eq!(
        refusal(app.reserve_number(&sys, &n.id, &ba).await.unwrap_err()),
        ("number_not_available", "T10", "X 15")
    );
}

#[tokio::test]
async fn t7_a_port_in_runs_through_to_completion() {
    let (app, sys) = setup().await;
    let (cid, ba) = fresh_customer(&app, &sys).await;
    let new = NewPortIn {
        billing_account_id: ba.clone(),
        holder: "Fresh Ltd".into(),
        service_address: london(),
        losing_provider: "Old Telco".into(),
        account_number: "OT-1".into(),
        signatory: "Jane Doe".into(),
        existing_service_active: true,
        numbers: vec!["+442079460600".into(), "+447700900600".into()],
    };
    let bad = NewPortIn {
        existing_service_active: false,
        ..new.clone()
    };
    assert_eq!(
        refusal(app.create_port_in(&sys, bad).await.unwrap_err()).0,
        "existing_service_inactive"
    );
    let p = app.create_port_in(&sys, new.clone()).await.unwrap();
    assert_eq!(p.state, "draft");
    // A draft holds nothing (issue 11 #1): a second draft of the same numbers is taken.
    let second = app.create_port_in(&sys, new.clone()).await.unwrap();
    let ev = |e, foc| app.port_in_event(&sys, &p.id, e, foc, None);
    assert_eq!(
        refusal(ev(PortInEvent::Submit, None).await.unwrap_err()).0,
        "loa_document_missing"
    );
    app.upload_document(&sys, DocSubject::PortIn(&p.id), pdf("loa"))
        .await
        .unwrap();
    assert_eq!(
        ev(PortInEvent::Submit, None).await.unwrap().state,
        "submitted"
    );
    // Once submitted it holds them: the other draft cannot be submitted, nor a new one made.
    assert_eq!(
        refusal(app.create_port_in(&sys, new).await.unwrap_err()).0,
        "port_in_duplicate"
    );
    app.upload_document(&sys, DocSubject::PortIn(&second.id), pdf("loa"))
        .await
        .unwrap();
    assert_eq!(
        refusal(
            app.port_in_event(&sys, &second.id, PortInEvent::Submit, None, None)
                .await
                .unwrap_err()
        )
        .0,
        "port_in_duplicate"
    );
    assert_eq!(
        refusal(ev(PortInEvent::Complete, None).await.unwrap_err()),
        ("port_in_state_invalid", "T7", "X 15.A-E")
    );
    assert_eq!(
        ev(PortInEvent::Accept, None).await.unwrap().state,
        "pending"
    );
    let req = app
        .request_documents(
            &sys,
            DocSubject::PortIn(&p.id),
            "bill",
            NOW + 2 * DAY,
            None,
            None,
            &[],
        )
        .await
        .unwrap();
    let p2 = ev(PortInEvent::Schedule, Some(NOW + 3 * DAY))
        .await
        .unwrap();
    assert_eq!(
        (p2.state.as_str(), p2.foc_date),
        ("scheduled", Some(NOW + 3 * DAY))
    );
    assert_eq!(
        refusal(ev(PortInEvent::Complete, None).await.unwrap_err()).0,
        "foc_date_not_reached"
    );
    app.clock.advance(3 * DAY);
    assert_eq!(
        refusal(ev(PortInEvent::Complete, None).await.unwrap_err()).0,
        "documents_outstanding"
    );
    app.upload_document(&sys, DocSubject::PortIn(&p.id), pdf("bill"))
        .await
        .unwrap();
    let d = app.port_in_detail(&sys, &p.id).await.unwrap();
    assert_eq!(d.document_requests[0].id, req.id);
    assert_eq!(d.document_requests[0].state, "fulfilled");
    assert_eq!(
        refusal(ev(PortInEvent::Complete, None).await.unwrap_err()),
        ("emergency_ack_missing", "T13", "X 5.B.ii")
    );
    app.acknowledge_emergency(
        &sys,
        &cid,
        numbers_rules::EMERGENCY_ACK_TEXT_VERSION,
        "Jane Doe",
    )
    .await
    .unwrap();
    let done = ev(PortInEvent::Complete, None).await.unwrap();
    assert_eq!(done.state, "completed");
    let now = app.now();
    let mut active = app
        .numbers_of_account(&Caller::system(Actor::cli()), &ba)
        .await
        .unwrap();
    active.sort();
    assert_eq!(active, ["442079460600", "447700900600"]);
    let n = app.number_detail(&sys, "442079460600").await.unwrap();
    assert_eq!(
        (n.number.activated_at, n.number.origin.as_str()),
        (Some(now), "port_in")
    );
    assert_eq!(n.address.unwrap().street, "1 Fleet Street");
    let info = app
        .emergency_address_at("442079460600", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.callback, "+442079460600");
    let d = app.port_in_detail(&sys, &p.id).await.unwrap();
    let states: Vec<&str> = d.transitions.iter().map(|t| t.to_state.as_str()).collect();
    assert_eq!(
        states,
        ["draft", "submitted", "pending", "scheduled", "completed"]
    );
    assert_eq!(d.transitions.last().unwrap().rule, "B2");
    // Final states refuse everything.
    assert_eq!(
        refusal(ev(PortInEvent::Cancel, None).await.unwrap_err()).0,
        "port_in_state_invalid"
    );
}

#[tokio::test]
async fn b11_a_missed_document_deadline_flags_the_partner_and_suspends() {
    let (app, sys) = setup().await;
    let northwind =
        tenancy_store::system::find_partner_by_name(&app.store, "Northwind Communications")
            .await
            .unwrap()
            .unwrap();
    let req = app
        .request_documents(
            &sys,
            DocSubject::Number("33170000001"),
            "address_proof",
            NOW + DAY,
            None,
            Some("proof of address"),
            &[],
        )
        .await
        .unwrap();
    let flag_only = app
        .request_documents(
            &sys,
            DocSubject::Number("33170000002"),
            "other",
            NOW + DAY,
            Some("flag_only"),
            None,
            &[],
        )
        .await
        .unwrap();
    // Not yet missed at the deadline itself.
    app.clock.advance(DAY);
    assert_eq!(
        app.sweep_numbers(&sys.actor).await.unwrap(),
        SweepReport::default()
    );
    app.clock.advance(1);
    let rep = app.sweep_numbers(&sys.actor).await.unwrap();
    assert_eq!(
        rep.missed_requests,
        vec![req.id.clone(), flag_only.id.clone()]
    );
    assert_eq!(rep.suspended, vec!["33170000001".to_string()]);
    assert_eq!(
        rep.flagged_partners,
        vec![northwind.id.clone(), northwind.id.clone()]
    );
    assert_eq!(
        app.nonresponsive_flags(&Caller::system(Actor::cli()), &northwind.id)
            .await
            .unwrap()
            .len(),
        2
    );
    let n = app.number_detail(&sys, "33170000001").await.unwrap().number;
    assert_eq!(n.state, "suspended");
    assert_eq!(n.suspension_ref.as_deref(), Some(req.id.as_str()));
    // The partner stays liable: the Activation Date is unchanged.
    assert_eq!(n.activated_at, Some(NOW));
    let t = app.number_history(&sys, &n.id).await.unwrap().transitions;
    let last = t.last().unwrap();
    assert_eq!(
        (
            last.to_state.as_str(),
            last.rule.as_str(),
            last.clause.as_str()
        ),
        ("suspended", "B11", "W 7.9.3")
    );
    assert_eq!(
        app.number_detail(&sys, "33170000002")
            .await
            .unwrap()
            .number
            .state,
        "active"
    );
    // A sweep is idempotent.
    assert_eq!(
        app.sweep_numbers(&sys.actor).await.unwrap(),
        SweepReport::default()
    );
    // The documents arrive late: the flag clears and the service resumes.
    app.upload_document(
        &sys,
        DocSubject::Number("33170000001"),
        pdf("address_proof"),
    )
    .await
    .unwrap();
    assert_eq!(
        app.number_detail(&sys, "33170000001")
            .await
            .unwrap()
            .number
            .state,
        "active"
    );
    assert_eq!(
        app.nonresponsive_flags(&Caller::system(Actor::cli()), &northwind.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let reqs = app
        .number_history(&sys, "33170000001")
        .await
        .unwrap()
        .document_requests;
    assert_eq!(reqs[0].state, "fulfilled_late");
}

#[tokio::test]
async fn b11_a_number_held_by_two_missed_requests_resumes_only_when_both_are_met() {
    let (app, sys) = setup().await;
    for kind in ["address_proof", "bill"] {
        app.request_documents(
            &sys,
            DocSubject::Number("33170000001"),
            kind,
            NOW + DAY,
            None,
            None,
            &[],
        )
        .await
        .unwrap();
    }
    app.clock.advance(DAY + 1);
    app.sweep_numbers(&sys.actor).await.unwrap();
    let state = |app: &App| {
        let (app, sys) = (app.clone(), sys.clone());
        async move {
            app.number_detail(&sys, "33170000001")
                .await
                .unwrap()
                .number
                .state
        }
    };
    assert_eq!(state(&app).await, "suspended");
    app.upload_document(
        &sys,
        DocSubject::Number("33170000001"),
        pdf("address_proof"),
    )
    .await
    .unwrap();
    assert_eq!(state(&app).await, "suspended"); // the bill is still missing
    app.upload_document(&sys, DocSubject::Number("33170000001"), pdf("bill"))
        .await
        .unwrap();
    assert_eq!(state(&app).await, "active");
}

#[tokio::test]
async fn t9_release_quarantine_then_available_after_the_quarantine() {
    let (app, sys) = setup().await;
    let n = app
        .release_number(&sys, "33170000002", "line cancelled")
        .await
        .unwrap();
    assert_eq!(
        (n.state.as_str(), n.quarantine_until),
        ("quarantine", Some(NOW + 90 * DAY))
    );
    let t = app.number_history(&sys, &n.id).await.unwrap().transitions;
    let tail: Vec<(&str, &str, &str)> = t
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|t| (t.from_state.as_str(), t.to_state.as_str(), t.rule.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("active", "released", "T9"),
            ("released", "quarantine", "T9")
        ]
    );
    assert_eq!(
        refusal(
            app.release_number(&sys, "33170000002", "again")
                .await
                .unwrap_err()
        ),
        ("number_not_releasable", "T9", "X 15.F")
    );
    app.clock.advance(90 * DAY - 1);
    assert!(app
        .sweep_numbers(&sys.actor)
        .await
        .unwrap()
        .quarantine_ended
        .is_empty());
    app.clock.advance(1);
    let rep = app.sweep_numbers(&sys.actor).await.unwrap();
    assert_eq!(rep.quarantine_ended, vec!["33170000002".to_string()]);
    let n = app.number_detail(&sys, "33170000002").await.unwrap().number;
    assert_eq!(
        (n.state.as_str(), n.customer_id, n.activated_at),
        ("available", None, None)
    );
}

#[tokio::test]
async fn t9_t13_a_reused_number_never_carries_its_previous_holders_data() {
    let (app, sys) = setup().await;
    assert!(app
        .emergency_address_at("+33170000001", NOW)
        .await
        .unwrap()
        .is_some());
    app.release_number(&sys, "33170000001", "line cancelled")
        .await
        .unwrap();
    app.clock.advance(90 * DAY);
    app.sweep_numbers(&sys.actor).await.unwrap();
    // Back in the inventory: no holder, no address in force.
    assert!(app
        .emergency_address_at("+33170000001", NOW + 90 * DAY)
        .await
        .unwrap()
        .is_none());
    let (_, ba) = fresh_customer(&app, &sys).await;
    let n = app.reserve_number(&sys, "33170000001", &ba).await.unwrap();
    assert!(app
        .emergency_address_at("+33170000001", NOW + 90 * DAY)
        .await
        .unwrap()
        .is_none());
    // A partner sees only the new holding; the operator sees the whole history.
    let partner = Caller {
        scope: tollgate_core::tenancy::Scope::Partners(vec![n.partner_id.clone().unwrap()]),
        ..sys.clone()
    };
    let theirs = app.number_history(&partner, &n.id).await.unwrap();
    assert!(theirs.addresses.is_empty());
    assert!(theirs.transitions.iter().all(|t| t.at >= NOW + 90 * DAY));
    let all = app.number_history(&sys, &n.id).await.unwrap();
    assert!(!all.addresses.is_empty());
}

#[tokio::test]
async fn t13_address_change_pending_48h_then_applies_and_emergency_calls_use_the_address_in_force()
{
    let (app, sys) = setup().await;
    let before = app
        .emergency_address_at("+33170000001", NOW)
        .await
        .unwrap()
        .unwrap();
    assert!(
        before.address.starts_with("12 Rue de la Paix"),
        "{}",
        before.address
    );
    assert_eq!(before.callback, "+33170000001");
    let new = Address {
        street: "8 Avenue de l'Opera".into(),
        city: "Paris".into(),
        postcode: "75001".into(),
        country: "FR".into(),
        room: Some("B12".into()),
        ..Address::default()
    };
    let row = app
        .set_emergency_address(&sys, "33170000001", &new)
        .await
        .unwrap();
    assert_eq!(
        row.effective_at,
        NOW + numbers_rules::ADDRESS_CHANGE_PENDING_S
    );
    let d = app.number_detail(&sys, "33170000001").await.unwrap();
    assert_eq!(d.address.unwrap().street, "12 Rue de la Paix");
    assert_eq!(d.pending_address.unwrap().street, "8 Avenue de l'Opera");
    let at = |t| app.emergency_address_at("33170000001", t);
    assert_eq!(at(NOW + 48 * 3600 - 1).await.unwrap(), Some(before.clone()));
    let after = at(NOW + 48 * 3600).await.unwrap().unwrap();
    assert!(
        after.address.starts_with("8 Avenue de l'Opera, room B12"),
        "{}",
        after.address
    );
    // An emergency call during the pending window carries the old address and notifies
    // the designated contact through the outbox.
    app.notify_emergency_call("33170000001", NOW + 3600, "112")
        .await
        .unwrap();
    let mail: Vec<_> = outbox::system::pending_for(&app.store, "emergency@acme-dental.test")
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.at == NOW + 3600)
        .collect();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].rule, "T13");
    assert!(
        mail[0].body.contains("12 Rue de la Paix"),
        "{}",
        mail[0].body
    );
    // History is kept.
    assert_eq!(
        app.number_history(&sys, "33170000001")
            .await
            .unwrap()
            .addresses
            .len(),
        2
    );
    app.clock.advance(48 * 3600);
    let d = app.number_detail(&sys, "33170000001").await.unwrap();
    assert_eq!(
        (d.address.unwrap().street.as_str(), d.pending_address),
        ("8 Avenue de l'Opera", None)
    );
}

#[tokio::test]
async fn t6_t8_port_out_is_followed_and_the_contract_continues() {
    let (app, sys) = setup().await;
    let (n, po) = app
        .request_port_out(&sys, "442079460100", "New Telco", "PAC-991", NOW + 5 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (n.state.as_str(), po.state.as_str()),
        ("port_out_pending", "pending")
    );
    assert_eq!(
        refusal(
            app.release_number(&sys, "442079460100", "x")
                .await
                .unwrap_err()
        ),
        ("port_out_pending", "T8", "X 15.C")
    );
    assert_eq!(
        refusal(
            app.complete_port_out(&sys, "442079460100")
                .await
                .unwrap_err()
        ),
        ("port_date_not_reached", "T6", "W 5.1")
    );
    app.clock.advance(5 * DAY);
    let rep = app.sweep_numbers(&sys.actor).await.unwrap();
    assert_eq!(rep.ported_out, vec!["442079460100".to_string()]);
    let n = app
        .number_detail(&sys, "442079460100")
        .await
        .unwrap()
        .number;
    assert_eq!(n.state, "ported_out");
    assert!(n.customer_id.is_some() && n.billing_account_id.is_some());
    assert!(app
        .numbers_of_account(
            &Caller::system(Actor::cli()),
            n.billing_account_id.as_deref().unwrap()
        )
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn t14_no_trunking_under_x_hoppers_and_cnam_for_us() {
    let (app, sys) = setup().await;
    let harbor = app
        .number_detail(&sys, "442079460100")
        .await
        .unwrap()
        .number;
    assert!(harbor.no_trunking);
    assert_eq!(
        refusal(
            app.set_routing(&sys, &harbor.id, "sip_trunk")
                .await
                .unwrap_err()
        ),
        ("trunking_not_allowed", "T14", "X 14.B")
    );
    assert_eq!(
        app.set_routing(&sys, &harbor.id, "direct")
            .await
            .unwrap()
            .routing,
        "direct"
    );
    assert_eq!(
        app.set_routing(&sys, "33170000001", "sip_trunk")
            .await
            .unwrap()
            .routing,
        "sip_trunk"
    );
    let us = app.number_detail(&sys, "14155550142").await.unwrap().number;
    assert_eq!(us.cnam.as_deref(), Some("DIRECT CORP"));
    assert!(matches!(
        app.set_cnam(&sys, "33170000001", "ACME").await.unwrap_err(),
        AppError::Invalid {
            code: "cnam_not_applicable",
            ..
        }
    ));
}
