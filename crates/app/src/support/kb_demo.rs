//! The demo's knowledge base (`knowledge-base/`), embedded in the binary. A test checks this
//! list names every file there.

pub const DEMO_ARTICLES: &[(&str, &str)] = &[
    (
        "account-suspended-reactivation",
        include_str!("../../../../knowledge-base/account-suspended-reactivation.md"),
    ),
    (
        "busy-486-licensed-calls",
        include_str!("../../../../knowledge-base/busy-486-licensed-calls.md"),
    ),
    (
        "call-refused-403-x-tollgate-code",
        include_str!("../../../../knowledge-base/call-refused-403-x-tollgate-code.md"),
    ),
    (
        "calls-drop-after-fixed-time",
        include_str!("../../../../knowledge-base/calls-drop-after-fixed-time.md"),
    ),
    (
        "cancelling-a-purchase",
        include_str!("../../../../knowledge-base/cancelling-a-purchase.md"),
    ),
    (
        "cdr-export",
        include_str!("../../../../knowledge-base/cdr-export.md"),
    ),
    (
        "classound-outage",
        include_str!("../../../../knowledge-base/classound-outage.md"),
    ),
    (
        "closed-tickets",
        include_str!("../../../../knowledge-base/closed-tickets.md"),
    ),
    (
        "cloud-pbx-unreachable",
        include_str!("../../../../knowledge-base/cloud-pbx-unreachable.md"),
    ),
    (
        "commitment-discounts-and-price-changes",
        include_str!("../../../../knowledge-base/commitment-discounts-and-price-changes.md"),
    ),
    (
        "credit-notes-and-billing-credits",
        include_str!("../../../../knowledge-base/credit-notes-and-billing-credits.md"),
    ),
    (
        "declined-payments",
        include_str!("../../../../knowledge-base/declined-payments.md"),
    ),
    (
        "disputing-an-invoice-line",
        include_str!("../../../../knowledge-base/disputing-an-invoice-line.md"),
    ),
    (
        "email-follow-ups",
        include_str!("../../../../knowledge-base/email-follow-ups.md"),
    ),
    (
        "emergency-calls-and-address",
        include_str!("../../../../knowledge-base/emergency-calls-and-address.md"),
    ),
    (
        "feature-requests",
        include_str!("../../../../knowledge-base/feature-requests.md"),
    ),
    (
        "hwaas-lease-basics",
        include_str!("../../../../knowledge-base/hwaas-lease-basics.md"),
    ),
    (
        "late-payment-interest",
        include_str!("../../../../knowledge-base/late-payment-interest.md"),
    ),
    (
        "number-porting-in",
        include_str!("../../../../knowledge-base/number-porting-in.md"),
    ),
    (
        "number-quarantine",
        include_str!("../../../../knowledge-base/number-quarantine.md"),
    ),
    (
        "one-way-audio",
        include_str!("../../../../knowledge-base/one-way-audio.md"),
    ),
    (
        "password-reset-and-lost-totp",
        include_str!("../../../../knowledge-base/password-reset-and-lost-totp.md"),
    ),
    (
        "portal-errors",
        include_str!("../../../../knowledge-base/portal-errors.md"),
    ),
    (
        "premium-rate-and-international-blocked",
        include_str!("../../../../knowledge-base/premium-rate-and-international-blocked.md"),
    ),
    (
        "rate-tables-and-quotes",
        include_str!("../../../../knowledge-base/rate-tables-and-quotes.md"),
    ),
    (
        "reading-your-invoice",
        include_str!("../../../../knowledge-base/reading-your-invoice.md"),
    ),
    (
        "rma-capex-devices",
        include_str!("../../../../knowledge-base/rma-capex-devices.md"),
    ),
    (
        "sip-registration-source-banned",
        include_str!("../../../../knowledge-base/sip-registration-source-banned.md"),
    ),
    (
        "support-hours",
        include_str!("../../../../knowledge-base/support-hours.md"),
    ),
    (
        "unusual-traffic-announcements",
        include_str!("../../../../knowledge-base/unusual-traffic-announcements.md"),
    ),
    (
        "webhooks-signatures",
        include_str!("../../../../knowledge-base/webhooks-signatures.md"),
    ),
    (
        "which-partner-to-contact",
        include_str!("../../../../knowledge-base/which-partner-to-contact.md"),
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn h11_every_knowledge_base_file_is_embedded_and_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge-base");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .map(|n| n.trim_end_matches(".md").to_string())
            .collect();
        on_disk.sort();
        let listed: Vec<String> = super::DEMO_ARTICLES
            .iter()
            .map(|(s, _)| s.to_string())
            .collect();
        assert_eq!(
            listed, on_disk,
            "list every knowledge-base/*.md in kb_demo.rs"
        );
        for (slug, text) in super::DEMO_ARTICLES {
            super::super::kb::parse_article(slug, text, 0).unwrap();
        }
    }
}
