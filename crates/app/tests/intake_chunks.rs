//! CDR intake commits in bounded chunks (review issue, item 3): other writers interleave with
//! a big batch instead of waiting for all of it; a resend after a partial batch completes it
//! without doubling anything; included minutes are consumed atomically (item 7).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tollgate_app::rating::{CdrFormat, INTAKE_CHUNK_ROWS};
use tollgate_app::{Actor, App, Caller, Clock};

const NOW: i64 = 1_795_000_000;
/// 2026-11-01 00:00 UTC: the month of `NOW`.
const NOVEMBER: i64 = 1_793_491_200;

async fn app() -> (App, String) {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-ic-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    let hq = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM billing_accounts WHERE name = 'Acme Dental HQ'",
    )
    .await
    .unwrap()
    .remove(0);
    (app, hq)
}

/// `n` one-minute answered calls to Paris (area1) from Acme HQ, call ids `{tag}-{i}`.
fn batch(hq: &str, tag: &str, range: std::ops::Range<usize>) -> String {
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,direction\n");
    for i in range {
        let start = NOW - 86_400 + i as i64;
        body.push_str(&format!(
            "chunks,{tag}-{i},{hq},+33170000001,+33142685300,{start},{},60,outbound\n",
            start + 60
        ));
    }
    body
}

#[tokio::test]
async fn i3_other_writers_interleave_with_a_big_intake() {
    let (app, hq) = app().await;
    let n = INTAKE_CHUNK_ROWS * 4;
    let body = batch(&hq, "big", 0..n);
    let started = tokio::sync::Notify::new();
    let finished = AtomicBool::new(false);
    let signalled = AtomicBool::new(false);
    let progress = |done: usize, _total: usize| {
        // The first row of the first chunk is being rated inside its transaction.
        if done == 0 && !signalled.swap(true, Ordering::AcqRel) {
            started.notify_one();
        }
    };
    let intake = async {
        let r = app
            .ingest_cdrs(
                &Actor::cli(),
                CdrFormat::Csv,
                body.as_bytes(),
                None,
                Some(&progress),
            )
            .await
            .unwrap();
        finished.store(true, Ordering::Release);
        r
    };
    let other = async {
        started.notified().await;
        let sys = Caller::system(Actor::cli());
        app.suspend(&sys, &hq, "outbound", "checks during intake", None, None)
            .await
            .unwrap();
        // A writer that had to wait for the whole batch would only get here after it.
        finished.load(Ordering::Acquire)
    };
    let (report, intake_done_first) = tokio::join!(intake, other);
    assert_eq!(report.inserted, n);
    assert!(
        !intake_done_first,
        "the suspension waited for the whole {n}-CDR batch"
    );
}

#[tokio::test]
async fn i3_a_resend_after_a_partial_batch_completes_it_without_doubles() {
    let (app, hq) = app().await;
    let n = INTAKE_CHUNK_ROWS * 2 + 17;
    // The first part arrived (as if the process died after committing its chunks)...
    let first = app
        .ingest_cdrs(
            &Actor::cli(),
            CdrFormat::Csv,
            batch(&hq, "r", 0..INTAKE_CHUNK_ROWS + 3).as_bytes(),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(first.inserted, INTAKE_CHUNK_ROWS + 3);
    // ...and the whole batch is sent again.
    let again = app
        .ingest_cdrs(
            &Actor::cli(),
            CdrFormat::Csv,
            batch(&hq, "r", 0..n).as_bytes(),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (again.inserted, again.duplicates),
        (n - INTAKE_CHUNK_ROWS - 3, INTAKE_CHUNK_ROWS + 3)
    );
    let stored = tollgate_store::testing::texts(
        &app.store,
        "SELECT CAST(COUNT(*) AS TEXT) FROM cdrs WHERE source = 'chunks'",
    )
    .await
    .unwrap();
    assert_eq!(stored, vec![n.to_string()]);
}

#[tokio::test]
async fn b4_included_minutes_are_never_over_granted_by_concurrent_intakes() {
    let (app, hq) = app().await;
    // The demo gives Acme HQ 5,000 included minutes to area1 and uses a few of them. Two
    // intakes of 3,000 one-minute calls each run at once: together they ask for 6,000, so
    // exactly (5,000 - already used) come from the bundle and the rest is charged.
    let used_before: i64 = tollgate_store::testing::texts(
        &app.store,
        &format!("SELECT CAST(COALESCE(SUM(bundle_s), 0) AS TEXT) FROM cdrs WHERE billing_account_id = '{hq}' AND start_at >= {NOVEMBER}"),
    )
    .await
    .unwrap()[0]
        .parse()
        .unwrap();
    let calls = AtomicUsize::new(0);
    let run = |tag: &'static str| {
        let app = app.clone();
        let body = batch(&hq, tag, 0..3_000);
        let calls = &calls;
        async move {
            let r = app
                .ingest_cdrs(&Actor::cli(), CdrFormat::Csv, body.as_bytes(), None, None)
                .await
                .unwrap();
            calls.fetch_add(r.inserted, Ordering::AcqRel);
        }
    };
    tokio::join!(run("a"), run("b"));
    assert_eq!(calls.load(Ordering::Acquire), 6_000);
    let bundle_s: i64 = tollgate_store::testing::texts(
        &app.store,
        // November's bundle (the demo's October calls used October's).
        &format!("SELECT CAST(SUM(bundle_s) AS TEXT) FROM cdrs WHERE billing_account_id = '{hq}' AND start_at >= {NOVEMBER}"),
    )
    .await
    .unwrap()[0]
        .parse()
        .unwrap();
    // 5,000 minutes = 300,000 s in all, whatever the interleaving.
    assert_eq!(bundle_s, 300_000, "used before: {used_before} s");
}

#[tokio::test]
async fn i11_14_a_reposted_file_adds_no_copy_of_its_rejected_lines() {
    let (app, hq) = app().await;
    let mut body = batch(&hq, "rj", 0..3);
    body.push_str("chunks,bad-1,,+33170000001,not-a-number,1,2,1,outbound\n");
    body.push_str("chunks,bad-2,nope,+33170000001,+33142685300,1,2,1,outbound\n");
    for _ in 0..3 {
        let r = app
            .ingest_cdrs(&Actor::cli(), CdrFormat::Csv, body.as_bytes(), None, None)
            .await
            .unwrap();
        assert_eq!(r.rejected, 2, "each post reports its rejects");
    }
    let stored = tollgate_store::testing::texts(
        &app.store,
        "SELECT raw FROM cdr_rejects WHERE raw LIKE 'chunks,bad-%' ORDER BY raw",
    )
    .await
    .unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
}

/// A reader that gives `data`, then fails (a connection cut off mid-body).
struct CutOff {
    data: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for CutOff {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(out)? {
            0 => Err(std::io::Error::other("connection reset")),
            n => Ok(n),
        }
    }
}

#[tokio::test]
async fn i11_7_a_body_cut_off_after_a_chunk_leaves_the_stored_chunk_on_the_audit_log() {
    let (app, hq) = app().await;
    // Two full chunks and a bit: the first two are committed before the cut is read.
    let n = INTAKE_CHUNK_ROWS * 2 + 10;
    let body = batch(&hq, "cut", 0..n).into_bytes();
    let reader = CutOff {
        data: std::io::Cursor::new(body),
    };
    let e = app
        .ingest_stream(&Actor::cli(), CdrFormat::Csv, reader, None, None)
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("were stored before this"), "{msg}");
    let stored: usize = tollgate_store::testing::texts(
        &app.store,
        "SELECT call_id FROM cdrs WHERE source = 'chunks' AND call_id LIKE 'cut-%'",
    )
    .await
    .unwrap()
    .len();
    // Whole chunks only: 2 × INTAKE_CHUNK_ROWS stored, the last 10 lines were never taken.
    assert_eq!(stored, INTAKE_CHUNK_ROWS * 2);
    // The error names the batch; its chunks are on the audit log under that id.
    let batch_id = msg
        .split_whitespace()
        .find(|w| w.starts_with("bat_"))
        .map(|w| w.trim_end_matches(':'))
        .unwrap_or_else(|| panic!("no batch id in {msg}"));
    let chunks = tollgate_store::testing::texts(
        &app.store,
        &format!(
            "SELECT detail FROM audit_log WHERE action = 'cdrs.ingest.chunk' AND target = '{batch_id}' ORDER BY id"
        ),
    )
    .await
    .unwrap();
    assert_eq!(chunks.len(), 2, "{chunks:?}");
    let inserted: u64 = chunks
        .iter()
        .map(|d| {
            serde_json::from_str::<serde_json::Value>(d).unwrap()["inserted"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(inserted, (INTAKE_CHUNK_ROWS * 2) as u64);
    // A resend of the whole file completes the batch without doubling anything.
    let r = app
        .ingest_cdrs(
            &Actor::cli(),
            CdrFormat::Csv,
            batch(&hq, "cut", 0..n).as_bytes(),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!((r.inserted, r.duplicates), (10, INTAKE_CHUNK_ROWS * 2));
}

#[tokio::test]
async fn i11_14_rejects_without_content_are_told_apart_by_line_and_message() {
    let (app, hq) = app().await;
    // Invalid UTF-8 makes a CSV syntax reject, which keeps no raw text.
    let bad = |at: usize| {
        let mut b = batch(&hq, &format!("u{at}"), 0..at).into_bytes();
        b.extend_from_slice(b"chunks,\xff\xfe,x,+33170000001,+33142685300,1,2,1,outbound\n");
        b
    };
    for body in [bad(1), bad(2), bad(1)] {
        let r = app
            .ingest_cdrs(&Actor::cli(), CdrFormat::Csv, &body, None, None)
            .await
            .unwrap();
        assert_eq!(r.rejected, 1);
    }
    // Lines 3 and 4 (header + 1 or 2 calls): two rejects; the re-post of the first adds none.
    let stored = tollgate_store::testing::texts(
        &app.store,
        "SELECT code FROM cdr_rejects WHERE code = 'csv_invalid'",
    )
    .await
    .unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
}
