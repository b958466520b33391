//! The SMPP 3.4 client against the local SMSC (whose PDU code is written apart from the
//! client's codec): binding, GSM 03.38 / UCS-2 / message_payload bodies, receipts, MO
//! messages, refused binds, reconnecting, the window, the throttle, error statuses,
//! timeouts, keepalive and a peer's oversized PDU. Every wait is bounded.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc::Receiver;
use tokio::time::timeout;
use tollgate_app::messaging::smpp::smsc::LocalSmsc;
use tollgate_app::messaging::smpp::{
    Coding, Delivered, Inbound, ReceiptState, SmppClient, SmppConfig, Submit, SubmitError,
};

/// The longest any single step may take.
const WAIT: Duration = Duration::from_secs(5);
const SYSTEM_ID: &str = "tollgate";
const PASSWORD: &str = "s3cret";

fn config(smsc: &LocalSmsc) -> SmppConfig {
    let mut cfg = SmppConfig::new(&smsc.addr().to_string(), SYSTEM_ID, PASSWORD);
    cfg.reconnect_ms = 50;
    cfg.response_timeout_ms = 2_000;
    cfg
}

/// A local SMSC and a client bound to it with `tune` applied to the configuration.
async fn bound(tune: impl FnOnce(&mut SmppConfig)) -> (LocalSmsc, SmppClient, Receiver<Delivered>) {
    let smsc = LocalSmsc::start(SYSTEM_ID, PASSWORD).await.unwrap();
    let mut cfg = config(&smsc);
    tune(&mut cfg);
    let (client, rx) = SmppClient::start(cfg);
    assert!(client.wait_bound(WAIT).await, "the client binds");
    (smsc, client, rx)
}

async fn bounded<F: Future>(f: F) -> F::Output {
    timeout(WAIT, f).await.expect("step finished in time")
}

async fn submit(client: &SmppClient, m: Submit<'_>) -> Result<String, SubmitError> {
    bounded(client.submit(&m)).await
}

fn text<'a>(from: &'a str, to: &'a str, body: &'a str) -> Submit<'a> {
    Submit {
        from,
        to,
        body,
        coding: Coding::Gsm7,
        receipt: false,
    }
}

async fn next(rx: &mut Receiver<Delivered>) -> Inbound {
    bounded(rx.recv())
        .await
        .expect("inbound channel open")
        .accept()
}

/// Polls `f` until true; false after [`WAIT`].
async fn eventually(f: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + WAIT;
    while !f() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

async fn stop_all(smsc: LocalSmsc, client: SmppClient) {
    bounded(client.stop()).await;
    bounded(smsc.stop()).await;
}

#[tokio::test]
async fn gsm_text_with_table_and_escape_characters_arrives_as_sent() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    let body = "Hi @home: £5 or 6€ {ok} [x] ~ ^ | \\ _ ñ Ø ¿ à";
    let id = submit(&client, text("+447700900123", "+15550100", body))
        .await
        .unwrap();
    let s = &smsc.submitted()[0];
    assert_eq!(
        (s.message_id.as_str(), s.body.as_str(), s.data_coding),
        (id.as_str(), body, 0)
    );
    assert_eq!(
        (s.from.as_str(), s.from_ton, s.from_npi),
        ("447700900123", 1, 1)
    );
    assert_eq!((s.to.as_str(), s.to_ton, s.to_npi), ("15550100", 1, 1));
    assert_eq!(s.registered_delivery, 0);

    // GSM 03.38 by hand: '@' 0x00, '£' 0x01, '€' ESC 0x65, '{' ESC 0x28, 'A' 0x41.
    submit(&client, text("Tollgate", "15550100", "@£€{A"))
        .await
        .unwrap();
    let s = &smsc.submitted()[1];
    assert_eq!(s.raw, vec![0x00, 0x01, 0x1B, 0x65, 0x1B, 0x28, 0x41]);
    assert_eq!(s.body, "@£€{A");
    // An alphanumeric sender: TON 5, NPI 0.
    assert_eq!(
        (s.from.as_str(), s.from_ton, s.from_npi),
        ("Tollgate", 5, 0)
    );
    assert_eq!(client.stats().submitted, 2);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn ucs2_body_round_trips_with_data_coding_8() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    let body = "Zürich ☎ 東京";
    let m = Submit {
        coding: Coding::Ucs2,
        ..text("4477", "15550100", body)
    };
    submit(&client, m).await.unwrap();
    let s = &smsc.submitted()[0];
    assert_eq!((s.body.as_str(), s.data_coding), (body, 8));
    // UTF-16BE: 'Z' U+005A, 'ü' U+00FC; 11 characters, all in the BMP: 22 octets.
    assert_eq!(&s.raw[..4], &[0x00, 0x5A, 0x00, 0xFC]);
    assert_eq!(s.raw.len(), 22);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn a_400_character_body_goes_in_message_payload_and_arrives_whole() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    let body: String = "0123456789abcdefghijklmnopqrstuvwxyz!?"
        .chars()
        .cycle()
        .take(400)
        .collect();
    submit(&client, text("4477", "15550100", &body))
        .await
        .unwrap();
    let s = &smsc.submitted()[0];
    assert!(s.in_payload, "over 254 octets: message_payload");
    assert_eq!((s.raw.len(), s.body.as_str()), (400, body.as_str()));
    // 254 octets still fit short_message.
    let fits: String = body.chars().take(254).collect();
    submit(&client, text("4477", "15550100", &fits))
        .await
        .unwrap();
    let s = &smsc.submitted()[1];
    assert!(!s.in_payload);
    assert_eq!(s.body, fits);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn a_delivered_receipt_reaches_the_client_with_the_submitted_message_id() {
    let (smsc, client, mut rx) = bound(|_| {}).await;
    smsc.set_receipts(true, "DELIVRD");
    let m = Submit {
        receipt: true,
        ..text("4477", "15550100", "receipt please")
    };
    let id = submit(&client, m).await.unwrap();
    assert_eq!(smsc.submitted()[0].registered_delivery, 1);
    let got = next(&mut rx).await;
    assert_eq!(
        got,
        Inbound::Receipt {
            message_id: id,
            state: ReceiptState::Delivered,
            error: "000".into()
        }
    );
    assert_eq!(client.stats().receipts, 1);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn an_undeliv_receipt_is_failed() {
    let (smsc, client, mut rx) = bound(|_| {}).await;
    smsc.set_receipts(true, "UNDELIV");
    let m = Submit {
        receipt: true,
        ..text("4477", "15550100", "to nowhere")
    };
    let id = submit(&client, m).await.unwrap();
    match next(&mut rx).await {
        Inbound::Receipt {
            message_id, state, ..
        } => {
            assert_eq!((message_id, state), (id, ReceiptState::Failed));
        }
        other => panic!("expected a receipt, got {other:?}"),
    }
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn mobile_originated_messages_reach_the_client() {
    let (smsc, client, mut rx) = bound(|_| {}).await;
    // All GSM 03.38 (sent with data_coding 0), then one with '☎' (sent as UCS-2).
    let expect = |from: &str, body: &str| Inbound::Message {
        from: from.into(),
        to: "4477001".into(),
        body: body.into(),
    };
    // The SMSC's deliver_sm is answered once the client's receiver accepted it.
    let (sent, got) = tokio::join!(
        smsc.send_mo("+447700900123", "4477001", "STOP {now} €"),
        next(&mut rx)
    );
    assert!(sent);
    assert_eq!(got, expect("447700900123", "STOP {now} €"));
    let (sent, got) = tokio::join!(
        smsc.send_mo("447700900124", "4477001", "Grüße ☎"),
        next(&mut rx)
    );
    assert!(sent);
    assert_eq!(got, expect("447700900124", "Grüße ☎"));
    assert_eq!(client.stats().inbound, 2);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn a_wrong_password_never_binds() {
    let smsc = LocalSmsc::start(SYSTEM_ID, PASSWORD).await.unwrap();
    let mut cfg = config(&smsc);
    cfg.password = "wrong".into();
    let (client, _rx) = SmppClient::start(cfg);
    assert!(!client.wait_bound(Duration::from_millis(600)).await);
    assert!(!client.is_bound());
    assert_eq!(smsc.binds(), 0);
    // It did try (and retried with backoff: 50 ms, 100 ms, 200 ms, ...).
    assert!(
        smsc.bind_failures() >= 2,
        "bind attempts: {}",
        smsc.bind_failures()
    );
    let r = submit(&client, text("4477", "15550100", "no")).await;
    assert!(matches!(r, Err(SubmitError::Unavailable(_))), "{r:?}");
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn the_client_reconnects_after_the_smsc_restarts_on_the_same_address() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    submit(&client, text("4477", "15550100", "before"))
        .await
        .unwrap();
    let addr = smsc.addr();
    bounded(smsc.stop()).await;
    assert!(
        eventually(|| !client.is_bound()).await,
        "the loss is noticed"
    );
    let r = submit(&client, text("4477", "15550100", "while down")).await;
    assert!(matches!(r, Err(SubmitError::Unavailable(_))), "{r:?}");

    let smsc = LocalSmsc::start_on(addr, SYSTEM_ID, PASSWORD)
        .await
        .unwrap();
    assert!(client.wait_bound(WAIT).await, "bound again");
    submit(&client, text("4477", "15550100", "after"))
        .await
        .unwrap();
    assert_eq!(smsc.submitted()[0].body, "after");
    assert_eq!((smsc.submitted_count(), smsc.binds()), (1, 1));
    assert_eq!(client.stats().reconnects, 1);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn the_window_bounds_unanswered_submits() {
    let (smsc, client, _rx) = bound(|c| c.window = 2).await;
    smsc.set_response_delay(Duration::from_millis(50));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let client = client.clone();
        tasks.spawn(async move {
            let body = format!("message {i}");
            client.submit(&text("4477", "15550100", &body)).await
        });
    }
    let all = bounded(tasks.join_all()).await;
    assert!(all.iter().all(Result::is_ok), "{all:?}");
    assert_eq!(smsc.submitted_count(), 20);
    // 20 submits at once against a window of 2, each answered after 50 ms: the window fills.
    assert_eq!(smsc.peak_outstanding(), 2);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn the_throttle_paces_submits() {
    let (smsc, client, _rx) = bound(|c| c.max_per_second = 100).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let client = client.clone();
        tasks.spawn(async move {
            let body = format!("paced {i}");
            client.submit(&text("4477", "15550100", &body)).await
        });
    }
    let all = bounded(tasks.join_all()).await;
    assert!(all.iter().all(Result::is_ok));
    // 100/s is 10 ms apart with a burst of 5 (50 ms' worth): the last of 50 goes after
    // 45 × 10 ms = 450 ms; asserted with room: at least 400 ms.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "took {took:?}");
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn an_error_status_is_rejected_but_throttled_and_queue_full_are_unavailable() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    let m = text("4477", "15550100", "status");
    smsc.set_submit_status(0x45); // ESME_RSUBMITFAIL
    assert!(matches!(
        submit(&client, m).await,
        Err(SubmitError::Rejected {
            command_status: 0x45
        })
    ));
    for busy in [0x58, 0x14] {
        // ESME_RTHROTTLED, ESME_RMSGQFUL
        smsc.set_submit_status(busy);
        assert!(matches!(
            submit(&client, m).await,
            Err(SubmitError::Unavailable(_))
        ));
    }
    // Refused before sending: an address an SMSC would refuse (ESME_RINVDSTADR 0x0B).
    let bad = text("4477", "not-a-number", "x");
    assert!(matches!(
        submit(&client, bad).await,
        Err(SubmitError::Rejected {
            command_status: 0x0B
        })
    ));
    smsc.set_submit_status(0);
    submit(&client, m).await.unwrap();
    assert_eq!(smsc.submitted_count(), 1);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn a_submit_without_a_response_in_time_is_a_timeout() {
    let (smsc, client, _rx) = bound(|c| c.response_timeout_ms = 200).await;
    smsc.set_response_delay(Duration::from_millis(600));
    let m = text("4477", "15550100", "slow");
    assert!(matches!(
        submit(&client, m).await,
        Err(SubmitError::Timeout)
    ));
    // The late response is dropped; the session goes on.
    smsc.set_response_delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(500)).await;
    submit(&client, m).await.unwrap();
    assert!(client.is_bound());
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn keepalive_sends_enquire_link_and_stays_bound() {
    let (smsc, client, _rx) = bound(|c| c.enquire_link_s = 1).await;
    assert!(
        eventually(|| smsc.enquire_links() >= 2).await,
        "two enquire_link within 5 s"
    );
    assert!(client.stats().enquire_links >= 2);
    assert!(client.is_bound());
    assert_eq!(smsc.binds(), 1);
    stop_all(smsc, client).await;
}

#[tokio::test]
async fn stop_unbinds_and_closes_the_connection() {
    let (smsc, client, _rx) = bound(|_| {}).await;
    assert_eq!(smsc.sessions(), 1);
    bounded(client.stop()).await;
    assert!(!client.is_bound());
    assert!(eventually(|| smsc.sessions() == 0).await);
    let r = submit(&client, text("4477", "15550100", "late")).await;
    assert!(matches!(r, Err(SubmitError::Unavailable(_))), "{r:?}");
    bounded(smsc.stop()).await;
}

#[tokio::test]
async fn a_pdu_longer_than_the_limit_closes_the_connection() {
    // A fake SMSC that answers the bind with a header claiming 1 MiB + 1.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = SmppConfig::new(
        &listener.local_addr().unwrap().to_string(),
        SYSTEM_ID,
        PASSWORD,
    );
    cfg.reconnect_ms = 50;
    let (client, _rx) = SmppClient::start(cfg);
    let (mut conn, _) = bounded(listener.accept()).await.unwrap();
    let mut bind = [0u8; 64];
    assert!(bounded(conn.read(&mut bind)).await.unwrap() >= 16);
    let header = [
        0x00, 0x10, 0x00, 0x01, 0x80, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 1,
    ];
    conn.write_all(&header).await.unwrap();
    // The client closes its side: the read ends (0 octets or a reset).
    let mut rest = [0u8; 64];
    let closed = bounded(conn.read(&mut rest)).await;
    assert!(matches!(closed, Ok(0) | Err(_)), "{closed:?}");
    assert!(!client.is_bound());
    // And it tries again.
    let again = bounded(listener.accept()).await;
    assert!(again.is_ok());
    bounded(client.stop()).await;
}

#[tokio::test]
async fn an_inbound_message_not_kept_is_answered_with_a_temporary_error_so_the_smsc_retries() {
    let (smsc, client, mut rx) = bound(|c| c.response_timeout_ms = 300).await;
    // The receiver refuses (e.g. its database write failed): the SMSC hears ESME_RX_T_APPN.
    let (sent, _) = tokio::join!(smsc.send_mo("447700900125", "4477001", "STOP"), async {
        bounded(rx.recv()).await.expect("inbound").ack(false)
    });
    assert!(!sent);
    // Nobody answers at all: the same, after the response timeout.
    let (sent, item) = tokio::join!(smsc.send_mo("447700900125", "4477001", "STOP"), async {
        bounded(rx.recv()).await.expect("inbound")
    });
    assert!(!sent);
    drop(item);
    stop_all(smsc, client).await;
}
