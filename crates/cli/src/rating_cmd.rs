//! `tollgate rates|cdrs|rate|bench|generate`: rating from the command line.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use tollgate_app::csv_out::CsvOut;
use tollgate_app::rating::{parse_rate_csv, CdrFormat};
use tollgate_app::{Actor, App, Clock};
use tollgate_core::cdr::{self, RawCdr};
use tollgate_core::money::{format_scaled, MICRO_DIGITS};
use tollgate_core::rating::RateTable;

pub use crate::generate::{cdrs_csv, gen_call, gen_rates, generate, rates_csv, rss_kib};
use crate::progress::Progress;
use crate::Fail;
pub use tollgate_app::guard_sim::Rng;

#[derive(Subcommand)]
pub enum RatesCmd {
    /// Import a CSV rate table as a new version of NAME.
    Import { name: String, file: PathBuf },
    /// List rate tables and versions.
    List,
}

#[derive(Subcommand)]
pub enum CdrsCmd {
    /// Import CDRs (CSV, JSON array or NDJSON by extension); idempotent.
    Import {
        file: PathBuf,
        /// Source for lines that carry none.
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Args)]
pub struct RateArgs {
    /// Rate table CSV.
    #[arg(long)]
    rates: PathBuf,
    /// CDR CSV (columns as for `cdrs import`; billing_account may be any text).
    #[arg(long)]
    cdrs: PathBuf,
    /// Rated CSV to write; rejects go to OUT.rejects.csv.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Invoice runs: accounts × subscriptions × rated calls on SQLite (and PostgreSQL with
    /// `--postgres URL`), against a one-pass read of every call as the baseline.
    Billing {
        /// Account counts to run, comma separated (the cost should grow linearly).
        #[arg(long, value_delimiter = ',', default_values_t = vec![1_000usize, 10_000])]
        accounts: Vec<usize>,
        #[arg(long, default_value_t = 5)]
        subscriptions: usize,
        #[arg(long, default_value_t = 1_000)]
        cdrs_per_account: usize,
        /// Also run the largest count on PostgreSQL (a schema of its own, dropped after).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Support desk: suggestions while typing over a generated knowledge base (against a
    /// scan of every article), tickets opened per second on SQLite (against bare inserts).
    Support {
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        #[arg(long, default_value_t = 2_000)]
        tickets: usize,
    },
    /// Frontline: stores with connected staff on the live stream (SSE), bursts of signed
    /// video alerts; event-to-announce latency at every connected member (against /healthz
    /// round trips on the same connections).
    Frontline {
        #[arg(long, default_value_t = 10_000)]
        stores: usize,
        /// Connected staff per store (10,000 stores × 2 = 20,000 connections).
        #[arg(long, default_value_t = 2)]
        staff_per_store: usize,
        /// Percent of the stores raising events in a burst.
        #[arg(long, default_value_t = 10)]
        burst_pct: usize,
        /// Events per store within the burst's second.
        #[arg(long, default_value_t = 5)]
        events: usize,
        #[arg(long, default_value_t = 3)]
        bursts: usize,
        /// A database to fill and measure instead of a temporary SQLite file: an empty one
        /// made for the run (e.g. postgres://postgres@127.0.0.1:5432/frontline_bench), never
        /// the configured `--database-url`, which the bench does not read.
        #[arg(long)]
        database: Option<String>,
    },
    /// Messaging: admission in process (against the guard's call decision), messages into
    /// the durable queue over HTTP (against guard decisions), SMPP submits to a local SMSC
    /// (against stop-and-wait).
    Messaging {
        #[arg(long, default_value_t = 100_000)]
        admissions: usize,
        #[arg(long, default_value_t = 40_000)]
        http_messages: usize,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value_t = 20_000)]
        submits: usize,
    },
    /// Portal pages: server time p50/p99 per page and role, on the demo data and with many
    /// calls and numbers added (against /healthz and the JSON API in the same run).
    Portal {
        #[arg(long, default_value_t = 100_000)]
        calls: usize,
        #[arg(long, default_value_t = 10_000)]
        numbers: usize,
        #[arg(long, default_value_t = 100)]
        runs: usize,
    },
    /// Guard decisions: in-process latency, HTTP decisions/s and p99, memory per live call.
    Guard {
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        #[arg(long, default_value_t = 200_000)]
        decisions: usize,
        #[arg(long, default_value_t = 100_000)]
        http_decisions: usize,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// CDRs of the bulk intake that runs while decisions are measured (0: skip).
        #[arg(long, default_value_t = 600_000)]
        intake_cdrs: usize,
    },
    /// Rating throughput: in-memory, file to file, SQL baseline, HTTP intake.
    Rating {
        #[arg(long, default_value_t = 100_000)]
        prefixes: usize,
        #[arg(long, default_value_t = 2_000_000)]
        cdrs: usize,
        /// CDRs looked up with the SQL baseline (it is slow).
        #[arg(long, default_value_t = 20_000)]
        sql_cdrs: usize,
        /// CDRs posted over HTTP into SQLite.
        #[arg(long, default_value_t = 200_000)]
        http_cdrs: usize,
        /// CDRs filled into the table before CDR pages are timed (0: skip). The issue's
        /// figure is at 10,000,000 (`--list-cdrs 10000000`: the fill takes a long while).
        #[arg(long, default_value_t = 1_000_000)]
        list_cdrs: usize,
        /// Size of the one big CSV posted while peak memory is watched (0: skip).
        #[arg(long, default_value_t = 64)]
        big_intake_mb: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand)]
pub enum GenerateCmd {
    /// Synthetic billing data in the configured database: partners, customers, accounts with
    /// subscriptions, and rated calls of October 2026 (for invoice runs and their tests).
    Billing {
        #[arg(long, default_value_t = 100)]
        accounts: usize,
        #[arg(long, default_value_t = 5)]
        subscriptions: usize,
        #[arg(long, default_value_t = 100)]
        cdrs_per_account: usize,
    },
    /// A synthetic rate table over ~250 countries with effective-dated versions.
    Rates {
        #[arg(long, default_value_t = 100_000)]
        prefixes: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Synthetic CDRs against a generated rate table.
    Cdrs {
        #[arg(long, default_value_t = 10_000_000)]
        count: usize,
        #[arg(long, default_value_t = 100_000)]
        prefixes: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value = "ba_bench")]
        billing_account: String,
        #[arg(long)]
        out: PathBuf,
    },
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Fail> {
    std::fs::read(path).map_err(|e| Fail(2, format!("{}: {e}", path.display())))
}

pub async fn rates(app: App, action: RatesCmd) -> Result<(), Fail> {
    match action {
        RatesCmd::Import { name, file } => {
            let body = read(&file)?;
            let p = Progress::new("parsing");
            let cb = |d: usize, t: usize| p.update(d, t);
            let (v, errors) = app
                .import_rate_table(&Actor::cli(), &name, &body, Some(&cb))
                .await?;
            eprintln!();
            if !errors.is_empty() {
                for e in &errors {
                    eprintln!(
                        "{}:{}: {} ({}): {}",
                        file.display(),
                        e.line,
                        e.code,
                        e.field,
                        e.message
                    );
                }
                return Err(Fail(
                    1,
                    format!("{} line(s) refused; nothing imported", errors.len()),
                ));
            }
            println!(
                "imported {} version {} ({} rows)",
                v.table_name, v.version, v.row_count
            );
        }
        RatesCmd::List => {
            for v in app
                .rate_versions(&tollgate_app::Caller::system(Actor::cli()))
                .await?
            {
                println!(
                    "{}\tv{}\t{} rows\t{}",
                    v.table_name, v.version, v.row_count, v.imported_by
                );
            }
        }
    }
    Ok(())
}

pub async fn cdrs(app: App, action: CdrsCmd) -> Result<(), Fail> {
    let CdrsCmd::Import { file, source } = action;
    // Streamed from the file: memory stays bounded whatever its size (issue 11 #7).
    let body =
        std::fs::File::open(&file).map_err(|e| Fail(2, format!("{}: {e}", file.display())))?;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = match ext {
        "json" => CdrFormat::Json,
        "ndjson" | "jsonl" => CdrFormat::Ndjson,
        _ => CdrFormat::Csv,
    };
    let p = Progress::new("rating");
    let cb = |d: usize, t: usize| p.update(d, t);
    let r = app
        .ingest_stream(&Actor::cli(), format, body, source.as_deref(), Some(&cb))
        .await?;
    eprintln!();
    for x in &r.rejects {
        eprintln!(
            "{}:{}: {} ({}): {}",
            file.display(),
            x.line,
            x.code,
            x.field,
            x.message
        );
    }
    println!(
        "batch {}: received {}, inserted {}, duplicates {}, rejected {}",
        r.batch_id, r.received, r.inserted, r.duplicates, r.rejected
    );
    for (cur, (n, m)) in &r.totals {
        println!(
            "  {cur}: {n} calls, {}",
            format_scaled(i128::from(*m), MICRO_DIGITS)
        );
    }
    Ok(())
}

/// Summary of an offline rating run.
pub struct OfflineSummary {
    pub rated: usize,
    pub rejected: usize,
    pub totals: BTreeMap<String, (u64, i64)>,
}

/// Rates a CDR CSV against a table, writing the rated CSV and rejects. No database.
/// A rated chunk: the rated CSV lines, the reject lines, their summary.
type Rated = (Vec<u8>, Vec<u8>, OfflineSummary);

/// Bytes of CDR input rated per parallel window (bounds the memory of the output buffers).
pub const OFFLINE_WINDOW_BYTES: usize = 64 << 20;
/// Most threads the offline rater uses.
pub const MAX_RATING_THREADS: usize = 8;

/// The CDR columns, the one list the intake also reads by.
use tollgate_app::rating::CDR_FIELDS as CDR_COLUMNS;

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| from + i + 1)
}

/// Rates a CDR CSV against a table, writing the rated CSV and the rejects, in input order.
/// The input is line-oriented (no newlines inside quoted fields); windows of it are split at
/// line ends and rated on all cores, each line by the same core function as intake.
pub fn rate_file(
    table: &RateTable,
    cdrs: &[u8],
    out: &mut impl Write,
    rejects: &mut impl Write,
    progress: Option<&Progress>,
) -> Result<OfflineSummary, Fail> {
    let header_end = line_end(cdrs, 0);
    let header = std::str::from_utf8(&cdrs[..header_end])
        .map_err(|_| Fail(1, "the CDR header is not UTF-8".into()))?;
    let names: Vec<&str> = header
        .trim_end()
        .split(',')
        .map(|h| h.trim().trim_matches('"'))
        .collect();
    let cols: Vec<Option<usize>> = CDR_COLUMNS
        .iter()
        .map(|c| names.iter().position(|h| h == c))
        .collect();
    // Headers through the one CSV writer, like every line (issue 11 #11).
    out.write_all(
        tollgate_app::csv_out::to_string([[
            "source",
            "call_id",
            "billing_account",
            "from",
            "to",
            "start",
            "duration_s",
            "prefix",
            "billed_s",
            "amount",
            "currency",
        ]])
        .as_bytes(),
    )?;
    rejects.write_all(
        tollgate_app::csv_out::to_string([["line", "code", "field", "message"]]).as_bytes(),
    )?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_RATING_THREADS);
    let total = cdrs
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1);
    let mut summary = OfflineSummary {
        rated: 0,
        rejected: 0,
        totals: BTreeMap::new(),
    };
    let (mut pos, mut line) = (header_end, 2usize);
    while pos < cdrs.len() {
        let end = line_end(cdrs, pos + OFFLINE_WINDOW_BYTES);
        let window = &cdrs[pos..end];
        let mut chunks = Vec::with_capacity(threads);
        let (mut at, mut first) = (0usize, line);
        for k in 1..=threads {
            let stop = if k == threads {
                window.len()
            } else {
                line_end(window, window.len() * k / threads).max(at)
            };
            chunks.push((&window[at..stop], first));
            first += window[at..stop].iter().filter(|b| **b == b'\n').count();
            at = stop;
        }
        let results: Vec<Result<Rated, Fail>> = std::thread::scope(|sc| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|(chunk, first)| {
                    sc.spawn({
                        let cols = &cols;
                        move || rate_chunk(table, chunk, cols, first)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Fail(1, "a rating thread panicked".into())))
                })
                .collect()
        });
        for r in results {
            let (o, rj, s) = r?;
            out.write_all(&o)?;
            rejects.write_all(&rj)?;
            summary.rated += s.rated;
            summary.rejected += s.rejected;
            for (cur, (n, m)) in s.totals {
                let t = summary.totals.entry(cur).or_default();
                t.0 += n;
                t.1 += m;
            }
        }
        line = first;
        pos = end;
        if let Some(p) = progress {
            p.update(summary.rated + summary.rejected, total);
        }
    }
    Ok(summary)
}

/// Rates one chunk of CDR lines (no header); `first_line` is the file line of its first line.
fn rate_chunk(
    table: &RateTable,
    chunk: &[u8],
    cols: &[Option<usize>],
    first_line: usize,
) -> Result<Rated, Fail> {
    let mut out = CsvOut::new(Vec::with_capacity(chunk.len() + chunk.len() / 4));
    let mut rejects = CsvOut::new(Vec::new());
    let mut summary = OfflineSummary {
        rated: 0,
        rejected: 0,
        totals: BTreeMap::new(),
    };
    let mut rdr = tollgate_app::csv_in::headerless_reader(chunk);
    let now = cdr::MAX_TIMESTAMP;
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec)? {
        let line = first_line
            + rec
                .position()
                .map_or(0, |p| p.line() as usize)
                .saturating_sub(1);
        let get = |i: usize| cols[i].and_then(|c| rec.get(c));
        let raw: RawCdr<&str> = RawCdr {
            source: get(0),
            call_id: get(1),
            billing_account: get(2).or(Some("-")),
            from: get(3),
            to: get(4),
            start: get(5),
            answer: get(6),
            end: get(7),
            duration_s: get(8),
            disposition: get(9),
            direction: get(10),
        };
        let rated = cdr::validate(&raw, Some("offline"), now).and_then(|c| {
            if c.is_billable() {
                table
                    .rate(&c.to, c.start, c.duration_s, None, None)
                    .map(|r| (c, Some(r)))
            } else {
                Ok((c, None))
            }
        });
        match rated {
            Ok((c, r)) => {
                let (prefix, billed, amount, cur) = match &r {
                    Some(r) => (
                        r.row.prefix.as_str(),
                        r.billed_s,
                        r.amount_micros,
                        r.row.currency.as_str(),
                    ),
                    None => ("", 0, 0, ""),
                };
                let (int, frac) = (amount / 1_000_000, amount % 1_000_000);
                out.row([
                    c.source.as_str(),
                    &c.call_id,
                    &c.billing_account,
                    &format!("+{}", c.from),
                    &format!("+{}", c.to),
                    &c.start.to_string(),
                    &c.duration_s.to_string(),
                    prefix,
                    &billed.to_string(),
                    &format!("{int}.{frac:06}"),
                    cur,
                ])?;
                summary.rated += 1;
                if !cur.is_empty() {
                    let t = summary.totals.entry(cur.to_string()).or_default();
                    t.0 += 1;
                    t.1 += amount;
                }
            }
            Err(e) => {
                summary.rejected += 1;
                rejects.row([
                    line.to_string().as_str(),
                    e.code,
                    e.field.unwrap_or("line"),
                    &e.message,
                ])?;
            }
        }
    }
    Ok((out.into_inner()?, rejects.into_inner()?, summary))
}

pub fn offline(args: RateArgs) -> Result<(), Fail> {
    let rates = read(&args.rates)?;
    let rows = parse_rate_csv(&rates, 1, None).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| {
                format!(
                    "{}:{}: {} ({}): {}",
                    args.rates.display(),
                    e.line,
                    e.code,
                    e.field,
                    e.message
                )
            })
            .collect();
        Fail(1, lines.join("\n"))
    })?;
    let table = RateTable::new(rows);
    let cdrs = read(&args.cdrs)?;
    let mut out = BufWriter::new(
        std::fs::File::create(&args.out)
            .map_err(|e| Fail(2, format!("{}: {e}", args.out.display())))?,
    );
    let rej_path = PathBuf::from(format!("{}.rejects.csv", args.out.display()));
    let mut rej = BufWriter::new(std::fs::File::create(&rej_path)?);
    let p = Progress::new("rating");
    let started = Instant::now();
    let s = rate_file(&table, &cdrs, &mut out, &mut rej, Some(&p))?;
    out.flush()?;
    rej.flush()?;
    p.finish(s.rated + s.rejected);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "rated {}, rejected {} (see {}), {:.0} CDRs/s",
        s.rated,
        s.rejected,
        rej_path.display(),
        (s.rated + s.rejected) as f64 / secs
    );
    for (cur, (n, m)) in &s.totals {
        println!(
            "  {cur}: {n} calls, {}",
            format_scaled(i128::from(*m), MICRO_DIGITS)
        );
    }
    Ok(())
}

pub async fn bench(action: BenchCmd) -> Result<(), Fail> {
    let BenchCmd::Rating {
        prefixes,
        cdrs,
        sql_cdrs,
        http_cdrs,
        list_cdrs,
        big_intake_mb,
        seed,
    } = action
    else {
        return Err(Fail(2, "use `tollgate bench guard`".into()));
    };
    println!("tollgate bench rating: {prefixes} prefixes, seed {seed}, release build recommended");
    let rows = gen_rates(prefixes, seed);
    let rss0 = rss_kib();
    let table = RateTable::new(rows.clone());
    let rss1 = rss_kib();
    println!(
        "rate table: {} rows, index resident ≈ {:.1} MiB",
        table.len(),
        (rss1.saturating_sub(rss0)) as f64 / 1024.0
    );

    // (a) in-memory rater on parsed CDRs, one thread.
    let mut rng = Rng::new(seed ^ 0xC0FFEE);
    let calls: Vec<(String, i64, u32)> = (0..cdrs).map(|_| gen_call(&mut rng, &rows)).collect();
    let t = Instant::now();
    let mut sum = 0i64;
    let mut misses = 0usize;
    for (to, start, dur) in &calls {
        match table.rate(to, *start, *dur, None, None) {
            Ok(r) => sum += r.amount_micros,
            Err(_) => misses += 1,
        }
    }
    let a = cdrs as f64 / t.elapsed().as_secs_f64();
    println!("(a) in-memory rating:        {a:>12.0} CDRs/s  ({cdrs} CDRs, {misses} unmatched, checksum {sum})");

    // (b) file -> rated file.
    let dir = std::env::temp_dir().join(format!("tollgate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut csv_bytes = Vec::new();
    cdrs_csv(cdrs, &rows, seed, "ba_bench", &mut csv_bytes, None)?;
    let out_path = dir.join("rated.csv");
    let t = Instant::now();
    let mut out = BufWriter::new(std::fs::File::create(&out_path)?);
    let mut rej = std::io::sink();
    let s = rate_file(&table, &csv_bytes, &mut out, &mut rej, None)?;
    out.flush()?;
    let b = (s.rated + s.rejected) as f64 / t.elapsed().as_secs_f64();
    println!(
        "(b) file -> rated file:      {b:>12.0} CDRs/s  ({} rated, {} rejected, {:.0} MB in)",
        s.rated,
        s.rejected,
        csv_bytes.len() as f64 / 1e6
    );

    // (c) the classic SQL longest-prefix query, indexed, on SQLite.
    let db = dir.join("baseline.db");
    let store = tollgate_store::Store::open(&format!("sqlite://{}?mode=rwc", db.display())).await?;
    let app = App::new(store.clone(), Clock::System)?;
    let (_, errs) = app
        .import_rate_table(&Actor::cli(), "bench", rates_csv(&rows).as_bytes(), None)
        .await?;
    if !errs.is_empty() {
        return Err(Fail(1, format!("bench table refused: {}", errs[0].message)));
    }
    let t = Instant::now();
    let mut agree = 0usize;
    for (to, start, dur) in calls.iter().take(sql_cdrs) {
        let sql =
            tollgate_store::rating::system::lookup_rate_sql(&store, "bench", to, *start).await?;
        let mem = table.lookup(to, *start);
        if sql.as_ref().map(|r| (&r.prefix, r.rate_micros))
            == mem.map(|r| (&r.prefix, r.rate_per_min_micros))
        {
            agree += 1;
        }
        let _ = dur;
    }
    let c = sql_cdrs as f64 / t.elapsed().as_secs_f64();
    println!("(c) SQL longest-prefix:      {c:>12.0} CDRs/s  ({sql_cdrs} lookups; {agree} agree with the in-memory rater)");
    println!("    ratio (a)/(c):           {:>12.1}", a / c);
    if agree != sql_cdrs {
        return Err(Fail(
            1,
            format!(
                "SQL baseline and in-memory rater disagree on {} calls",
                sql_cdrs - agree
            ),
        ));
    }

    // (d) HTTP intake into SQLite, batches of 10,000, over 127.0.0.1.
    let d = crate::http_bench::intake(&app, &rows, http_cdrs, seed, big_intake_mb, &dir).await?;
    println!(
        "(d) HTTP intake into SQLite: {:>12.0} CDRs/s  ({http_cdrs} CDRs in batches of {})",
        d.batches_per_s,
        crate::http_bench::BATCH
    );
    if let Some(big) = d.big {
        println!(
            "    one {:.0} MB CSV streamed:  {:>12.0} CDRs/s  ({} CDRs), peak resident memory +{:.0} MiB over {:.0} MiB before",
            big.bytes as f64 / 1e6,
            big.cdrs_per_s,
            big.cdrs,
            big.peak_growth_kib as f64 / 1024.0,
            big.rss_before_kib as f64 / 1024.0
        );
    }
    if list_cdrs > 0 {
        crate::list_bench::pages(&app, list_cdrs).await?;
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
