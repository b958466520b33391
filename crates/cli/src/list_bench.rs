//! `tollgate bench rating` part (e): a page of CDRs with millions in the table (issue 11 #6).
//! The table is filled through the intake's own insert; the pages are read through the T12
//! use case (scope check, keyset query); the baseline is the same page read by OFFSET.

use std::time::Instant;

use tollgate_app::rating::{CdrCursor, CdrFilter};
use tollgate_app::tenancy::NewCustomer;
use tollgate_app::{Actor, App, Caller};
use tollgate_store::rating::{self as rating_store, CdrRow};

use crate::progress::Progress;
use crate::Fail;

/// Accounts the filled CDRs spread over; one in [`BIG_SHARE`] goes to the big account.
pub const OTHER_ACCOUNTS: usize = 99;
/// One CDR in this many belongs to the big account (10 M: 625,000, the probe's 600,000).
pub const BIG_SHARE: usize = 16;
/// CDRs per page measured.
pub const PAGE: i64 = 100;
/// Times each page is read; the median is printed.
pub const RUNS: usize = 21;
const MONTH_S: i64 = 30 * 86_400;

fn row(i: usize, account: &str, customer: &str, base: i64) -> CdrRow {
    // Starts scattered over a month, so call order is neither insert order nor id order.
    let start = base + (i as i64 * 7_919) % MONTH_S;
    CdrRow {
        id: format!("cdr_{i:012}"),
        source: "bench".into(),
        call_id: format!("c{i}"),
        billing_account_id: account.into(),
        customer_id: customer.into(),
        from_number: "33170000001".into(),
        to_number: "33142685300".into(),
        start_at: start,
        answer_at: Some(start + 2),
        end_at: start + 62,
        duration_s: 60,
        disposition: "answered".into(),
        direction: "outbound".into(),
        prefix: Some("331".into()),
        destination: Some("France Paris".into()),
        rate_micros: 12_000,
        billed_s: 60,
        bundle_s: 0,
        amount_micros: 12_000,
        currency: "EUR".into(),
        rate_table: None,
        rate_version: None,
        ingested_at: base + MONTH_S,
    }
}

async fn median_ms<F, Fut>(mut f: F) -> Result<f64, Fail>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, Fail>>,
{
    let mut ms = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let n = f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        if n == 0 {
            return Err(Fail(1, "a measured page came back empty".into()));
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms[RUNS / 2])
}

/// Fills `count` CDRs and prints the page timings.
pub async fn pages(app: &App, count: usize) -> Result<(), Fail> {
    let sys = Caller::system(Actor::cli());
    let new = NewCustomer {
        name: "Paging Co".into(),
        partner_id: None,
        terms_profile: None,
        terms_version: None,
    };
    let (cust, _) = app.create_customer(&sys, new).await?;
    let big = app
        .create_billing_account(&sys, &cust.id, "Big", "EUR", None)
        .await?
        .id;
    let mut others = Vec::with_capacity(OTHER_ACCOUNTS);
    for i in 0..OTHER_ACCOUNTS {
        let name = format!("Other {i}");
        others.push(
            app.create_billing_account(&sys, &cust.id, &name, "EUR", None)
                .await?
                .id,
        );
    }
    let base = app.now() - 2 * MONTH_S;
    let p = Progress::new("filling CDRs");
    let t = Instant::now();
    let chunk = tollgate_app::rating::INTAKE_CHUNK_ROWS;
    let mut i = 0usize;
    while i < count {
        let rows: Vec<CdrRow> = (i..(i + chunk).min(count))
            .map(|j| {
                let acct = if j % BIG_SHARE == 0 {
                    &big
                } else {
                    &others[j % OTHER_ACCOUNTS]
                };
                row(j, acct, &cust.id, base)
            })
            .collect();
        let mut tx = app.store.begin().await?;
        rating_store::insert_cdrs(&mut tx, &rows).await?;
        tollgate_store::commit(tx).await?;
        i += rows.len();
        if i % 500_000 < chunk {
            p.update(i, count);
        }
    }
    p.finish(count);
    let big_n = count.div_ceil(BIG_SHARE);
    println!(
        "(e) CDR pages, {count} CDRs in the table ({:.0} s to fill), {big_n} on one account, pages of {PAGE}, median of {RUNS}:",
        t.elapsed().as_secs_f64()
    );
    let account = |from: Option<i64>| CdrFilter {
        account: Some(big.clone()),
        from,
        to: None,
    };
    let first = median_ms(|| async {
        Ok(app
            .list_cdrs(&sys, &account(None), None, PAGE)
            .await?
            .rows
            .len())
    })
    .await?;
    // A cursor in the middle of the month: the row at the month's half.
    let mid = app
        .list_cdrs(&sys, &account(Some(base + MONTH_S / 2)), None, 1)
        .await?
        .rows
        .pop()
        .ok_or_else(|| Fail(1, "no CDR in the middle of the month".into()))?;
    let cursor = CdrCursor::After {
        account: big.clone(),
        start: mid.start_at,
        id: mid.id.clone(),
    };
    let middle = median_ms(|| async {
        Ok(app
            .list_cdrs(&sys, &account(None), Some(&cursor), PAGE)
            .await?
            .rows
            .len())
    })
    .await?;
    let last = median_ms(|| async {
        let f = account(Some(base + MONTH_S - 3_600));
        Ok(app.list_cdrs(&sys, &f, None, PAGE).await?.rows.len())
    })
    .await?;
    let walk = median_ms(|| async {
        let f = CdrFilter::default();
        Ok(app.list_cdrs(&sys, &f, None, PAGE).await?.rows.len())
    })
    .await?;
    let offset = big_n as i64 / 2;
    let baseline = median_ms(|| async {
        Ok(
            rating_store::system::account_cdrs_by_offset_baseline(&app.store, &big, offset, PAGE)
                .await?
                .len(),
        )
    })
    .await?;
    println!("    first page of the account:      {first:>9.2} ms");
    println!("    page from a cursor mid-account:  {middle:>9.2} ms");
    println!("    last hour of the account:       {last:>9.2} ms");
    println!("    first page of every account:     {walk:>9.2} ms");
    println!("    baseline, OFFSET {offset} page:  {baseline:>9.2} ms  (ratio to the keyset page: {:.0})", baseline / middle.max(1e-6));
    Ok(())
}
