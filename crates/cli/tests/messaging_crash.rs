//! Issue 15, point 6: nothing accepted is lost across a crash and nothing is sent twice. The
//! served demo accepts 100 messages while its SMSC is unreachable, is killed (SIGKILL), and
//! started again with a local SMSC: every accepted message reaches the SMSC exactly once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tollgate_app::messaging::smpp::smsc::LocalSmsc;

const BIN: &str = env!("CARGO_BIN_EXE_tollgate");
/// Messages accepted before the crash.
const MESSAGES: usize = 100;
/// Longest wait for the server or the deliveries.
const WAIT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(dir: &Path, port: u16, smpp: &str, demo: bool) -> Child {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"));
    if demo {
        c.arg("--demo");
    }
    c.env("TOLLGATE_SMPP", smpp)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tollgate starts")
}

async fn http(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Option<(u16, Value)> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.ok()?;
    let text = String::from_utf8_lossy(&resp).to_string();
    let code = text.get(9..12)?.parse().ok()?;
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    Some((code, json))
}

async fn wait_ready(port: u16) {
    let t = Instant::now();
    while t.elapsed() < WAIT {
        if let Some((200, _)) = http(port, "GET", "/readyz", "", "").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tollgate did not get ready on port {port}");
}

#[tokio::test]
async fn i15_6_a_crash_loses_no_accepted_message_and_sends_none_twice() {
    let dir = std::env::temp_dir().join(format!("tg-msg-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Port 9 (discard) on loopback: nothing listens, the SMPP session never binds.
    let port = free_port();
    let mut first = serve(&dir, port, "127.0.0.1:9", true);
    wait_ready(port).await;
    let tokens: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo-tokens.json")).unwrap())
            .unwrap();
    let token = tokens["operator"].as_str().unwrap().to_string();
    let (_, accounts) = http(port, "GET", "/v1/billing-accounts?limit=100", &token, "")
        .await
        .unwrap();
    let ba = accounts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Direct Corp")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, before) = http(
        port,
        "GET",
        &format!("/v1/messages?billing_account={ba}&state=queued&limit=500"),
        &token,
        "",
    )
    .await
    .unwrap();
    let demo_queued = before["items"].as_array().unwrap().len();
    for i in 0..MESSAGES {
        let body = format!(
            r#"{{"billing_account":"{ba}","from":"+14155550142","to":"+14155550199","category":"transactional","body":"crash test {i}"}}"#
        );
        let (code, v) = http(port, "POST", "/v1/messages", &token, &body)
            .await
            .unwrap();
        assert_eq!((code, v["state"].as_str()), (200, Some("queued")), "{v}");
    }
    first.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    first.wait().unwrap();

    let smsc = LocalSmsc::start("tollgate", "").await.unwrap();
    smsc.set_receipts(true, "DELIVRD");
    let port = free_port();
    let mut second = serve(&dir, port, &smsc.addr().to_string(), false);
    wait_ready(port).await;
    let expected = MESSAGES + demo_queued;
    let t = Instant::now();
    while smsc.submitted_count() < expected && t.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A moment more: a second submission of anything would show now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bodies: Vec<String> = smsc.submitted().into_iter().map(|s| s.body).collect();
    second.kill().unwrap();
    second.wait().unwrap();
    smsc.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(bodies.len(), expected, "each queued message submitted once");
    for i in 0..MESSAGES {
        let n = bodies
            .iter()
            .filter(|b| **b == format!("crash test {i}"))
            .count();
        assert_eq!(n, 1, "crash test {i} submitted {n} times");
    }
}
