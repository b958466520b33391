//! `tollgate numbers ...`: the number inventory from the command line (as the operator).

use std::path::PathBuf;

use clap::Subcommand;
use tollgate_app::{Actor, App, Caller};
use tollgate_store::numbers::NumberFilter;

use crate::Fail;

#[derive(Subcommand)]
pub enum NumbersCmd {
    /// Import numbers into the inventory from a CSV (`e164[,capabilities]`).
    Import { file: PathBuf },
    /// List numbers, optionally in one state.
    List {
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Apply what time has made due: missed document deadlines (B11), quarantines ended (T9),
    /// port-outs at their date (T8).
    Sweep,
}

pub async fn run(app: App, action: NumbersCmd) -> Result<(), Fail> {
    let sys = Caller::system(Actor::cli());
    match action {
        NumbersCmd::Import { file } => {
            let body =
                std::fs::read(&file).map_err(|e| Fail(2, format!("{}: {e}", file.display())))?;
            let r = app.import_numbers_csv(&sys, &body).await?;
            for e in &r.rejected {
                eprintln!(
                    "{}:{}: {} ({}): {}",
                    file.display(),
                    e.line,
                    e.code,
                    e.field,
                    e.message
                );
            }
            println!(
                "imported {}, rejected {}",
                r.inserted.len(),
                r.rejected.len()
            );
            if !r.rejected.is_empty() && r.inserted.is_empty() {
                return Err(Fail(1, "nothing imported".into()));
            }
        }
        NumbersCmd::List { state, limit } => {
            let filter = NumberFilter {
                state,
                customer_id: None,
                billing_account_id: None,
                country: None,
            };
            let page = tollgate_store::Page::first(limit);
            for n in app.list_numbers(&sys, &filter, &page).await? {
                println!(
                    "+{}\t{}\t{}\t{}\t{}",
                    n.e164,
                    n.state,
                    n.number_type,
                    n.billing_account_id.as_deref().unwrap_or("-"),
                    n.activated_at
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        NumbersCmd::Sweep => {
            let r = app.sweep_numbers(&Actor::cli()).await?;
            println!(
                "missed document requests {}, partners flagged {}, numbers suspended {}, quarantines ended {}, ported out {}",
                r.missed_requests.len(),
                r.flagged_partners.len(),
                r.suspended.len(),
                r.quarantine_ended.len(),
                r.ported_out.len()
            );
        }
    }
    Ok(())
}
