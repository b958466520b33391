//! Invoice runs: `POST /v1/billing/runs {"period"}` and `tollgate bill --period`. A run bills
//! every billing account and every partner for one closed usage month, one partner's chain (its
//! customers' retail invoices and its own wholesale invoice) per database transaction, in a
//! fixed order, so that:
//! - a re-run of a finished period creates nothing and answers the same invoices;
//! - a run killed mid-way leaves whole chains or nothing of them, and its rerun (which takes
//!   the run over once the killed process is gone) issues exactly what the uninterrupted run
//!   would have, with the same numbers (allocated gaplessly inside each transaction);
//! - two runs of one period at once: the second is refused (`run_in_progress`).

use serde_json::json;
use tollgate_core::billing::run_period::RunPeriod;
use tollgate_core::time::date_of;
use tollgate_store::billing::system::{self as run_store, BillableAccount, BillingParty, RunRow};
use tollgate_store::billing::InvoiceRow;
use tollgate_store::{audit, StoreError};

use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Seconds after its last heartbeat that a run counts as abandoned by a process that can no
/// longer be checked (another host); a run of this host whose process is gone is taken over
/// at once.
pub const RUN_LEASE_S: i64 = 300;

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    pub accounts_done: usize,
    pub accounts_total: usize,
    pub invoices_issued: usize,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run: RunRow,
    /// Every invoice of the period, by issuer and number.
    pub invoices: Vec<InvoiceRow>,
    /// Invoices this call issued (0 on a re-run of a finished period).
    pub issued: usize,
    /// Calls put on invoices by this call.
    pub calls_invoiced: u64,
}

/// This process, as a run's owner: `host:pid`.
pub(crate) fn this_process() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{host}:{}", std::process::id())
}

/// Whether the process that owns a run may still be running it.
fn owner_alive(owner: &str, heartbeat_at: i64, now: i64) -> bool {
    if now - heartbeat_at > RUN_LEASE_S {
        return false;
    }
    let me = this_process();
    let (host, pid) = owner.rsplit_once(':').unwrap_or((owner, ""));
    let (my_host, _) = me.rsplit_once(':').unwrap_or((&me, ""));
    if host != my_host {
        return true;
    }
    // Same host: alive while its process exists (this one included: another task of ours).
    !pid.is_empty() && std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// One transaction's worth: a partner with its customers' accounts, or one direct account.
pub(crate) struct Chain {
    pub partner: Option<BillingParty>,
    pub accounts: Vec<BillableAccount>,
}

impl App {
    /// Runs invoicing for `period` (`YYYY-MM`, a closed month), calling `progress` after each
    /// chain.
    pub async fn run_billing(
        &self,
        caller: &Caller,
        period: &str,
        progress: &mut (dyn FnMut(RunProgress) + Send),
    ) -> Result<RunOutcome, AppError> {
        let now = self.now();
        let rp = RunPeriod::parse(period, date_of(now))?;
        let label = rp.label();
        let run = self.claim_run(caller, &rp, now).await?;
        if run.state == "done" {
            return Ok(RunOutcome {
                invoices: run_store::invoices_of_period(&self.store, &label).await?,
                run,
                issued: 0,
                calls_invoiced: 0,
            });
        }
        let operator = run_store::operator_party(&self.store)
            .await?
            .ok_or_else(|| AppError::Internal("no operator to issue invoices".into()))?;
        let partners = run_store::billing_partners(&self.store).await?;
        let accounts = run_store::billable_accounts(&self.store).await?;
        let tax_rates = tollgate_store::billing::system::list_tax_rates(&self.store).await?;
        let total = accounts.len();
        let chains = chains(accounts, &partners);
        let mut p = RunProgress {
            accounts_done: 0,
            accounts_total: total,
            invoices_issued: 0,
        };
        let mut calls = 0u64;
        progress(p);
        for chain in &chains {
            let done = match self
                .issue_chain(&rp, &operator, chain, &tax_rates, now)
                .await
            {
                Ok(d) => d,
                Err(e) => {
                    // The chains issued so far stay; the run is released at once so that a
                    // retry (after the cause is fixed) need not wait for the lease.
                    let mut tx = self.store.begin().await?;
                    run_store::release_run(&mut tx, &label).await?;
                    tollgate_store::commit(tx).await?;
                    return Err(e);
                }
            };
            p.accounts_done += chain.accounts.len();
            p.invoices_issued += done.invoices;
            calls += done.calls;
            progress(p);
        }
        let mut tx = self.store.begin().await?;
        run_store::finish_run(&mut tx, &label, self.now()).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "billing.run",
                &run.id,
                json!({"period": label, "invoices": p.invoices_issued, "calls": calls}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(RunOutcome {
            run: run_store::get_run(&self.store, &label)
                .await?
                .ok_or(AppError::NotFound("run"))?,
            invoices: run_store::invoices_of_period(&self.store, &label).await?,
            issued: p.invoices_issued,
            calls_invoiced: calls,
        })
    }

    /// Starts the period's run, takes over an abandoned one, answers a finished one, or
    /// refuses while another process runs it.
    async fn claim_run(
        &self,
        caller: &Caller,
        rp: &RunPeriod,
        now: i64,
    ) -> Result<RunRow, AppError> {
        let label = rp.label();
        let me = this_process();
        let busy = || AppError::Conflict {
            code: "run_in_progress",
            message: format!("a run for {label} is in progress; retry when it has finished"),
        };
        match run_store::get_run(&self.store, &label).await? {
            Some(r) if r.state == "done" => Ok(r),
            Some(r) if owner_alive(&r.owner, r.heartbeat_at, now) => Err(busy()),
            Some(r) => {
                let mut tx = self.store.begin().await?;
                let took =
                    run_store::take_over_run(&mut tx, &label, &r.owner, r.heartbeat_at, &me, now)
                        .await?;
                tollgate_store::commit(tx).await?;
                if !took {
                    return Err(busy());
                }
                tracing::info!(period = %label, from = %r.owner, "took over an abandoned billing run");
                Ok(RunRow {
                    owner: me,
                    heartbeat_at: now,
                    ..r
                })
            }
            None => {
                // One period at a time, in order: a month's run reads and moves what the
                // subscriptions were billed until, which the next month's run builds on.
                for other in run_store::list_runs(&self.store).await? {
                    if other.period > label {
                        return Err(AppError::Conflict {
                            code: "run_out_of_order",
                            message: format!(
                                "{} was invoiced already; months are invoiced in order",
                                other.period
                            ),
                        });
                    }
                    if other.state == "running"
                        && owner_alive(&other.owner, other.heartbeat_at, now)
                    {
                        return Err(AppError::Conflict {
                            code: "run_in_progress",
                            message: format!(
                                "the run for {} is in progress; one month is invoiced at a time",
                                other.period
                            ),
                        });
                    }
                }
                let r = RunRow {
                    id: new_id("run"),
                    period: label.clone(),
                    usage_end: super::day(rp.usage.end),
                    state: "running".into(),
                    owner: me,
                    heartbeat_at: now,
                    started_at: now,
                    started_by: caller.actor.actor.clone(),
                    finished_at: None,
                    invoices: 0,
                };
                let mut tx = self.store.begin().await?;
                match run_store::insert_run(&mut tx, &r).await {
                    Ok(()) => {}
                    Err(StoreError::Conflict(_)) => return Err(busy()),
                    Err(e) => return Err(e.into()),
                }
                tollgate_store::commit(tx).await?;
                Ok(r)
            }
        }
    }

    pub async fn list_billing_runs(&self, _caller: &Caller) -> Result<Vec<RunRow>, AppError> {
        Ok(run_store::list_runs(&self.store).await?)
    }
}

/// Accounts grouped into chains: each partner with its customers' accounts (partners by id),
/// then each direct account alone.
fn chains(accounts: Vec<BillableAccount>, partners: &[BillingParty]) -> Vec<Chain> {
    let mut out: Vec<Chain> = Vec::new();
    for a in accounts {
        match (&a.partner_id, out.last_mut()) {
            (Some(p), Some(c)) if c.partner.as_ref().is_some_and(|x| &x.id == p) => {
                c.accounts.push(a)
            }
            (Some(p), _) => {
                let partner = partners.iter().find(|x| &x.id == p).cloned();
                out.push(Chain {
                    partner,
                    accounts: vec![a],
                });
            }
            (None, _) => out.push(Chain {
                partner: None,
                accounts: vec![a],
            }),
        }
    }
    out
}
