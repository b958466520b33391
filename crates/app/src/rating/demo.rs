//! The demo rate tables, bundles and calls (idempotent seed).

use super::*;

/// The rate table demo billing accounts point at.
pub const DEMO_RATE_TABLE: &str = "demo-retail";

/// The demo rate table: a few destinations, one rate change in the middle of a month.
pub const DEMO_RATES_CSV: &str = "\
prefix,destination,rate_per_min,connection_fee,initial_s,subsequent_s,min_billed_s,valid_from,valid_until,currency,zone
33,France,0.0150,0,60,60,0,2025-01-01,,EUR,area1
336,France mobile,0.0600,0,60,60,0,2025-01-01,,EUR,
44,United Kingdom,0.0180,0,60,60,0,2025-01-01,2026-11-15,EUR,area1
44,United Kingdom,0.0120,0,60,60,0,2026-11-15,,EUR,area1
447,United Kingdom mobile,0.0900,0.0100,30,6,0,2025-01-01,,EUR,
49,Germany,0.0140,0,1,1,0,2025-01-01,,EUR,area1
1,United States,0.0100,0,6,6,0,2025-01-01,,EUR,
";

/// Imports the demo rate table once (before the demo accounts that point at it).
/// The currencies the demo's billing accounts bill in; each has its own retail table.
pub const DEMO_CURRENCIES: &[&str] = &["EUR", "GBP", "USD"];

/// The demo retail table for a currency (B1: an account is priced in its own currency).
pub fn demo_rate_table(currency: &str) -> &'static str {
    match currency {
        "GBP" => "demo-retail-gbp",
        "USD" => "demo-retail-usd",
        _ => DEMO_RATE_TABLE,
    }
}

pub async fn ensure_demo_rates(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    for currency in DEMO_CURRENCIES {
        let name = demo_rate_table(currency);
        if app.rates.get(name).is_some() {
            continue;
        }
        let csv = DEMO_RATES_CSV.replace(",EUR,", &format!(",{currency},"));
        let (_, errors) = app
            .import_rate_table(&actor, name, csv.as_bytes(), None)
            .await?;
        if let Some(e) = errors.first() {
            return Err(AppError::Internal(format!(
                "demo rates ({currency}) line {}: {}",
                e.line, e.message
            )));
        }
    }
    Ok(())
}

/// Seeds the demo bundles and a few calls.
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let Some(acme) =
        tenancy_store::system::find_customer_by_name(&app.store, "Acme Dental").await?
    else {
        return Ok(());
    };
    let sys = Caller::system(actor.clone());
    let accounts = app
        .list_billing_accounts(&sys, Some(&acme.id), &Page::first(10))
        .await?;
    let Some(hq) = accounts.iter().find(|a| a.name == "Acme Dental HQ") else {
        return Ok(());
    };
    // 5 users × 1,000 minutes to Area 1 (product facts).
    app.set_included_minutes(&actor, &hq.id, "area1", 5_000)
        .await?;
    let now = app.now();
    let day = now - now.rem_euclid(86_400);
    let calls = [
        ("+33142685300", 0, 185),
        ("+442079460000", 3_600, 62),
        ("+447700900123", 7_200, 37),
        ("+4930123456", 9_000, 611),
        ("+14155550100", 10_800, 0),
    ];
    let mut body =
        String::from("source,call_id,billing_account,from,to,start,end,duration_s,direction\n");
    for (i, (to, offset, dur)) in calls.iter().enumerate() {
        let start = day - 86_400 + 9 * 3_600 + offset;
        body.push_str(&format!(
            "demo-sbc,demo-{i},{},+33170000001,{to},{start},{},{dur},outbound\n",
            hq.id,
            start + dur + 5
        ));
    }
    app.ingest_cdrs(&actor, CdrFormat::Csv, body.as_bytes(), None, None)
        .await?;
    Ok(())
}
