//! `tollgate mail receive` and `tollgate kb import`: the support desk's inbound e-mail (as an
//! MTA pipe transport calls it) and its knowledge base.

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use tollgate_app::support::mail::{MailOutcome, MAX_MAIL_BYTES};
use tollgate_app::{Actor, App, Caller};

use crate::Fail;

/// sysexits.h: a temporary failure; the MTA keeps the message and retries.
pub const EX_TEMPFAIL: u8 = 75;

#[derive(Subcommand)]
pub enum MailCmd {
    /// Read one RFC 5322 message on standard input: a follow-up lands in its ticket's thread;
    /// a new ticket by e-mail is refused with an automatic reply (H5). Exit 0 either way (the
    /// MTA must not bounce it); 1 when the message is unreadable.
    Receive,
}

#[derive(Subcommand)]
pub enum KbCmd {
    /// Import every `*.md` article of a directory (each replaces the article of its slug).
    Import { dir: PathBuf },
}

pub async fn mail(app: App, action: MailCmd) -> Result<(), Fail> {
    let MailCmd::Receive = action;
    let mut raw = Vec::new();
    std::io::stdin()
        .take(MAX_MAIL_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Fail(1, format!("standard input: {e}")))?;
    // An MTA bounces what a pipe refuses with an error, to a sender who may be forged: a
    // message Tollgate will not take is accepted and dropped (exit 0, said on stdout); only a
    // failure of Tollgate itself asks the MTA to retry later (EX_TEMPFAIL).
    match app.receive_mail(&raw).await {
        Ok(MailOutcome::Threaded(v)) => {
            println!("threaded into {} ({})", v.ticket.reference, v.ticket.id)
        }
        Ok(MailOutcome::Refused { code, replied }) => {
            println!("refused: {code}{}", if replied { " (replied)" } else { "" })
        }
        Err(e @ (tollgate_app::AppError::Invalid { .. } | tollgate_app::AppError::Refused(_))) => {
            println!("refused: {e}")
        }
        Err(e) => {
            return Err(Fail(
                EX_TEMPFAIL,
                format!("mail not taken, retry later: {e}"),
            ))
        }
    }
    Ok(())
}

pub async fn kb(app: App, action: KbCmd) -> Result<(), Fail> {
    let KbCmd::Import { dir } = action;
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Fail(2, format!("{}: {e}", dir.display())))?;
    for e in entries {
        let path = e.map_err(|e| Fail(2, e.to_string()))?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("md") {
            continue;
        }
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Fail(2, format!("{}: {e}", path.display())))?;
        files.push((slug, text));
    }
    files.sort();
    let n = app
        .import_articles(&Caller::system(Actor::cli()), &files)
        .await?;
    println!("{n} articles imported");
    Ok(())
}
