//! Issue 11 #6 and #7 over HTTP: CDR pages by keyset in call order, and intake streamed in
//! chunks. (The figures at volume are in `tollgate bench rating`.)

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tollgate_app::rating::INTAKE_CHUNK_ROWS;

use common::*;

/// The demo's billing accounts of `who`, by name.
async fn account(t: &T, who: &str, name: &str) -> String {
    let (_, v) = t.get("/v1/billing-accounts?limit=100", who).await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no account {name}: {v}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `n` unanswered calls (not billable: no rate needed) of `acct`, starts out of order.
fn calls(acct: &str, tag: &str, n: usize) -> String {
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,disposition\n");
    for i in 0..n {
        // Starts go back and forth so call order differs from line order and from id order.
        let start = NOW - 200_000 + ((i * 7919) % n) as i64;
        body.push_str(&format!(
            "vol,{tag}-{i},{acct},+33170000001,+33142685300,{start},{},0,no_answer\n",
            start + 5
        ));
    }
    body
}

async fn post_csv(t: &T, body: String) -> (StatusCode, Value) {
    let (s, v, _) = t
        .call(
            "POST",
            "/v1/cdrs",
            Some(t.token("operator")),
            "text/csv",
            body.into_bytes(),
        )
        .await;
    (s, v)
}

/// Every page of `path` (which has a `?`), following `next_cursor` until null.
async fn all_pages(t: &T, path: &str, who: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_string(),
        };
        let (s, v) = t.get(&url, who).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        pages += 1;
        items.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (items, pages),
        }
        assert!(pages < 1_000, "paging does not end");
    }
}

fn key(v: &Value) -> (String, String, String) {
    let s = |k: &str| v[k].as_str().unwrap().to_string();
    (s("billing_account"), s("start"), s("id"))
}

#[tokio::test]
async fn i11_6_cdr_pages_follow_call_order_and_list_every_cdr_once() {
    let t = setup().await;
    let hq = account(&t, "customer_a", "Acme Dental HQ").await;
    let b = account(&t, "customer_b", "Bayview Bakery").await;
    assert_eq!(post_csv(&t, calls(&hq, "hq", 23)).await.0, StatusCode::OK);
    assert_eq!(post_csv(&t, calls(&b, "b", 11)).await.0, StatusCode::OK);

    // One account, pages of 5 over the window of the new calls: 23 CDRs in 5 pages
    // (5+5+5+5+3), in (start, id) order.
    let window = format!("from={}&to={}", NOW - 200_000, NOW - 100_000);
    let (items, pages) = all_pages(
        &t,
        &format!("/v1/cdrs?billing_account={hq}&limit=5&{window}"),
        "customer_a",
    )
    .await;
    assert_eq!((items.len(), pages), (23, 5));
    assert!(items.iter().all(|v| v["source"] == "vol"));
    let keys: Vec<_> = items.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "call order");
    let ids: BTreeSet<_> = keys.iter().map(|k| k.2.clone()).collect();
    assert_eq!(ids.len(), 23, "no CDR twice");

    // No account: the operator walks every account in scope; the 34 new CDRs (plus what the
    // demo holds) come once each, account by account, each in call order.
    let (all, _) = all_pages(&t, "/v1/cdrs?limit=7", "operator").await;
    let keys: Vec<_> = all.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "account, then call order");
    let ids: BTreeSet<_> = keys.iter().map(|k| k.2.clone()).collect();
    assert_eq!(ids.len(), all.len(), "no CDR twice");
    let vol = |acct: &str| {
        all.iter()
            .filter(|v| v["billing_account"] == acct && v["source"] == "vol")
            .count()
    };
    assert_eq!((vol(&hq), vol(&b)), (23, 11));

    // A customer's walk holds its own accounts only.
    let (mine, _) = all_pages(&t, "/v1/cdrs?limit=4", "customer_b").await;
    assert!(
        mine.iter().all(|v| v["billing_account"] == b.as_str()),
        "{mine:?}"
    );
    assert_eq!(mine.iter().filter(|v| v["source"] == "vol").count(), 11);
}

#[tokio::test]
async fn i11_6_a_cursor_that_this_list_did_not_make_is_refused_with_its_field() {
    let t = setup().await;
    let hq = account(&t, "customer_a", "Acme Dental HQ").await;
    let b = account(&t, "customer_b", "Bayview Bakery").await;
    assert_eq!(post_csv(&t, calls(&hq, "hq", 3)).await.0, StatusCode::OK);
    let (_, v) = t
        .get(
            &format!("/v1/cdrs?billing_account={hq}&limit=1"),
            "operator",
        )
        .await;
    let hq_cursor = v["next_cursor"].as_str().unwrap().to_string();
    for (path, why) in [
        (
            "/v1/cdrs?cursor=cdr_0000".to_string(),
            "an id, not a cursor",
        ),
        (
            format!("/v1/cdrs?billing_account={b}&cursor={hq_cursor}"),
            "another account's cursor",
        ),
        (
            "/v1/cdrs?cursor=r:1:x:ba_nowhere".to_string(),
            "a cursor naming no account",
        ),
    ] {
        let (s, v) = t.get(&path, "operator").await;
        assert_eq!(
            refusal(s, &v, "cursor"),
            unprocessable("cursor_invalid"),
            "{why}: {v}"
        );
    }
    // Another tenant's cursor names an account it cannot see.
    let (s, v) = t
        .get(&format!("/v1/cdrs?cursor={hq_cursor}"), "customer_b")
        .await;
    assert_eq!(
        refusal(s, &v, "cursor"),
        unprocessable("cursor_invalid"),
        "{v}"
    );
}

#[tokio::test]
async fn i11_7_a_body_of_several_chunks_is_taken_chunk_by_chunk_and_resent_idempotently() {
    let t = setup().await;
    let hq = account(&t, "customer_a", "Acme Dental HQ").await;
    // Three chunks and one line: every line counted once.
    let n = INTAKE_CHUNK_ROWS * 3 + 1;
    let body = calls(&hq, "big", n);
    let (s, v) = post_csv(&t, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["received"].as_u64(), v["inserted"].as_u64()),
        (Some(n as u64), Some(n as u64))
    );
    let (_, again) = post_csv(&t, body).await;
    assert_eq!(
        (again["inserted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(n as u64))
    );
}

#[tokio::test]
async fn i11_7_a_json_body_that_breaks_off_after_a_chunk_keeps_what_came_before_and_says_where() {
    let t = setup().await;
    let hq = account(&t, "customer_a", "Acme Dental HQ").await;
    let n = INTAKE_CHUNK_ROWS + 2;
    let mut body = String::from("[");
    for i in 0..n {
        let start = NOW - 10_000 + i as i64;
        body.push_str(&format!(
            r#"{{"source":"brk","call_id":"j-{i}","billing_account":"{hq}","from":"+33170000001","to":"+33142685300","start":"{start}","end":"{}","duration_s":"0","disposition":"no_answer"}},"#,
            start + 1
        ));
    }
    body.push_str("{\"source\":"); // breaks off inside element n + 1
    let (s, v, _) = t
        .call(
            "POST",
            "/v1/cdrs",
            Some(t.token("operator")),
            "application/json",
            body.into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["inserted"].as_u64(), Some(n as u64));
    let last = v["rejects"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["line"].as_u64(), last["code"].as_str()),
        (Some(n as u64 + 1), Some("json_invalid"))
    );
    // A body broken before any chunk was taken is refused whole, as before.
    let (s, v, _) = t
        .call(
            "POST",
            "/v1/cdrs",
            Some(t.token("operator")),
            "application/json",
            b"[{\"a\":".to_vec(),
        )
        .await;
    assert_eq!(refusal(s, &v, "body"), unprocessable("json_invalid"));
}

#[tokio::test]
async fn i11_7_a_declared_body_over_the_bulk_limit_is_refused_before_it_is_read() {
    let t = setup().await;
    let req = Request::builder()
        .method("POST")
        .uri("/v1/cdrs")
        .header("authorization", format!("Bearer {}", t.token("operator")))
        .header("content-type", "text/csv")
        .header(
            "content-length",
            (tollgate_http::BULK_MAX_BODY_BYTES + 1).to_string(),
        )
        .body(Body::from("source,call_id\n"))
        .unwrap();
    let (s, _, v) = t.send(req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"]["code"], "body_too_large");
}

#[tokio::test]
async fn i11_6_cdrs_sharing_a_start_time_are_paged_by_id_without_skipping_or_repeating() {
    let t = setup().await;
    let hq = account(&t, "customer_a", "Acme Dental HQ").await;
    // Nine calls at the same second, three at the next: pages of 2 cut through the tie.
    let start = NOW - 50_000;
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,disposition\n");
    for i in 0..12 {
        let s = start + i64::from(i >= 9);
        body.push_str(&format!(
            "tie,t-{i},{hq},+33170000001,+33142685300,{s},{},0,no_answer\n",
            s + 5
        ));
    }
    assert_eq!(post_csv(&t, body).await.0, StatusCode::OK);
    let window = format!("from={start}&to={}", start + 2);
    let (items, pages) = all_pages(
        &t,
        &format!("/v1/cdrs?billing_account={hq}&limit=2&{window}"),
        "customer_a",
    )
    .await;
    // Six full pages; a full page always carries a cursor, so a seventh, empty one ends it.
    assert_eq!((items.len(), pages), (12, 7));
    let ids: BTreeSet<_> = items
        .iter()
        .map(|v| v["call_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 12, "no call twice, none skipped");
    // The walk over every account with the same window gives the same twelve.
    let (walk, _) = all_pages(&t, &format!("/v1/cdrs?limit=5&{window}"), "operator").await;
    let walked: BTreeSet<_> = walk
        .iter()
        .map(|v| v["call_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(walked, ids);
}

#[tokio::test]
async fn i11_12_an_intake_refused_before_its_body_was_read_closes_the_connection() {
    let t = setup().await;
    let req = Request::builder()
        .method("POST")
        .uri("/v1/cdrs")
        .header("authorization", format!("Bearer {}", t.token("operator")))
        .header("content-type", "text/plain")
        .body(Body::from("source,call_id\n"))
        .unwrap();
    let (s, headers, v) = t.send(req).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert_eq!(
        headers.get("connection").map(|h| h.to_str().unwrap()),
        Some("close")
    );
}
