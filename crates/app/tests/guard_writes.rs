//! The guard never waits on the database and never loses what it decided (review issue,
//! items 2, 3 and 8): emergency and fraud decisions answer while a long write holds the
//! writer; call events and incidents survive a failing store and are written exactly once
//! when it heals; a full queue refuses new calls, never emergency calls.

use std::time::Duration;

use tollgate_app::guard::{CallRequest, Guard};
use tollgate_app::Actor;

mod support;
use support::{app_with, NOW};
/// Generous bound for "returned at all" while the writer is held (not a speed test: a
/// decision that waited on the writer would never return while the test holds it).
const NO_HANG: Duration = Duration::from_secs(10);

fn call(hq: &str, to: &str, id: &str) -> CallRequest {
    CallRequest {
        billing_account: Some(hq.into()),
        from: "+33170000001".into(),
        to: to.into(),
        source_ip: Some("198.51.100.7".into()),
        at: None,
        call_id: Some(id.into()),
    }
}

fn actor() -> Actor {
    Actor::cli()
}

#[tokio::test]
async fn t13_an_emergency_decision_returns_while_a_long_write_holds_the_writer() {
    let (app, hq) = app_with(Guard::default()).await;
    let notices = || async {
        tollgate_store::testing::texts(
            &app.store,
            "SELECT subject FROM outbox WHERE subject = 'Emergency call from +33170000001 to 112'",
        )
        .await
        .unwrap()
        .len()
    };
    let before = notices().await; // the demo placed one
    let held = tollgate_store::testing::hold_writer(&app.store)
        .await
        .unwrap();
    let d = tokio::time::timeout(NO_HANG, app.guard_call(&actor(), call(&hq, "112", "e-1")))
        .await
        .expect("the emergency answer did not wait for the writer")
        .unwrap();
    assert_eq!(
        (d.verdict.code, d.verdict.rule.rule),
        ("emergency_call", "T13")
    );
    // Its notice waits in the queue, and is written once the writer is free.
    assert!(app.guard.writes.pending() > 0);
    drop(held);
    app.flush_guard().await.unwrap();
    assert_eq!(notices().await, before + 1);
}

#[tokio::test]
async fn f4_a_decision_that_raises_an_incident_returns_while_the_writer_is_held() {
    let (app, hq) = app_with(Guard::default()).await;
    // Warm the account cache, then hold the writer as a long CDR batch would.
    app.guard_call(&actor(), call(&hq, "+33142685300", "w-0"))
        .await
        .unwrap();
    let held = tollgate_store::testing::hold_writer(&app.store)
        .await
        .unwrap();
    // Forbidden destinations (F2) three times: the third raises an incident (F4).
    let mut incidents = Vec::new();
    for n in 0..3 {
        let d = tokio::time::timeout(
            NO_HANG,
            app.guard_call(&actor(), call(&hq, "+33899123456", &format!("p-{n}"))),
        )
        .await
        .expect("a decision waited on the writer")
        .unwrap();
        assert_eq!(d.verdict.code, "destination_premium_rate");
        incidents.extend(d.incidents);
    }
    assert!(
        !incidents.is_empty(),
        "repeated forbidden attempts raise an incident"
    );
    drop(held);
    app.flush_guard().await.unwrap();
    for id in &incidents {
        let stored = tollgate_store::testing::texts(
            &app.store,
            &format!("SELECT id FROM incidents WHERE id = '{id}'"),
        )
        .await
        .unwrap();
        assert_eq!(stored.as_slice(), std::slice::from_ref(id));
    }
}

#[tokio::test]
async fn i8_call_events_survive_a_failing_store_and_are_written_exactly_once() {
    let (app, hq) = app_with(Guard::default()).await;
    // A real database error: the table the events go to is gone for a while.
    tollgate_store::testing::exec(
        &app.store,
        "ALTER TABLE guard_calls RENAME TO guard_calls_away",
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let id = format!("f-{n}");
        let d = app
            .guard_call(&actor(), call(&hq, "+33142685300", &id))
            .await
            .unwrap();
        assert_eq!(d.verdict.code, "allowed");
        app.guard_answer(&id, Some(NOW + 1)).await.unwrap();
        ids.push(id);
    }
    // The writer fails, keeps the events and retries.
    for _ in 0..400 {
        if app
            .guard
            .writes
            .failures
            .load(std::sync::atomic::Ordering::Acquire)
            >= 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        app.guard
            .writes
            .failures
            .load(std::sync::atomic::Ordering::Acquire)
            >= 2
    );
    assert!(app.guard.writes.pending() >= 10);
    tollgate_store::testing::exec(
        &app.store,
        "ALTER TABLE guard_calls_away RENAME TO guard_calls",
    )
    .await
    .unwrap();
    app.flush_guard().await.unwrap();
    let stored = tollgate_store::testing::texts(
        &app.store,
        "SELECT call_id FROM guard_calls WHERE call_id LIKE 'f-%' AND answered_at IS NOT NULL ORDER BY call_id",
    )
    .await
    .unwrap();
    assert_eq!(stored, ids, "every admission and answer, each once");
}

#[tokio::test]
async fn i8_a_full_queue_refuses_new_calls_but_never_emergency_calls_or_call_ends() {
    // Room for the demo's own writes and a few more.
    let (app, hq) = app_with(Guard::with_write_capacity(8)).await;
    tollgate_store::testing::exec(
        &app.store,
        "ALTER TABLE guard_calls RENAME TO guard_calls_away",
    )
    .await
    .unwrap();
    let mut admitted = Vec::new();
    let mut refused = None;
    for n in 0..20 {
        let id = format!("q-{n}");
        let d = app
            .guard_call(&actor(), call(&hq, "+33142685300", &id))
            .await
            .unwrap();
        if d.verdict.code == "guard_backlog" {
            refused = Some(d);
            break;
        }
        admitted.push(id);
    }
    let refused = refused.expect("a full queue refuses new calls");
    assert_eq!(
        (refused.verdict.decision.as_str(), refused.verdict.rule.rule),
        ("busy", "T4")
    );
    let e = app
        .guard_call(&actor(), call(&hq, "112", "q-112"))
        .await
        .unwrap();
    assert_eq!(e.verdict.code, "emergency_call");
    // Ends of admitted calls are still taken (no phantom live call holds a licence).
    for id in &admitted {
        app.guard_end(&actor(), id, Some(NOW + 30)).await.unwrap();
    }
    assert_eq!(
        app.live_calls(&hq).calls,
        1,
        "only the emergency call is live"
    );
    tollgate_store::testing::exec(
        &app.store,
        "ALTER TABLE guard_calls_away RENAME TO guard_calls",
    )
    .await
    .unwrap();
    app.flush_guard().await.unwrap();
    let ended = tollgate_store::testing::texts(
        &app.store,
        "SELECT call_id FROM guard_calls WHERE call_id LIKE 'q-%' AND ended_at IS NOT NULL",
    )
    .await
    .unwrap();
    assert_eq!(ended.len(), admitted.len());
}

#[tokio::test]
async fn i8_a_write_the_database_refuses_for_good_is_set_aside_and_the_rest_go_on() {
    let (app, hq) = app_with(Guard::default()).await;
    // A database rule that refuses one call row forever, while the database answers.
    match app.store.backend() {
        tollgate_store::Backend::Sqlite => {
            tollgate_store::testing::exec(
                &app.store,
                "CREATE TRIGGER poison BEFORE INSERT ON guard_calls WHEN NEW.call_id = 'poison' \
                 BEGIN SELECT RAISE(ABORT, 'poison'); END",
            )
            .await
            .unwrap();
        }
        tollgate_store::Backend::Postgres => {
            tollgate_store::testing::exec(
                &app.store,
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
                 IF NEW.call_id = 'poison' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END \
                 $$ LANGUAGE plpgsql",
            )
            .await
            .unwrap();
            tollgate_store::testing::exec(
                &app.store,
                "CREATE TRIGGER poison BEFORE INSERT ON guard_calls FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .await
            .unwrap();
        }
    }
    for id in ["before", "poison", "after"] {
        let d = app
            .guard_call(&actor(), call(&hq, "+33142685300", id))
            .await
            .unwrap();
        assert_eq!(d.verdict.code, "allowed");
    }
    app.flush_guard().await.unwrap();
    assert_eq!(
        app.guard
            .writes
            .quarantined
            .load(std::sync::atomic::Ordering::Acquire),
        1
    );
    let stored = tollgate_store::testing::texts(
        &app.store,
        "SELECT call_id FROM guard_calls WHERE call_id IN ('before', 'poison', 'after') ORDER BY call_id",
    )
    .await
    .unwrap();
    assert_eq!(stored, vec!["after".to_string(), "before".to_string()]);
}
