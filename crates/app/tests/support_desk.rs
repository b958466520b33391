//! The support desk (issue 16) on the demo: eligibility by tier (H1, H2, P4), clocks (the
//! hand computations are in `tollgate_core::support::clock`'s tests; here the use case applies
//! them with the partner's region), e-mail follow-ups (H5), no reopen (H9), feedback (H10),
//! suggestions (H11), NOC tickets (S4).

use tollgate_app::support::mail::MailOutcome;
use tollgate_app::support::NewTicket;
use tollgate_app::{Actor, App, AppError, Caller, Clock};
use tollgate_core::support::ticket::Impact;
use tollgate_store::Page;

/// Thursday 2026-11-19 16:50:00Z = 17:50 CET in Berlin (the demo partners' region, emea).
const THU_17_50_BERLIN: i64 = 1_795_107_000;

async fn demo_at(now: i64) -> App {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(now)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-sup-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app
}

fn sys() -> Caller {
    Caller::system(Actor::cli())
}

async fn as_user(app: &App, email: &str) -> Caller {
    let u = app.user_by_email(&sys(), email).await.unwrap();
    let principal = tollgate_app::Principal {
        user_id: u.id.clone(),
        email: u.email.clone(),
        role: tollgate_core::tenancy::Role::parse(&u.role).unwrap(),
        partner_id: u.partner_id.clone(),
        customer_id: u.customer_id.clone(),
        credential_id: "test".into(),
    };
    Caller {
        scope: app.scope_of(&principal).await.unwrap(),
        principal,
        actor: Actor::cli(),
    }
}

fn technical(subject: &str) -> NewTicket {
    NewTicket {
        kind: "technical".into(),
        subject: subject.into(),
        message: "Details of the problem.".into(),
        device: Some("Cloud PBX".into()),
        versions: Some("7.02".into()),
        trace_numbers: Some("+33170000001 -> +33142685300".into()),
        trace_at: Some(THU_17_50_BERLIN - 600),
        channel: "api".into(),
        ..NewTicket::default()
    }
}

fn refusal(e: AppError) -> (String, Option<&'static str>, String) {
    match e {
        AppError::Refused(r) => (r.code.to_string(), r.rule.map(|r| r.rule), r.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn h1_a_bronze_partners_billing_ticket_is_refused_naming_its_assigned_partner_and_its_pbx_unreachable_ticket_accepted(
) {
    let app = demo_at(THU_17_50_BERLIN).await;
    let bronze = as_user(&app, "admin@bronzebay.test").await;
    let billing = NewTicket {
        kind: "customer_care".into(),
        topic: Some("billing".into()),
        subject: "Invoice question".into(),
        message: "Which clause?".into(),
        channel: "api".into(),
        ..NewTicket::default()
    };
    let (code, rule, message) = refusal(app.create_ticket(&bronze, billing).await.unwrap_err());
    // H1: Bronze support is limited to three issues; for the rest, its assigned partner.
    assert_eq!(
        (code.as_str(), rule),
        ("support_via_assigned_partner", Some("H1"))
    );
    assert!(message.contains("Northwind Communications"), "{message}");
    // H1: naming a Bronze issue on another kind of ticket does not pass the limit.
    let smuggled = NewTicket {
        kind: "customer_care".into(),
        topic: Some("billing".into()),
        issue: Some("password_reset".into()),
        subject: "Invoice question".into(),
        message: "Which clause?".into(),
        channel: "api".into(),
        ..NewTicket::default()
    };
    let (code, rule, _) = refusal(app.create_ticket(&bronze, smuggled).await.unwrap_err());
    assert_eq!((code.as_str(), rule), ("issue_invalid", Some("H1")));
    let pbx = NewTicket {
        issue: Some("pbx_unreachable".into()),
        impact: Impact {
            cloud_unreachable: true,
            ..Impact::default()
        },
        ..technical("PBX unreachable")
    };
    let t = app.create_ticket(&bronze, pbx).await.unwrap().ticket;
    // H4 decision: Critical, created Thursday 17:50 CET: 10 minutes that day and 20 on Friday
    // from 09:00 CET: due Friday 2026-11-20 09:20 CET = 08:20Z = 1_795_162_800, flagged for the
    // 24/7 extended service (the 30 minutes do not fit before the close).
    assert_eq!(t.cos, "critical");
    assert_eq!(t.response_due_at, 1_795_162_800);
    assert_eq!(t.extended_service, 1);
    // P4: an end customer with a partner is sent to it.
    let acme = as_user(&app, "admin@acme-dental.test").await;
    let (code, rule, message) = refusal(
        app.create_ticket(&acme, technical("No audio"))
            .await
            .unwrap_err(),
    );
    assert_eq!((code.as_str(), rule), ("support_via_partner", Some("P4")));
    assert!(message.contains("Northwind Communications"), "{message}");
    // H8: a technical ticket without its example call is refused on the field.
    let gold = as_user(&app, "admin@northwind.test").await;
    let e = app
        .create_ticket(
            &gold,
            NewTicket {
                trace_at: None,
                ..technical("No audio")
            },
        )
        .await
        .unwrap_err();
    let (code, rule, _) = refusal(e);
    assert_eq!(
        (code.as_str(), rule),
        ("technical_data_missing", Some("H8"))
    );
}

#[tokio::test]
async fn h4_a_standard_ticket_from_the_gold_partner_after_hours_on_friday_is_due_monday_18_00() {
    // Friday 2026-11-20 17:30Z = 18:30 CET: outside support hours. Due Monday 2026-11-23 18:00
    // CET = 17:00Z = 1_795_453_200.
    let app = demo_at(1_795_195_800).await;
    let gold = as_user(&app, "admin@northwind.test").await;
    let t = app
        .create_ticket(&gold, technical("Voicemail greeting question"))
        .await
        .unwrap()
        .ticket;
    assert_eq!(
        (t.cos.as_str(), t.response_due_at),
        ("standard", 1_795_453_200)
    );
    // The first response stops the clock; the ticket is no longer breached after the due time.
    app.reply_ticket(&sys(), &t.id, "Looking into it.", false, "api")
        .await
        .unwrap();
    app.clock.set(1_795_453_200 + 60);
    let v = app.ticket(&gold, &t.id).await.unwrap();
    assert!(!v.breached);
    assert_eq!(v.ticket.first_response_at, Some(1_795_195_800));
    // An agent's internal note is not in the partner's view of the thread.
    app.reply_ticket(&sys(), &t.id, "Internal: check the PBX logs.", true, "api")
        .await
        .unwrap();
    let partner_view = app.ticket(&gold, &t.id).await.unwrap();
    assert!(partner_view.messages.iter().all(|m| m.internal == 0));
    assert_eq!(app.ticket(&sys(), &t.id).await.unwrap().messages.len(), 3);
}

#[tokio::test]
async fn h5_a_new_ticket_by_email_is_refused_with_a_reply_and_a_follow_up_lands_in_the_thread() {
    let app = demo_at(THU_17_50_BERLIN).await;
    let raw = b"From: Northwind <admin@northwind.test>\r\nTo: support@demo-telecom.test\r\nSubject: Phones down\r\nMessage-ID: <a1@northwind.test>\r\n\r\nAll phones are down.\r\n";
    match app.receive_mail(raw).await.unwrap() {
        MailOutcome::Refused { code, replied } => {
            assert_eq!((code, replied), ("ticket_by_email", true))
        }
        other => panic!("{other:?}"),
    }
    let queued = tollgate_store::outbox::system::pending_for(&app.store, "admin@northwind.test")
        .await
        .unwrap();
    assert!(
        queued
            .iter()
            .any(|m| m.rule == "H5" && m.body.contains("POST /v1/tickets")),
        "{queued:#?}"
    );
    let gold = as_user(&app, "admin@northwind.test").await;
    let t = app
        .create_ticket(&gold, technical("One-way audio"))
        .await
        .unwrap()
        .ticket;
    // Without the ticket's key a reply naming the reference is refused: a forged From:
    // alone does not write into a ticket.
    let forged = format!(
        "From: admin@northwind.test\r\nSubject: Re: [{}] One-way audio\r\n\r\nForged.\r\n",
        t.reference
    );
    assert!(matches!(
        app.receive_mail(forged.as_bytes()).await.unwrap(),
        MailOutcome::Refused {
            code: "ticket_key_invalid",
            ..
        }
    ));
    // An out-of-office answer is neither threaded nor answered.
    let ooo = format!(
        "From: admin@northwind.test\r\nAuto-Submitted: auto-replied\r\nSubject: Re: [{}:{}] Away\r\n\r\nI am away.\r\n",
        t.reference, t.mail_key
    );
    assert!(matches!(
        app.receive_mail(ooo.as_bytes()).await.unwrap(),
        MailOutcome::Refused {
            code: "automatic_message",
            replied: false
        }
    ));
    let reply = format!(
        "From: admin@northwind.test\r\nMessage-ID: <r1@northwind.test>\r\nSubject: Re: [{}:{}] One-way audio\r\n\r\nStill one-way after the router change.\r\n\r\nOn Thu, Support wrote:\r\n> Please change the router\r\n",
        t.reference, t.mail_key
    );
    match app.receive_mail(reply.as_bytes()).await.unwrap() {
        MailOutcome::Threaded(v) => {
            assert_eq!(v.ticket.id, t.id);
            let last = v.messages.last().unwrap();
            assert_eq!(
                (last.channel.as_str(), last.body.as_str()),
                ("email", "Still one-way after the router change.")
            );
        }
        other => panic!("{other:?}"),
    }
    // The MTA delivers the same message again: it is not added twice.
    assert!(matches!(
        app.receive_mail(reply.as_bytes()).await.unwrap(),
        MailOutcome::Refused {
            code: "already_received",
            ..
        }
    ));
    assert_eq!(
        app.ticket(&gold, &t.id)
            .await
            .unwrap()
            .messages
            .iter()
            .filter(|m| m.channel == "email")
            .count(),
        1
    );
    // Someone outside the ticket's tenant cannot write into it by e-mail.
    let intruder = format!(
        "From: admin@bayview-bakery.test\r\nSubject: Re: [{}:{}] x\r\n\r\nhello\r\n",
        t.reference, t.mail_key
    );
    assert!(matches!(
        app.receive_mail(intruder.as_bytes()).await.unwrap(),
        MailOutcome::Refused {
            code: "sender_not_of_ticket",
            ..
        }
    ));
}

#[tokio::test]
async fn h9_a_reply_to_a_closed_ticket_creates_a_linked_new_ticket_and_h10_feedback_is_kept() {
    let app = demo_at(THU_17_50_BERLIN).await;
    let gold = as_user(&app, "admin@northwind.test").await;
    let t = app
        .create_ticket(&gold, technical("Fax to e-mail"))
        .await
        .unwrap()
        .ticket;
    let e = app
        .ticket_feedback(&gold, &t.id, 4, None)
        .await
        .unwrap_err();
    assert_eq!(refusal(e).0, "ticket_not_resolved");
    app.set_ticket_state(&sys(), &t.id, "resolved")
        .await
        .unwrap();
    let rated = app
        .ticket_feedback(&gold, &t.id, 4, Some("Quick and right."))
        .await
        .unwrap();
    assert_eq!(rated.ticket.rating, Some(4));
    assert!(app.ticket_feedback(&gold, &t.id, 6, None).await.is_err());
    app.set_ticket_state(&sys(), &t.id, "closed").await.unwrap();
    let (code, rule, _) = refusal(
        app.set_ticket_state(&sys(), &t.id, "open")
            .await
            .unwrap_err(),
    );
    assert_eq!((code.as_str(), rule), ("ticket_closed", Some("H9")));
    let new = app
        .reply_ticket(&gold, &t.id, "It happened again.", false, "api")
        .await
        .unwrap()
        .ticket;
    assert_ne!(new.id, t.id);
    assert_eq!(new.previous_ticket_id.as_deref(), Some(t.id.as_str()));
    assert_eq!(new.state, "new");
    assert!(new.subject.contains(&t.reference));
    assert_eq!(
        app.ticket(&gold, &t.id).await.unwrap().ticket.state,
        "closed"
    );
}

#[tokio::test]
async fn h11_suggestions_while_typing_return_the_relevant_articles() {
    let app = demo_at(THU_17_50_BERLIN).await;
    let slugs = |v: Vec<tollgate_app::support::suggest::Suggestion>| {
        v.into_iter().map(|s| s.slug).collect::<Vec<_>>()
    };
    // "one-way aud" while typing: the one-way audio article first.
    let s = slugs(app.suggestions("one-way aud", None, 5).await.unwrap());
    assert_eq!(
        s.first().map(String::as_str),
        Some("one-way-audio"),
        "{s:?}"
    );
    let s = slugs(
        app.suggestions("dispute an invoice li", None, 5)
            .await
            .unwrap(),
    );
    assert_eq!(
        s.first().map(String::as_str),
        Some("disputing-an-invoice-line"),
        "{s:?}"
    );
    let s = slugs(
        app.suggestions("pbx unreachable ", Some("technical"), 5)
            .await
            .unwrap(),
    );
    assert_eq!(
        s.first().map(String::as_str),
        Some("cloud-pbx-unreachable"),
        "{s:?}"
    );
}

#[tokio::test]
async fn s4_a_guard_incident_opens_one_ticket_to_the_partner_with_its_evidence() {
    let app = demo_at(THU_17_50_BERLIN).await;
    let hq = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM billing_accounts WHERE name = 'Acme Dental HQ'",
    )
    .await
    .unwrap()
    .remove(0);
    // Three calls to a premium-rate destination within the window: F3's forbidden-attempts
    // detector raises an incident on the account.
    for n in 0..3 {
        let d = app
            .guard_call(
                &Actor::cli(),
                tollgate_app::guard::CallRequest {
                    billing_account: Some(hq.clone()),
                    from: "+33170000001".into(),
                    to: "+33899123456".into(),
                    source_ip: None,
                    at: None,
                    call_id: Some(format!("noc-{n}")),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            d.verdict.decision.as_str(),
            "deny",
            "premium rate is refused (F2)"
        );
    }
    app.flush_guard().await.unwrap();
    let before = app
        .tickets(&sys(), None, false, &Page::first(100))
        .await
        .unwrap()
        .len();
    let opened = app.noc_sweep().await.unwrap();
    assert!(!opened.is_empty(), "the incident opens a ticket");
    let t = app.ticket(&sys(), &opened[0]).await.unwrap();
    assert_eq!(t.ticket.channel, "noc");
    assert!(t.ticket.incident_id.is_some());
    assert!(
        t.messages[0].body.contains("+33170000001"),
        "{}",
        t.messages[0].body
    );
    // The partner sees it; a second sweep opens nothing more.
    let gold = as_user(&app, "admin@northwind.test").await;
    assert!(app.ticket(&gold, &opened[0]).await.is_ok());
    assert!(app.noc_sweep().await.unwrap().is_empty());
    let after = app
        .tickets(&sys(), None, false, &Page::first(100))
        .await
        .unwrap()
        .len();
    assert_eq!(after, before + opened.len());
}

#[tokio::test]
async fn h4_an_unanswered_ticket_shows_breached_after_its_due_time_and_in_the_breached_list() {
    let app = demo_at(THU_17_50_BERLIN).await;
    let gold = as_user(&app, "admin@northwind.test").await;
    let before = app.support_report(&gold, "2026-11").await.unwrap();
    // Standard at Thursday 17:50 CET: due 18:00 CET that day = 17:00Z = 1_795_107_600.
    let t = app
        .create_ticket(&gold, technical("Hold music missing"))
        .await
        .unwrap()
        .ticket;
    assert_eq!(t.response_due_at, 1_795_107_600);
    assert!(!app.ticket(&gold, &t.id).await.unwrap().breached);
    app.clock.set(1_795_107_600 + 1);
    assert!(app.ticket(&gold, &t.id).await.unwrap().breached);
    let overdue = app
        .tickets(&gold, None, true, &Page::first(100))
        .await
        .unwrap();
    assert!(overdue.iter().any(|x| x.id == t.id));
    // #10: the month's report counts it overdue for Standard at the partner; the backlog
    // holds one more ticket under a day old.
    let after = app.support_report(&gold, "2026-11").await.unwrap();
    let key = ("standard".to_string(), t.partner_id.clone());
    let (b, a) = (
        before.attainment.get(&key).cloned().unwrap_or_default(),
        after.attainment[&key].clone(),
    );
    assert_eq!((a.tickets, a.overdue), (b.tickets + 1, b.overdue + 1));
    assert_eq!(after.backlog[0], before.backlog[0] + 1);
    assert!(app.support_report(&gold, "2026-13").await.is_err());
    // H12: the partner has not acted; the provider may contact the end customer on a
    // Critical ticket about that customer, recorded on it.
    let acme = tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Acme Dental")
        .await
        .unwrap()
        .unwrap();
    let critical = app
        .create_ticket(
            &sys(),
            NewTicket {
                customer_id: Some(acme.id),
                impact: Impact {
                    call_drops_not_operator: true,
                    ..Impact::default()
                },
                ..technical("Calls drop")
            },
        )
        .await
        .unwrap()
        .ticket;
    let early = app
        .contact_end_customer(&sys(), &critical.id, "Called the practice manager.")
        .await
        .unwrap_err();
    assert_eq!(refusal(early).0, "direct_contact_not_due");
    app.clock.set(critical.response_due_at + 1);
    let v = app
        .contact_end_customer(&sys(), &critical.id, "Called the practice manager.")
        .await
        .unwrap();
    assert!(v.ticket.customer_contacted_at.is_some());
}
