//! The real-time guard over HTTP: decisions with rule and clause, call progress into rated
//! CDRs, suspensions, bans, restart recovery.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tollgate_app::{App, Clock};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

mod guard_support;
use guard_support::*;

#[tokio::test]
async fn allowed_call_flows_to_a_rated_cdr_with_max_duration() {
    let t = setup().await;
    let v = t
        .decide("+33142685301", json!({"call_id": "c-allow"}))
        .await;
    assert_eq!(dcr(&v), ("allow", "allowed", "B4"));
    assert_eq!(v["max_duration_s"], 14_400); // wildix-2026: 4 h cap, no credit limit
    assert_eq!(v["sip_status"], 200);
    let (s, _) = t
        .call(
            "POST",
            "/v1/guard/calls/c-allow/answer",
            "operator",
            json!({"at": (NOW + 3).to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, p) = t
        .call(
            "GET",
            &format!("/v1/billing-accounts/{}/guard-policy", t.hq),
            "customer_a",
            Value::Null,
        )
        .await;
    assert_eq!(p["live_calls"], 1);
    let (s, e) = t
        .call(
            "POST",
            "/v1/guard/calls/c-allow/end",
            "operator",
            json!({"at": (NOW + 3 + 125).to_string()}),
        )
        .await;
    assert_eq!(
        (s, e["rated"].as_bool(), e["duration_s"].as_i64()),
        (StatusCode::OK, Some(true), Some(125))
    );
    let (_, cdrs) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={}&limit=500", t.hq),
            "customer_a",
            Value::Null,
        )
        .await;
    let cdr = cdrs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "c-allow")
        .cloned()
        .expect("the guard produced the CDR");
    assert_eq!(
        (
            cdr["source"].as_str(),
            cdr["billed_s"].as_i64(),
            cdr["destination"].as_str()
        ),
        (Some("guard"), Some(180), Some("France"))
    );
    // Ending twice is refused and never rates twice.
    let (s, _) = t
        .call(
            "POST",
            "/v1/guard/calls/c-allow/end",
            "operator",
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refusals_carry_code_rule_and_clause() {
    let t = setup().await;
    assert_eq!(
        dcr(&t.decide("+33899123456", json!({})).await),
        ("deny", "destination_premium_rate", "F2")
    );
    let v = t.decide("+14155550100", json!({})).await;
    assert_eq!(dcr(&v), ("deny", "international_not_allowed", "F2"));
    assert_eq!(v["clause"], "W 8.2");
    assert_eq!(v["sip_status"], 403);
    assert_eq!(
        dcr(&t
            .decide("+33142685302", json!({"from": "+33999999999"}))
            .await),
        ("deny", "caller_id_not_owned", "F8")
    );
    assert_eq!(
        t.decide("+33142685302", json!({"from": "+33999999999"}))
            .await["clause"],
        "W 23.6"
    ); // the wildix-2026 profile's clause
       // Allowlisted international is admitted.
    assert_eq!(dcr(&t.decide("+4930123456", json!({})).await).0, "allow");
    // T3/T4: over the licence the caller hears busy.
    let sys = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let mut p = t.app.get_guard_policy(&sys, &t.hq).await.unwrap().unwrap();
    p.licensed_calls = 1;
    t.app.set_guard_policy(&sys, p).await.unwrap();
    let v = t.decide("+33142685303", json!({})).await;
    assert_eq!(
        (dcr(&v), v["sip_status"].as_i64()),
        (("busy", "over_licensed_calls", "T3"), Some(486))
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_unknown_accounts_never_admitted() {
    let t = setup().await;
    let (s, v) = t
        .call(
            "POST",
            "/v1/guard/calls",
            "operator",
            json!({"billing_account": "ba_nope", "from": "+33170000001", "to": "+33142685300"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("account_unknown"))
    );
    let (s, v) = t
        .call(
            "POST",
            "/v1/guard/calls",
            "operator",
            json!({"from": "+33999000111", "to": "+33142685300"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("account_unknown"))
    );
    let (s, v) = t
        .call(
            "POST",
            "/v1/guard/calls",
            "operator",
            json!({"billing_account": t.hq, "from": "not a number", "to": "+33142685300"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"].get("from").is_some()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (s, v) = t
        .call(
            "POST",
            "/v1/guard/calls",
            "operator",
            json!({"from": "+33170000001"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_field"))
    );
    // The caller ID resolves the account when none is given.
    let v = t
        .decide("+33142685304", json!({"billing_account": null}))
        .await;
    assert_eq!(v["billing_account"], t.hq.as_str());
}

#[tokio::test]
async fn f4_a_suspension_of_messaging_alone_is_stored_and_calls_still_go() {
    let t = setup().await;
    let (s, sus) = t
        .call(
            "POST",
            &format!("/v1/billing-accounts/{}/suspensions", t.hq),
            "operator",
            json!({"scope": "messaging", "reason": "Å: spam complaints"}),
        )
        .await;
    assert_eq!(
        (s, sus["scope"].as_str()),
        (StatusCode::CREATED, Some("messaging")),
        "{sus}"
    );
    // Calls are not stopped by a messaging suspension.
    let v = t.decide("+33142685305", json!({})).await;
    assert_eq!(v["decision"].as_str(), Some("allow"), "{v}");
}

#[tokio::test]
async fn t13_a_suspended_account_still_reaches_its_countrys_emergency_numbers_with_its_address() {
    let t = setup().await;
    let (s, sus) = t
        .call(
            "POST",
            &format!("/v1/billing-accounts/{}/suspensions", t.hq),
            "operator",
            json!({"scope": "all", "reason": "nuisance calls reported", "rule": "F1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sus}");
    assert_eq!(
        dcr(&t.decide("+33142685305", json!({})).await),
        ("deny", "account_suspended", "F1")
    );
    let (s, bad) = t
        .call(
            "POST",
            &format!("/v1/billing-accounts/{}/suspensions", t.hq),
            "operator",
            json!({"scope": "all", "reason": "x", "rule": "Z9"}),
        )
        .await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rule_invalid"))
    );
    // T13 for a French account: 112 and France's 15, 17, 18 reach emergency services, with
    // the address the demo registered for the number; 911 and 999 are not emergency numbers
    // in France and the suspension refuses them.
    for n in ["112", "15", "17", "18", "+33 112"] {
        let v = t.decide(n, json!({})).await;
        assert_eq!(dcr(&v), ("allow", "emergency_call", "T13"), "{n}");
        assert_eq!(v["emergency"]["callback"], format!("+{}", t.from));
        assert_eq!(v["emergency"]["address_registered"], true, "{n}: {v}");
        assert_eq!(
            v["emergency"]["address"], "12 Rue de la Paix, 75002 Paris, FR",
            "{n}"
        );
    }
    for n in ["911", "999", "118"] {
        assert_eq!(
            dcr(&t.decide(n, json!({})).await),
            ("deny", "account_suspended", "F1"),
            "{n}"
        );
    }
    // Reactivation lifts it; the audit log and outbox have both.
    let (s, r) = t
        .call(
            "POST",
            &format!("/v1/suspensions/{}/reactivate", sus["id"].as_str().unwrap()),
            "operator",
            json!({"reason": "the reports were not confirmed"}),
        )
        .await;
    assert_eq!(
        (s, r["lift_reason"].as_str()),
        (StatusCode::OK, Some("the reports were not confirmed"))
    );
    assert_eq!(dcr(&t.decide("+33142685305", json!({})).await).0, "allow");
    let mail = tollgate_store::outbox::system::pending_for(&t.app.store, "admin@acme-dental.test")
        .await
        .unwrap();
    assert!(
        mail.iter().any(|m| m.subject == "Service suspended")
            && mail.iter().any(|m| m.subject == "Service reactivated")
    );
    // The customer sees its suspension; another partner's customer does not.
    let (_, mine) = t
        .call("GET", "/v1/suspensions", "customer_a", Value::Null)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (_, other) = t
        .call("GET", "/v1/suspensions", "customer_b", Value::Null)
        .await;
    assert!(other["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn f4_selective_suspension_blocks_only_international_and_temporary_blocks_expire() {
    let t = setup().await;
    let until = (NOW + 600).to_string();
    let (s, _) = t
        .call(
            "POST",
            &format!("/v1/billing-accounts/{}/suspensions", t.hq),
            "operator",
            json!({"scope": "international", "reason": "review", "until": until}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        dcr(&t.decide("+4930123456", json!({})).await),
        ("deny", "service_suspended", "F4")
    );
    assert_eq!(dcr(&t.decide("+33142685306", json!({})).await).0, "allow");
    assert_eq!(
        dcr(&t
            .decide("+4930123456", json!({"at": (NOW + 601).to_string()}))
            .await)
        .0,
        "allow"
    );
}

#[tokio::test]
async fn f6_sip_brute_force_bans_the_source_with_an_incident() {
    let t = setup().await;
    for i in 0..5 {
        let (s, _) = t
            .call(
                "POST",
                "/v1/guard/auth-failures",
                "operator",
                json!({"source": "203.0.113.9", "at": (NOW + i * 10).to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let v = t
        .decide(
            "+33142685307",
            json!({"source_ip": "203.0.113.9", "at": (NOW + 60).to_string()}),
        )
        .await;
    assert_eq!(dcr(&v), ("deny", "source_banned", "F6"));
    assert_eq!(
        dcr(&t
            .decide(
                "+33142685307",
                json!({"source_ip": "203.0.113.9", "at": (NOW + 40 + 601).to_string()})
            )
            .await)
        .0,
        "allow"
    );
    let (_, inc) = t
        .call("GET", "/v1/incidents", "operator", Value::Null)
        .await;
    let i = inc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["detector"] == "auth_failures")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            i["rule"].as_str(),
            i["evidence"]["count"].as_i64(),
            i["evidence"]["threshold"].as_i64()
        ),
        (Some("F6"), Some(5), Some(5))
    );
    // Source incidents have no customer: customers never see them.
    let (_, theirs) = t
        .call("GET", "/v1/incidents", "customer_a", Value::Null)
        .await;
    assert!(theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["detector"] != "auth_failures"));
}

#[tokio::test]
async fn a_restart_rebuilds_live_calls_without_counting_twice() {
    let t = setup().await;
    for id in ["r1", "r2"] {
        assert_eq!(
            dcr(&t.decide("+33142685308", json!({"call_id": id})).await).0,
            "allow"
        );
    }
    let (s, v) = t.call("POST", "/v1/guard/calls", "operator", json!({"billing_account": t.hq, "from": format!("+{}", t.from), "to": "+33142685308", "call_id": "r1"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("call_id_in_use"))
    );
    t.app.flush_guard().await.unwrap();
    // A new process on the same database.
    let again = App::new(t.app.store.clone(), Clock::fixed(NOW + 30)).unwrap();
    again.load_rates().await.unwrap();
    again.start_guard().await.unwrap();
    again.start_guard().await.unwrap(); // idempotent: live calls are keyed by call id
    assert_eq!(again.live_calls(&t.hq).calls, 2);
    let actor = tollgate_app::Actor::cli();
    again.guard_answer("r1", Some(NOW + 31)).await.unwrap();
    let end = again.guard_end(&actor, "r1", Some(NOW + 91)).await.unwrap();
    assert_eq!(end["rated"], true);
    assert_eq!(again.live_calls(&t.hq).calls, 1);
}

#[tokio::test]
async fn f7_announced_activity_raises_thresholds_but_not_forbidden_destinations() {
    let t = setup().await;
    let (s, a) = t
        .call("POST", &format!("/v1/billing-accounts/{}/announcements", t.hq), "customer_a", json!({"from": (NOW - 60).to_string(), "until": (NOW + 3_600).to_string(), "factor": 5, "note": "call-back campaign"}))
        .await;
    assert_eq!((s, a["rule"].as_str()), (StatusCode::CREATED, Some("F7")));
    // 15 numbers sharing a prefix in 10 s would trip enumeration (10); announced: allowed.
    for i in 0..15 {
        let v = t
            .decide(
                &format!("+33142686{i:03}"),
                json!({"call_id": format!("ann-{i}")}),
            )
            .await;
        assert_eq!(dcr(&v).0, "allow", "{v}");
        t.call(
            "POST",
            &format!("/v1/guard/calls/ann-{i}/end"),
            "operator",
            Value::Null,
        )
        .await;
    }
    assert_eq!(
        dcr(&t.decide("+33899123456", json!({})).await).1,
        "destination_premium_rate"
    );
}

/// The guard never panics on input: a deterministic fuzz of the request body (random bytes,
/// truncated and mutated JSON, wrong types, odd numbers) answers 2xx or 4xx, never 5xx.
#[tokio::test]
async fn fuzzed_requests_never_crash_the_guard() {
    let t = setup().await;
    let mut x: u64 = 0x5EED;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let valid = json!({"billing_account": t.hq, "from": format!("+{}", t.from), "to": "+33142685300", "source_ip": "198.51.100.30"}).to_string();
    let pieces = [
        "\"9223372036854775807\"",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "null",
        "true",
        "1e999",
        "-1",
        "\"+\"",
        "\"112\"",
        "\"sip:@\"",
        "\"\\u0000\"",
        "\"+999999999999999999\"",
        "\"to\"",
        "\"from\"",
        "\"at\"",
        "\"call_id\"",
    ];
    for i in 0..600 {
        let body: Vec<u8> = match i % 4 {
            0 => (0..(next() % 64)).map(|_| (next() % 256) as u8).collect(),
            1 => valid.as_bytes()[..(next() as usize % valid.len())].to_vec(),
            2 => {
                let mut b = valid.clone().into_bytes();
                for _ in 0..(1 + next() % 4) {
                    let at = next() as usize % b.len();
                    b[at] = (next() % 128) as u8;
                }
                b
            }
            _ => {
                let mut s = String::from("{");
                for k in 0..(next() % 6) {
                    let key = [
                        "billing_account",
                        "from",
                        "to",
                        "source_ip",
                        "at",
                        "call_id",
                        "x",
                    ][(next() % 7) as usize];
                    let val = pieces[(next() % pieces.len() as u64) as usize];
                    s.push_str(&format!("{}\"{key}\":{val}", if k > 0 { "," } else { "" }));
                }
                s.push('}');
                s.into_bytes()
            }
        };
        let req = Request::builder()
            .method("POST")
            .uri("/v1/guard/calls")
            .header("authorization", format!("Bearer {}", t.tokens["operator"]))
            .header("content-type", "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        let res = router(t.app.clone(), DEFAULT_MAX_BODY_BYTES)
            .oneshot(req)
            .await
            .unwrap();
        assert!(
            res.status().as_u16() < 500,
            "body {:?} answered {}",
            String::from_utf8_lossy(&body),
            res.status()
        );
    }
}

#[tokio::test]
async fn t13_emergency_is_admitted_before_anything_can_refuse_and_is_never_charged() {
    let t = setup().await;
    // Withheld caller ID, no account: still admitted.
    let (s, v) = t
        .call(
            "POST",
            "/v1/guard/calls",
            "operator",
            json!({"from": "anonymous", "to": "112"}),
        )
        .await;
    assert_eq!(
        (s, dcr(&v)),
        (StatusCode::OK, ("allow", "emergency_call", "T13")),
        "{v}"
    );
    assert_eq!(v["emergency"]["address_registered"], false);
    // From a known number: tracked, then recorded as an emergency CDR, never charged.
    let v = t.decide("15", json!({"call_id": "e-15"})).await;
    assert_eq!(dcr(&v).1, "emergency_call");
    t.call(
        "POST",
        "/v1/guard/calls/e-15/answer",
        "operator",
        Value::Null,
    )
    .await;
    let (s, e) = t
        .call(
            "POST",
            "/v1/guard/calls/e-15/end",
            "operator",
            json!({"at": (NOW + 60).to_string()}),
        )
        .await;
    assert_eq!(
        (s, e["rated"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{e}"
    );
    let (_, cdrs) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={}&limit=500", t.hq),
            "customer_a",
            Value::Null,
        )
        .await;
    let c = cdrs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "e-15")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            c["direction"].as_str(),
            c["amount_exact"].as_str(),
            c["destination"].as_str()
        ),
        (Some("emergency"), Some("0.000000"), None)
    );
}

#[tokio::test]
async fn calls_never_reported_ended_are_ended_after_the_longest_call() {
    let t = setup().await;
    assert_eq!(
        dcr(&t.decide("+33142685309", json!({"call_id": "stale"})).await).0,
        "allow"
    );
    t.call(
        "POST",
        "/v1/guard/calls/stale/answer",
        "operator",
        json!({"at": (NOW + 5).to_string()}),
    )
    .await;
    let actor = tollgate_app::Actor::cli();
    assert!(t.app.reap_stale_calls(&actor).await.unwrap().is_empty()); // not yet
    t.app.clock.advance(4 * 3_600 + 901);
    assert_eq!(
        t.app.reap_stale_calls(&actor).await.unwrap(),
        vec!["stale".to_string()]
    );
    assert_eq!(t.app.live_calls(&t.hq).calls, 0);
    let (_, cdrs) = t
        .call(
            "GET",
            &format!("/v1/cdrs?billing_account={}&limit=500", t.hq),
            "customer_a",
            Value::Null,
        )
        .await;
    let c = cdrs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "stale")
        .cloned()
        .unwrap();
    assert_eq!(c["duration_s"], 14_400); // recorded at the maximum the edge was given
}

#[tokio::test]
async fn metrics_count_decisions_by_outcome_and_code_and_live_calls_in_prometheus_text() {
    let t = setup().await;
    let before = metrics_text(&t).await;
    t.decide("+33142685301", json!({"call_id": "m-1"})).await;
    t.decide("+33142685302", json!({"call_id": "m-2"})).await;
    let after = metrics_text(&t).await;
    let count = |text: &str, line: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
            .unwrap_or(0)
    };
    let allowed = "tollgate_guard_decisions_total{decision=\"allow\",code=\"allowed\"}";
    assert_eq!(
        count(&after, allowed),
        count(&before, allowed) + 2,
        "{after}"
    );
    // Two calls admitted and not ended (the demo's own calls have ended).
    assert_eq!(count(&after, "tollgate_live_calls"), 2);
    let n = "tollgate_guard_decision_seconds_count";
    assert_eq!(count(&after, n), count(&before, n) + 2);
    assert!(after.contains("# TYPE tollgate_guard_decision_seconds histogram"));
    assert!(after.contains("tollgate_edge_connected 0"));
}

async fn metrics_text(t: &T) -> String {
    let res = router(t.app.clone(), DEFAULT_MAX_BODY_BYTES)
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}
