//! The support desk over HTTP (issue 16): tickets opened, refused with the rule and whom to
//! contact, inbound e-mail as the MTA posts it, suggestions while typing.

use axum::http::StatusCode;
use serde_json::json;

mod common;
use common::*;

#[tokio::test]
async fn h2_tickets_open_with_their_clock_or_are_refused_naming_the_partner_to_contact() {
    let t = setup().await;
    let (s, v) = t
        .post(
            "/v1/tickets",
            "partner_gold",
            json!({"kind": "technical", "subject": "No ringback on transfers",
                   "message": "Attended transfers give silence instead of ringback.",
                   "device": "Cloud PBX", "versions": "7.02", "trace_numbers": "+33170000001",
                   "trace_at": (NOW - 600).to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["reference"].as_str().unwrap().starts_with("TKT-"));
    assert_eq!(
        (v["cos"].as_str(), v["state"].as_str()),
        (Some("standard"), Some("new"))
    );
    // NOW is Wednesday 2026-11-18 11:06:40Z = 12:06 CET, within support hours: a Standard
    // ticket is due 18:00 CET that day = 17:00Z.
    assert_eq!(v["response_due_at"], "2026-11-18T17:00:00Z");
    assert!(v["mail_tag"]
        .as_str()
        .unwrap()
        .starts_with(&format!("[{}:", v["reference"].as_str().unwrap())));
    let id = v["id"].as_str().unwrap().to_string();
    let (_, all) = t.get("/v1/tickets?limit=500", "operator").await;
    let before = all["items"].as_array().unwrap().len();
    // The customer of a partner is sent to its partner, with the rule.
    let (s, v) = t
        .post(
            "/v1/tickets",
            "customer_a",
            json!({"kind": "customer_care", "topic": "billing", "subject": "Invoice", "message": "Question"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "support_via_partner");
    assert_eq!(v["error"]["rule"], "P4");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Northwind"));
    // The bronze partner cannot read the gold partner's ticket.
    let (s, _) = t.get(&format!("/v1/tickets/{id}"), "partner_bronze").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Nothing written by the refusal: the operator sees as many tickets as before it.
    let (_, after) = t.get("/v1/tickets?limit=500", "operator").await;
    assert_eq!(after["items"].as_array().unwrap().len(), before);
}

#[tokio::test]
async fn h5_an_inbound_mail_without_a_ticket_reference_is_refused_and_a_follow_up_is_threaded() {
    let t = setup().await;
    let (_, v) = t
        .post(
            "/v1/tickets",
            "partner_gold",
            json!({"kind": "customer_care", "topic": "orders", "subject": "Order status",
                   "message": "Where is order 42?"}),
        )
        .await;
    let tag = v["mail_tag"].as_str().unwrap().to_string();
    let (s, v, _) = post_mail(
        &t,
        "From: admin@northwind.test\r\nSubject: New problem\r\n\r\nPhones down.\r\n".into(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["outcome"].as_str(), v["code"].as_str()),
        (Some("refused"), Some("ticket_by_email"))
    );
    assert_eq!(v["replied"], true);
    let (s, v, _) = post_mail(
        &t,
        format!(
            "From: admin@northwind.test\r\nSubject: Re: {tag} Order status\r\n\r\nAny news?\r\n"
        ),
    )
    .await;
    assert_eq!(
        (s, v["outcome"].as_str()),
        (StatusCode::OK, Some("threaded")),
        "{v}"
    );
    let (_, ticket) = t
        .get(
            &format!("/v1/tickets/{}", v["ticket_id"].as_str().unwrap()),
            "partner_gold",
        )
        .await;
    let last = ticket["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["channel"].as_str(), last["body"].as_str()),
        (Some("email"), Some("Any news?"))
    );
    // Garbage is a 422 with the field, nothing threaded.
    let (s, v, _) = post_mail(&t, "not a mail".into()).await;
    // Garbage has no sender: refused on the message.
    assert_eq!(
        refusal(s, &v, "message"),
        unprocessable("mail_sender_missing")
    );
}

#[tokio::test]
async fn h11_suggestions_follow_the_typing() {
    let t = setup().await;
    let (s, v) = t
        .get(
            "/v1/support/suggestions?q=premium%20rate%20blo",
            "customer_b",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["items"][0]["slug"], "premium-rate-and-international-blocked",
        "{v}"
    );
    let (s, a) = t
        .get(
            "/v1/support/articles/premium-rate-and-international-blocked",
            "customer_b",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(a["body"].as_str().unwrap().contains("F2"), "{a}");
}

async fn post_mail(t: &T, raw: String) -> (StatusCode, serde_json::Value, String) {
    t.call(
        "POST",
        "/v1/support/inbound-mail",
        Some(t.token("operator")),
        "message/rfc822",
        raw.into_bytes(),
    )
    .await
}

#[tokio::test]
async fn h8_a_trace_is_attached_and_a_file_that_is_not_what_it_says_is_refused() {
    let t = setup().await;
    let (_, v) = t
        .post(
            "/v1/tickets",
            "partner_gold",
            json!({"kind": "technical", "subject": "One-way audio", "message": "See trace.",
                   "device": "PBX", "versions": "7.02", "trace_numbers": "+33170000001",
                   "trace_at": (NOW - 600).to_string()}),
        )
        .await;
    let id = v["id"].as_str().unwrap().to_string();
    // A pcap header (little-endian magic) and nothing more, base64.
    let pcap = "1MOyoQIABAAAAAAAAAAAAP//AAABAAAA";
    let (s, a) = t
        .post(
            &format!("/v1/tickets/{id}/attachments"),
            "partner_gold",
            json!({"filename": "call.pcap", "content_type": "application/vnd.tcpdump.pcap", "content_base64": pcap}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["size_bytes"], 24);
    // A "PNG" that is text: refused on the content, nothing stored.
    let (s, v) = t
        .post(
            &format!("/v1/tickets/{id}/attachments"),
            "partner_gold",
            json!({"filename": "shot.png", "content_type": "image/png", "content_base64": "aGVsbG8="}),
        )
        .await;
    assert_eq!(
        refusal(s, &v, "content_base64"),
        unprocessable("attachment_content_mismatch")
    );
    let (s, list) = t
        .get(&format!("/v1/tickets/{id}/attachments"), "partner_gold")
        .await;
    assert_eq!(s, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["content_base64"], pcap);
    // Another tenant cannot see them.
    let (s, _) = t
        .get(&format!("/v1/tickets/{id}/attachments"), "customer_b")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
