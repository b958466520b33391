//! The transitions log of numbers and port-ins.

use super::*;

/// One recorded transition of a number (`subject_type = number`) or a port-in (`port_in`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub e164: Option<String>,
    pub from_state: String,
    pub to_state: String,
    pub event: String,
    pub actor: String,
    pub at: i64,
    pub reason: String,
    pub rule: String,
    pub clause: String,
}

pub async fn insert_transition(tx: &mut Tx, t: &TransitionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO number_transitions (id, subject_type, subject_id, e164, from_state, to_state, event, actor, at, reason, rule, clause) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&t.id)
    .bind(&t.subject_type)
    .bind(&t.subject_id)
    .bind(&t.e164)
    .bind(&t.from_state)
    .bind(&t.to_state)
    .bind(&t.event)
    .bind(&t.actor)
    .bind(t.at)
    .bind(&t.reason)
    .bind(&t.rule)
    .bind(&t.clause)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Transitions of one subject, oldest first, if the number or port-in is in `scope`.
pub async fn transitions_of(
    store: &Store,
    scope: ScopeFilter<'_>,
    subject_id: &str,
) -> Result<Vec<TransitionRow>> {
    let mut sql = String::from(
        "SELECT id, subject_type, subject_id, e164, from_state, to_state, event, actor, at, reason, rule, clause \
         FROM number_transitions WHERE subject_id = $1",
    );
    let mut args = vec![Arg::Text(subject_id.to_string())];
    if !matches!(scope.scope(), Scope::All) {
        sql.push_str(" AND ((subject_type = 'number'");
        push_number_in_scope(&mut sql, &mut args, scope, "subject_id");
        sql.push_str(") OR (subject_type = 'port_in'");
        push_port_in_in_scope(&mut sql, &mut args, scope, "subject_id");
        sql.push_str("))");
    }
    sql.push_str(" ORDER BY at, id");
    fetch_dynamic(store.reader(), &sql, args, |r| {
        Ok(TransitionRow {
            id: r.try_get("id")?,
            subject_type: r.try_get("subject_type")?,
            subject_id: r.try_get("subject_id")?,
            e164: opt_text(r, "e164")?,
            from_state: r.try_get("from_state")?,
            to_state: r.try_get("to_state")?,
            event: r.try_get("event")?,
            actor: r.try_get("actor")?,
            at: r.try_get("at")?,
            reason: r.try_get("reason")?,
            rule: r.try_get("rule")?,
            clause: r.try_get("clause")?,
        })
    })
    .await
}
