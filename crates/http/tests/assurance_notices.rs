//! Service assurance, what operators and the public read (issue 17): maintenance notices
//! short of the lead time flagged (S1), cancellations told, incident lists with their
//! components and updates, restoration in the caller's scope (T5), the public feed by name,
//! the Atom feed's author and absolute links, final days (S2). On the demo (NOW =
//! 2026-11-18T11:06:40Z).

mod common;

use axum::http::StatusCode;
use common::{setup, T};
use serde_json::{json, Value};

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn component(t: &T, name: &str) -> String {
    let (_, v) = t.get("/v1/assurance/services", "operator").await;
    items(&v)
        .iter()
        .flat_map(|s| s["components"].as_array().cloned().unwrap_or_default())
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn plan(t: &T, c: &str, title: &str, from: &str, to: &str) -> (StatusCode, Value) {
    t.post(
        "/v1/assurance/maintenance",
        "operator",
        json!({"title": title, "starts_at": from, "ends_at": to, "component_ids": [c],
               "notify": true}),
    )
    .await
}

#[tokio::test]
async fn s1_a_notice_short_of_the_lead_is_flagged_and_a_cancelled_window_is_told_to_those_noticed()
{
    let t = setup().await;
    let c = component(&t, "PBX EU-1").await;
    // Now 2026-11-18T11:06:40Z; a window at 21:00 the same day is noticed 9 h ahead (9.9 h,
    // whole hours shown), short of the 48 h lead: it will count (S1).
    let (s, short) = plan(
        &t,
        &c,
        "Hotfix",
        "2026-11-18T21:00:00Z",
        "2026-11-18T22:00:00Z",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{short}");
    assert_eq!(
        (
            short["notified_in_time"].as_bool(),
            short["lead_h"].as_i64(),
            short["warning"].as_str()
        ),
        (
            Some(false),
            Some(48),
            Some(
                "notice sent 9 h before the start, less than the 48 h lead: the window counts \
                 as downtime (S1)"
            )
        ),
        "{short}"
    );
    // Four days ahead: in time, no warning.
    let (s, ahead) = plan(
        &t,
        &c,
        "Kernel upgrade",
        "2026-11-22T02:00:00Z",
        "2026-11-22T04:00:00Z",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ahead}");
    assert_eq!(
        (
            ahead["notified_in_time"].as_bool(),
            ahead["warning"].is_null(),
            ahead["component_ids"].clone()
        ),
        (Some(true), true, json!([c])),
        "{ahead}"
    );
    // Cancelled: it keeps its components, and those who got the notice are told.
    let (s, cancelled) = t
        .post(
            &format!(
                "/v1/assurance/maintenance/{}/cancel",
                ahead["id"].as_str().unwrap()
            ),
            "operator",
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{cancelled}");
    assert_eq!(
        (
            cancelled["cancelled_at"].as_str(),
            cancelled["component_ids"].clone()
        ),
        (Some("2026-11-18T11:06:40Z"), json!([c])),
        "{cancelled}"
    );
    let (_, out) = t.get("/v1/outbox?limit=500", "operator").await;
    let sent = |subject: &str| -> Vec<String> {
        let mut v: Vec<String> = items(&out)
            .into_iter()
            .filter(|m| m["subject"] == subject && m["rule"] == "S1")
            .map(|m| m["recipient"].as_str().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    };
    let planned = sent("Scheduled maintenance: Kernel upgrade");
    assert!(!planned.is_empty(), "{out}");
    assert_eq!(
        sent("Maintenance cancelled: Kernel upgrade"),
        planned,
        "{out}"
    );
    // A window in the past is refused with S1 and its field; nothing is written.
    let (s, v) = plan(
        &t,
        &c,
        "Late",
        "2026-11-18T10:00:00Z",
        "2026-11-18T12:00:00Z",
    )
    .await;
    assert_eq!(
        (
            s,
            v["error"]["code"].as_str(),
            v["error"]["rule"].as_str(),
            v["error"]["fields"]["starts_at"].is_string()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("starts_at_past"),
            Some("S1"),
            true
        ),
        "{v}"
    );
    let (_, list) = t
        .get(
            "/v1/assurance/maintenance?from=2026-11-18T00:00:00Z&to=2026-11-19T00:00:00Z",
            "operator",
        )
        .await;
    assert!(items(&list).iter().all(|m| m["title"] != "Late"), "{list}");
}

#[tokio::test]
async fn s2_incident_lists_carry_components_and_updates_and_the_public_feed_names_components() {
    let t = setup().await;
    let c = component(&t, "API").await;
    let (s, v) = t
        .post(
            "/v1/assurance/incidents",
            "operator",
            json!({"title": "API errors", "cause": "provider", "component_ids": [c],
                   "message": "Elevated errors."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, list) = t
        .get("/v1/assurance/incidents?state=open", "operator")
        .await;
    let mine = items(&list)
        .into_iter()
        .find(|i| i["title"] == "API errors")
        .unwrap();
    assert_eq!(
        (
            mine["component_ids"].clone(),
            mine["updates"][0]["message"].as_str()
        ),
        (json!([c]), Some("Elevated errors.")),
        "{mine}"
    );
    // Public: the component by name, never its internal id; no probe or ticket fields.
    let (_, feed, text) = t.call("GET", "/status.json", None, "", vec![]).await;
    let public = feed["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "API errors")
        .cloned()
        .unwrap();
    assert_eq!(public["components"], json!(["API"]), "{public}");
    assert!(
        !text.contains(&c) && public.get("probe_id").is_none(),
        "{text}"
    );
    // The Atom feed has an author and absolute links (RFC 4287 §4.1.1, §4.2.7).
    let (_, _, atom) = t.call("GET", "/status/feed.atom", None, "", vec![]).await;
    assert!(
        atom.contains("<author><name>")
            && atom.contains("<link rel=\"self\" href=\"http://localhost/status/feed.atom\"/>"),
        "{atom}"
    );
    let id = mine["id"].as_str().unwrap();
    assert!(
        atom.contains(&format!("href=\"http://localhost/status#{id}\"")),
        "{atom}"
    );
}

#[tokio::test]
async fn t5_the_restoration_report_shows_each_caller_only_its_own_profiles() {
    let t = setup().await;
    // The demo's October outage of PBX EU-1 (6 h) reached Acme Dental (wildix-2026, 4 h),
    // Bayview Bakery (wildix-earlier, 4 h) and Harbor Logistics (x-hoppers-2025, 8 h).
    let profiles = |v: &Value| -> Vec<String> {
        let i = v["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == "PBX EU-1: calls fail to register")
            .cloned()
            .unwrap_or_else(|| panic!("{v}"));
        i["restoration"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["profile"].as_str().unwrap().to_string())
            .collect()
    };
    let report = |who: &'static str| {
        let t = &t;
        async move {
            let (s, v) = t.get("/v1/assurance/restoration?month=2026-10", who).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v
        }
    };
    assert_eq!(
        profiles(&report("operator").await),
        ["wildix-2026", "wildix-earlier", "x-hoppers-2025"]
    );
    assert_eq!(profiles(&report("customer_a").await), ["wildix-2026"]);
    assert_eq!(profiles(&report("customer_b").await), ["wildix-earlier"]);
}

#[tokio::test]
async fn s2_a_day_published_after_it_ended_is_final_and_today_is_not() {
    let t = setup().await;
    let (s, v) = t
        .post("/v1/assurance/availability/publish", "operator", json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, svcs) = t.get("/v1/assurance/services", "operator").await;
    let svc = items(&svcs)[0]["id"].as_str().unwrap().to_string();
    let (s, days) = t
        .get(
            &format!(
                "/v1/assurance/availability?service_id={svc}&from=2026-11-17T00:00:00Z&to=2026-11-19T00:00:00Z"
            ),
            "operator",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{days}");
    let finals: Vec<(String, bool)> = items(&days)
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["final"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        finals,
        [
            ("2026-11-17".to_string(), true),
            ("2026-11-18".to_string(), false)
        ],
        "{days}"
    );
}
