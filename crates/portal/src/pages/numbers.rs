//! Numbers in scope with their state, and one number with its emergency address, history and
//! port-out.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use tollgate_app::App;
use tollgate_core::numbers::{Address, NumberState};
use tollgate_core::tenancy::Permission;
use tollgate_store::numbers::NumberFilter;

use super::next_link;
use crate::error::{ErrorView, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

#[derive(Deserialize, Default)]
pub struct NumbersQ {
    state: Option<String>,
    after: Option<String>,
}

pub async fn list(
    State(app): State<App>,
    session: Session,
    Query(q): Query<NumbersQ>,
) -> PageResult {
    let c = session.caller(&app, Permission::NumbersRead).await?;
    let state = q.state.clone().filter(|s| !s.is_empty());
    let filter = NumberFilter {
        state: state.clone(),
        ..NumberFilter::default()
    };
    let page = tollgate_store::Page {
        limit: super::PAGE_ROWS,
        after: q.after.clone().filter(|a| !a.is_empty()),
    };
    let rows = app.list_numbers(&c, &filter, &page).await?;
    let mut options = vec![(String::new(), "any state".to_string())];
    options.extend(
        NumberState::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.as_str().to_string())),
    );
    let filter_form = Form::filter("numbers-filter", "/portal/numbers").field(
        Field::new("state", "State", Kind::Select(options))
            .value(state.clone().unwrap_or_default()),
    );
    let mut t = Table::new(
        "Numbers in your scope, by id",
        &["Number", "Country", "Type", "State", "Customer", "Activated"],
        "No number matches. Numbers come from the provider's inventory (POST /v1/numbers/import) and are reserved for customers.",
    );
    for n in &rows {
        t.row(vec![
            Cell::link(n.e164.clone(), format!("/portal/numbers/{}", n.id)),
            Cell::text(n.country.clone()),
            Cell::text(n.number_type.clone()),
            Cell::text(n.state.clone()),
            Cell::text(n.customer_id.clone().unwrap_or_else(|| "—".into())),
            Cell::text(format::time_opt(n.activated_at)),
        ]);
    }
    let base = match &state {
        Some(s) => format!("/portal/numbers?state={}", format::url_encode(s)),
        None => "/portal/numbers".into(),
    };
    t.next = next_link(&base, rows.len(), rows.last().map(|n| n.id.as_str()));
    let ports = app
        .list_port_ins(&c, None, &tollgate_store::Page::first(super::PAGE_ROWS))
        .await?;
    let mut pt = Table::new(
        "Port-ins: the oldest 50 by id (the API lists them all, GET /v1/port-ins)",
        &["Holder", "Losing provider", "State", "Billing account"],
        "No port-in. A partner requests one through the API (POST /v1/port-ins) with the letter of authorisation.",
    );
    for p in &ports {
        pt.row(vec![
            Cell::text(p.holder.clone()),
            Cell::text(p.losing_provider.clone()),
            Cell::text(p.state.clone()),
            Cell::link(
                p.billing_account_id.clone(),
                format!("/portal/accounts/{}", p.billing_account_id),
            ),
        ]);
    }
    Page::new(&session, "numbers", "Numbers")
        .section(Section::new("").form(filter_form).table(t))
        .section(Section::new("Port-ins (T7)").table(pt))
        .ok()
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<DoneQ>,
) -> PageResult {
    let notice = (q.done.as_deref() == Some("address")).then(|| {
        "Emergency address registered: it applies as shown (a change of a number in service takes up to 48 hours, T13).".to_string()
    });
    render(&app, &session, &id, notice, None).await
}

fn address_form(session: &Session, id: &str) -> Form {
    Form::post("address", "Register the emergency address", format!("/portal/numbers/{id}/emergency-address"), session)
        .note("T13: where emergency services are sent when this number calls them. A change of a number in service applies after up to 48 hours; the old address is used meanwhile.")
        .field(Field::new("street", "Street and number", Kind::Text).required().autocomplete("address-line1"))
        .field(Field::new("postcode", "Postcode", Kind::Text).required().autocomplete("postal-code"))
        .field(Field::new("city", "City", Kind::Text).required().autocomplete("address-level2"))
        .field(Field::new("country", "Country (ISO code)", Kind::Text).required().hint("For example FR, GB, US."))
        .field(Field::new("region", "State or region", Kind::Text).hint("Needed in the US and Canada."))
        .field(Field::new("floor", "Floor", Kind::Text))
        .field(Field::new("room", "Room", Kind::Text))
}

async fn render(
    app: &App,
    session: &Session,
    id: &str,
    notice: Option<String>,
    returned: Option<Form>,
) -> PageResult {
    let c = session.caller(app, Permission::NumbersRead).await?;
    let d = app.number_detail(&c, id).await?;
    let h = app.number_history(&c, id).await?;
    let n = &d.number;
    let mut facts = Section::new("Number")
        .fact("State", n.state.clone())
        .fact("Country", n.country.clone())
        .fact("Type", n.number_type.clone())
        .fact("Capabilities", n.capabilities.clone())
        .fact(
            "Billing account",
            n.billing_account_id.clone().unwrap_or_else(|| "—".into()),
        )
        .fact("Routing", n.routing.clone())
        .fact(
            "Caller name (CNAM)",
            n.cnam.clone().unwrap_or_else(|| "—".into()),
        );
    if let Some(r) = &n.suspended_reason {
        facts = facts.fact("Suspended because", r.clone());
    }
    let addr = |a: &tollgate_store::numbers::AddressRow| {
        format!("{}, {} {}, {}", a.street, a.postcode, a.city, a.country)
    };
    let mut em = Section::new("Emergency address (T13)");
    em = match &d.address {
        Some(a) => em
            .fact("In force", addr(a))
            .fact("Since", format::time(a.effective_at)),
        None => em.text("No emergency address in force: emergency services cannot locate a caller on this number. The customer registers one (POST /v1/numbers/{id}/emergency-address)."),
    };
    if let Some(p) = &d.pending_address {
        em = em.fact(
            "Registered change, applies",
            format!("{} at {}", addr(p), format::time(p.effective_at)),
        );
    }
    let mut t = Table::new(
        "State changes",
        &["When", "From", "To", "Event", "By", "Reason"],
        "No change recorded.",
    );
    for tr in &h.transitions {
        t.row(vec![
            Cell::text(format::time(tr.at)),
            Cell::text(tr.from_state.clone()),
            Cell::text(tr.to_state.clone()),
            Cell::text(tr.event.clone()),
            Cell::text(tr.actor.clone()),
            Cell::text(tr.reason.clone()),
        ]);
    }
    if session.may(Permission::NumbersCustomerWrite) && n.customer_id.is_some() {
        em = em.form(returned.unwrap_or_else(|| address_form(session, &n.id)));
    }
    Page::new(session, "numbers", &n.e164)
        .notice(notice)
        .section(facts)
        .section(em)
        .section(Section::new("History").table(t))
        .ok()
}

pub async fn set_address(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session
        .caller(&app, Permission::NumbersCustomerWrite)
        .await?;
    let text = |k: &str| form.get(k).unwrap_or_default().trim().to_string();
    let address = Address {
        street: text("street"),
        city: text("city"),
        postcode: text("postcode"),
        country: text("country").to_ascii_uppercase(),
        region: form.text("region"),
        floor: form.text("floor"),
        room: form.text("room"),
    };
    match app.set_emergency_address(&c, &id, &address).await {
        Ok(_) => {
            let mut res =
                Redirect::to(&format!("/portal/numbers/{id}?done=address")).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(crate::error::PageError::from(e));
            }
            let status = e.status;
            let f = address_form(&session, &id).refill(&form).with_error(e);
            let mut res = render(&app, &session, &id, None, Some(f)).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
