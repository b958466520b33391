//! Migration 0020: a notification's `raised` entry in the event log is written by the database
//! with the notification (a trigger on both backends), once, even when the same alert is
//! inserted again (its key taken: no notification, no entry).

use tollgate_store::frontline::{system as fsys, BroadcastRow, NotificationRow, StoreRow};
use tollgate_store::Store;

use super::seed;

fn notification(id: &str, b: &BroadcastRow, seq: i64) -> NotificationRow {
    NotificationRow {
        id: id.into(),
        broadcast_id: b.id.clone(),
        store_id: b.store_id.clone(),
        customer_id: b.customer_id.clone(),
        partner_id: b.partner_id.clone(),
        seq,
        source: "video".into(),
        source_id: "fl_vid_1".into(),
        source_key: Some("cam1-000042".into()),
        from_label: "Camera1".into(),
        kind: "broadcast_message".into(),
        event: "theft".into(),
        text: "Possible theft".into(),
        speech: "Camera1: possible theft".into(),
        repeat_s: 20,
        escalate_after_s: 60,
        miss_after_s: 300,
        state: "open".into(),
        raised_at_ms: 1_700_000_000_123,
        accepted_by: None,
        accepted_at_ms: None,
        escalated_at_ms: None,
        missed_at_ms: None,
    }
}

pub(crate) async fn q_a_notification_gets_one_raised_entry_from_the_database(store: Store) {
    let (p1, _, c1, _, _) = seed(&store).await;
    let mut tx = store.begin().await.unwrap();
    StoreRow {
        id: "fl_store_1".into(),
        customer_id: c1.id.clone(),
        partner_id: Some(p1.id.clone()),
        name: "Leeds".into(),
        headset_subscription_id: None,
        app_subscription_id: None,
        manager_staff_id: None,
        created_at: 1,
        created_by: "test".into(),
    }
    .insert(&mut tx)
    .await
    .unwrap();
    let b = BroadcastRow {
        id: "fl_bc_1".into(),
        store_id: "fl_store_1".into(),
        customer_id: c1.id.clone(),
        partner_id: Some(p1.id.clone()),
        name: "Shop floor".into(),
        repeat_s: 20,
        escalate_after_s: 60,
        miss_after_s: 300,
        created_at: 1,
    };
    b.insert(&mut tx).await.unwrap();
    // Ids as the app makes them: `fl_ntf_` and 22 hex digits.
    let first = notification("fl_ntf_0196aa0000000001c0ffee", &b, 1);
    let again = notification("fl_ntf_0196aa0000000002c0ffee", &b, 2);
    let n = fsys::insert_notifications(&mut tx, std::slice::from_ref(&first))
        .await
        .unwrap();
    assert!(n.contains(&first.id));
    // The same alert again (its source key taken): not inserted, so no second entry.
    let n = fsys::insert_notifications(&mut tx, std::slice::from_ref(&again))
        .await
        .unwrap();
    assert!(n.is_empty(), "{n:?}");
    tollgate_store::commit(tx).await.unwrap();

    let rows = tollgate_store::fetch_dynamic(
        store.reader(),
        "SELECT id, step_key, kind, notification_id, store_id, broadcast_id, customer_id, at_ms \
         FROM frontline_log ORDER BY id",
        vec![],
        |r| {
            use sqlx::Row;
            Ok((
                r.try_get::<String, _>("id")?,
                r.try_get::<String, _>("step_key")?,
                r.try_get::<String, _>("kind")?,
                r.try_get::<Option<String>, _>("notification_id")?,
                r.try_get::<String, _>("store_id")?,
                r.try_get::<Option<String>, _>("broadcast_id")?,
                r.try_get::<String, _>("customer_id")?,
                r.try_get::<i64, _>("at_ms")?,
            ))
        },
    )
    .await
    .unwrap();
    // The entry keeps the notification's digits (ids still sort by creation) and its time.
    assert_eq!(
        rows,
        vec![(
            "fl_log_0196aa0000000001c0ffee".to_string(),
            "raised:fl_ntf_0196aa0000000001c0ffee".to_string(),
            "raised".to_string(),
            Some(first.id.clone()),
            "fl_store_1".to_string(),
            Some("fl_bc_1".to_string()),
            c1.id.clone(),
            1_700_000_000_123,
        )]
    );
}
