//! `tollgate payments import FILE` (a bank statement: idempotent by the bank's reference) and
//! `tollgate outbox deliver` (one delivery pass to the configured SMTP relay).

use std::path::PathBuf;

use clap::Subcommand;
use tollgate_app::receivables::NewPayment;
use tollgate_app::{Actor, App, AppError, Caller};

use crate::progress::Progress;
use crate::Fail;

/// Columns of a bank statement file.
pub const STATEMENT_COLUMNS: &[&str] =
    &["date", "amount", "currency", "reference", "bank_reference"];

#[derive(Subcommand)]
pub enum PaymentsCmd {
    /// Import a bank statement CSV (`date,amount,currency,reference,bank_reference`; the
    /// reference is the invoice's payment reference or number). Lines already imported are
    /// recognised by their bank reference and skipped.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
pub enum OutboxCmd {
    /// Deliver what is due now to `smtp_relay` (one pass).
    Deliver,
}

pub async fn payments(app: App, action: PaymentsCmd) -> Result<(), Fail> {
    let PaymentsCmd::Import { file } = action;
    let f = std::fs::File::open(&file).map_err(|e| Fail(2, format!("{}: {e}", file.display())))?;
    let mut rd = tollgate_app::csv_in::strict_reader(f);
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| Fail(2, format!("{}: {e}", file.display())))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != STATEMENT_COLUMNS {
        return Err(Fail(
            2,
            format!(
                "{}: the header must be {}",
                file.display(),
                STATEMENT_COLUMNS.join(",")
            ),
        ));
    }
    let sys = Caller::system(Actor::cli());
    let bar = Progress::new("importing payments");
    let (mut new, mut seen, mut refused) = (0usize, 0usize, 0usize);
    // A bank statement is small (one line per payment received); read whole to show progress.
    let records: Vec<csv::StringRecord> = rd
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| Fail(2, format!("{}: {e}", file.display())))?;
    let total = records.len();
    for (i, rec) in records.iter().enumerate() {
        let line = i + 2;
        let p = NewPayment {
            received_on: Some(rec[0].trim().to_string()),
            amount: rec[1].trim().to_string(),
            currency: rec[2].trim().to_string(),
            invoice: rec[3].trim().to_string(),
            bank_reference: rec[4].trim().to_string(),
            to_named_invoice: false,
            method: Some("bank_transfer".into()),
        };
        match app.record_payment(&sys, p).await {
            Ok(o) if o.duplicate => seen += 1,
            Ok(_) => new += 1,
            Err(
                e @ (AppError::Invalid { .. }
                | AppError::NotFound(_)
                | AppError::Conflict { .. }
                | AppError::Refused(_)),
            ) => {
                refused += 1;
                eprintln!("{}:{line}: refused: {e}", file.display());
            }
            Err(e) => return Err(e.into()),
        }
        bar.update(i + 1, total);
    }
    bar.finish(new + seen + refused);
    println!("payments: {new} recorded, {seen} already recorded, {refused} refused");
    if refused > 0 {
        return Err(Fail(1, format!("{refused} lines refused")));
    }
    Ok(())
}

pub async fn outbox(
    app: App,
    relay: Option<tollgate_app::delivery::SmtpRelay>,
    action: OutboxCmd,
) -> Result<(), Fail> {
    let OutboxCmd::Deliver = action;
    if relay.is_none() {
        eprintln!("no smtp_relay configured (tollgate.toml or TOLLGATE_SMTP_RELAY): e-mail waits, webhooks go out");
    }
    let r = app.deliver_outbox(relay.as_ref()).await?;
    println!(
        "outbox: {} sent, {} failed, {} dead-lettered",
        r.sent, r.failed, r.dead
    );
    Ok(())
}
