//! HTTP intake benchmark: the real server on 127.0.0.1, a minimal HTTP/1.1 client.

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tollgate_app::tenancy::NewCustomer;
use tollgate_app::{Actor, App, Caller};
use tollgate_core::rating::RateRow;

use crate::rating_cmd::cdrs_csv;
use crate::Fail;

/// A user with `role` and a token for it, and the real router serving on 127.0.0.1 (an
/// ephemeral port) in the background: what the HTTP benchmarks drive.
pub async fn serve_for_bench(
    app: &App,
    email: &str,
    role: &str,
) -> Result<(std::net::SocketAddr, String, tokio::task::JoinHandle<()>), Fail> {
    let sys = Caller::system(Actor::cli());
    let new = tollgate_app::tenancy::NewUser {
        email: email.into(),
        name: "Benchmark".into(),
        role: role.into(),
        partner_id: None,
        customer_id: None,
        password: None,
    };
    let user = app.create_user(&sys, new).await?;
    let token = app
        .create_token(&sys, Some(&user.id), "bench", None)
        .await?
        .token;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = tollgate_http::router(app.clone(), tollgate_http::DEFAULT_MAX_BODY_BYTES);
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            tollgate_http::no_delay(listener),
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok((addr, token, server))
}

/// CDRs per POST.
pub const BATCH: usize = 10_000;

async fn post(addr: std::net::SocketAddr, token: &str, body: &[u8]) -> Result<(u16, String), Fail> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "POST /v1/cdrs HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await?;
    let text = String::from_utf8_lossy(&resp).to_string();
    let code = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((code, text))
}

/// The figures of the HTTP intake benchmark.
pub struct IntakeFigures {
    pub batches_per_s: f64,
    pub big: Option<BigIntake>,
}

/// One big CSV posted at once, streamed from a file, with the process's peak memory watched.
pub struct BigIntake {
    pub bytes: u64,
    pub cdrs: usize,
    pub cdrs_per_s: f64,
    pub rss_before_kib: u64,
    pub peak_growth_kib: u64,
}

/// Peak resident memory (`VmHWM`) of this process.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Posts the file at `path` with Content-Length, 64 KiB at a time (the client holds no copy).
async fn post_file(
    addr: std::net::SocketAddr,
    token: &str,
    path: &std::path::Path,
) -> Result<(u16, String), Fail> {
    let len = std::fs::metadata(path)?.len();
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "POST /v1/cdrs HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await?;
    let mut f = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        s.write_all(&buf[..n]).await?;
    }
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await?;
    let text = String::from_utf8_lossy(&resp).to_string();
    let code = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((code, text))
}

pub async fn intake(
    app: &App,
    rows: &[RateRow],
    count: usize,
    seed: u64,
    big_mb: usize,
    dir: &std::path::Path,
) -> Result<IntakeFigures, Fail> {
    let sys = Caller::system(Actor::cli());
    let mut tx = app.store.begin().await?;
    tollgate_store::tenancy::insert_operator(
        &mut tx,
        &tollgate_store::tenancy::OperatorRow {
            id: "op_bench".into(),
            name: "Bench".into(),
            created_at: app.now(),
        },
    )
    .await?;
    tollgate_store::commit(tx).await?;
    let new = NewCustomer {
        name: "Bench Co".into(),
        partner_id: None,
        terms_profile: None,
        terms_version: None,
    };
    let (cust, _) = app.create_customer(&sys, new).await?;
    let ba = app
        .create_billing_account(&sys, &cust.id, "Bench", "EUR", Some("bench"))
        .await?;
    let (addr, token, server) =
        serve_for_bench(app, "bench@bench.test", "operator_billing").await?;
    let mut all = Vec::new();
    cdrs_csv(count, rows, seed, &ba.id, &mut all, None)?;
    let text = String::from_utf8(all).map_err(|e| Fail(1, e.to_string()))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let body_lines: Vec<&str> = lines.collect();
    let batches: Vec<String> = body_lines
        .chunks(BATCH)
        .map(|c| format!("{header}\n{}\n", c.join("\n")))
        .collect();
    let t = Instant::now();
    for b in &batches {
        let (code, resp) = post(addr, &token, b.as_bytes()).await?;
        if code != 200 {
            server.abort();
            return Err(Fail(
                1,
                format!(
                    "intake answered {code}: {}",
                    resp.chars().take(400).collect::<String>()
                ),
            ));
        }
    }
    let batches_per_s = count as f64 / t.elapsed().as_secs_f64();
    let big = if big_mb > 0 {
        // Lines of the batches above average this many bytes; the big file is new calls.
        let per_line = (text.len() / count.max(1)).max(1);
        let n = big_mb * 1_000_000 / per_line;
        let path = dir.join("big.csv");
        let w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        cdrs_csv(n, rows, seed ^ 0xB16, &ba.id, w, None)?;
        drop(batches);
        drop(body_lines);
        let rss_before_kib = crate::rating_cmd::rss_kib();
        // Resets the peak to the current resident size (Linux: clear_refs 5).
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let t = Instant::now();
        let (code, resp) = post_file(addr, &token, &path).await?;
        let secs = t.elapsed().as_secs_f64();
        if code != 200 {
            server.abort();
            return Err(Fail(
                1,
                format!(
                    "big intake answered {code}: {}",
                    resp.chars().take(400).collect::<String>()
                ),
            ));
        }
        let peak = peak_rss_kib();
        let bytes = std::fs::metadata(&path)?.len();
        let _ = std::fs::remove_file(&path);
        reset.then(|| BigIntake {
            bytes,
            cdrs: n,
            cdrs_per_s: n as f64 / secs,
            rss_before_kib,
            peak_growth_kib: peak.saturating_sub(rss_before_kib),
        })
    } else {
        None
    };
    server.abort();
    Ok(IntakeFigures { batches_per_s, big })
}
