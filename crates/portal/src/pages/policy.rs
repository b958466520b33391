//! Editing a billing account's guard policy (operator staff, F2/F3/F6/T3): the form posts to a
//! preview that shows each setting now and after, and only the confirmation applies it (the
//! API's PATCH, audited). Announcing legitimate unusual traffic (F7) posts directly.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use tollgate_app::guard::PolicyPatch;
use tollgate_app::App;
use tollgate_core::tenancy::Permission;
use tollgate_store::guard::PolicyRow;

use crate::error::{ErrorView, PageError, PageResult};
use crate::format;
use crate::session::{Fields, Session};
use crate::view::{Cell, Field, Form, Kind, Page, Section, Table};

/// The policy form, filled with `p`'s values.
pub fn policy_form(
    session: &Session,
    account: &str,
    p: Option<&PolicyRow>,
    currency: &str,
) -> Form {
    let v = |f: &dyn Fn(&PolicyRow) -> String| p.map(f).unwrap_or_default();
    Form::post(
        "policy",
        "Preview the changes",
        format!("/portal/accounts/{account}/policy"),
        session,
    )
    .note("Nothing changes until you confirm on the next page.")
    .field(
        Field::new(
            "validated",
            "Validated (T2): calls are admitted",
            Kind::Checkbox,
        )
        .value(if p.is_some_and(|p| p.validated) {
            "on"
        } else {
            ""
        }),
    )
    .field(
        Field::new(
            "licensed_calls",
            "Licensed concurrent calls (T3)",
            Kind::Number,
        )
        .value(v(&|p| p.licensed_calls.to_string())),
    )
    .field(
        Field::new("home_country", "Home country (ISO code)", Kind::Text)
            .value(v(&|p| p.home_country.clone())),
    )
    .field(
        Field::new(
            "international_allowlist",
            "International destinations opened (ISO codes, comma separated; F2)",
            Kind::Text,
        )
        .value(v(&|p| p.international_allowlist.clone())),
    )
    .field(
        Field::new(
            "credit_limit",
            &format!("Credit limit in {currency} (empty: none; F6)"),
            Kind::Text,
        )
        .value(v(&|p| {
            p.credit_limit_micros
                .map(|m| tollgate_core::money::format_scaled(i128::from(m), 6))
                .unwrap_or_default()
        })),
    )
}

fn patch_of(
    form: &Fields,
    current: Option<&PolicyRow>,
) -> Result<PolicyPatch, tollgate_app::AppError> {
    let licensed = form.get("licensed_calls").unwrap_or_default().trim();
    let licensed_calls = if licensed.is_empty() {
        None
    } else {
        Some(licensed.parse::<i64>().map_err(|_| {
            tollgate_app::AppError::invalid(
                "licensed_calls_invalid",
                "licensed_calls",
                "a whole number of calls",
            )
        })?)
    };
    let credit = form.get("credit_limit").unwrap_or_default().trim();
    let credit_limit_micros = if credit.is_empty() {
        None
    } else {
        Some(tollgate_core::money::parse_scaled(credit, 6).map_err(|m| {
            tollgate_app::AppError::invalid("credit_limit_invalid", "credit_limit", m)
        })?)
    };
    let list: Vec<String> = form
        .get("international_allowlist")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    let home = form.text("home_country").map(|s| s.to_ascii_uppercase());
    let same = |cur: Option<String>, new: &Option<String>| new.is_none() || cur == *new;
    Ok(PolicyPatch {
        validated: Some(form.flag("validated"))
            .filter(|v| current.is_none_or(|c| c.validated != *v)),
        licensed_calls: licensed_calls.filter(|n| current.is_none_or(|c| c.licensed_calls != *n)),
        site_bandwidth_kbps: None,
        home_country: if same(current.map(|c| c.home_country.clone()), &home) {
            None
        } else {
            home
        },
        international_allowlist: Some(list)
            .filter(|l| current.is_none_or(|c| c.international_allowlist != l.join(","))),
        credit_limit_micros: Some(credit_limit_micros)
            .filter(|n| current.is_none_or(|c| c.credit_limit_micros != *n)),
    })
}

fn back(account: &str) -> PageResult {
    let mut res = Redirect::to(&format!("/portal/accounts/{account}")).into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    Ok(res)
}

pub async fn edit(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::GuardManage).await?;
    let account = app.get_billing_account(&c, &id).await?;
    let current = app.get_guard_policy(&c, &id).await?;
    let patch = match patch_of(&form, current.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            let e = ErrorView::from(e);
            let status = e.status;
            let f = policy_form(&session, &id, current.as_ref(), &account.currency)
                .refill(&form)
                .with_error(e);
            return Page::new(
                &session,
                "customers",
                &format!("Guard policy of {}", account.name),
            )
            .section(Section::new("").form(f))
            .respond(status);
        }
    };
    let seen = current.as_ref().map_or(0, |p| p.updated_at).to_string();
    if form.get("confirm") == Some("yes") {
        // The policy changed since this preview (another operator): nothing is applied, the
        // person previews again against what is now in force.
        if form.get("seen") != Some(seen.as_str()) {
            return Err(PageError::from(ErrorView::new(
                StatusCode::CONFLICT,
                "policy_changed",
                "the policy changed since your preview: go back to the account and preview again",
            )));
        }
        return match app.patch_guard_policy(&c, &id, patch).await {
            Ok(_) => back(&id),
            Err(e) => {
                // Refused at confirmation: the form again, what was typed kept, the error
                // beside its field.
                let mut e = ErrorView::from(e);
                if let Some(v) = e.fields.remove("credit_limit_micros") {
                    e.fields.insert("credit_limit".into(), v);
                }
                if e.status == StatusCode::NOT_FOUND {
                    return Err(PageError::from(e));
                }
                let status = e.status;
                let f = policy_form(&session, &id, current.as_ref(), &account.currency)
                    .refill(&form)
                    .with_error(e);
                Page::new(
                    &session,
                    "customers",
                    &format!("Guard policy of {}", account.name),
                )
                .section(
                    Section::new("")
                        .form(f)
                        .link("Back to the account", format!("/portal/accounts/{id}")),
                )
                .respond(status)
            }
        };
    }
    let now = |f: &dyn Fn(&PolicyRow) -> String| {
        current
            .as_ref()
            .map_or_else(|| "— (defaults)".to_string(), f)
    };
    let mut t = Table::new(
        "What changes",
        &["Setting", "Now", "After"],
        "Nothing changes: the values are the ones in force.",
    );
    let money = |m: Option<i64>| {
        m.map_or_else(
            || "none".to_string(),
            |m| format::micros(m, &account.currency),
        )
    };
    if let Some(v) = patch.validated {
        t.row(vec![
            Cell::text("Validated (T2)"),
            Cell::text(now(&|p| p.validated.to_string())),
            Cell::text(v.to_string()).class("bad"),
        ]);
    }
    if let Some(v) = patch.licensed_calls {
        t.row(vec![
            Cell::text("Licensed concurrent calls (T3)"),
            Cell::text(now(&|p| p.licensed_calls.to_string())),
            Cell::text(v.to_string()).class("bad"),
        ]);
    }
    if let Some(v) = &patch.home_country {
        t.row(vec![
            Cell::text("Home country"),
            Cell::text(now(&|p| p.home_country.clone())),
            Cell::text(v.clone()).class("bad"),
        ]);
    }
    if let Some(v) = &patch.international_allowlist {
        t.row(vec![
            Cell::text("International destinations (F2)"),
            Cell::text(now(&|p| p.international_allowlist.clone())),
            Cell::text(if v.is_empty() {
                "none".to_string()
            } else {
                v.join(",")
            })
            .class("bad"),
        ]);
    }
    if let Some(v) = patch.credit_limit_micros {
        t.row(vec![
            Cell::text("Credit limit (F6)"),
            Cell::text(now(&|p| money(p.credit_limit_micros))),
            Cell::text(money(v)).class("bad"),
        ]);
    }
    let mut confirm = Form::post(
        "confirm",
        "Apply these changes",
        format!("/portal/accounts/{id}/policy"),
        &session,
    )
    .field(Field::new("confirm", "", Kind::Hidden).value("yes"))
    .field(Field::new("seen", "", Kind::Hidden).value(seen));
    for (k, v) in &form.0 {
        if k != "_csrf" && k != "confirm" && k != "seen" {
            confirm = confirm.field(Field::new(k, "", Kind::Hidden).value(v.clone()));
        }
    }
    let changed = !t.rows.is_empty();
    let mut s = Section::new("").table(t).link(
        "Back to the account, changing nothing",
        format!("/portal/accounts/{id}"),
    );
    if changed {
        s = s.form(confirm);
    }
    Page::new(
        &session,
        "customers",
        &format!("Guard policy of {}: preview", account.name),
    )
    .lead("Check each change; the guard applies them from the next call.")
    .section(s)
    .ok()
}

pub fn announce_form(session: &Session, account: &str) -> Form {
    Form::post("announce", "Announce unusual traffic", format!("/portal/accounts/{account}/announce"), session)
        .note("F7: tell the provider in advance about legitimate peaks (a campaign, an event) so the guard's detectors allow that many times the usual traffic meanwhile.")
        .field(Field::new("from", "From (UTC)", Kind::Text).required().hint("For example 2026-12-05 08:00."))
        .field(Field::new("until", "Until (UTC)", Kind::Text).required())
        .field(Field::new("factor", "Times the usual traffic", Kind::Number).value("2").required())
        .field(Field::new("note", "What it is", Kind::Text).required())
}

pub async fn announce(
    State(app): State<App>,
    session: Session,
    Path(id): Path<String>,
    form: Fields,
) -> PageResult {
    session.check_csrf(&form)?;
    let c = session.caller(&app, Permission::GuardAnnounce).await?;
    let time = |k: &str| {
        format::parse_time(form.get(k).unwrap_or_default()).ok_or_else(|| {
            tollgate_app::AppError::invalid(
                "time_invalid",
                k,
                "not a time: write it as 2026-12-05 08:00 (UTC)",
            )
        })
    };
    let result = async {
        let from = time("from")?;
        let until = time("until")?;
        let factor = form
            .get("factor")
            .unwrap_or_default()
            .trim()
            .parse::<i64>()
            .map_err(|_| {
                tollgate_app::AppError::invalid("factor_invalid", "factor", "a whole number")
            })?;
        app.announce(
            &c,
            &id,
            from,
            until,
            factor,
            form.get("note").unwrap_or_default(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => {
            let mut res =
                Redirect::to(&format!("/portal/accounts/{id}?done=announce")).into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            Ok(res)
        }
        Err(e) => {
            let e = ErrorView::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(PageError::from(e));
            }
            let status = e.status;
            Page::new(&session, "customers", "Announce unusual traffic")
                .section(
                    Section::new("")
                        .form(announce_form(&session, &id).refill(&form).with_error(e))
                        .link("Back to the account", format!("/portal/accounts/{id}")),
                )
                .respond(status)
        }
    }
}
