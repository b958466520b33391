//! The demo numbers (idempotent seed).

use super::*;

/// A one-page PDF placeholder for demo documents (starts with the PDF signature).
pub const DEMO_PDF_BASE64: &str = "JVBERi0xLjQKJSBUb2xsZ2F0ZSBkZW1vIGRvY3VtZW50CiUlRU9GCg==";

/// The state of the demo's one US address (San Francisco); other countries name none.
const DEMO_US_STATE: &str = "CA";

fn demo_address(street: &str, city: &str, postcode: &str, country: &str) -> Address {
    Address {
        street: street.into(),
        city: city.into(),
        postcode: postcode.into(),
        country: country.into(),
        region: (country == "US").then(|| DEMO_US_STATE.to_string()),
        floor: None,
        room: None,
    }
}

/// Seeds demo numbers (idempotent): active numbers with addresses for Acme Dental (FR),
/// Harbor Logistics (GB, no trunking), Direct Corp (US, with CNAM) and Bayview Bakery (NL);
/// one provisional (reserved) number for Acme; a port-in in progress for Bayview.
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    if numbers_store::system::find_by_e164(&app.store, "33170000001")
        .await?
        .is_some()
    {
        return Ok(());
    }
    let actor = Actor {
        actor: "system:demo".into(),
        source: "demo".into(),
        request_id: "demo".into(),
    };
    let sys = Caller::system(actor.clone());
    let lines = [
        "+33170000001",
        "+33170000002",
        "+33170000003",
        "+442079460100",
        "+14155550142",
        "+31205550100",
        "+442079460101",
        "+442079460102",
    ]
    .iter()
    .map(|e| NumberImportLine {
        e164: e.to_string(),
        capabilities: None,
    })
    .collect();
    let report = app.import_numbers(&sys, lines, 1).await?;
    if let Some(e) = report.rejected.first() {
        return Err(AppError::Internal(format!(
            "demo number line {}: {}",
            e.line, e.message
        )));
    }
    struct Plan {
        customer: &'static str,
        account: &'static str,
        contact: (&'static str, &'static str),
        numbers: &'static [&'static str],
        reserved: &'static [&'static str],
        address: (&'static str, &'static str, &'static str, &'static str),
    }
    let plans = [
        Plan {
            customer: "Acme Dental",
            account: "Acme Dental HQ",
            contact: ("Front desk", "emergency@acme-dental.test"),
            numbers: &["33170000001", "33170000002"],
            reserved: &["33170000003"],
            address: ("12 Rue de la Paix", "Paris", "75002", "FR"),
        },
        Plan {
            customer: "Harbor Logistics",
            account: "Harbor Logistics UK",
            contact: ("Site safety", "safety@harbor-logistics.test"),
            numbers: &["442079460100"],
            reserved: &[],
            address: ("1 Dock Road", "London", "E16 1AA", "GB"),
        },
        Plan {
            customer: "Direct Corp",
            account: "Direct Corp",
            contact: ("Security desk", "security@direct-corp.test"),
            numbers: &["14155550142"],
            reserved: &[],
            address: ("500 Market St", "San Francisco", "94105", "US"),
        },
        Plan {
            customer: "Bayview Bakery",
            account: "Bayview Bakery",
            contact: ("Owner", "owner@bayview-bakery.test"),
            numbers: &["31205550100"],
            reserved: &[],
            address: ("Prinsengracht 1", "Amsterdam", "1015 DK", "NL"),
        },
    ];
    for plan in &plans {
        let Some(c) =
            tenancy_store::system::find_customer_by_name(&app.store, plan.customer).await?
        else {
            continue;
        };
        let accounts = app
            .list_billing_accounts(&sys, Some(&c.id), &Page::first(10))
            .await?;
        let Some(ba) = accounts.iter().find(|a| a.name == plan.account) else {
            continue;
        };
        app.acknowledge_emergency(
            &sys,
            &c.id,
            numbers_rules::EMERGENCY_ACK_TEXT_VERSION,
            &format!("{} admin", plan.customer),
        )
        .await?;
        app.set_emergency_contact(&sys, &c.id, plan.contact.0, plan.contact.1)
            .await?;
        let (street, city, postcode, country) = plan.address;
        let addr = demo_address(street, city, postcode, country);
        for d in plan.numbers.iter().chain(plan.reserved) {
            app.reserve_number(&sys, d, &ba.id).await?;
        }
        for d in plan.numbers {
            app.set_emergency_address(&sys, d, &addr).await?;
            app.upload_document(
                &sys,
                DocSubject::Number(d),
                NewDocument {
                    kind: "identity".into(),
                    filename: "identity.pdf".into(),
                    content_type: "application/pdf".into(),
                    content_base64: DEMO_PDF_BASE64.into(),
                },
            )
            .await?;
            app.verify_number(&sys, d, Some("demo: verified")).await?;
            app.confirm_number(&sys, d, "test_call", Some("demo: test call answered"))
                .await?;
            app.activate_number(&sys, d).await?;
            if country == "US" {
                app.set_cnam(&sys, d, "DIRECT CORP").await?;
            }
        }
    }
    // A port-in in progress for Bayview Bakery (through its partner, T7), with a document
    // request whose deadline is still ahead.
    if let Some(c) =
        tenancy_store::system::find_customer_by_name(&app.store, "Bayview Bakery").await?
    {
        let accounts = app
            .list_billing_accounts(&sys, Some(&c.id), &Page::first(10))
            .await?;
        if let Some(ba) = accounts.first() {
            let p = app
                .create_port_in(
                    &sys,
                    NewPortIn {
                        billing_account_id: ba.id.clone(),
                        holder: "Bayview Bakery B.V.".into(),
                        service_address: demo_address(
                            "Prinsengracht 1",
                            "Amsterdam",
                            "1015 DK",
                            "NL",
                        ),
                        losing_provider: "Old Dutch Telecom".into(),
                        account_number: "ODT-778812".into(),
                        signatory: "Bayview Bakery admin".into(),
                        existing_service_active: true,
                        numbers: vec!["+31205550180".into(), "+31205550181".into()],
                    },
                )
                .await?;
            app.upload_document(
                &sys,
                DocSubject::PortIn(&p.id),
                NewDocument {
                    kind: "loa".into(),
                    filename: "loa-signed.pdf".into(),
                    content_type: "application/pdf".into(),
                    content_base64: DEMO_PDF_BASE64.into(),
                },
            )
            .await?;
            app.port_in_event(&sys, &p.id, PortInEvent::Submit, None, None)
                .await?;
            app.port_in_event(&sys, &p.id, PortInEvent::Accept, None, None)
                .await?;
            app.request_documents(
                &sys,
                DocSubject::PortIn(&p.id),
                "bill",
                app.now() + 10 * 86_400,
                None,
                Some("a recent bill of the losing provider"),
                &[],
            )
            .await?;
        }
    }
    Ok(())
}
