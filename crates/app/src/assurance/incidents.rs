//! Incidents: opened by a probe's failures or by hand, with their cause (S3: only the
//! provider's sole fault counts; force majeure W 9.8, third party and customer do not), public
//! updates, resolution, the restoration time of CLASSOUND components (T5) and the NOC's
//! tickets to the partners whose customers they affect (S4).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use tollgate_core::assurance::restoration::{restoration, Restoration};
use tollgate_core::assurance::Cause;
use tollgate_core::support::ticket::{Cos, Kind, State};
use tollgate_core::tenancy::Scope;
use tollgate_core::text::{check_free_text, check_name};
use tollgate_store::assurance::{self as astore, system as asys, IncidentRow, IncidentUpdateRow};
use tollgate_store::support::{self as support_store, TicketRow};
use tollgate_store::{audit, Page, Tx};

use super::{system_caller, TICKET_BATCH};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Public update statuses; `resolved` closes the incident.
pub const UPDATE_STATUSES: &[&str] = &[
    "investigating",
    "identified",
    "monitoring",
    "update",
    "resolved",
];
/// Components one incident may name at most.
pub const MAX_INCIDENT_COMPONENTS: usize = 100;

/// An incident to open by hand.
#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub title: String,
    pub cause: String,
    pub cos: Option<String>,
    pub components: Vec<String>,
    /// When the outage began (default now; not in the future).
    pub started_at: Option<i64>,
    pub message: String,
}

/// A change to an incident: a public update, optionally a corrected cause or the resolution.
#[derive(Debug, Clone, Default)]
pub struct IncidentChange {
    pub status: String,
    pub message: String,
    pub cause: Option<String>,
    /// For `resolved`: when service was restored (default now; not before the start).
    pub resolved_at: Option<i64>,
}

/// T5 against one terms profile's restoration time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestorationView {
    pub profile: String,
    pub srt_h: i64,
    pub restoration: Restoration,
}

/// An incident with its components, updates and (for CLASSOUND components) restoration.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub incident: IncidentRow,
    pub components: Vec<String>,
    pub updates: Vec<IncidentUpdateRow>,
    /// Empty unless a CLASSOUND component is affected.
    pub restoration: Vec<RestorationView>,
}

/// `YYYY-MM` of a time (UTC).
fn month_of(t: i64) -> String {
    let d = tollgate_core::time::date_of(t);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// S3: once a month's SLA is closed, what counted in it stands; a change to downtime in
/// `[from, to)` that reaches into a closed month is refused.
/// `field` names the input that reaches into it.
pub(crate) async fn check_months_open(
    tx: &mut Tx,
    from: i64,
    to: i64,
    field: &'static str,
) -> Result<(), AppError> {
    let mut t = from;
    while t < to {
        let m = month_of(t);
        if astore::month_closed(tx, &m).await? {
            return Err(AppError::Refused(
                tollgate_core::Refusal::new(
                    "month_closed",
                    tollgate_core::rules::S3,
                    format!("the SLA of {m} is closed: its downtime and credits stand"),
                )
                .on_field(field),
            ));
        }
        let (_, next) = crate::messaging::usage::month_bounds(&m)?;
        t = next;
    }
    Ok(())
}

/// Forgets the published days an incident from `from` touches (within the status window), so
/// the daily job computes them again.
async fn unpublish(tx: &mut Tx, from: i64, now: i64) -> Result<(), AppError> {
    let first = super::measure::day_of(now) - (super::STATUS_DAYS - 1) * super::measure::DAY_S;
    astore::unpublish_days(
        tx,
        super::measure::day_of(from).max(first),
        super::measure::day_of(now),
    )
    .await?;
    Ok(())
}

fn cos_of(s: Option<&str>) -> Result<Cos, AppError> {
    match s {
        None => Ok(Cos::Critical),
        Some(v) => Cos::parse(v)
            .ok_or_else(|| AppError::invalid("cos_invalid", "cos", "critical or standard")),
    }
}

impl App {
    /// Opens an incident by hand (the NOC).
    pub async fn open_incident(
        &self,
        caller: &Caller,
        n: NewIncident,
    ) -> Result<IncidentView, AppError> {
        let title = check_name("title", &n.title)?;
        let message = check_free_text("message", &n.message)?;
        let cause = Cause::parse(&n.cause)?;
        let cos = cos_of(n.cos.as_deref())?;
        if n.components.is_empty() || n.components.len() > MAX_INCIDENT_COMPONENTS {
            return Err(AppError::invalid(
                "components_invalid",
                "component_ids",
                format!("1 to {MAX_INCIDENT_COMPONENTS} components"),
            ));
        }
        let components = self
            .check_components(&n.components, "component_ids")
            .await?;
        let now = self.now();
        let started = n.started_at.unwrap_or(now);
        if started > now {
            return Err(AppError::invalid(
                "started_at_future",
                "started_at",
                "an incident starts now or in the past; plan future work as maintenance",
            ));
        }
        let mut tx = self.store.begin().await?;
        check_months_open(&mut tx, started, now, "started_at").await?;
        let row = self
            .insert_incident(
                &mut tx,
                caller,
                &title,
                cause,
                cos,
                started,
                None,
                &components,
                &message,
            )
            .await?;
        tollgate_store::commit(tx).await?;
        self.republish().await;
        self.incident(&row.id).await
    }

    /// Publishes the days an incident change unpublished (the status page's bars stay
    /// complete); a failure waits for the next daily round.
    pub(crate) async fn republish(&self) {
        if let Err(e) = self.publish_daily().await {
            tracing::warn!(error = %e, "daily availability not republished");
        }
    }

    /// Writes a new incident, its components and its first update.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_incident(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        title: &str,
        cause: Cause,
        cos: Cos,
        started_at: i64,
        probe_id: Option<&str>,
        components: &BTreeSet<String>,
        message: &str,
    ) -> Result<IncidentRow, AppError> {
        let now = self.now();
        let row = IncidentRow {
            id: new_id("inc"),
            title: title.into(),
            cause: cause.as_str().into(),
            state: "open".into(),
            cos: cos.as_str().into(),
            started_at,
            resolved_at: None,
            probe_id: probe_id.map(str::to_string),
            created_at: now,
            created_by: caller.actor.actor.clone(),
            updated_at: now,
            tickets_at: None,
        };
        row.insert(tx).await?;
        unpublish(tx, started_at, now).await?;
        let ids: Vec<String> = components.iter().cloned().collect();
        astore::set_incident_components(tx, &row.id, &ids).await?;
        IncidentUpdateRow {
            id: new_id("iupd"),
            incident_id: row.id.clone(),
            at: now,
            status: "investigating".into(),
            message: message.into(),
            author: caller.actor.actor.clone(),
        }
        .insert(tx)
        .await?;
        audit::append(
            tx,
            &audit_row(
                &caller.actor,
                now,
                "incident.open",
                &row.id,
                json!({"title": row.title, "cause": row.cause, "components": ids, "probe_id": probe_id}),
            ),
        )
        .await?;
        Ok(row)
    }

    /// Posts an update: the status and message are public; `resolved` closes the incident at
    /// `resolved_at`; a corrected cause changes what availability counts from then on.
    pub async fn update_incident(
        &self,
        caller: &Caller,
        id: &str,
        c: IncidentChange,
    ) -> Result<IncidentView, AppError> {
        if !UPDATE_STATUSES.contains(&c.status.as_str()) {
            return Err(AppError::invalid(
                "status_invalid",
                "status",
                format!("one of {}", UPDATE_STATUSES.join(", ")),
            ));
        }
        let message = check_free_text("message", &c.message)?;
        let cause = c.cause.as_deref().map(Cause::parse).transpose()?;
        let mut tx = self.store.begin().await?;
        let mut row = asys::incident_in(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("incident"))?;
        let now = self.now();
        if c.status == "resolved" {
            if row.state == "resolved" {
                return Err(AppError::Conflict {
                    code: "incident_resolved",
                    message: "the incident is already resolved".into(),
                });
            }
            let at = c.resolved_at.unwrap_or(now);
            if at < row.started_at || at > now {
                return Err(AppError::invalid(
                    "resolved_at_invalid",
                    "resolved_at",
                    "between the incident's start and now",
                ));
            }
            check_months_open(&mut tx, at, now, "resolved_at").await?;
            row.state = "resolved".into();
            row.resolved_at = Some(at);
            astore::release_probes_of(&mut tx, &row.id).await?;
        } else if c.resolved_at.is_some() {
            return Err(AppError::invalid(
                "resolved_at_invalid",
                "resolved_at",
                "only with status resolved",
            ));
        }
        if let Some(cause) = cause {
            if cause.as_str() != row.cause {
                check_months_open(
                    &mut tx,
                    row.started_at,
                    row.resolved_at.unwrap_or(now),
                    "cause",
                )
                .await?;
            }
            row.cause = cause.as_str().into();
        }
        row.updated_at = now;
        astore::update_incident(&mut tx, &row).await?;
        self.incident_update(&mut tx, caller, &row, &c.status, &message)
            .await?;
        tollgate_store::commit(tx).await?;
        self.republish().await;
        self.incident(id).await
    }

    pub(crate) async fn incident_update(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        row: &IncidentRow,
        status: &str,
        message: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        unpublish(tx, row.started_at, now).await?;
        IncidentUpdateRow {
            id: new_id("iupd"),
            incident_id: row.id.clone(),
            at: now,
            status: status.into(),
            message: message.into(),
            author: caller.actor.actor.clone(),
        }
        .insert(tx)
        .await?;
        audit::append(
            tx,
            &audit_row(
                &caller.actor,
                now,
                "incident.update",
                &row.id,
                json!({"status": status, "cause": row.cause, "state": row.state, "resolved_at": row.resolved_at}),
            ),
        )
        .await?;
        Ok(())
    }

    /// One incident with its components, updates and restoration (public information).
    pub async fn incident(&self, id: &str) -> Result<IncidentView, AppError> {
        let incident = asys::incident(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("incident"))?;
        let components = asys::incident_components(&self.store, id).await?;
        let updates = asys::incident_updates(&self.store, id).await?;
        let restoration = self.restoration_of(&incident, &components).await?;
        Ok(IncidentView {
            incident,
            components,
            updates,
            restoration,
        })
    }

    /// One incident as `caller` sees it: the restoration rows (T5) only of the profiles of
    /// the customers in the caller's scope that the incident affects (the operator: all).
    pub async fn incident_for(&self, caller: &Caller, id: &str) -> Result<IncidentView, AppError> {
        let mut v = self.incident(id).await?;
        self.scope_restoration(caller, &mut v).await?;
        Ok(v)
    }

    async fn scope_restoration(
        &self,
        caller: &Caller,
        v: &mut IncidentView,
    ) -> Result<(), AppError> {
        if matches!(caller.scope, Scope::All) || v.restoration.is_empty() {
            return Ok(());
        }
        let mut mine = BTreeSet::new();
        for c in asys::customers_of_components(&self.store, &v.components).await? {
            if caller
                .scope
                .sees_customer(&c.customer_id, c.partner_id.as_deref())
            {
                mine.insert(self.profile_for(&c.customer_id).await?.id.clone());
            }
        }
        v.restoration.retain(|r| mine.contains(&r.profile));
        Ok(())
    }

    /// Incidents, newest ids last (keyset pages), each with its components and public
    /// updates (the restoration rows are on the one-incident read).
    pub async fn incidents(
        &self,
        f: &asys::IncidentFilter,
        page: &Page,
    ) -> Result<Vec<IncidentView>, AppError> {
        let mut out = Vec::new();
        for incident in asys::incidents(&self.store, f, page).await? {
            let components = asys::incident_components(&self.store, &incident.id).await?;
            let updates = asys::incident_updates(&self.store, &incident.id).await?;
            out.push(IncidentView {
                incident,
                components,
                updates,
                restoration: Vec::new(),
            });
        }
        Ok(out)
    }

    /// T5 per month: the incidents open in `month` on CLASSOUND components, each with its
    /// restoration against the restoration time of every profile the caller sees (breaches
    /// marked).
    pub async fn restoration_report(
        &self,
        caller: &Caller,
        month: &str,
    ) -> Result<Vec<IncidentView>, AppError> {
        let (from, to) = crate::messaging::usage::month_bounds(month)?;
        let mut out = Vec::new();
        for i in asys::incidents_during(&self.store, from, to).await? {
            let v = self.incident_for(caller, &i.id).await?;
            if !v.restoration.is_empty() {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// T5: an incident on a CLASSOUND component against the restoration time of the terms
    /// profile of each customer using it (4 h or 8 h; every profile when none is mapped);
    /// nothing for other components.
    pub(crate) async fn restoration_of(
        &self,
        i: &IncidentRow,
        components: &[String],
    ) -> Result<Vec<RestorationView>, AppError> {
        let classound: BTreeSet<String> = asys::components(&self.store)
            .await?
            .into_iter()
            .filter(|c| c.classound == 1)
            .map(|c| c.id)
            .collect();
        // Only the provider's outages run against its restoration time: force majeure (W 9.8),
        // a third party or the customer excuse it.
        if i.cause != Cause::Provider.as_str() || !components.iter().any(|c| classound.contains(c))
        {
            return Ok(Vec::new());
        }
        let now = self.now();
        // The profiles of the customers using the components; none mapped: every profile.
        let mut by_srt: BTreeMap<String, i64> = BTreeMap::new();
        for c in asys::customers_of_components(&self.store, components).await? {
            let p = self.profile_for(&c.customer_id).await?;
            by_srt.insert(p.id.clone(), i64::from(p.telephony.restoration_time_h));
        }
        if by_srt.is_empty() {
            for p in self.terms.all() {
                by_srt.insert(p.id.clone(), i64::from(p.telephony.restoration_time_h));
            }
        }
        Ok(by_srt
            .into_iter()
            .map(|(profile, srt_h)| RestorationView {
                restoration: restoration(i.started_at, i.resolved_at, now, srt_h),
                profile,
                srt_h,
            })
            .collect())
    }

    /// S4: opens one ticket per affected partner (a direct customer: to the customer) for
    /// each new incident whose components the partners' customers use, once per incident.
    /// Returns the tickets opened.
    pub async fn incident_ticket_sweep(&self) -> Result<Vec<String>, AppError> {
        let caller = system_caller("noc");
        let mut opened = Vec::new();
        for i in asys::incidents_without_tickets(&self.store, TICKET_BATCH).await? {
            let components = asys::incident_components(&self.store, &i.id).await?;
            let affected = asys::customers_of_components(&self.store, &components).await?;
            // One ticket per partner, naming its affected customers; direct customers each.
            let mut by_party: BTreeMap<(Option<String>, Option<String>), Vec<String>> =
                BTreeMap::new();
            for a in affected {
                let key = match &a.partner_id {
                    Some(p) => (Some(p.clone()), None),
                    None => (None, Some(a.customer_id.clone())),
                };
                by_party.entry(key).or_default().push(a.customer_id);
            }
            let now = self.now();
            let mut tx = self.store.begin().await?;
            let Some(mut row) = asys::incident_in(&mut tx, &i.id).await? else {
                continue;
            };
            if row.tickets_at.is_some() {
                continue;
            }
            for ((partner, direct), customers) in by_party {
                let key = format!(
                    "{}/{}",
                    i.id,
                    partner.as_deref().or(direct.as_deref()).unwrap_or("-")
                );
                if support_store::ticket_of_incident(&mut tx, &key)
                    .await?
                    .is_some()
                {
                    continue;
                }
                let mut names = Vec::new();
                for c in &customers {
                    names.push(
                        tollgate_store::tenancy::system::get_customer(&self.store, c)
                            .await?
                            .name,
                    );
                }
                let region = self.support_region_of(partner.as_deref()).await?;
                let cos = Cos::parse(&i.cos).unwrap_or(Cos::Critical);
                let due = self.support_calendar(&region).await?.response_due(cos, now);
                let message = format!(
                    "The NOC detected an incident: {title}.\nStarted {at}; cause {cause}; \
                     class of service {cos}.\nAffected customers: {names}.\n\
                     Its updates and resolution are on the status page (/status).\n\
                     Rule S4 (W 18).\n",
                    title = i.title,
                    at = tollgate_core::time::utc(i.started_at),
                    cause = i.cause,
                    cos = cos.as_str(),
                    names = names.join(", "),
                );
                let ticket = TicketRow {
                    id: new_id("tkt"),
                    reference: support_store::next_reference(&mut tx).await?,
                    mail_key: crate::support::tickets::new_mail_key(),
                    partner_id: partner.clone(),
                    customer_id: direct.clone(),
                    opened_by: "system:noc".into(),
                    channel: "noc".into(),
                    kind: Kind::Technical.as_str().into(),
                    topic: None,
                    issue: Some("incident".into()),
                    subject: format!("NOC: {}", i.title),
                    device: None,
                    versions: None,
                    trace_numbers: None,
                    trace_at: Some(i.started_at),
                    cos: cos.as_str().into(),
                    cos_proposed: cos.as_str().into(),
                    state: State::New.as_str().into(),
                    region,
                    created_at: now,
                    response_due_at: due.at,
                    extended_service: i64::from(due.extended_service),
                    review_due_at: None,
                    first_response_at: None,
                    partner_response_at: None,
                    assignee: None,
                    previous_ticket_id: None,
                    incident_id: Some(key),
                    customer_contacted_at: None,
                    closed_at: None,
                    rating: None,
                    feedback: None,
                    updated_at: now,
                };
                self.insert_ticket(&mut tx, &caller, &ticket, &message)
                    .await?;
                opened.push(ticket.id);
            }
            row.tickets_at = Some(now);
            astore::update_incident(&mut tx, &row).await?;
            tollgate_store::commit(tx).await?;
        }
        Ok(opened)
    }
}
