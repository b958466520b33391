//! `tollgate generate`: synthetic rate tables and CDRs for benchmarks, and the process's
//! resident memory for their reports.

use std::io::{BufWriter, Write};

use tollgate_app::csv_out::CsvOut;
use tollgate_core::money::{format_scaled, MICRO_DIGITS};
use tollgate_core::rating::RateRow;

use crate::progress::Progress;

use crate::rating_cmd::{GenerateCmd, Rng};
use crate::Fail;

/// The country calling codes, from the one calling-code table.
fn country_codes() -> Vec<String> {
    tollgate_core::country::calling_codes()
        .into_iter()
        .map(str::to_string)
        .collect()
}

pub const BENCH_EPOCH: i64 = 1_767_225_600; // 2026-01-01
pub const BENCH_CHANGE: i64 = BENCH_EPOCH + 14 * 86_400;

/// A synthetic rate table: `prefixes` distinct prefixes, a fifth of them with a rate change
/// in the middle of the month (a second effective-dated row).
pub fn gen_rates(prefixes: usize, seed: u64) -> Vec<RateRow> {
    let mut rng = Rng::new(seed);
    let cc = country_codes();
    // The catch-all country rows below take these prefixes: a generated prefix equal to one
    // would be a second open-ended row for it (an overlap, refused at import).
    let mut seen: std::collections::HashSet<String> = cc.iter().cloned().collect();
    let mut rows = Vec::with_capacity(prefixes * 6 / 5);
    let eur = tollgate_core::money::Currency::parse("EUR").expect("EUR");
    while seen.len() < prefixes + cc.len() {
        let c = &cc[rng.below(cc.len() as u64) as usize];
        let extra = 1 + rng.below(5) as usize;
        let mut p = c.clone();
        for _ in 0..extra {
            p.push(char::from(b'0' + rng.below(10) as u8));
        }
        if !seen.insert(p.clone()) {
            continue;
        }
        let rate = 1_000 + rng.below(500_000) as i64;
        let inc = [(60, 60), (1, 1), (30, 6)][rng.below(3) as usize];
        let base = RateRow {
            prefix: p,
            destination: format!("Country {c}"),
            rate_per_min_micros: rate,
            connection_fee_micros: 0,
            initial_s: inc.0,
            subsequent_s: inc.1,
            min_billed_s: 0,
            valid_from: BENCH_EPOCH - 365 * 86_400,
            valid_until: None,
            currency: eur,
            zone: None,
            version: 1,
        };
        if rng.below(5) == 0 {
            rows.push(RateRow {
                valid_until: Some(BENCH_CHANGE),
                ..base.clone()
            });
            rows.push(RateRow {
                valid_from: BENCH_CHANGE,
                rate_per_min_micros: rate * 9 / 10,
                ..base
            });
        } else {
            rows.push(base);
        }
    }
    for c in &cc {
        // Every country has a catch-all row so generated numbers always match.
        rows.push(RateRow {
            prefix: c.clone(),
            destination: format!("Country {c}"),
            rate_per_min_micros: 250_000,
            connection_fee_micros: 0,
            initial_s: 60,
            subsequent_s: 60,
            min_billed_s: 0,
            valid_from: BENCH_EPOCH - 365 * 86_400,
            valid_until: None,
            currency: eur,
            zone: None,
            version: 1,
        });
    }
    rows
}

pub fn rates_csv(rows: &[RateRow]) -> String {
    let header = tollgate_app::rating::RATE_COLUMNS
        .iter()
        .map(|c| c.to_string());
    tollgate_app::csv_out::to_string(std::iter::once(header.collect::<Vec<_>>()).chain(
        rows.iter().map(|r| {
            vec![
                r.prefix.clone(),
                r.destination.clone(),
                format_scaled(i128::from(r.rate_per_min_micros), MICRO_DIGITS),
                format_scaled(i128::from(r.connection_fee_micros), MICRO_DIGITS),
                r.initial_s.to_string(),
                r.subsequent_s.to_string(),
                r.min_billed_s.to_string(),
                r.valid_from.to_string(),
                r.valid_until.map(|u| u.to_string()).unwrap_or_default(),
                r.currency.to_string(),
                r.zone.clone().unwrap_or_default(),
            ]
        }),
    ))
}

/// A synthetic call: (destination digits, start, duration).
pub fn gen_call(rng: &mut Rng, rows: &[RateRow]) -> (String, i64, u32) {
    let r = &rows[rng.below(rows.len() as u64) as usize];
    let mut to = r.prefix.clone();
    while to.len() < 11 {
        to.push(char::from(b'0' + rng.below(10) as u8));
    }
    let start = BENCH_EPOCH + rng.below(28 * 86_400) as i64;
    let dur = if rng.below(10) == 0 {
        0
    } else {
        1 + rng.below(900) as u32
    };
    (to, start, dur)
}

pub fn cdrs_csv(
    count: usize,
    rows: &[RateRow],
    seed: u64,
    account: &str,
    w: impl Write,
    progress: Option<&Progress>,
) -> Result<(), Fail> {
    let mut rng = Rng::new(seed ^ 0xC0FFEE);
    let mut w = CsvOut::new(w);
    w.row([
        "source",
        "call_id",
        "billing_account",
        "from",
        "to",
        "start",
        "end",
        "duration_s",
        "direction",
    ])?;
    for i in 0..count {
        let (to, start, dur) = gen_call(&mut rng, rows);
        w.row([
            "bench",
            &format!("c{i}"),
            account,
            "+442079460000",
            &format!("+{to}"),
            &start.to_string(),
            &(start + i64::from(dur) + 3).to_string(),
            &dur.to_string(),
            "outbound",
        ])?;
        if let Some(p) = progress {
            if i.is_multiple_of(1_000_000) {
                p.update(i, count);
            }
        }
    }
    w.into_inner()?;
    Ok(())
}

pub fn generate(action: GenerateCmd) -> Result<(), Fail> {
    match action {
        GenerateCmd::Rates {
            prefixes,
            seed,
            out,
        } => {
            let rows = gen_rates(prefixes, seed);
            std::fs::write(&out, rates_csv(&rows))?;
            println!(
                "wrote {} rows ({} prefixes) to {}",
                rows.len(),
                prefixes,
                out.display()
            );
        }
        GenerateCmd::Cdrs {
            count,
            prefixes,
            seed,
            billing_account,
            out,
        } => {
            let rows = gen_rates(prefixes, seed);
            let p = Progress::new("generating");
            let f = BufWriter::new(std::fs::File::create(&out)?);
            cdrs_csv(count, &rows, seed, &billing_account, f, Some(&p))?;
            p.finish(count);
            println!("wrote {count} CDRs to {}", out.display());
        }
        // Writes into the configured database: `main` opens it and calls `billing_bench`.
        GenerateCmd::Billing { .. } => unreachable!("handled with the database in main"),
    }
    Ok(())
}

pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
