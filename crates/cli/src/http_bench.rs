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
            listener,
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

pub async fn intake(app: &App, rows: &[RateRow], count: usize, seed: u64) -> Result<f64, Fail> {
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
    let rate = count as f64 / t.elapsed().as_secs_f64();
    server.abort();
    Ok(rate)
}
