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
    let down = app.deliver_outbox(&relay).await.unwrap();
    assert_eq!((down.sent, down.failed, down.dead), (0, 1, 0));
    // Not retried before its backoff (30 s after the first failure).
    app.clock.set(NOW + 10);
    assert_eq!(app.deliver_outbox(&relay).await.unwrap().failed, 0);
    // The relay comes back.
    let inbox: Inbox = Arc::default();
    let server = smtp_server(
        TcpListener::bind(("127.0.0.1", port)).await.unwrap(),
        inbox.clone(),
    );
    app.clock.set(NOW + 31);
    let up = app.deliver_outbox(&relay).await.unwrap();
    assert_eq!((up.sent, up.failed), (1, 0));
    // Later passes send nothing more.
    app.clock.set(NOW + 5_000);
    assert_eq!(app.deliver_outbox(&relay).await.unwrap().sent, 0);
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
        let r = app.deliver_outbox(&relay).await.unwrap();
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
    assert_eq!(app.deliver_outbox(&relay).await.unwrap().failed, 0);
    app.requeue_message("msg_bad").await.unwrap();
    assert_eq!(app.outbox("pending", 10).await.unwrap().len(), 1);
}
