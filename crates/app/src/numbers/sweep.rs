//! The sweep: what time decides (B11 deadlines, T9 quarantines, T6 port dates).

use super::*;

impl App {
    /// Applies what time decides, at `self.now()`: missed document deadlines flag the partner
    /// and, per the request's policy, suspend the affected numbers (B11; the partner stays
    /// liable: the Activation Date is unchanged); quarantines that are over make numbers
    /// available (T9); port-outs at their port date complete (T6).
    pub async fn sweep_numbers(&self, actor: &Actor) -> Result<SweepReport, AppError> {
        let now = self.now();
        let mut rep = SweepReport::default();
        for r in numbers_store::system::overdue_doc_requests(&self.store, now).await? {
            if !numbers_rules::deadline_missed(r.state == "open", r.deadline, now) {
                continue;
            }
            let mut tx = self.store.begin().await?;
            numbers_store::resolve_doc_request(&mut tx, &r.id, "open", "missed", now).await?;
            if let Some(p) = &r.partner_id {
                numbers_store::insert_flag(
                    &mut tx,
                    &FlagRow {
                        id: new_id("nrf"),
                        partner_id: p.clone(),
                        document_request_id: r.id.clone(),
                        raised_at: now,
                        cleared_at: None,
                    },
                )
                .await?;
                rep.flagged_partners.push(p.clone());
            }
            if r.on_miss == MissPolicy::Suspend.as_str() {
                for d in r.affected.split(',').filter(|d| !d.is_empty()) {
                    let Some(n) = numbers_store::system::find_by_e164(&self.store, d).await? else {
                        continue;
                    };
                    if n.customer_id.as_deref() != Some(r.customer_id.as_str()) {
                        continue;
                    }
                    let Ok(t) = numbers_rules::decide(
                        NumberEvent::Suspend,
                        &self.facts(&n, now).await?,
                        now,
                    ) else {
                        continue;
                    };
                    let mut m = n.clone();
                    m.state = t.to.as_str().into();
                    m.suspended_reason = Some(format!(
                        "requested documents ({}) not delivered by the deadline; the partner stays liable",
                        r.kind
                    ));
                    m.suspension_ref = Some(r.id.clone());
                    m.updated_at = now;
                    numbers_store::update_number(&mut tx, &m, &n.state).await?;
                    record(
                        &mut tx,
                        actor,
                        &m,
                        &t,
                        &format!("document request {} missed: partner non-responsive", r.id),
                        now,
                    )
                    .await?;
                    rep.suspended.push(m.e164.clone());
                }
            }
            audit::append(
                &mut tx,
                &audit_row(
                    actor,
                    now,
                    "document.missed",
                    &r.id,
                    json!({"partner_id": r.partner_id, "on_miss": r.on_miss, "rule": "B11", "clause": rules::B11.clause}),
                ),
            )
            .await?;
            tollgate_store::commit(tx).await?;
            rep.missed_requests.push(r.id.clone());
        }
        for n in numbers_store::system::quarantine_over(&self.store, now).await? {
            self.apply_event(
                actor,
                &n,
                NumberEvent::EndQuarantine,
                "quarantine over: available for reassignment",
                |m| {
                    m.customer_id = None;
                    m.billing_account_id = None;
                    m.reserved_at = None;
                    m.provider_verified_at = None;
                    m.provider_verified_by = None;
                    m.customer_confirmed_at = None;
                    m.customer_confirmed_by = None;
                    m.confirm_method = None;
                    m.activated_at = None;
                    m.quarantine_until = None;
                    m.suspended_reason = None;
                    m.suspension_ref = None;
                    m.cnam = None;
                    m.no_trunking = false;
                    m.routing = Routing::Direct.as_str().into();
                },
            )
            .await?;
            rep.quarantine_ended.push(n.e164.clone());
        }
        for p in numbers_store::system::due_port_outs(&self.store, now).await? {
            if let Some(n) = numbers_store::system::find_by_e164(&self.store, &p.e164).await? {
                self.finish_port_out(actor, &n, true).await?;
                rep.ported_out.push(n.e164);
            }
        }
        Ok(rep)
    }
}
