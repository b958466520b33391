//! `tollgate bench billing` and `tollgate generate billing`: synthetic accounts with
//! subscriptions and rated October 2026 calls, then an invoice run over them, timed against a
//! baseline in the same run (one grouped read of every call: the least any run must do).

use std::time::Instant;

use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_store::billing::{OrderLineRow, OrderRow, SubscriptionRow, TaxRateRow};
use tollgate_store::rating::CdrRow;
use tollgate_store::tenancy::{BillingAccountRow, CustomerRow, OperatorRow, PartnerRow};
use tollgate_store::Store;

use crate::progress::Progress;
use crate::Fail;

/// Accounts per partner (one chain, one transaction of the run); every fifth account is the
/// operator's direct customer.
pub const ACCOUNTS_PER_PARTNER: usize = 500;
/// Accounts written per transaction while generating.
const GENERATE_BATCH: usize = 50;
/// 2026-10-01 00:00 UTC: the generated calls fall in October 2026.
const OCTOBER: i64 = 1_790_812_800;
/// The run's clock: 2026-11-15, October closed.
const RUN_AT: i64 = 1_794_700_800;
/// (kind, monthly price in micros, included calls).
const PRODUCTS: &[(&str, i64, i64)] = &[
    ("licence", 24_000_000, 2),
    ("extra_channel", 6_000_000, 1),
    ("fax", 4_000_000, 0),
    ("messaging", 9_000_000, 0),
    ("leased_device", 7_900_000, 0),
];
const DESTINATIONS: &[&str] = &[
    "France Fixed",
    "France Mobile",
    "UK Fixed",
    "UK Mobile",
    "Germany Fixed",
    "USA",
    "Spain Mobile",
    "Italy Fixed",
];

fn id(prefix: &str, i: usize) -> String {
    format!("{prefix}_bench{i:08}")
}

/// Writes `accounts` accounts (with customers and partners), `subs` subscriptions each and
/// `cdrs` rated calls each; idempotent by id (a second call adds nothing).
pub async fn populate(
    store: &Store,
    accounts: usize,
    subs: usize,
    cdrs: usize,
    show: bool,
) -> Result<(), Fail> {
    let now = OCTOBER;
    let mut tx = store.begin().await?;
    let op = match tollgate_store::tenancy::system::first_operator(store).await? {
        Some(o) => o.id,
        None => {
            let o = OperatorRow {
                id: id("op", 0),
                name: "Bench Telecom".into(),
                created_at: now,
            };
            tollgate_store::tenancy::insert_operator(&mut tx, &o).await?;
            o.id
        }
    };
    if tollgate_store::row_exists(&mut tx, "products", &id("prd", 0)).await? {
        tollgate_store::commit(tx).await?;
    } else {
        for (i, (kind, _, calls)) in PRODUCTS.iter().enumerate() {
            insert_product(&mut tx, &id("prd", i), kind, *calls, now).await?;
        }
        TaxRateRow {
            id: id("tax", 0),
            jurisdiction: "FR".into(),
            name: "TVA".into(),
            kind: "tax".into(),
            rate_ppm: 200_000,
            valid_from: 0,
            valid_until: None,
            created_at: now,
            created_by: "bench".into(),
        }
        .insert(&mut tx)
        .await?;
        ensure_bench_version(&mut tx).await?;
        tollgate_store::commit(tx).await?;
    }
    let bar = show.then(|| Progress::new("generating accounts"));
    for batch in (0..accounts).collect::<Vec<_>>().chunks(GENERATE_BATCH) {
        let mut tx = store.begin().await?;
        for &a in batch {
            let partner = (a % 5 != 4).then(|| id("ptn", a / ACCOUNTS_PER_PARTNER));
            if let Some(p) = &partner {
                if !tollgate_store::row_exists(&mut tx, "partners", p).await? {
                    let row = PartnerRow {
                        id: p.clone(),
                        operator_id: op.clone(),
                        name: format!("Bench Partner {}", a / ACCOUNTS_PER_PARTNER),
                        tier: "gold".into(),
                        assigned_partner_id: None,
                        created_at: now,
                    };
                    tollgate_store::tenancy::insert_partner(&mut tx, &row).await?;
                }
            }
            let c = CustomerRow {
                id: id("cus", a),
                operator_id: op.clone(),
                partner_id: partner.clone(),
                name: format!("Bench Customer {a}"),
                created_at: now,
            };
            if tollgate_store::row_exists(&mut tx, "customers", &c.id).await? {
                continue;
            }
            tollgate_store::tenancy::insert_customer(&mut tx, &c).await?;
            let ba = BillingAccountRow {
                id: id("ba", a),
                customer_id: c.id.clone(),
                name: format!("Account {a}"),
                currency: "EUR".into(),
                rate_table: None,
                created_at: now,
            };
            tollgate_store::tenancy::insert_billing_account(&mut tx, &ba).await?;
            tollgate_store::billing::set_billing_details(
                &mut tx,
                tollgate_store::billing::BillingDetailsOf::BillingAccount,
                &ba.id,
                "1 rue Bench\n75001 Paris",
                Some("FR"),
                None,
            )
            .await?;
            write_subscriptions(&mut tx, a, &c, &ba, subs, now).await?;
            write_cdrs(&mut tx, a, &ba, cdrs).await?;
        }
        tollgate_store::commit(tx).await?;
        if let Some(b) = &bar {
            b.update(batch[batch.len() - 1] + 1, accounts);
        }
    }
    if let Some(b) = &bar {
        b.finish(accounts);
    }
    Ok(())
}

async fn insert_product(
    tx: &mut tollgate_store::Tx,
    pid: &str,
    kind: &str,
    calls: i64,
    now: i64,
) -> Result<(), Fail> {
    tollgate_store::billing::ProductRow {
        id: pid.into(),
        code: format!("BENCH-{kind}"),
        name: format!("Bench {kind}"),
        kind: kind.into(),
        included_calls: calls,
        included_minutes: 0,
        included_zone: None,
        created_at: now,
    }
    .insert(tx)
    .await?;
    Ok(())
}

async fn write_subscriptions(
    tx: &mut tollgate_store::Tx,
    a: usize,
    c: &CustomerRow,
    ba: &BillingAccountRow,
    subs: usize,
    now: i64,
) -> Result<(), Fail> {
    let order = OrderRow {
        id: id("ord", a),
        customer_id: c.id.clone(),
        billing_account_id: ba.id.clone(),
        currency: "EUR".into(),
        state: "fulfilled".into(),
        start_date: OCTOBER,
        created_at: now,
        created_by: "bench".into(),
        executed_at: Some(now),
        executed_by: Some("bench".into()),
        accepted_at: Some(now),
        accepted_by: Some("bench".into()),
        accepted_how: Some("work_started".into()),
        fulfilled_at: Some(now),
        cancelled_at: None,
    };
    order.insert(tx).await?;
    for s in 0..subs {
        let (kind, price, calls) = PRODUCTS[s % PRODUCTS.len()];
        // Starts spread over October: most prorated, some whole months.
        let start = OCTOBER + ((a + s) % 20) as i64 * 86_400;
        let line = OrderLineRow {
            id: format!("{}_{s}", id("orl", a)),
            order_id: order.id.clone(),
            line_no: s as i64 + 1,
            product_id: id("prd", s % PRODUCTS.len()),
            quantity: 1 + (s % 3) as i64,
            term: "monthly".into(),
            frequency: "monthly".into(),
            number_id: None,
            list_micros: price,
            discount_bp: 0,
            unit_micros: price,
            price_version_id: "bench".into(),
            wholesale_micros: c.partner_id.as_ref().map(|_| price * 7 / 10),
            wholesale_version_id: None,
        };
        insert_line_unchecked(tx, &line).await?;
        SubscriptionRow {
            id: format!("{}_{s}", id("sub", a)),
            order_line_id: line.id.clone(),
            customer_id: c.id.clone(),
            billing_account_id: ba.id.clone(),
            partner_id: c.partner_id.clone(),
            product_id: line.product_id.clone(),
            kind: kind.into(),
            description: format!("Bench {kind}"),
            quantity: line.quantity,
            term: "monthly".into(),
            frequency: "monthly".into(),
            currency: "EUR".into(),
            unit_micros: price,
            wholesale_micros: line.wholesale_micros,
            included_calls: calls,
            ordered_on: OCTOBER,
            start_date: start,
            charges_from: Some(start),
            number_id: None,
            state: "active".into(),
            non_renewal_at: None,
            ends_on: None,
            renewal_notice_for: None,
            retail_billed_until: None,
            wholesale_billed_until: None,
            created_at: now,
            updated_at: now,
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// The bench's order lines name no price-list version (prices are given): written without
/// the foreign key's version row by pointing at a placeholder version made once.
async fn insert_line_unchecked(
    tx: &mut tollgate_store::Tx,
    line: &OrderLineRow,
) -> Result<(), Fail> {
    line.insert(tx).await?;
    Ok(())
}

async fn ensure_bench_version(tx: &mut tollgate_store::Tx) -> Result<(), Fail> {
    let list = tollgate_store::billing::PriceListRow {
        id: "bench".into(),
        name: "Bench".into(),
        level: "retail".into(),
        owner_partner_id: None,
        tier: Some("bench".into()),
        currency: "EUR".into(),
        created_at: OCTOBER,
    };
    if !tollgate_store::row_exists(tx, "price_lists", "bench").await? {
        list.insert(tx).await?;
        tollgate_store::billing::PriceVersionRow {
            id: "bench".into(),
            price_list_id: "bench".into(),
            version: 1,
            valid_from: 0,
            usage_discount_bp: 0,
            created_at: OCTOBER,
            created_by: "bench".into(),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

async fn write_cdrs(
    tx: &mut tollgate_store::Tx,
    a: usize,
    ba: &BillingAccountRow,
    n: usize,
) -> Result<(), Fail> {
    let mut rows = Vec::with_capacity(n.min(5_000));
    for i in 0..n {
        let start = OCTOBER + ((a * 7919 + i * 2_591) % (31 * 86_400)) as i64;
        let dur = 20 + ((a + i * 37) % 600) as i64;
        let dest = DESTINATIONS[(a + i) % DESTINATIONS.len()];
        rows.push(CdrRow {
            id: format!("cdr_b{a:07}_{i:06}"),
            source: "bench".into(),
            call_id: format!("{a}-{i}"),
            billing_account_id: ba.id.clone(),
            customer_id: ba.customer_id.clone(),
            from_number: "+33170000001".into(),
            to_number: "+33142685300".into(),
            start_at: start,
            answer_at: Some(start + 3),
            end_at: start + 3 + dur,
            duration_s: dur,
            disposition: "answered".into(),
            direction: "outbound".into(),
            prefix: Some("33".into()),
            destination: Some(dest.into()),
            rate_micros: 12_345,
            billed_s: dur,
            bundle_s: 0,
            amount_micros: dur * 12_345 / 60,
            currency: "EUR".into(),
            rate_table: None,
            rate_version: None,
            ingested_at: OCTOBER + 40 * 86_400,
        });
        if rows.len() == 5_000 {
            tollgate_store::rating::insert_cdrs(tx, &rows).await?;
            rows.clear();
        }
    }
    tollgate_store::rating::insert_cdrs(tx, &rows).await?;
    Ok(())
}

/// The baseline: one grouped read of every call (count and sum per account).
async fn baseline(store: &Store) -> Result<(f64, i64), Fail> {
    let t = Instant::now();
    let n = tollgate_store::rating::system::cdr_totals(store).await?;
    Ok((t.elapsed().as_secs_f64(), n.iter().map(|r| r.1).sum()))
}

async fn one(
    url: &str,
    label: &str,
    accounts: usize,
    subs: usize,
    cdrs: usize,
) -> Result<f64, Fail> {
    let store = Store::open(url).await?;
    let t = Instant::now();
    populate(&store, accounts, subs, cdrs, true).await?;
    let gen = t.elapsed().as_secs_f64();
    let (base_s, calls) = baseline(&store).await?;
    let app = App::new(store.clone(), Clock::fixed(RUN_AT)).map_err(Fail::from)?;
    let sys = Caller::system(Actor::cli());
    let bar = Progress::new(&format!("{label} run 2026-10: accounts"));
    let t = Instant::now();
    let out = app
        .run_billing(&sys, "2026-10", &mut |p| {
            bar.update(p.accounts_done, p.accounts_total)
        })
        .await?;
    let run_s = t.elapsed().as_secs_f64();
    bar.finish(accounts);
    let t = Instant::now();
    let report = app.verify_ledger().await?;
    let verify_s = t.elapsed().as_secs_f64();
    println!(
        "{label:<10} {accounts:>7} accounts × {subs} subs × {cdrs} calls: generate {gen:>7.1} s | \
         baseline read of {calls} calls {base_s:>6.2} s | run {run_s:>7.2} s ({} invoices, {:.0} invoices/s, {:.0} calls/s, {:.1}× the baseline) | \
         ledger verify {verify_s:.2} s {}",
        out.issued,
        out.issued as f64 / run_s,
        out.calls_invoiced as f64 / run_s,
        run_s / base_s.max(1e-9),
        if report.ok() { "ok" } else { "BREACHES" }
    );
    store.close().await;
    if !report.ok() {
        return Err(Fail(1, format!("ledger verify: {:?}", report.breaches)));
    }
    Ok(run_s)
}

pub async fn run(
    accounts: &[usize],
    subs: usize,
    cdrs: usize,
    postgres: Option<&str>,
) -> Result<(), Fail> {
    println!("tollgate bench billing: release build recommended; October 2026 run, SQLite files in a temp dir");
    let dir = std::env::temp_dir().join(format!("tollgate-bench-billing-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut per_account = Vec::new();
    for &n in accounts {
        let path = dir.join(format!("bench-{n}.db"));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let s = one(&url, "sqlite", n, subs, cdrs).await?;
        per_account.push((n, s / n as f64 * 1e3));
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("db-wal"));
        let _ = std::fs::remove_file(path.with_extension("db-shm"));
    }
    for (n, ms) in &per_account {
        println!("sqlite: {ms:.3} ms per account at {n} accounts");
    }
    if let (Some(pg), Some(&n)) = (postgres, accounts.iter().max()) {
        let schema = format!("bench_billing_{}", std::process::id());
        let url = Store::postgres_schema(pg, &schema).await?;
        let r = one(&url, "postgres", n, subs, cdrs).await;
        Store::drop_postgres_schema(pg, &schema).await?;
        r?;
    }
    let _ = std::fs::remove_dir(&dir);
    Ok(())
}
