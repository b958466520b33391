//! The frontline demo: Harbor Logistics' trade counter in Leeds (x-hoppers-2025) with a shop
//! floor broadcast, three app users on the customer's UC Business licences (L1), two call
//! points and a camera; one alert accepted, one still announcing. The staff's device tokens,
//! the call points' codes and the camera's secret go to `demo-frontline.json` beside the demo
//! tokens, so a new user can listen, scan and sign an alert by hand.

use std::path::Path;

use serde_json::json;
use tollgate_store::frontline::system as fsys;
use tollgate_store::tenancy::system::find_customer_by_name;
use tollgate_store::Page;

use super::setup::Seats;
use crate::{Actor, App, AppError, Caller};

/// Seeds the demo store once (nothing when the demo customer already has stores).
pub async fn seed_demo(app: &App, data_dir: &Path) -> Result<(), AppError> {
    let Some(customer) = find_customer_by_name(&app.store, "Harbor Logistics").await? else {
        return Ok(());
    };
    if fsys::customer_has_store(&app.store, &customer.id).await? {
        return Ok(());
    }
    let sys = Caller::system(Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    });
    let page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
    let mut licence = None;
    for ba in app
        .list_billing_accounts(&sys, Some(&customer.id), &page)
        .await?
    {
        for s in app.list_subscriptions(&sys, Some(&ba.id), &page).await? {
            if s.kind == "licence" && s.state == "active" {
                licence = Some(s.id);
            }
        }
    }
    let store = app
        .create_frontline_store(
            &sys,
            &customer.id,
            "Leeds Trade Counter",
            Seats {
                headset_subscription_id: None,
                app_subscription_id: licence,
            },
        )
        .await?;
    let floor = app
        .create_broadcast(&sys, &store.id, "Shop floor", (20, 60, 300))
        .await?;
    let mut staff = serde_json::Map::new();
    let mut members = Vec::new();
    for (name, manager) in [
        ("Priya Shah", true),
        ("Tom Reed", false),
        ("Aisha Khan", false),
    ] {
        let s = app
            .create_staff(&sys, &store.id, name, "app", manager)
            .await?;
        let joined = app.join_broadcast(&s.staff, &floor.id).await?;
        staff.insert(name.into(), json!({"id": s.staff.id, "token": s.token}));
        members.push(joined);
    }
    let till = app
        .create_call_point(&sys, &floor.id, "Till Point 4")
        .await?;
    let paint = app
        .create_call_point(&sys, &floor.id, "Paint aisle")
        .await?;
    let camera = app.create_video_source(&sys, &floor.id, "Camera1").await?;
    // One alert taken by Tom; one waiting, announced and repeated by the running platform.
    let first = app.scan_call_point(&till.code, "demo").await?;
    app.accept_notification(&members[1], &first.notification.id)
        .await?;
    app.scan_call_point(&paint.code, "demo").await?;
    let file = json!({
        "store_id": store.id,
        "broadcast_id": floor.id,
        "staff": staff,
        "call_points": {"Till Point 4": till.code, "Paint aisle": paint.code},
        "video_source": {"id": camera.source.id, "name": "Camera1", "secret": camera.secret},
    });
    let path = data_dir.join("demo-frontline.json");
    std::fs::create_dir_all(data_dir)
        .and_then(|_| std::fs::write(&path, format!("{file:#}\n")))
        .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    Ok(())
}
