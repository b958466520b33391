//! `tollgate bench guard`: decision latency in process and over HTTP on 127.0.0.1, and the
//! memory a live call and an account window take.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tollgate_app::guard::CallRequest;
use tollgate_app::guard_sim::{setup, Rng};
use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_store::guard::PolicyRow;

use crate::rating_cmd::rss_kib;
use crate::Fail;

/// Detector thresholds no synthetic load reaches (attempts, enumeration, international,
/// forbidden destinations, spend): the benchmarks measure admission, not a detector firing.
pub(crate) fn out_of_reach() -> tollgate_core::guard::Thresholds {
    tollgate_core::guard::Thresholds {
        attempts_per_minute: usize::MAX / 4,
        enumeration_numbers: usize::MAX / 4,
        simultaneous_international: u32::MAX / 4,
        forbidden_attempts: usize::MAX / 4,
        spend_per_hour_micros: i64::MAX / 4,
        ..Default::default()
    }
}

pub(crate) fn pct(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One keep-alive connection sending `n` decisions; returns the latencies in microseconds.
pub(crate) async fn client(
    addr: std::net::SocketAddr,
    token: String,
    path: &'static str,
    bodies: Vec<String>,
    deadline: Instant,
) -> Result<Vec<u64>, Fail> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut lat = Vec::with_capacity(bodies.len());
    let mut buf = vec![0u8; 64 * 1024];
    for body in bodies {
        if Instant::now() > deadline {
            break;
        }
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let t = Instant::now();
        s.write_all(req.as_bytes()).await?;
        read_answer(&mut s, &mut buf).await?;
        lat.push(t.elapsed().as_micros() as u64);
    }
    Ok(lat)
}

/// Reads one HTTP answer (status 200, a Content-Length body).
pub(crate) async fn read_answer(s: &mut tokio::net::TcpStream, buf: &mut [u8]) -> Result<(), Fail> {
    let mut got = 0usize;
    loop {
        let n = s.read(&mut buf[got..]).await?;
        if n == 0 {
            return Err(Fail(1, "server closed the connection".into()));
        }
        got += n;
        if let Some(i) = buf[..got].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
            if !head.starts_with("http/1.1 200") {
                return Err(Fail(
                    1,
                    format!("answered: {}", String::from_utf8_lossy(&buf[..got])),
                ));
            }
            let len = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while got < i + 4 + len {
                let n = s.read(&mut buf[got..]).await?;
                if n == 0 {
                    return Err(Fail(1, "server closed the connection".into()));
                }
                got += n;
            }
            return Ok(());
        }
    }
}

pub async fn run(
    accounts: usize,
    decisions: usize,
    http_decisions: usize,
    connections: usize,
    seed: u64,
) -> Result<(), Fail> {
    println!("tollgate bench guard: {accounts} accounts, seed {seed}, release build recommended");
    let dir = std::env::temp_dir().join(format!("tollgate-guard-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = tollgate_store::Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("guard.db").display()
    ))
    .await?;
    let mut app = App::new(store.clone(), Clock::System)?;
    // Thresholds out of reach: the benchmark measures the full admission path, not refusals
    // by a detector that fired on synthetic load.
    app.guard = std::sync::Arc::new(tollgate_app::guard::Guard::with_thresholds(out_of_reach()));
    app.start_guard().await?;
    let world = setup(&app, accounts).await?;
    let sys = Caller::system(Actor::cli());
    for a in &world {
        let mut p = app
            .get_guard_policy(&sys, &a.billing_account)
            .await?
            .ok_or_else(|| Fail(1, "no policy".into()))?;
        p.licensed_calls = 1_000_000;
        app.set_guard_policy(&sys, PolicyRow { ..p }).await?;
    }
    let actor = Actor::cli();
    let mut rng = Rng::new(seed);
    let mut request = |i: usize| {
        let a = &world[rng.below(world.len() as u64) as usize];
        let to = match rng.below(10) {
            0 => format!("+4930{:07}", rng.below(10_000_000)),
            1 => format!("+33899{:06}", rng.below(1_000_000)),
            _ => format!("+331{:08}", rng.below(100_000_000)),
        };
        (
            a.billing_account.clone(),
            format!("+{}", a.number),
            to,
            format!("b{i}"),
        )
    };
    // Warm the account cache.
    for a in &world {
        let req = CallRequest {
            billing_account: Some(a.billing_account.clone()),
            from: format!("+{}", a.number),
            to: "+33142685300".into(),
            source_ip: None,
            at: None,
            call_id: None,
        };
        app.guard_call(&actor, req).await?;
    }
    let rss0 = rss_kib();
    let live0 = world
        .iter()
        .map(|a| app.live_calls(&a.billing_account).calls as u64)
        .sum::<u64>();
    let mut lat = Vec::with_capacity(decisions);
    let started = Instant::now();
    let mut allowed = 0usize;
    for i in 0..decisions {
        let (ba, from, to, id) = request(i);
        let req = CallRequest {
            billing_account: Some(ba),
            from,
            to,
            source_ip: Some("198.51.100.1".into()),
            at: None,
            call_id: Some(id),
        };
        let t = Instant::now();
        let d = app.guard_call(&actor, req).await?;
        lat.push(t.elapsed().as_nanos() as u64);
        allowed += usize::from(d.verdict.decision == tollgate_core::guard::Decision::Allow);
    }
    let secs = started.elapsed().as_secs_f64();
    let live1 = world
        .iter()
        .map(|a| app.live_calls(&a.billing_account).calls as u64)
        .sum::<u64>();
    let rss1 = rss_kib();
    lat.sort_unstable();
    println!(
        "in-process decisions:  {:>10.0}/s  p50 {:.1} µs  p99 {:.1} µs  max {:.1} µs  ({decisions} decisions, {allowed} allowed)",
        decisions as f64 / secs,
        pct(&lat, 0.50) as f64 / 1e3,
        pct(&lat, 0.99) as f64 / 1e3,
        lat.last().copied().unwrap_or(0) as f64 / 1e3
    );
    let new_live = live1.saturating_sub(live0).max(1);
    println!(
        "memory: ≈ {:.0} bytes per live call ({} live calls added; RSS +{} KiB, includes the account windows and allocator slack)",
        (rss1.saturating_sub(rss0) * 1024) as f64 / new_live as f64,
        new_live,
        rss1.saturating_sub(rss0)
    );
    println!(
        "memory: an account window is at most {} bytes at full windows (checked by account_window_stays_within_its_byte_bound)",
        tollgate_core::guard::MAX_ACCOUNT_WINDOW_BYTES
    );

    // HTTP: the real router on 127.0.0.1, `connections` keep-alive clients.
    let (addr, token, server) =
        crate::http_bench::serve_for_bench(&app, "edge@bench.test", "operator_admin").await?;
    let per = http_decisions / connections.max(1);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let bodies: Vec<String> = (0..per)
            .map(|i| {
                let (ba, from, to, _) = request(c * per + i);
                format!(r#"{{"billing_account":"{ba}","from":"{from}","to":"{to}","source_ip":"198.51.100.2","call_id":"h{c}-{i}"}}"#)
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
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| Fail(1, e.to_string()))??);
    }
    let secs = t.elapsed().as_secs_f64();
    all.sort_unstable();
    println!(
        "HTTP decisions:        {:>10.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} decisions over {connections} keep-alive connections on 127.0.0.1)",
        all.len() as f64 / secs,
        pct(&all, 0.50) as f64 / 1e3,
        pct(&all, 0.99) as f64 / 1e3,
        all.len()
    );
    server.abort();
    app.flush_guard().await?;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Decisions paced one per millisecond, each timed; the sorted latencies in microseconds.
async fn paced_decisions(
    app: &App,
    world: &[tollgate_app::guard_sim::SimAccount],
    n: usize,
    tag: &str,
    rng: &mut Rng,
) -> Result<Vec<u64>, Fail> {
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let a = &world[rng.below(world.len() as u64) as usize];
        // One in ten to a premium-rate number: refused, counted by the forbidden-destination
        // detector, and every tenth of those raises an incident (written behind the answer).
        let to = if i % 10 == 0 {
            format!("+33899{:06}", rng.below(1_000_000))
        } else {
            format!("+331{:08}", rng.below(100_000_000))
        };
        let req = CallRequest {
            billing_account: Some(a.billing_account.clone()),
            from: format!("+{}", a.number),
            to,
            source_ip: Some("198.51.100.3".into()),
            at: None,
            call_id: Some(format!("{tag}{i}")),
        };
        let t = Instant::now();
        app.guard_call(&Actor::cli(), req).await?;
        lat.push(t.elapsed().as_micros() as u64);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    lat.sort_unstable();
    Ok(lat)
}

/// `tollgate bench guard` (second part): decision latency on SQLite while a bulk CDR intake
/// holds the writer, against the same paced decisions without it (review issue, item 3).
pub async fn during_intake(accounts: usize, cdrs: usize, seed: u64) -> Result<(), Fail> {
    let dir = std::env::temp_dir().join(format!("tollgate-bench-intake-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = tollgate_store::Store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("guard.db").display()
    ))
    .await?;
    let mut app = App::new(store.clone(), Clock::System)?;
    let t = tollgate_core::guard::Thresholds {
        attempts_per_minute: usize::MAX / 4,
        enumeration_numbers: usize::MAX / 4,
        forbidden_attempts: 10,
        ..Default::default()
    };
    app.guard = std::sync::Arc::new(tollgate_app::guard::Guard::with_thresholds(t));
    app.start_guard().await?;
    let world = setup(&app, accounts.clamp(1, 50)).await?;
    let mut rng = Rng::new(seed);
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,direction\n");
    let now = tollgate_app::Clock::System.now();
    for i in 0..cdrs {
        let a = &world[i % world.len()];
        let start = now - 86_400 + (i % 80_000) as i64;
        body.push_str(&format!(
            "bulk,c{i},{},+{},+331{:08},{start},{},{},outbound\n",
            a.billing_account,
            a.number,
            rng.below(100_000_000),
            start + 61,
            60
        ));
    }
    let n = 2_000;
    let base = paced_decisions(&app, &world, n, "base", &mut rng).await?;
    let intake_app = app.clone();
    let t0 = Instant::now();
    let intake = tokio::spawn(async move {
        intake_app
            .ingest_cdrs(
                &Actor::cli(),
                tollgate_app::rating::CdrFormat::Csv,
                body.as_bytes(),
                None,
                None,
            )
            .await
            .map(|r| (r.inserted, Instant::now()))
    });
    // Let the intake parse and take the writer, then measure while it commits.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let during = paced_decisions(&app, &world, n, "busy", &mut rng).await?;
    let measured_until = Instant::now();
    let (inserted, done) = intake.await.map_err(|e| Fail(1, e.to_string()))??;
    let overlap = done > measured_until;
    println!(
        "decisions during intake: baseline p50 {} µs p99 {} µs max {} µs | during a {inserted}-CDR intake ({:.1} s, {}) p50 {} µs p99 {} µs max {} µs  ({n} paced decisions each, a tenth refused to premium-rate numbers, raising incidents)",
        pct(&base, 0.50),
        pct(&base, 0.99),
        base.last().copied().unwrap_or(0),
        (done - t0).as_secs_f64(),
        if overlap { "still running when the measurement ended" } else { "ended before the measurement did" },
        pct(&during, 0.50),
        pct(&during, 0.99),
        during.last().copied().unwrap_or(0),
    );
    app.flush_guard().await?;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
