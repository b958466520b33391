//! Number settings: routing (T14) and CNAM.

use super::*;

impl App {
    /// T14: sets where calls to the number go; trunking is refused under a no-trunking profile.
    pub async fn set_routing(
        &self,
        caller: &Caller,
        id: &str,
        routing: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let r = Routing::parse(routing).ok_or_else(|| {
            AppError::invalid(
                "routing_invalid",
                "routing",
                format!(
                    "must be one of {}",
                    Routing::ALL.map(|r| r.as_str()).join(", ")
                ),
            )
        })?;
        let customer = n.customer_id.clone().unwrap_or_default();
        let no_trunking = self.no_trunking_of(&customer).await?;
        if let Err(e) = numbers_rules::check_routing(no_trunking, r) {
            return Err(self.with_profile_clause(e, Some(&customer)).await);
        }
        let now = self.now();
        let mut m = n.clone();
        m.routing = r.as_str().into();
        m.no_trunking = no_trunking;
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        record_step(
            &mut tx,
            &caller.actor,
            &m,
            "routing",
            rules::T14,
            &format!("routing set to {}", r.as_str()),
            json!({"e164": format!("+{}", m.e164), "routing": r.as_str()}),
            now,
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }

    /// CNAM (caller name) for US/CA numbers.
    pub async fn set_cnam(
        &self,
        caller: &Caller,
        id: &str,
        name: &str,
    ) -> Result<NumberRow, AppError> {
        let n = self.assigned_number(caller, id).await?;
        let name = numbers_rules::check_cnam(&n.country, name)?;
        let now = self.now();
        let mut m = n.clone();
        m.cnam = Some(name.clone());
        m.updated_at = now;
        let mut tx = self.store.begin().await?;
        numbers_store::update_number(&mut tx, &m, &n.state).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "number.cnam",
                &m.id,
                json!({"e164": format!("+{}", m.e164), "cnam": name}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload(&m.id).await
    }
}
