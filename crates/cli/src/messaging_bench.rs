//! `tollgate bench messaging` (issue 15, performance): admission in process (p50/p99 of the
//! decision with the account cached, marketing with consent and quiet hours, against the
//! guard's call decision for the same account as the baseline), messages accepted through
//! the HTTP API into the durable queue on SQLite (against guard decisions over the same
//! connections), and SMPP submits to the local SMSC on 127.0.0.1 with a window (against
//! stop-and-wait, a window of one).

use std::time::{Duration, Instant};

use tollgate_app::guard::CallRequest;
use tollgate_app::messaging::admit::{Admitted, SendRequest};
use tollgate_app::messaging::consent::ConsentInput;
use tollgate_app::messaging::smpp::{smsc::LocalSmsc, Coding, SmppClient, SmppConfig, Submit};
use tollgate_app::{Actor, App, Caller, Clock};

use crate::guard_bench::{client, pct};
use crate::progress::Progress;
use crate::Fail;

/// Consented recipients the marketing admissions pick from.
const RECIPIENTS: usize = 2_000;
/// The demo's sending number (Direct Corp, under an approved 10DLC campaign).
const FROM: &str = "+14155550142";

fn recipient(i: usize) -> String {
    // Spread over California numbers, never consecutive (the enumeration detector).
    format!("+1415{:07}", (i * 7_919) % 10_000_000)
}

pub async fn run(
    admissions: usize,
    http_messages: usize,
    connections: usize,
    submits: usize,
) -> Result<(), Fail> {
    println!("tollgate bench messaging: release build recommended");
    let dir = std::env::temp_dir().join(format!("tollgate-msg-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = tollgate_store::Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("msg.db").display()
    ))
    .await?;
    let mut app = App::new(store.clone(), Clock::System)?;
    // The guard's detectors out of reach (as in `bench guard`): the baseline's synthetic calls
    // must not suspend the account whose messages are measured.
    // The baseline's calls end at once: the dialer and IRSF detectors out of reach too.
    let t = tollgate_core::guard::Thresholds {
        dialer_min_calls: usize::MAX / 4,
        irsf_score: u32::MAX / 4,
        ..crate::guard_bench::out_of_reach()
    };
    app.guard = std::sync::Arc::new(tollgate_app::guard::Guard::with_thresholds(t));
    app.start_guard().await?;
    tollgate_app::demo::seed(&app, &dir).await?;
    let sys = Caller::system(Actor::cli());
    let customer =
        tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Direct Corp")
            .await?
            .ok_or_else(|| Fail(1, "no demo customer Direct Corp".into()))?;
    let ba = app
        .list_billing_accounts(&sys, Some(&customer.id), &tollgate_store::Page::first(1))
        .await?
        .pop()
        .ok_or_else(|| Fail(1, "no Direct Corp account".into()))?
        .id;
    let p = Progress::new("consents");
    for i in 0..RECIPIENTS {
        app.record_consent(
            &sys,
            ConsentInput {
                billing_account: ba.clone(),
                recipient: recipient(i),
                action: "granted".into(),
                method: "import".into(),
                text_shown: Some("Bench consent. Reply STOP to opt out.".into()),
                // A zone inside the window at any hour would hide the quiet-hours work: the
                // recipient's own zone from the number is used.
                ..ConsentInput::default()
            },
        )
        .await?;
        p.update(i + 1, RECIPIENTS);
    }
    p.finish(RECIPIENTS);

    // 1. In process: the decision with everything cached (the durable write is step 2).
    let req = |i: usize, category: &str| SendRequest {
        billing_account: ba.clone(),
        from: FROM.into(),
        to: recipient(i % RECIPIENTS),
        body: "Winter sale: 20% off. Reply STOP to opt out".into(),
        category: category.into(),
        campaign: None,
        defer_if_quiet: true,
        idempotency_key: None,
    };
    app.admit_message(&sys, &req(0, "marketing")).await?;
    let mut lat = Vec::with_capacity(admissions);
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..admissions {
        let category = if i % 2 == 0 {
            "marketing"
        } else {
            "transactional"
        };
        let r = req(i, category);
        let t = Instant::now();
        let a = app.admit_message(&sys, &r).await?;
        lat.push(t.elapsed().as_nanos() as u64);
        if let Admitted::New(m) = a {
            *outcomes.entry(m.code).or_default() += 1;
        }
    }
    lat.sort_unstable();
    let actor = Actor::cli();
    let mut base = Vec::with_capacity(admissions.min(20_000));
    for i in 0..admissions.min(20_000) {
        let call = CallRequest {
            billing_account: Some(ba.clone()),
            from: FROM.into(),
            to: recipient(i),
            source_ip: None,
            at: None,
            call_id: Some(format!("bench-{i}")),
        };
        let t = Instant::now();
        app.guard_call(&actor, call).await?;
        base.push(t.elapsed().as_nanos() as u64);
        app.guard_end(&actor, &format!("bench-{i}"), None)
            .await
            .ok();
    }
    base.sort_unstable();
    println!(
        "in-process admission:  p50 {:.1} µs  p99 {:.1} µs  ({admissions} decisions, half marketing with quiet hours: {outcomes:?})",
        pct(&lat, 0.50) as f64 / 1e3,
        pct(&lat, 0.99) as f64 / 1e3
    );
    println!(
        "  baseline, the guard's call decision for the same account: p50 {:.1} µs  p99 {:.1} µs",
        pct(&base, 0.50) as f64 / 1e3,
        pct(&base, 0.99) as f64 / 1e3
    );

    // 2. HTTP into the durable queue (transactional: admitted at any hour).
    let (addr, token, server) =
        crate::http_bench::serve_for_bench(&app, "sender@bench.test", "operator_admin").await?;
    let per = http_messages / connections.max(1);
    let deadline = Instant::now() + Duration::from_secs(120);
    let queued0 = count_state(&app, "queued").await?;
    let refused0 = count_state(&app, "refused").await?;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let bodies: Vec<String> = (0..per)
            .map(|i| {
                let to = recipient(c * per + i + RECIPIENTS);
                format!(r#"{{"billing_account":"{ba}","from":"{FROM}","to":"{to}","category":"transactional","body":"Your code is {i:06}"}}"#)
            })
            .collect();
        tasks.push(tokio::spawn(client(
            addr,
            token.clone(),
            "/v1/messages",
            bodies,
            deadline,
        )));
    }
    let t = Instant::now();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| Fail(1, e.to_string()))??);
    }
    let secs = t.elapsed().as_secs_f64();
    all.sort_unstable();
    let stored = count_state(&app, "queued").await? - queued0;
    let refused = count_state(&app, "refused").await? - refused0;
    println!(
        "HTTP into the queue:   {:>8.0} messages/s  p50 {:.2} ms  p99 {:.2} ms  ({} answered over {connections} keep-alive connections; {stored} stored queued and {refused} refused, each committed before its answer)",
        all.len() as f64 / secs,
        pct(&all, 0.50) as f64 / 1e3,
        pct(&all, 0.99) as f64 / 1e3,
        all.len()
    );
    {
        let (c, r) = app.message_queue_counts();
        println!(
            "  queue writer: {c} commits, {:.1} messages per commit",
            r as f64 / c.max(1) as f64
        );
    }
    if refused > 0 {
        let f = tollgate_store::messaging::MessageFilter {
            state: Some("refused".into()),
            recipient: Some(recipient(RECIPIENTS).trim_start_matches('+').to_string()),
            ..Default::default()
        };
        let some = tollgate_store::messaging::list_messages(
            &app.store,
            tollgate_store::ScopeFilter::of(&tollgate_store::Scope::All),
            &f,
            &tollgate_store::Page::first(1),
        )
        .await?;
        if let Some(m) = some.first() {
            println!(
                "  refused, e.g.: {} ({}): {}",
                m.code,
                m.rule.as_deref().unwrap_or("-"),
                m.reason
            );
        }
    }
    let bodies_per = (http_messages / connections.max(1)).min(5_000);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let bodies: Vec<String> = (0..bodies_per)
            .map(|i| {
                let to = recipient(c * bodies_per + i);
                format!(r#"{{"billing_account":"{ba}","from":"{FROM}","to":"{to}","call_id":"hb{c}-{i}"}}"#)
            })
            .collect();
        tasks.push(tokio::spawn(client(
            addr,
            token.clone(),
            "/v1/guard/calls",
            bodies,
            deadline,
        )));
    }
    let t = Instant::now();
    let mut n = 0usize;
    for task in tasks {
        n += task.await.map_err(|e| Fail(1, e.to_string()))??.len();
    }
    println!(
        "  baseline, guard decisions over the same connections: {:>8.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    server.abort();

    // 3. SMPP submits to the local SMSC.
    for window in [1usize, 50] {
        let n = if window == 1 {
            submits.min(2_000)
        } else {
            submits
        };
        let rate = smpp_rate(n, window).await?;
        let what = if window == 1 {
            "  baseline, stop-and-wait (window 1)"
        } else {
            "SMPP submit_sm"
        };
        println!("{what}: {rate:>8.0} messages/s  ({n} submits, window {window}, local SMSC on 127.0.0.1)");
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn count_state(app: &App, state: &str) -> Result<i64, Fail> {
    Ok(tollgate_store::messaging::system::count_state(&app.store, state).await?)
}

/// Submits `n` messages through a client with `window` to a local SMSC; messages per second.
async fn smpp_rate(n: usize, window: usize) -> Result<f64, Fail> {
    let smsc = LocalSmsc::start("bench", "bench").await?;
    let mut cfg = SmppConfig::new(&smsc.addr().to_string(), "bench", "bench");
    cfg.window = window;
    let (client, inbound) = SmppClient::start(cfg);
    drop(inbound);
    if !client.wait_bound(Duration::from_secs(5)).await {
        return Err(Fail(1, "the local SMSC did not bind".into()));
    }
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let lanes = window.max(1) * 2;
    for lane in 0..lanes {
        let client = client.clone();
        tasks.spawn(async move {
            let mut ok = 0usize;
            for i in (lane..n).step_by(lanes) {
                let to = format!("1415{:07}", i);
                let m = Submit {
                    from: "14155550142",
                    to: &to,
                    body: "Your code is 123456",
                    coding: Coding::Gsm7,
                    receipt: false,
                };
                if client.submit(&m).await.is_ok() {
                    ok += 1;
                }
            }
            ok
        });
    }
    let mut ok = 0;
    while let Some(r) = tasks.join_next().await {
        ok += r.map_err(|e| Fail(1, e.to_string()))?;
    }
    let secs = t.elapsed().as_secs_f64();
    client.stop().await;
    smsc.stop().await;
    if ok != n {
        return Err(Fail(1, format!("{} of {n} submits failed", n - ok)));
    }
    Ok(n as f64 / secs)
}
