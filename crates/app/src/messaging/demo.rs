//! Demo messaging: Direct Corp (US) with an approved 10DLC brand and campaign for its number,
//! a price per segment, consents with the text shown, and messages through admission (a
//! transactional one accepted, a marketing one without an opt-out instruction refused, a
//! spoofed sender refused), an inbound STOP with its one confirmation.

use tollgate_store::messaging::system as msg_store;
use tollgate_store::tenancy::system as tenancy_store;
use tollgate_store::Page;

use super::admit::SendRequest;
use super::consent::ConsentInput;
use super::registrations::{RegistrationInput, StatusChange};
use crate::{Actor, App, AppError, Caller};

/// The demo's text of a consent form.
pub const DEMO_CONSENT_TEXT: &str = "I agree to receive marketing text messages from Direct Corp at this number. Consent is not a condition of purchase. Msg & data rates may apply. Reply STOP to opt out.";

fn approved() -> StatusChange {
    StatusChange {
        status: "approved".into(),
        ..StatusChange::default()
    }
}

pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let sys = Caller::system(actor.clone());
    let Some(c) = tenancy_store::find_customer_by_name(&app.store, "Direct Corp").await? else {
        return Ok(());
    };
    let Some(ba) = app
        .list_billing_accounts(&sys, Some(&c.id), &Page::first(10))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    if !msg_store::registrations_of_account(&app.store, &ba.id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let brand = app
        .file_registration(
            &sys,
            RegistrationInput {
                billing_account: ba.id.clone(),
                kind: "tendlc_brand".into(),
                reference: "BDEMO01".into(),
                fee_micros: 4_000_000,
                ..RegistrationInput::default()
            },
        )
        .await?;
    app.set_registration_status(&sys, &brand.id, approved())
        .await?;
    let campaign = app
        .file_registration(
            &sys,
            RegistrationInput {
                billing_account: ba.id.clone(),
                kind: "tendlc_campaign".into(),
                reference: "CDEMO01".into(),
                brand_id: Some(brand.id.clone()),
                numbers: vec!["+14155550142".into()],
                fee_micros: 15_000_000,
                monthly_fee_micros: 10_000_000,
                surcharge_micros: 3_000,
                ..RegistrationInput::default()
            },
        )
        .await?;
    app.set_registration_status(&sys, &campaign.id, approved())
        .await?;
    let mut tx = app.store.begin().await?;
    tollgate_store::messaging::put_price(&mut tx, &ba.id, 7_500, app.now()).await?;
    tollgate_store::commit(tx).await?;
    for to in ["+14155550199", "+12145550142"] {
        app.record_consent(
            &sys,
            ConsentInput {
                billing_account: ba.id.clone(),
                recipient: to.into(),
                action: "granted".into(),
                method: "web_form".into(),
                text_shown: Some(DEMO_CONSENT_TEXT.into()),
                evidence: Some(
                    "https://direct-corp.test/sms-signup (form submission 2026-10-01)".into(),
                ),
                ..ConsentInput::default()
            },
        )
        .await?;
    }
    let send = |key: &str, from: &str, to: &str, category: &str, body: &str| SendRequest {
        billing_account: ba.id.clone(),
        from: from.into(),
        to: to.into(),
        body: body.into(),
        category: category.into(),
        campaign: Some("demo".into()),
        defer_if_quiet: true,
        idempotency_key: Some(key.into()),
    };
    for r in [
        send(
            "demo-1",
            "+14155550142",
            "+14155550199",
            "transactional",
            "Your appointment is confirmed for Tuesday 10:00.",
        ),
        send(
            "demo-2",
            "+14155550142",
            "+14155550199",
            "marketing",
            "Spring sale: 20% off all plans this week!",
        ),
        send(
            "demo-3",
            "+14155550142",
            "+12145550142",
            "marketing",
            "Spring sale: 20% off all plans this week. Reply STOP to opt out.",
        ),
        send(
            "demo-4",
            "+12125550000",
            "+14155550199",
            "transactional",
            "Your code is 123456",
        ),
    ] {
        app.send_message(&sys, r).await?;
    }
    app.receive_message(&actor, "+14155550177", "+14155550142", "Stop")
        .await?;
    Ok(())
}
