//! `tollgate bill`, `tollgate ledger verify`, `tollgate invoices ...`: invoice runs, the ledger
//! check and invoice documents from the command line (as the operator).

use std::path::PathBuf;

use clap::Subcommand;
use tollgate_app::records::InvoiceFilter;
use tollgate_app::{Actor, App, Caller};
use tollgate_store::Page;

use crate::progress::Progress;
use crate::Fail;

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Check every ledger invariant; exits 1 on any breach.
    Verify,
}

#[derive(Subcommand)]
pub enum InvoicesCmd {
    /// Invoices of a period (`YYYY-MM`).
    List {
        #[arg(long)]
        period: String,
    },
    /// Write an invoice as PDF (or HTML or CSV, by the file's extension).
    Export {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs invoicing for `period` with a progress bar on stderr.
pub async fn bill(app: App, period: &str) -> Result<(), Fail> {
    let sys = Caller::system(Actor::cli());
    let bar = Progress::new(&format!("billing {period}: accounts"));
    let mut last = 0;
    let out = app
        .run_billing(&sys, period, &mut |p| {
            bar.update(p.accounts_done, p.accounts_total);
            last = p.accounts_done;
        })
        .await?;
    bar.finish(last);
    let total: usize = out.invoices.len();
    println!(
        "period {}: {} invoices issued now, {} in all, {} calls invoiced",
        out.run.period, out.issued, total, out.calls_invoiced
    );
    Ok(())
}

pub async fn ledger(app: App, action: LedgerCmd) -> Result<(), Fail> {
    let LedgerCmd::Verify = action;
    let r = app.verify_ledger().await?;
    println!(
        "ledger: {} transactions, {} balances checked",
        r.transactions, r.balances
    );
    for b in &r.breaches {
        println!("BREACH: {b}");
    }
    if r.ok() {
        println!("ledger verify: ok");
        Ok(())
    } else {
        Err(Fail(
            1,
            format!("ledger verify: {} breaches", r.breaches.len()),
        ))
    }
}

pub async fn invoices(app: App, action: InvoicesCmd) -> Result<(), Fail> {
    let sys = Caller::system(Actor::cli());
    match action {
        InvoicesCmd::List { period } => {
            let f = InvoiceFilter {
                period: Some(period),
                ..Default::default()
            };
            let mut page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
            loop {
                let rows = app.list_invoices(&sys, &f, &page).await?;
                for i in &rows {
                    println!(
                        "{}\t{}\t{}\t{} → {}\t{} {}",
                        i.id,
                        i.number,
                        i.level,
                        i.issuer_name,
                        i.billed_name,
                        tollgate_core::money::format_minor(
                            i.total_minor,
                            tollgate_core::money::Currency::parse_stored(&i.currency)
                                .map_err(|e| Fail(1, e))?
                        ),
                        i.currency
                    );
                }
                if (rows.len() as i64) < page.limit {
                    break;
                }
                page.after = rows.last().map(|r| r.id.clone());
            }
            Ok(())
        }
        InvoicesCmd::Export { id, out } => {
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("pdf");
            let bytes = match ext {
                "html" => app.invoice_html(&sys, &id).await?.into_bytes(),
                "csv" => {
                    let v = app.get_invoice(&sys, &id).await?;
                    tollgate_app::billing::invoice_csv(&[v])?.into_bytes()
                }
                _ => app.invoice_pdf(&sys, &id).await?,
            };
            std::fs::write(&out, bytes).map_err(|e| Fail(2, format!("{}: {e}", out.display())))?;
            println!("wrote {}", out.display());
            Ok(())
        }
    }
}
