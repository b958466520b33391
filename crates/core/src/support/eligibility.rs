//! Who may open a ticket with the provider (H1, H2, P3, P4): by the agreement's profile and
//! the partner's tier. Every refusal names who to go to, with the rule and clause.

use crate::decision::Refusal;
use crate::rules;
use crate::terms::Support;

use super::ticket::BRONZE_ISSUES;

/// Who is opening the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener<'a> {
    /// The provider's own staff (NOC, agents): always.
    Operator,
    /// A partner's staff, with its tier and the name of its assigned partner (P3).
    Partner {
        tier: &'a str,
        assigned_partner: Option<&'a str>,
    },
    /// An end customer's staff, with the name of its partner (P4); `None`: a direct customer
    /// of the provider.
    Customer { partner: Option<&'a str> },
}

/// Whether `opener` may open a ticket about `issue` under the profile's support terms. Under
/// a reseller profile (`x-hoppers-2025`: no direct tiers) customers go to their reseller, the
/// partner named here (X 4.B via the profile's clause for P4).
pub fn may_open(
    support: &Support,
    opener: &Opener<'_>,
    issue: Option<&str>,
) -> Result<(), Refusal> {
    match opener {
        Opener::Operator => Ok(()),
        Opener::Customer { partner: None } => Ok(()),
        Opener::Customer {
            partner: Some(name),
        } => Err(Refusal::new(
            "support_via_partner",
            rules::P4,
            format!("end customers are supported by their partner: contact {name}"),
        )),
        Opener::Partner {
            tier,
            assigned_partner,
        } => {
            let direct = support.direct_tiers.iter().any(|t| t == tier);
            let limited_bronze = *tier == "bronze" && support.bronze_limited;
            if direct && !limited_bronze {
                return Ok(());
            }
            if direct && issue.is_some_and(|i| BRONZE_ISSUES.contains(&i)) {
                return Ok(());
            }
            match assigned_partner {
                // H1: a Bronze partner with direct but limited support, outside its issues.
                Some(name) if direct => Err(Refusal::new(
                    "support_via_assigned_partner",
                    rules::H1,
                    format!(
                        "Bronze partners open tickets only for an unreachable cloud PBX, a password reset or a CLASSOUND outage; otherwise contact your assigned partner {name}"
                    ),
                )),
                Some(name) => Err(Refusal::new(
                    "support_via_assigned_partner",
                    rules::H2,
                    format!("{tier} partners are supported by their assigned partner: contact {name}"),
                )),
                // P3: Bronze partners and resellers have an assigned Platinum or Gold partner;
                // without one on record there is nobody to refer to: the operator assigns one.
                None => Err(Refusal::new(
                    "assigned_partner_missing",
                    rules::P3,
                    "no assigned partner is on record for this partner: ask the provider to assign one (P3)",
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wildix_2026() -> Support {
        Support {
            direct_tiers: [
                "diamond",
                "platinum",
                "gold_plus",
                "gold",
                "silver",
                "bronze",
            ]
            .map(String::from)
            .to_vec(),
            bronze_limited: true,
        }
    }

    #[test]
    fn h1_a_bronze_partner_opens_pbx_unreachable_but_is_sent_to_its_assigned_partner_for_billing() {
        let bronze = Opener::Partner {
            tier: "bronze",
            assigned_partner: Some("Northwind Gold"),
        };
        assert_eq!(
            may_open(&wildix_2026(), &bronze, Some("pbx_unreachable")),
            Ok(())
        );
        let r = may_open(&wildix_2026(), &bronze, None).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("support_via_assigned_partner", Some(rules::H1))
        );
        assert!(r.message.contains("Northwind Gold"), "{}", r.message);
    }

    #[test]
    fn h2_resellers_go_to_their_assigned_partner_and_end_customers_to_their_partner() {
        let reseller = Opener::Partner {
            tier: "reseller",
            assigned_partner: Some("Northwind Gold"),
        };
        let r = may_open(&wildix_2026(), &reseller, Some("pbx_unreachable")).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("support_via_assigned_partner", Some(rules::H2))
        );
        // P3: a reseller with no assigned partner on record is not silently admitted.
        let orphan = Opener::Partner {
            tier: "reseller",
            assigned_partner: None,
        };
        let r = may_open(&wildix_2026(), &orphan, None).unwrap_err();
        assert_eq!(
            (r.code, r.rule),
            ("assigned_partner_missing", Some(rules::P3))
        );
        let customer = Opener::Customer {
            partner: Some("Northwind Gold"),
        };
        let r = may_open(&wildix_2026(), &customer, None).unwrap_err();
        assert_eq!((r.code, r.rule), ("support_via_partner", Some(rules::P4)));
        let gold = Opener::Partner {
            tier: "gold",
            assigned_partner: None,
        };
        assert_eq!(may_open(&wildix_2026(), &gold, None), Ok(()));
    }

    #[test]
    fn h1_under_the_earlier_terms_bronze_has_no_direct_support_at_all() {
        let earlier = Support {
            direct_tiers: ["platinum", "gold", "silver"].map(String::from).to_vec(),
            bronze_limited: false,
        };
        let bronze = Opener::Partner {
            tier: "bronze",
            assigned_partner: Some("Northwind Gold"),
        };
        let r = may_open(&earlier, &bronze, Some("pbx_unreachable")).unwrap_err();
        assert_eq!(r.code, "support_via_assigned_partner");
    }
}
