//! Access fixes from the review (items 12, 13, 16): password hashing off the executor,
//! `tollgate init` all or nothing, keyed reads that never stop at a first page.

use tollgate_app::tenancy::NewUser;
use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_store::Page;

const NOW: i64 = 1_795_000_000;

async fn demo() -> App {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    let dir = std::env::temp_dir().join(format!("tg-ar-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app
}

#[tokio::test(flavor = "current_thread")]
async fn a12_password_hashing_never_holds_the_executor() {
    let app = demo().await;
    let hash = tollgate_app::secrets::hash_password("correct horse battery").unwrap();
    // One executor thread. An argon2id verification takes tens of milliseconds of CPU and
    // has no await of its own: run on the executor, the other task below would get at
    // most a turn or two. On the blocking pool the executor stays free throughout.
    let done = std::sync::atomic::AtomicBool::new(false);
    let verify = async {
        let ok = app
            .verify_password("correct horse battery", &hash)
            .await
            .unwrap();
        done.store(true, std::sync::atomic::Ordering::Release);
        ok
    };
    let other = async {
        let mut turns = 0u64;
        while !done.load(std::sync::atomic::Ordering::Acquire) {
            tokio::task::yield_now().await;
            turns += 1;
        }
        turns
    };
    let (ok, turns) = tokio::join!(verify, other);
    assert!(ok);
    // Hundreds of turns while one hash runs (each turn is a microsecond or so).
    assert!(
        turns >= 200,
        "the executor ran other work only {turns} times"
    );
}

#[tokio::test]
async fn a13_init_is_all_or_nothing_so_a_typo_can_be_corrected() {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    let e = app
        .init_installation("Example Telecom", "admin-at-example.com")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "email_invalid");
    assert!(tollgate_store::tenancy::system::first_operator(&app.store)
        .await
        .unwrap()
        .is_none());
    let (op, user, token) = app
        .init_installation("Example Telecom", "admin@example.com")
        .await
        .unwrap();
    assert_eq!(
        (op.name.as_str(), user.role.as_str()),
        ("Example Telecom", "operator_admin")
    );
    assert!(app.authenticate(&token.token).await.is_ok());
    let audit = tollgate_store::testing::texts(
        &app.store,
        "SELECT action FROM audit_log WHERE action = 'installation.init'",
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    let again = app
        .init_installation("Other", "other@example.com")
        .await
        .unwrap_err();
    assert_eq!(again.code(), "already_initialised");
}

/// More users than a page holds, all created before the ones the tests look for.
const MANY: usize = 520;

#[tokio::test]
async fn a16_tokens_and_contacts_are_found_past_the_first_five_hundred_users() {
    let app = demo().await;
    let sys = Caller::system(Actor::cli());
    let acme = tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Bayview Bakery")
        .await
        .unwrap()
        .unwrap();
    for n in 0..MANY {
        app.create_user(
            &sys,
            NewUser {
                email: format!("user{n}@bayview-bakery.test"),
                name: format!("User {n}"),
                role: "customer_user".into(),
                partner_id: None,
                customer_id: Some(acme.id.clone()),
                password: None,
            },
        )
        .await
        .unwrap();
    }
    // The last user created gets a token; the operator admin finds it by paging.
    let direct = tollgate_store::tenancy::system::find_customer_by_name(&app.store, "Direct Corp")
        .await
        .unwrap()
        .unwrap();
    let late = app
        .create_user(
            &sys,
            NewUser {
                email: "late-admin@direct-corp.test".into(),
                name: "Late Admin".into(),
                role: "customer_admin".into(),
                partner_id: None,
                customer_id: Some(direct.id.clone()),
                password: None,
            },
        )
        .await
        .unwrap();
    let tok = app
        .create_token(&sys, Some(&late.id), "late", None)
        .await
        .unwrap();
    let ops = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM users WHERE email = 'ops@demo-telecom.test'",
    )
    .await
    .unwrap()
    .remove(0);
    let op_token = app
        .create_token(&sys, Some(&ops), "lister", None)
        .await
        .unwrap();
    let op = app.authenticate(&op_token.token).await.unwrap();
    let op = app
        .authorize(
            op,
            tollgate_core::tenancy::Permission::TokensManage,
            Actor::cli(),
        )
        .await
        .unwrap();
    let mut page = Page::first(tollgate_store::MAX_PAGE_LIMIT);
    let mut seen = Vec::new();
    loop {
        let items = app.list_tokens(&op, &page).await.unwrap();
        let Some(last) = items.last() else { break };
        page.after = Some(last.id.clone());
        seen.extend(items.into_iter().map(|c| c.id));
    }
    assert!(seen.contains(&tok.credential.id));
    // A suspension of Direct Corp's account notifies its admins, the late one included.
    let ba = app
        .list_billing_accounts(&sys, Some(&direct.id), &Page::first(10))
        .await
        .unwrap()
        .remove(0);
    app.suspend(&sys, &ba.id, "international", "checks", None, None)
        .await
        .unwrap();
    let mail =
        tollgate_store::outbox::system::pending_for(&app.store, "late-admin@direct-corp.test")
            .await
            .unwrap();
    assert!(mail.iter().any(|m| m.subject == "Service suspended"));
}

#[tokio::test]
async fn i11_3_a_partner_admin_cannot_mint_a_token_that_acts_as_its_customer() {
    let app = demo().await;
    let login = |email: &'static str| {
        let app = app.clone();
        async move {
            let t = app
                .login(
                    email,
                    tollgate_app::demo::DEMO_PASSWORD,
                    None,
                    &Actor::cli(),
                )
                .await
                .unwrap();
            let p = app.authenticate(&t.token).await.unwrap();
            app.authorize(
                p,
                tollgate_core::tenancy::Permission::TokensManage,
                Actor::cli(),
            )
            .await
            .unwrap()
        }
    };
    let partner = login("admin@northwind.test").await;
    let customer_admin = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM users WHERE email = 'admin@acme-dental.test'",
    )
    .await
    .unwrap()
    .remove(0);
    let e = app
        .create_token(&partner, Some(&customer_admin), "sneaky", None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    // Its own token is fine; the operator may issue one for a user, audited as such.
    app.create_token(&partner, None, "mine", None)
        .await
        .unwrap();
    let sys = Caller::system(Actor::cli());
    app.create_token(&sys, Some(&customer_admin), "support", None)
        .await
        .unwrap();
    let audit = tollgate_store::testing::texts(
        &app.store,
        "SELECT action FROM audit_log WHERE action = 'token.create_for_user'",
    )
    .await
    .unwrap();
    assert!(!audit.is_empty());
}
