//! Outbox delivery (issue 13 #8) against a real SMTP server on 127.0.0.1: a small SMTP
//! receiver written here (RFC 5321's commands a client sends: EHLO, MAIL, RCPT, DATA, QUIT),
//! keeping what it receives.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tollgate_app::delivery::{SmtpRelay, MAX_DELIVERY_ATTEMPTS};
use tollgate_app::{App, Clock};
use tollgate_store::outbox::{self, OutboxRow};

const NOW: i64 = 1_795_000_000;

type Inbox = Arc<Mutex<Vec<String>>>;

/// Serves SMTP on `listener` until the test ends, keeping each message's data.
fn smtp_server(listener: TcpListener, inbox: Inbox) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test-smtp ready\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 test-smtp\r\n"
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                            .await
                            .unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        inbox.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    })
}

async fn queue(app: &App, id: &str, recipient: &str) {
    let mut tx = app.store.begin().await.unwrap();
    outbox::enqueue(
        &mut tx,
        &OutboxRow {
            id: id.into(),
            at: NOW,
            channel: "email".into(),
            recipient: recipient.into(),
            subject: "Payment declined".into(),
            body: "Your payment was returned.".into(),
            rule: "B10".into(),
        },
    )
    .await
    .unwrap();
    tollgate_store::commit(tx).await.unwrap();
}

#[tokio::test]
async fn b10_a_notification_survives_an_smtp_outage_and_is_delivered_once_when_the_server_returns()
{
    let app = App::new(tollgate_store::testing::any().await, Clock::fixed(NOW)).unwrap();
    queue(&app, "msg_outage", "billing@harbor-logistics.test").await;
    // A free port with nothing listening: the relay is down.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let relay = SmtpRelay {
        host: "127.0.0.1".into(),
        port,
        from: "billing@tollgate.test".into(),
    };
    let down = app.deliver_outbox(Some(&relay)).await.unwrap();
    assert_eq!((down.sent, down.failed, down.dead), (0, 1, 0));
    // Not retried before its backoff (30 s after the first failure).
    app.clock.set(NOW + 10);
    assert_eq!(app.deliver_outbox(Some(&relay)).await.unwrap().failed, 0);
    // The relay comes back.
    let inbox: Inbox = Arc::default();
    let server = smtp_server(
        TcpListener::bind(("127.0.0.1", port)).await.unwrap(),
        inbox.clone(),
    );
    app.clock.set(NOW + 31);
    let up = app.deliver_outbox(Some(&relay)).await.unwrap();
    assert_eq!((up.sent, up.failed), (1, 0));
    // Later passes send nothing more.
    app.clock.set(NOW + 5_000);
    assert_eq!(app.deliver_outbox(Some(&relay)).await.unwrap().sent, 0);
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains("Message-ID: <msg_outage@tollgate>"),
        "{}",
        got[0]
    );
    assert!(
        got[0].contains("To: billing@harbor-logistics.test"),
        "{}",
        got[0]
    );
    assert_eq!(app.outbox("sent", 10).await.unwrap().len(), 1);
    server.abort();
}

#[tokio::test]
async fn a_message_that_cannot_be_sent_is_dead_lettered_after_the_last_attempt() {
    let app = App::new(tollgate_store::testing::any().await, Clock::fixed(NOW)).unwrap();
    queue(&app, "msg_bad", "not an address").await;
    let relay = SmtpRelay {
        host: "127.0.0.1".into(),
        port: 9,
        from: "billing@tollgate.test".into(),
    };
    let mut at = NOW;
    for attempt in 1..=MAX_DELIVERY_ATTEMPTS {
        app.clock.set(at);
        let r = app.deliver_outbox(Some(&relay)).await.unwrap();
        assert_eq!(r.failed, 1, "attempt {attempt}");
        assert_eq!(r.dead, usize::from(attempt == MAX_DELIVERY_ATTEMPTS));
        at += 3_600;
    }
    let dead = app.outbox("dead", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, MAX_DELIVERY_ATTEMPTS);
    assert!(dead[0].last_error.as_deref().unwrap().contains("recipient"));
    // Nothing more is tried; an operator's requeue puts it back.
    app.clock.set(at + 86_400);
    assert_eq!(app.deliver_outbox(Some(&relay)).await.unwrap().failed, 0);
    app.requeue_message("msg_bad").await.unwrap();
    assert_eq!(app.outbox("pending", 10).await.unwrap().len(), 1);
}

type Posts = Arc<Mutex<Vec<(String, String)>>>;

/// Serves HTTP on `listener`, keeping each request's head and body, answering 204.
fn webhook_receiver(listener: TcpListener, posts: Posts) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (r, mut w) = sock.into_split();
            let mut reader = BufReader::new(r);
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; len];
            tokio::io::AsyncReadExt::read_exact(&mut reader, &mut body)
                .await
                .unwrap();
            posts
                .lock()
                .unwrap()
                .push((head, String::from_utf8(body).unwrap()));
            w.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
        }
    })
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in {head}"))
}

#[tokio::test]
async fn b10_a_notification_is_posted_to_the_webhook_signed_and_once_after_an_outage() {
    let app = App::new(tollgate_store::testing::any().await, Clock::fixed(NOW)).unwrap();
    let operator = tollgate_app::Caller::system(tollgate_app::Actor::cli());
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = app
        .create_webhook(&operator, "https://hooks.example/")
        .await
        .unwrap_err();
    assert!(format!("{refused:?}").contains("webhook_url_invalid"));
    let endpoint = app
        .create_webhook(&operator, &format!("http://127.0.0.1:{port}/hooks"))
        .await
        .unwrap();
    queue(&app, "msg_hook", "billing@harbor-logistics.test").await;
    // The e-mail waits without a relay; the webhook copy is tried and the receiver is down.
    let down = app.deliver_outbox(None).await.unwrap();
    assert_eq!((down.sent, down.failed), (0, 1));
    let posts: Posts = Arc::default();
    let server = webhook_receiver(
        TcpListener::bind(("127.0.0.1", port)).await.unwrap(),
        posts.clone(),
    );
    app.clock.set(NOW + 31);
    let up = app.deliver_outbox(None).await.unwrap();
    assert_eq!((up.sent, up.failed), (1, 0));
    app.clock.set(NOW + 5_000);
    assert_eq!(app.deliver_outbox(None).await.unwrap().sent, 0);
    let got = posts.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:#?}");
    let (head, body) = &got[0];
    assert!(head.starts_with("POST /hooks HTTP/1.1"), "{head}");
    let delivery_id = format!("msg_hook.{}", endpoint.id);
    assert_eq!(header(head, "X-Tollgate-Delivery"), delivery_id);
    // The receiver's check: HMAC-SHA256 of "<t>.<body>" under the secret, t the send time.
    let t = NOW + 31;
    let mac = tollgate_app::secrets::hmac_sha256_hex(
        endpoint.secret.as_bytes(),
        format!("{t}.{body}").as_bytes(),
    );
    assert_eq!(
        header(head, "X-Tollgate-Signature"),
        format!("t={t},v1={mac}")
    );
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["id"], "msg_hook");
    assert_eq!(json["rule"], "B10");
    assert_eq!(json["to"], "billing@harbor-logistics.test");
    // The e-mail itself is still pending, for the relay.
    let pending = app.outbox("pending", 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message.channel, "email");
    assert_eq!(pending[0].attempts, 0);
    // Disabled: nothing more is queued for it.
    app.disable_webhook(&operator, &endpoint.id).await.unwrap();
    queue(&app, "msg_after", "billing@harbor-logistics.test").await;
    assert_eq!(app.outbox("pending", 10).await.unwrap().len(), 2);
    server.abort();
}
