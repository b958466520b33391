//! C2 renewal notices: a run tells each billing account's customer, at least the profile's
//! days before, which of its subscriptions renew by themselves and until when notice of
//! non-renewal may still be given. Sent through the outbox in the chain's transaction, once
//! per term end (the subscription keeps the term end it last announced).

use tollgate_core::billing::catalog::Term;
use tollgate_core::billing::contract::{add_months, renewal_notice_due, renewals_to_announce};
use tollgate_core::rules;
use tollgate_core::terms::TermsProfile;
use tollgate_core::time::date_of;
use tollgate_store::billing::system::BillableAccount;
use tollgate_store::billing::SubscriptionRow;
use tollgate_store::outbox::{self, OutboxRow};
use tollgate_store::Tx;

use super::{day, stable_id};
use crate::{App, AppError};

impl App {
    /// Announces the renewals of `subs` the run dated `run_on` must announce (marking each
    /// subscription with the last term end announced); returns how many subscriptions were
    /// named. Nothing is sent when none renews before the next run's deadline.
    pub(crate) async fn announce_renewals(
        &self,
        tx: &mut Tx,
        profile: &TermsProfile,
        account: &BillableAccount,
        subs: &mut [SubscriptionRow],
        run_on: jiff::civil::Date,
        now: i64,
    ) -> Result<usize, AppError> {
        let next_run = add_months(run_on, 1);
        let mut lines = Vec::new();
        for s in subs.iter_mut() {
            if s.state != "active" || s.non_renewal_at.is_some() || s.ends_on.is_some() {
                continue;
            }
            let term = Term::parse(&s.term)?;
            let ends = renewals_to_announce(
                profile,
                // Terms run from the first charged day (B2, E4), as for notices of
                // non-renewal and price changes.
                date_of(s.charges_from.unwrap_or(s.start_date)),
                term,
                run_on,
                next_run,
                s.renewal_notice_for.map(date_of),
            );
            let Some(last) = ends.last() else { continue };
            for end in &ends {
                lines.push(format!(
                    "- {} × {} ({} term): renews on {end}; notice of non-renewal by {}",
                    s.quantity,
                    s.description,
                    term.as_str(),
                    renewal_notice_due(profile, *end),
                ));
            }
            s.renewal_notice_for = Some(day(*last));
        }
        if lines.is_empty() {
            return Ok(0);
        }
        let clause = profile.clause_for(rules::C2);
        let body = format!(
            "These subscriptions of {} / {} renew automatically for the same term unless \
             either party gives notice of non-renewal at least {} days before the term ends \
             (C2, {clause}):\n{}\n",
            account.customer_name,
            account.name,
            profile.contract.renewal_notice_days,
            lines.join("\n"),
        );
        let subject = format!(
            "Renewal notice: {} / {}",
            account.customer_name, account.name
        );
        for recipient in self.contacts_of(&account.customer_id).await? {
            let row = OutboxRow {
                id: stable_id(
                    "msg",
                    &["renewal", &account.id, &run_on.to_string(), &recipient],
                ),
                at: now,
                channel: "email".into(),
                recipient,
                subject: subject.clone(),
                body: body.clone(),
                rule: rules::C2.rule.into(),
            };
            outbox::enqueue(tx, &row).await?;
        }
        Ok(lines.len())
    }
}
