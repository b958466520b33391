//! Issue 12, point 6: a run killed mid-way (SIGKILL, the process gone) leaves no partial
//! invoice, and its rerun gives exactly what an uninterrupted run gives: the same invoices,
//! numbers, lines, ledger and calls on them. Two identical databases are generated; one is
//! billed in one go, the other is killed after its first chain and billed again.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use tollgate_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_tollgate");
/// 600 accounts: a chain of 400 (partner 0), one of 80 (partner 1) and 120 direct accounts.
const ACCOUNTS: &str = "600";

fn tollgate(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tollgate runs");
    assert!(
        out.status.success(),
        "tollgate {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Everything a run writes, as text rows, without the wall-clock `issued_at`.
async fn dump(dir: &Path) -> Vec<String> {
    let url = format!("sqlite://{}?mode=rw", dir.join("tollgate.db").display());
    let store = Store::open(&url).await.unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT id || '|' || number || '|' || level || '|' || billed_id || '|' || total_minor || '|' || due_date FROM invoices ORDER BY id",
        "SELECT invoice_id || '|' || line_no || '|' || description || '|' || exact_micros || '|' || amount_minor FROM invoice_lines ORDER BY invoice_id, line_no",
        "SELECT invoice_id || '|' || jurisdiction || '|' || amount_minor FROM invoice_taxes ORDER BY invoice_id, line_no",
        "SELECT transaction_id || '|' || line_no || '|' || account || '|' || side || '|' || amount_minor FROM ledger_entries ORDER BY transaction_id, line_no",
        "SELECT issuer || '|' || counterparty || '|' || account || '|' || balance_minor FROM ledger_balances ORDER BY 1",
        "SELECT COALESCE(invoice_id, '-') || '|' || COALESCE(wholesale_invoice_id, '-') || '|' || COUNT(*) FROM cdrs GROUP BY invoice_id, wholesale_invoice_id ORDER BY 1",
        "SELECT issuer_id || '|' || year || '|' || last_number FROM invoice_counters ORDER BY 1",
    ] {
        out.extend(tollgate_store::testing::texts(&store, sql).await.unwrap());
    }
    store.close().await;
    out
}

#[tokio::test]
async fn i12_6_a_run_killed_mid_way_then_rerun_equals_the_uninterrupted_run() {
    let base = std::env::temp_dir().join(format!("tg-crash-{}", std::process::id()));
    let (whole, killed) = (base.join("whole"), base.join("killed"));
    for d in [&whole, &killed] {
        std::fs::create_dir_all(d).unwrap();
        tollgate(
            d,
            &[
                "generate",
                "billing",
                "--accounts",
                ACCOUNTS,
                "--cdrs-per-account",
                "40",
            ],
        );
    }
    tollgate(&whole, &["bill", "--period", "2026-10"]);

    // Start the same run and kill it once the progress line shows a chain done and not all.
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&killed)
        .args(["bill", "--period", "2026-10"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut killed_mid_way = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // The progress line redraws with `\r`.
        if err.read_until(b'\r', &mut buf).unwrap() == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf).to_string();
        seen.push_str(&line);
        let done = line.split_whitespace().find_map(|w| {
            w.split_once('/')
                .and_then(|(d, t)| Some((d.parse::<usize>().ok()?, t.parse::<usize>().ok()?)))
        });
        if let Some((d, t)) = done {
            if d > 0 && d < t {
                child.kill().unwrap();
                killed_mid_way = true;
                break;
            }
        }
    }
    let _ = child.wait();
    let mut rest = String::new();
    let _ = err.read_to_string(&mut rest);
    assert!(
        killed_mid_way,
        "the run finished before it could be killed: {seen}{rest}"
    );

    // Nothing partial: every invoice written has its lines, and the ledger holds.
    let partial = dump(&killed).await;
    let whole_rows = dump(&whole).await;
    assert!(
        partial.len() < whole_rows.len(),
        "the kill left a complete run"
    );
    tollgate(&killed, &["ledger", "verify"]);

    // The rerun takes the run over (its process is gone) and completes it.
    let out = tollgate(&killed, &["bill", "--period", "2026-10"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("in all"));
    assert_eq!(dump(&killed).await, whole_rows);
    tollgate(&killed, &["ledger", "verify"]);
    tollgate(&whole, &["ledger", "verify"]);
    // A third run creates nothing.
    let out = tollgate(&killed, &["bill", "--period", "2026-10"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(": 0 invoices issued now"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(dump(&killed).await, whole_rows);
    let _ = std::fs::remove_dir_all(&base);
}
