//! The portal's forms that write (issue 20): each goes through the same use case as the API,
//! shows its refusal beside the field with the code (and rule and clause where a rule
//! refuses), and writes nothing when refused.

use axum::http::StatusCode;

mod common;
use common::browser::*;
use common::*;

#[tokio::test]
async fn b9_a_customer_disputes_invoice_lines_from_the_invoice_page() {
    let t = setup().await;
    let (_, v) = t.get("/v1/invoices?limit=5", "customer_a").await;
    let inv = v["items"][0]["id"].as_str().unwrap().to_string();
    let mut b = Browser::new(&t);
    b.sign_in("admin@acme-dental.test", PASSWORD).await;
    let page = b.get(&format!("/portal/invoices/{inv}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // The invoice's lines carry their rule and clause; the customer may dispute, not record
    // payments.
    assert!(page.body.contains("id=\"dispute\""));
    assert!(!page.body.contains("id=\"payment\""));
    let csrf = csrf_in(&page.body);
    let path = format!("/portal/invoices/{inv}/dispute");
    let bad = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("lines", "one"),
                ("amount", "1.00"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"f-dispute-lines-err\"") && bad.body.contains("lines_invalid"),
        "{}",
        bad.body
    );
    let (_, d) = t.get("/v1/disputes", "customer_a").await;
    assert_eq!(d["items"].as_array().unwrap().len(), 0, "{d}");
    let ok = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("lines", "1"),
                ("amount", "1.00"),
                ("reason", "Line 1 billed twice"),
            ],
        )
        .await;
    // Post, redirect, get: the notice is on the invoice page.
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let back = b.get(ok.location.as_deref().unwrap()).await;
    assert!(back.body.contains("Dispute recorded"), "{}", back.body);
    let (_, d) = t.get("/v1/disputes", "customer_a").await;
    let items = d["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{d}");
    // 1.00 in the invoice's currency (EUR) = 100 minor units, on line 1.
    assert_eq!(items[0]["invoice_id"], inv.as_str());
    assert_eq!(items[0]["amount_minor"], 100, "{d}");
    assert_eq!(items[0]["lines"], serde_json::json!([1]), "{d}");
}

#[tokio::test]
async fn f2_a_policy_change_is_previewed_and_only_the_confirmation_applies_it() {
    let t = setup().await;
    let hq = account_id(&t, "customer_a", "Acme Dental HQ").await;
    let (_, before) = t
        .get(
            &format!("/v1/billing-accounts/{hq}/guard-policy"),
            "operator",
        )
        .await;
    let mut b = Browser::new(&t);
    b.sign_in("ops@demo-telecom.test", PASSWORD).await;
    let page = b.get(&format!("/portal/accounts/{hq}")).await;
    assert!(
        page.body.contains("id=\"policy\""),
        "the operator is offered the policy form"
    );
    let csrf = csrf_in(&page.body);
    let fields = [
        ("_csrf", csrf.as_str()),
        ("validated", "on"),
        ("licensed_calls", "4"),
        ("home_country", "FR"),
        ("international_allowlist", "DE, GB, es"),
        ("credit_limit", ""),
    ];
    let preview = b
        .post(&format!("/portal/accounts/{hq}/policy"), &fields)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("What changes"));
    // Licensed calls 10 → 4 and the allow-list DE,GB → DE,GB,ES are the changes shown.
    assert!(
        preview
            .body
            .contains("<td>Licensed concurrent calls (T3)</td><td>10</td><td class=\"bad\">4</td>"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("DE,GB,ES"), "{}", preview.body);
    assert!(
        !preview.body.contains("Home country</td>"),
        "an unchanged setting is listed"
    );
    let (_, still) = t
        .get(
            &format!("/v1/billing-accounts/{hq}/guard-policy"),
            "operator",
        )
        .await;
    assert_eq!(still, before, "the preview wrote");
    // The confirmation carries the policy's version seen in the preview: a stale one (someone
    // changed the policy meanwhile) is a conflict and applies nothing.
    let needle = "name=\"seen\" value=\"";
    let at = preview.body.find(needle).unwrap() + needle.len();
    let seen = preview.body[at..].split('"').next().unwrap().to_string();
    let mut stale = fields.to_vec();
    stale.extend([("confirm", "yes"), ("seen", "1")]);
    let conflict = b
        .post(&format!("/portal/accounts/{hq}/policy"), &stale)
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.body.contains("policy_changed"));
    let mut confirm = fields.to_vec();
    confirm.extend([("confirm", "yes"), ("seen", seen.as_str())]);
    let done = b
        .post(&format!("/portal/accounts/{hq}/policy"), &confirm)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, after) = t
        .get(
            &format!("/v1/billing-accounts/{hq}/guard-policy"),
            "operator",
        )
        .await;
    assert_eq!(after["policy"]["licensed_calls"], 4, "{after}");
    assert_eq!(
        after["policy"]["international_allowlist"],
        serde_json::json!(["DE", "GB", "ES"]),
        "{after}"
    );
    // A partner's admin does not edit the policy: the form is not offered, the post is 403.
    let mut p = Browser::new(&t);
    p.sign_in("admin@northwind.test", PASSWORD).await;
    let page = p.get(&format!("/portal/accounts/{hq}")).await;
    assert!(!page.body.contains("id=\"policy\""));
    let csrf = csrf_in(&page.body);
    let refused = p
        .post(
            &format!("/portal/accounts/{hq}/policy"),
            &[("_csrf", &csrf), ("licensed_calls", "99")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn b4_a_rate_import_lists_each_refused_line_and_imports_nothing() {
    let t = setup().await;
    let mut b = Browser::new(&t);
    b.sign_in("ops@demo-telecom.test", PASSWORD).await;
    let page = b.get("/portal/rates").await;
    let csrf = csrf_in(&page.body);
    let head = tollgate_app::rating::RATE_COLUMNS.join(",");
    let bad = format!("{head}\n49,Germany,0.0200,0,60,60,0,2026-01-01,,EUR,\n49,Germany,abc,0,60,60,0,2026-01-01,,EUR,\n");
    let a = b
        .post(
            "/portal/rates/import",
            &[("_csrf", &csrf), ("name", "portal-test"), ("csv", &bad)],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("rate_table_invalid"));
    // The refused line is line 3 of the file (the header is line 1), its field named.
    assert!(
        a.body
            .contains("<td class=\"num\">3</td><td>rate_per_min</td>"),
        "{}",
        a.body
    );
    assert!(
        !a.body.contains("<td>portal-test</td>"),
        "a refused version is listed"
    );
    let good = format!("{head}\n49,Germany,0.0200,0,60,60,0,2026-01-01,,EUR,\n");
    let a = b
        .post(
            "/portal/rates/import",
            &[("_csrf", &csrf), ("name", "portal-test"), ("csv", &good)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = b.get(a.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("Imported portal-test version 1."),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td>portal-test</td>"), "{}", page.body);
    // The quote form prices a call at the rate in effect: 61 s at 0.02/min in 60/60 = 120 s =
    // 0.04 EUR.
    let q = b
        .get("/portal/rates?table=portal-test&number=%2B4930123456&at=2026-11-18+10%3A00&duration_s=61")
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains("0.040000 EUR"), "{}", q.body);
    // A customer sees only the tables its accounts use and has no import form.
    let mut c = Browser::new(&t);
    c.sign_in("admin@acme-dental.test", PASSWORD).await;
    let page = c.get("/portal/rates").await;
    assert!(!page.body.contains("portal-test"));
    assert!(!page.body.contains("id=\"import\""));
}

#[tokio::test]
async fn f7_a_customer_announces_unusual_traffic_and_a_bad_time_is_shown_on_its_field() {
    let t = setup().await;
    let hq = account_id(&t, "customer_a", "Acme Dental HQ").await;
    let mut b = Browser::new(&t);
    b.sign_in("admin@acme-dental.test", PASSWORD).await;
    let page = b.get(&format!("/portal/accounts/{hq}")).await;
    assert!(page.body.contains("id=\"announce\""));
    let csrf = csrf_in(&page.body);
    let path = format!("/portal/accounts/{hq}/announce");
    let bad = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("from", "soon"),
                ("until", "2026-11-20 18:00"),
                ("factor", "3"),
                ("note", "Open day"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"f-announce-from-err\""),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("from", "2026-11-20 08:00"),
                ("until", "2026-11-20 18:00"),
                ("factor", "3"),
                ("note", "Open day"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (_, audit) = t.get("/v1/audit-log?limit=500", "operator").await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"].as_str().is_some_and(|a| a.contains("announce"))),
        "{audit}"
    );
}

#[tokio::test]
async fn a3_two_step_sign_in_is_set_up_from_my_account_with_a_qr_code() {
    let t = setup().await;
    let mut b = Browser::new(&t);
    b.sign_in("admin@direct-corp.test", PASSWORD).await;
    let me = b.get("/portal/me").await;
    let csrf = csrf_in(&me.body);
    let start = b.post("/portal/me/totp", &[("_csrf", &csrf)]).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    assert!(
        start
            .body
            .contains("<svg role=\"img\" aria-label=\"QR code"),
        "{}",
        start.body
    );
    let at = start.body.find("<dt>Secret</dt><dd>").unwrap() + "<dt>Secret</dt><dd>".len();
    let secret = start.body[at..].split('<').next().unwrap().to_string();
    let key = tollgate_app::secrets::base32_decode(&secret).unwrap();
    let step = NOW / tollgate_app::secrets::TOTP_STEP_S;
    let code = |s: i64| format!("{:06}", tollgate_app::secrets::totp_code(&key, s));
    let wrong = b
        .post(
            "/portal/me/totp/confirm",
            &[("_csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("id=\"f-totp-confirm-code-err\""),
        "{}",
        wrong.body
    );
    let ok = b
        .post(
            "/portal/me/totp/confirm",
            &[("_csrf", &csrf), ("code", &code(step - 1))],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // From now on a sign-in without the code is refused with totp_required.
    let mut again = Browser::new(&t);
    let a = again.sign_in("admin@direct-corp.test", PASSWORD).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("totp_required"));
}

#[tokio::test]
async fn t13_a_customer_registers_an_emergency_address_and_a_bad_one_is_refused_on_its_field() {
    let t = setup().await;
    let (_, v) = t.get("/v1/numbers?limit=100", "customer_a").await;
    let number = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["e164"] == "+33170000002")
        .unwrap_or_else(|| panic!("{v}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = Browser::new(&t);
    b.sign_in("admin@acme-dental.test", PASSWORD).await;
    let page = b.get(&format!("/portal/numbers/{number}")).await;
    assert!(page.body.contains("id=\"address\""), "{}", page.body);
    let csrf = csrf_in(&page.body);
    let path = format!("/portal/numbers/{number}/emergency-address");
    let bad = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("street", "12 rue de la Paix"),
                ("postcode", "ABC"),
                ("city", "Paris"),
                ("country", "FR"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("id=\"f-address-postcode-err\""),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("street", "12 rue de la Paix"),
                ("postcode", "75002"),
                ("city", "Paris"),
                ("country", "fr"),
                ("floor", "2"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let back = b.get(ok.location.as_deref().unwrap()).await;
    assert!(
        back.body.contains("12 rue de la Paix, 75002 Paris, FR"),
        "{}",
        back.body
    );
}

#[tokio::test]
async fn b9_the_issuing_partner_resolves_a_dispute_and_the_credit_note_is_listed() {
    let t = setup().await;
    let (_, v) = t.get("/v1/invoices?limit=5", "customer_a").await;
    let inv = v["items"][0]["id"].as_str().unwrap().to_string();
    let (s, d) = t
        .post(
            &format!("/v1/invoices/{inv}/disputes"),
            "customer_a",
            serde_json::json!({"lines": [1], "amount": "2.00", "reason": "billed twice"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let dispute = d["id"].as_str().unwrap().to_string();
    let mut b = Browser::new(&t);
    b.sign_in("admin@northwind.test", PASSWORD).await;
    let page = b.get(&format!("/portal/invoices/{inv}")).await;
    let form_id = format!("id=\"resolve-{dispute}\"");
    assert!(page.body.contains(&form_id), "{}", page.body);
    let csrf = csrf_in(&page.body);
    let path = format!("/portal/invoices/{inv}/disputes/{dispute}/resolve");
    // More than disputed cannot be upheld: refused beside the field, nothing written.
    let bad = b
        .post(
            &path,
            &[("_csrf", &csrf), ("upheld", "5.00"), ("note", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body
            .contains(&format!("id=\"f-resolve-{dispute}-upheld-err\"")),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("upheld", "2.00"),
                ("note", "confirmed duplicate"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (_, d) = t.get("/v1/disputes", "customer_a").await;
    assert_eq!(d["items"][0]["state"], "upheld", "{d}");
    let recv = b.get("/portal/receivables").await;
    // 2.00 EUR upheld on a line taxed at the French 20 % VAT: a credit note of 2.00 + 0.40 =
    // 2.40 EUR, numbered in the issuer's own credit-note series.
    assert!(recv.body.contains("-CN-2026-000001</td>"), "{}", recv.body);
    assert!(
        recv.body.contains("2.40 EUR</td><td>confirmed duplicate"),
        "{}",
        recv.body
    );
}

#[tokio::test]
async fn b9_the_issuer_does_not_dispute_its_own_invoice_and_lines_are_not_disputed_twice() {
    let t = setup().await;
    let (_, v) = t.get("/v1/invoices?limit=5", "customer_a").await;
    let inv = &v["items"][0];
    let id = inv["id"].as_str().unwrap().to_string();
    let (_, full) = t.get(&format!("/v1/invoices/{id}"), "customer_a").await;
    let line = &full["lines"][0];
    let line_no = line["line_no"].as_i64().unwrap();
    // The line's amount in major units (EUR, two decimals), e.g. "12.34" = 1,234 cents.
    let whole = line["amount"].as_str().unwrap().to_string();
    let line_minor: i64 = whole.replace('.', "").parse().unwrap();
    assert!(line_minor >= 2, "{full}");
    // Northwind issued Acme's invoice: it resolves disputes, it does not open them.
    let (s, r) = t
        .post(
            &format!("/v1/invoices/{id}/disputes"),
            "partner_gold",
            serde_json::json!({"lines": [line_no], "amount": "0.01", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(
        (r["error"]["code"].as_str(), r["error"]["rule"].as_str()),
        (Some("dispute_by_issuer"), Some("B9"))
    );
    // The customer disputes all of the line; a second dispute of the same line is refused,
    // naming how much is left (none).
    let (s, r) = t
        .post(
            &format!("/v1/invoices/{id}/disputes"),
            "customer_a",
            serde_json::json!({"lines": [line_no], "amount": whole, "reason": "not ordered"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = t
        .post(
            &format!("/v1/invoices/{id}/disputes"),
            "customer_a",
            serde_json::json!({"lines": [line_no], "amount": "0.01", "reason": "again"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["error"]["code"], "lines_already_disputed", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 0.00 more"),
        "{r}"
    );
    // The portal does not offer the issuer the dispute form.
    let mut b = Browser::new(&t);
    b.sign_in("admin@northwind.test", PASSWORD).await;
    let page = b.get(&format!("/portal/invoices/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"dispute\""), "{}", page.body);
}
