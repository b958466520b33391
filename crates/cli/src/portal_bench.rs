//! `tollgate bench portal` (issue 20, speed): each portal page's server time, through the real
//! router in process (session cookie, authorization, the use cases, the template), p50 and
//! p99 over repeated requests, for the operator, a partner and a customer: first on the demo
//! data, then with `--calls` CDRs and `--numbers` numbers added. The baselines in the same
//! run: `/healthz` through the same router (the floor of a request) and the JSON API's
//! `/v1/customers` for the same caller.

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tollgate_app::numbers::NumberImportLine;
use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_store::rating::{self as rating_store, CdrRow};
use tower::ServiceExt;

use crate::progress::Progress;
use crate::Fail;

/// Targets of the issue: p99 server time per page.
pub const TARGET_DEMO_MS: f64 = 50.0;
pub const TARGET_VOLUME_MS: f64 = 200.0;
/// Requests before the measured ones (caches, statement plans).
const WARMUP: usize = 3;
/// Numbers per import call (the import's own limit is larger).
const IMPORT_CHUNK: usize = 5_000;

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

struct Who {
    label: &'static str,
    cookie: String,
    token: String,
}

async fn time_get(
    app: &App,
    path: &str,
    cookie: Option<&str>,
    bearer: Option<&str>,
    runs: usize,
) -> Result<(f64, f64), Fail> {
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs + WARMUP {
        let mut req = Request::builder().uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let req = req
            .body(Body::empty())
            .map_err(|e| Fail(1, e.to_string()))?;
        let router = tollgate_http::router(app.clone(), tollgate_http::DEFAULT_MAX_BODY_BYTES);
        let t = Instant::now();
        let res = router
            .oneshot(req)
            .await
            .map_err(|e| Fail(1, e.to_string()))?;
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .map_err(|e| Fail(1, e.to_string()))?;
        if i >= WARMUP {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        if status != StatusCode::OK {
            return Err(Fail(
                1,
                format!(
                    "{path} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                ),
            ));
        }
        std::hint::black_box(body);
    }
    Ok((pct(&mut ms, 0.5), pct(&mut ms, 0.99)))
}

async fn measure(
    app: &App,
    who: &[Who],
    pages: &[(usize, String)],
    runs: usize,
    target: f64,
) -> Result<(), Fail> {
    let (b50, b99) = time_get(app, "/healthz", None, None, runs).await?;
    println!("  baseline /healthz through the same router: p50 {b50:.2} ms, p99 {b99:.2} ms");
    for w in who {
        let (a50, a99) = time_get(app, "/v1/customers", None, Some(&w.token), runs).await?;
        println!(
            "  baseline {} GET /v1/customers (JSON API): p50 {a50:.2} ms, p99 {a99:.2} ms",
            w.label
        );
    }
    let mut worst = 0f64;
    for (i, path) in pages {
        let w = &who[*i];
        let (p50, p99) = time_get(app, path, Some(&w.cookie), None, runs).await?;
        worst = worst.max(p99);
        println!(
            "  {:<9} {path:<60} p50 {p50:7.2} ms  p99 {p99:7.2} ms",
            w.label
        );
    }
    println!(
        "  slowest page p99 {worst:.1} ms; target <= {target:.0} ms: {}",
        if worst <= target { "met" } else { "NOT met" }
    );
    Ok(())
}

pub async fn run(calls: usize, numbers: usize, runs: usize) -> Result<(), Fail> {
    let dir = std::env::temp_dir().join(format!("tg-bench-portal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Fail(1, e.to_string()))?;
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let store = tollgate_store::Store::open(&url).await?;
    let app = App::new(store, Clock::System)?;
    app.start_guard().await?;
    tollgate_app::demo::seed(&app, &dir).await?;
    let actor = Actor::cli();
    let mut who = Vec::new();
    for (label, email) in [
        ("operator", "ops@demo-telecom.test"),
        ("partner", "admin@northwind.test"),
        ("customer", "admin@acme-dental.test"),
    ] {
        let s = app
            .login(email, tollgate_app::demo::DEMO_PASSWORD, None, &actor)
            .await?;
        who.push(Who {
            label,
            cookie: format!("tollgate_session={}", s.token),
            token: s.token,
        });
    }
    let sys = Caller::system(actor);
    let accounts = app
        .list_billing_accounts(&sys, None, &tollgate_store::Page::first(500))
        .await?;
    let hq = accounts
        .iter()
        .find(|a| a.name == "Acme Dental HQ")
        .ok_or_else(|| Fail(1, "demo account Acme Dental HQ missing".into()))?
        .clone();
    let invoice = app
        .list_invoices(&sys, &Default::default(), &tollgate_store::Page::first(1))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Fail(1, "the demo has no invoice".into()))?;
    let mut pages: Vec<(usize, String)> = Vec::new();
    for (i, _) in who.iter().enumerate() {
        for p in [
            "/portal/",
            "/portal/customers",
            "/portal/numbers",
            "/portal/calls",
            "/portal/invoices",
            "/portal/receivables",
            "/portal/tickets",
            "/portal/guard",
        ] {
            pages.push((i, p.to_string()));
        }
        pages.push((i, format!("/portal/accounts/{}", hq.id)));
        pages.push((i, format!("/portal/calls?account={}", hq.id)));
    }
    pages.push((0, format!("/portal/invoices/{}", invoice.id)));
    pages.push((0, "/portal/audit".into()));
    println!("== portal pages on the demo data: server time in process, {runs} requests each");
    measure(&app, &who, &pages, runs, TARGET_DEMO_MS).await?;

    println!("\n== adding {calls} calls (on Acme Dental HQ, over the last 14 days) and {numbers} numbers");
    let now = app.now();
    let p = Progress::new("calls");
    let chunk = tollgate_app::rating::INTAKE_CHUNK_ROWS;
    let mut i = 0usize;
    while i < calls {
        let rows: Vec<CdrRow> = (i..(i + chunk).min(calls))
            .map(|j| cdr(j, &hq.id, &hq.customer_id, now))
            .collect();
        let mut tx = app.store.begin().await?;
        rating_store::insert_cdrs(&mut tx, &rows).await?;
        tollgate_store::commit(tx).await?;
        i += rows.len();
        p.update(i, calls);
    }
    p.finish(calls);
    let p = Progress::new("numbers");
    let mut done = 0usize;
    while done < numbers {
        let lines: Vec<NumberImportLine> = (done..(done + IMPORT_CHUNK).min(numbers))
            .map(|k| NumberImportLine {
                // Paris geographic numbers +33 1 72 xx xx xx, distinct per k.
                e164: format!("+33172{k:06}"),
                capabilities: None,
            })
            .collect();
        let n = lines.len();
        let r = app.import_numbers(&sys, lines, 1).await?;
        if !r.rejected.is_empty() {
            return Err(Fail(
                1,
                format!("numbers refused: {:?}", r.rejected.first()),
            ));
        }
        done += n;
        p.update(done, numbers);
    }
    p.finish(numbers);
    println!("\n== portal pages with {calls} more calls and {numbers} more numbers");
    measure(&app, &who, &pages, runs, TARGET_VOLUME_MS).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn cdr(i: usize, account: &str, customer: &str, now: i64) -> CdrRow {
    // Spread over the 14 days the dashboard charts, one in five unanswered.
    let start = now - 1 - (i as i64 * 7_919) % (14 * 86_400);
    let answered = !i.is_multiple_of(5);
    CdrRow {
        id: format!("cdr_pb_{i:010}"),
        source: "bench".into(),
        call_id: format!("pb{i}"),
        billing_account_id: account.into(),
        customer_id: customer.into(),
        from_number: "33170000001".into(),
        to_number: "33142685300".into(),
        start_at: start,
        answer_at: answered.then_some(start + 3),
        end_at: start + 63,
        duration_s: if answered { 60 } else { 0 },
        disposition: if answered { "answered" } else { "no_answer" }.into(),
        direction: "outbound".into(),
        prefix: Some("331".into()),
        destination: Some("France Paris".into()),
        rate_micros: 12_000,
        billed_s: if answered { 60 } else { 0 },
        bundle_s: 0,
        amount_micros: if answered { 12_000 } else { 0 },
        currency: "EUR".into(),
        rate_table: None,
        rate_version: None,
        ingested_at: now,
    }
}
