//! What the guard's app tests share: a demo app on the test backend with a given guard.
#![allow(dead_code)]

use std::sync::Arc;

use tollgate_app::guard::Guard;
use tollgate_app::{App, Clock};

pub const NOW: i64 = 1_795_000_000;

/// A demo app at [`NOW`] with `guard`, its writes flushed, and Acme Dental HQ's account id.
pub async fn app_with(guard: Guard) -> (App, String) {
    let store = tollgate_store::testing::any().await;
    let mut app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.guard = Arc::new(guard);
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-app-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app.flush_guard().await.unwrap();
    let hq = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM billing_accounts WHERE name = 'Acme Dental HQ'",
    )
    .await
    .unwrap()
    .remove(0);
    (app, hq)
}
