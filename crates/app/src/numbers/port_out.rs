//! Port-outs (T6, T8): requested, completed or cancelled; the contract continues.

use super::*;

impl App {
    /// T8: records a gaining provider's valid port-out request; it must be followed.
    pub async fn request_port_out(
        &self,
        caller: &Caller,
        id: &str,
        gaining_provider: &str,
        authorisation_ref: &str,
        port_date: i64,
    ) -> Result<(NumberRow, PortOutRow), AppError> {
        let n = self.assigned_number(caller, id).await?;
        let now = self.now();
        numbers_rules::check_port_out_request(gaining_provider, authorisation_ref, port_date, now)?;
        let t = numbers_rules::decide(
            NumberEvent::RequestPortOut,
            &self.facts(&n, now).await?,
            now,
        )?;
        let po = PortOutRow {
            id: new_id("pto"),
            number_id: n.id.clone(),
            e164: n.e164.clone(),
            gaining_provider: gaining_provider.trim().into(),
            authorisation_ref: authorisation_ref.trim().into(),
            port_date,
            state: "pending".into(),
            previous_state: n.state.clone(),
            requested_by: caller.actor.actor.clone(),
            requested_at: now,
            resolved_at: None,
        };
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        numbers_store::insert_port_out(&mut tx, &po).await?;
        record(
            &mut tx,
            &caller.actor,
            &m,
            &t,
            &format!("port-out to {} requested", po.gaining_provider),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok((self.reload(&m.id).await?, po))
    }

    /// T6: the number leaves at the port date; the contract (customer, billing account)
    /// continues.
    pub async fn complete_port_out(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        self.finish_port_out(&caller.actor, &n, true).await
    }

    /// T8: the gaining provider withdrew its request.
    pub async fn cancel_port_out(&self, caller: &Caller, id: &str) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        self.finish_port_out(&caller.actor, &n, false).await
    }

    pub(super) async fn finish_port_out(
        &self,
        actor: &Actor,
        n: &NumberRow,
        complete: bool,
    ) -> Result<NumberRow, AppError> {
        let now = self.now();
        let event = if complete {
            NumberEvent::CompletePortOut
        } else {
            NumberEvent::CancelPortOut
        };
        let mut t = numbers_rules::decide(event, &self.facts(n, now).await?, now)?;
        let po = numbers_store::system::pending_port_out(&self.store, &n.id).await?;
        // A withdrawn port-out returns the number to where it was: a number suspended for
        // missing documents (B11) stays suspended.
        if !complete
            && po
                .as_ref()
                .is_some_and(|p| p.previous_state == NumberState::Suspended.as_str())
        {
            t.to = NumberState::Suspended;
        }
        let mut m = n.clone();
        m.state = t.to.as_str().into();
        m.updated_at = now;
        let reason = match (&po, complete) {
            (Some(p), true) => format!(
                "ported out to {} ({}); the contract continues",
                p.gaining_provider, p.authorisation_ref
            ),
            (Some(p), false) => format!("port-out to {} withdrawn", p.gaining_provider),
            (None, _) => "port-out resolved".into(),
        };
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        if let Some(p) = &po {
            numbers_store::resolve_port_out(
                &mut tx,
                &p.id,
                if complete { "completed" } else { "cancelled" },
                now,
            )
            .await?;
        }
        record(&mut tx, actor, &m, &t, &reason, now).await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }
}
