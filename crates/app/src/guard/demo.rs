//! Demo guard data.

use super::*;

/// Demo guard data: policies for the demo accounts and a few decisions through the guard
/// (an allowed call, a refused premium-rate call, a busy over-licence call, an emergency call).
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let sys = Caller::system(actor.clone());
    let page = Page::first(100);
    let homes = [
        ("Acme Dental", "FR", "DE,GB"),
        ("Bayview Bakery", "FR", ""),
        ("Harbor Logistics", "GB", "FR"),
        ("Direct Corp", "US", ""),
    ];
    for (customer, home, allow) in homes {
        let Some(c) = tenancy_store::system::find_customer_by_name(&app.store, customer).await?
        else {
            continue;
        };
        for ba in app.list_billing_accounts(&sys, Some(&c.id), &page).await? {
            if guard_store::system::get_policy(&app.store, &ba.id)
                .await?
                .is_some()
            {
                continue;
            }
            let p = PolicyRow {
                billing_account_id: ba.id.clone(),
                validated: true,
                licensed_calls: if ba.name == "Acme Dental Branch" {
                    1
                } else {
                    DEFAULT_LICENSED_CALLS
                },
                site_bandwidth_kbps: Some(1_000),
                home_country: home.into(),
                international_allowlist: allow.into(),
                credit_limit_micros: None,
                updated_at: 0,
            };
            app.set_guard_policy(&sys, p).await?;
            let numbers =
                tollgate_store::numbers::system::active_numbers_of_account(&app.store, &ba.id)
                    .await?;
            let Some(from) = numbers.first() else {
                continue;
            };
            if ba.name == "Acme Dental HQ" {
                let now = app.now();
                for (to, answer) in [
                    ("+33142685300", true),
                    ("+33899123456", false),
                    ("112", false),
                ] {
                    let req = CallRequest {
                        billing_account: Some(ba.id.clone()),
                        from: format!("+{from}"),
                        to: to.into(),
                        source_ip: Some("198.51.100.10".into()),
                        at: Some(now - 600),
                        call_id: Some(format!("demo-guard-{to}")),
                    };
                    if guard_store::system::get_call(&app.store, &format!("demo-guard-{to}"))
                        .await?
                        .is_some()
                    {
                        continue;
                    }
                    let d = app.guard_call(&actor, req).await?;
                    if d.verdict.decision == Decision::Allow {
                        if answer {
                            app.guard_answer(&d.call_id, Some(now - 595)).await?;
                        }
                        app.guard_end(&actor, &d.call_id, Some(now - 420)).await?;
                    }
                }
            }
        }
    }
    Ok(())
}
