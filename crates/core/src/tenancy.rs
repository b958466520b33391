//! Parties, roles and who may do what (RULEBOOK P1-P5).
//!
//! Architecture invariant: authorization is decided here, in [`allows`] (which role may use
//! which permission) and [`Scope`] (which tenants a principal may see). Handlers never
//! decide it themselves.

use crate::decision::Refusal;
use crate::rules;

/// Partner tiers (P1). Bronze partners and resellers have an assigned Platinum or Gold
/// partner (P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartnerTier {
    Diamond,
    Platinum,
    GoldPlus,
    Gold,
    Silver,
    Bronze,
    Reseller,
}

impl PartnerTier {
    pub const ALL: [PartnerTier; 7] = [
        PartnerTier::Diamond,
        PartnerTier::Platinum,
        PartnerTier::GoldPlus,
        PartnerTier::Gold,
        PartnerTier::Silver,
        PartnerTier::Bronze,
        PartnerTier::Reseller,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerTier::Diamond => "diamond",
            PartnerTier::Platinum => "platinum",
            PartnerTier::GoldPlus => "gold_plus",
            PartnerTier::Gold => "gold",
            PartnerTier::Silver => "silver",
            PartnerTier::Bronze => "bronze",
            PartnerTier::Reseller => "reseller",
        }
    }

    pub fn parse(s: &str) -> Option<PartnerTier> {
        PartnerTier::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// P3: bronze partners and resellers must name an assigned partner.
    pub fn needs_assigned_partner(self) -> bool {
        matches!(self, PartnerTier::Bronze | PartnerTier::Reseller)
    }

    /// P3: only Platinum or Gold partners can be assigned to support others.
    pub fn can_be_assigned(self) -> bool {
        matches!(self, PartnerTier::Platinum | PartnerTier::Gold)
    }
}

/// P3: checks a new partner's tier against its assigned partner's tier.
pub fn check_assignment(tier: PartnerTier, assigned: Option<PartnerTier>) -> Result<(), Refusal> {
    match (tier.needs_assigned_partner(), assigned) {
        (true, None) => Err(Refusal::new(
            "assigned_partner_required",
            rules::P3,
            format!(
                "a {} partner needs an assigned platinum or gold partner",
                tier.as_str()
            ),
        )
        .on_field("assigned_partner_id")),
        (true, Some(a)) if !a.can_be_assigned() => Err(Refusal::new(
            "assigned_partner_tier_invalid",
            rules::P3,
            format!(
                "the assigned partner is {}; it must be platinum or gold",
                a.as_str()
            ),
        )
        .on_field("assigned_partner_id")),
        (false, Some(_)) => Err(Refusal::new(
            "assigned_partner_not_applicable",
            rules::P3,
            format!(
                "only bronze partners and resellers have an assigned partner, not {}",
                tier.as_str()
            ),
        )
        .on_field("assigned_partner_id")),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    OperatorAdmin,
    OperatorSupport,
    OperatorBilling,
    PartnerAdmin,
    PartnerAgent,
    CustomerAdmin,
    CustomerUser,
    /// The SIP edge's service credential (Kamailio): decides calls and reports their
    /// progress and authentication failures; reads nothing.
    SipEdge,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::OperatorAdmin,
        Role::OperatorSupport,
        Role::OperatorBilling,
        Role::PartnerAdmin,
        Role::PartnerAgent,
        Role::CustomerAdmin,
        Role::CustomerUser,
        Role::SipEdge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::OperatorAdmin => "operator_admin",
            Role::OperatorSupport => "operator_support",
            Role::OperatorBilling => "operator_billing",
            Role::PartnerAdmin => "partner_admin",
            Role::PartnerAgent => "partner_agent",
            Role::CustomerAdmin => "customer_admin",
            Role::CustomerUser => "customer_user",
            Role::SipEdge => "sip_edge",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn level(self) -> Level {
        match self {
            // The edge decides calls of every account, so its scope is the operator's; the
            // matrix gives it nothing else.
            Role::OperatorAdmin | Role::OperatorSupport | Role::OperatorBilling | Role::SipEdge => {
                Level::Operator
            }
            Role::PartnerAdmin | Role::PartnerAgent => Level::Partner,
            Role::CustomerAdmin | Role::CustomerUser => Level::Customer,
        }
    }

    /// Whether a principal with this role may create a user with role `other`: admins create
    /// users at their own level or below, never above.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::OperatorAdmin => true,
            Role::PartnerAdmin => other.level() != Level::Operator,
            Role::CustomerAdmin => other.level() == Level::Customer,
            _ => false,
        }
    }
}

/// The level of the tenancy tree a role belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Operator,
    Partner,
    Customer,
}

/// What a request wants to do. Each HTTP route names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read own identity. Every authenticated principal.
    SelfRead,
    PartnersRead,
    PartnersWrite,
    CustomersRead,
    CustomersWrite,
    UsersRead,
    UsersWrite,
    /// Create, list and revoke API tokens (own tokens; admins: their tenants' users).
    TokensManage,
    /// Issue a token that acts as another user (impersonation, audited with both names;
    /// issue 11 #3): the operator's admins only (the CLI, service users).
    TokensForOthers,
    TermsRead,
    AuditRead,
    RatesRead,
    RatesWrite,
    CdrsRead,
    CdrsWrite,
    /// Ask the guard to admit a call and report its progress (the SIP edge's service token).
    GuardDecide,
    /// Incidents and suspensions in scope.
    GuardRead,
    /// Suspend, reactivate, set an account's guard policy, manage destination lists (F4).
    GuardManage,
    /// Suspend an account in scope and lift such suspensions (F4): the operator's staff, and a
    /// partner's admin for its own customers (it bills them and answers for their traffic);
    /// a partner lifts only suspensions its own users made.
    GuardSuspend,
    /// Announce legitimate unusual activity (F7).
    GuardAnnounce,
    /// Numbers, port-ins, emergency data in scope (T6-T14).
    NumbersRead,
    /// Reserve, activate, release, route numbers of customers in scope (T9, T10, T14).
    NumbersWrite,
    /// Customer-side number actions: confirm a provisional number (T10), register emergency
    /// addresses, acknowledge the emergency-call limitations, name the emergency contact (T13).
    NumbersCustomerWrite,
    /// Provider-side number actions: inventory import, verification, suspension, port-outs,
    /// port-in processing, document requests, deadline sweeps (T6-T11, B11).
    NumbersAdmin,
    /// Create, submit and cancel port-ins and upload documents; through the reseller (T7).
    PortingWrite,
    /// Products, price lists in scope and tax rates.
    CatalogRead,
    /// Products and tax rates (the operator's), price lists (the operator's; a partner
    /// admin its own retail lists).
    CatalogWrite,
    /// Orders and subscriptions in scope.
    OrdersRead,
    /// Draft orders for customers in scope; price changes (C3) for them.
    OrdersWrite,
    /// Execute an order as the customer (C1); give notice of non-renewal (C2).
    OrdersExecute,
    /// Accept and fulfil orders as the provider (C1).
    OrdersAccept,
    /// Invoices in scope (a customer its own; a partner those it issued and received).
    InvoicesRead,
    /// Run invoicing for a period; verify the ledger.
    BillingRun,
    /// Payments, disputes, credit notes, credits and statements in scope.
    ReceivablesRead,
    /// Record and decline payments and resolve disputes, as the issuer (B9, B10).
    PaymentsWrite,
    /// Open a dispute on an invoice in scope (B9).
    DisputesWrite,
    /// Aged receivables of the issuer (the operator: every issuer).
    ReceivablesReport,
    /// The outbox: delivery state, dead letters, requeue.
    OutboxManage,
    /// Tickets in scope and their public thread; knowledge-base suggestions (H11).
    TicketsRead,
    /// Open a ticket (eligibility by tier and profile decides, H1/H2), reply, give feedback.
    TicketsWrite,
    /// The provider's agents: states, class-of-service overrides, assignment, internal notes,
    /// contacting an end customer (H12), holidays, the knowledge base, inbound e-mail.
    TicketsAgent,
    /// Messages in scope, their consents, suppressions and registrations (M7).
    MessagesRead,
    /// Send messages for an account in scope (M1: directly or through the partner).
    MessagesSend,
    /// Record consents and suppressions for an account in scope (M2, M3).
    ConsentWrite,
    /// File registrations for an account in scope (M5).
    RegistrationsWrite,
    /// The provider's messaging desk: registration status, the provider's suppression list,
    /// reviews of stop requests, prices, inbound messages from a connector.
    MessagingAdmin,
    /// Service assurance: services, incidents, maintenance, availability; the customers'
    /// components and SLA credits in scope (S2).
    AssuranceRead,
    /// The NOC: services and components, probes, incidents, maintenance, customers' components
    /// (S1, S4).
    AssuranceAdmin,
    /// Close a month's SLA credits onto the next invoices (S3, B12).
    SlaClose,
    /// Hardware in scope: the catalog, devices and their history, leases with their Annex A,
    /// claims, warranty, RMAs.
    HardwareRead,
    /// The lessee's and buyer's side, through the partner: reductions and exchanges (E3),
    /// replacement requests (E5, E6), ending a lease (E7), RMAs (K4), conversion (K5).
    HardwareWrite,
    /// The provider's logistics: the catalog and upgrade offers (E8), leases and deliveries
    /// (E1, E4), returns and settlement (E7), shipments, sales (K1), the RMA desk (K3, K4).
    HardwareAdmin,
    /// Frontline in scope: stores, broadcasts, staff, call points, notifications and the
    /// manager's statistics (Q).
    FrontlineRead,
    /// A retailer's set-up, through its partner: stores and their seat subscriptions (L1),
    /// broadcasts and their timing, staff, call points, video sources.
    FrontlineWrite,
}

/// The one role × permission matrix.
pub fn allows(role: Role, perm: Permission) -> bool {
    use Permission::*;
    use Role::*;
    if role == SipEdge {
        // A credential on an internet-facing proxy: the calls it reports, nothing more.
        return perm == GuardDecide;
    }
    match perm {
        SelfRead | TermsRead | TokensManage | CustomersRead | CdrsRead => true,
        PartnersRead => !matches!(role, CustomerAdmin | CustomerUser),
        PartnersWrite | TokensForOthers => role == OperatorAdmin,
        CustomersWrite => matches!(role, OperatorAdmin | PartnerAdmin),
        UsersRead => matches!(
            role,
            OperatorAdmin | OperatorSupport | PartnerAdmin | CustomerAdmin
        ),
        UsersWrite => matches!(role, OperatorAdmin | PartnerAdmin | CustomerAdmin),
        AuditRead => matches!(role, OperatorAdmin | OperatorSupport),
        RatesRead => !matches!(role, CustomerUser),
        RatesWrite => matches!(role, OperatorAdmin | OperatorBilling),
        CdrsWrite => matches!(role, OperatorAdmin | OperatorBilling),
        GuardDecide => matches!(role, OperatorAdmin | SipEdge),
        GuardRead => true,
        GuardManage => matches!(role, OperatorAdmin | OperatorSupport),
        GuardSuspend => matches!(role, OperatorAdmin | OperatorSupport | PartnerAdmin),
        GuardAnnounce => matches!(
            role,
            OperatorAdmin | OperatorSupport | PartnerAdmin | CustomerAdmin
        ),
        NumbersRead => true,
        NumbersWrite | PortingWrite => matches!(role, OperatorAdmin | PartnerAdmin | PartnerAgent),
        NumbersCustomerWrite => matches!(
            role,
            OperatorAdmin | PartnerAdmin | PartnerAgent | CustomerAdmin
        ),
        NumbersAdmin => matches!(role, OperatorAdmin | OperatorSupport),
        CatalogRead | OrdersRead | InvoicesRead => true,
        CatalogWrite => matches!(role, OperatorAdmin | OperatorBilling | PartnerAdmin),
        OrdersWrite => matches!(
            role,
            OperatorAdmin | OperatorBilling | PartnerAdmin | PartnerAgent
        ),
        OrdersExecute => matches!(role, OperatorAdmin | PartnerAdmin | CustomerAdmin),
        OrdersAccept | BillingRun => matches!(role, OperatorAdmin | OperatorBilling),
        ReceivablesRead => true,
        PaymentsWrite | ReceivablesReport => {
            matches!(role, OperatorAdmin | OperatorBilling | PartnerAdmin)
        }
        DisputesWrite => matches!(
            role,
            OperatorAdmin | OperatorBilling | PartnerAdmin | CustomerAdmin
        ),
        OutboxManage | TicketsAgent => matches!(role, OperatorAdmin | OperatorSupport),
        TicketsRead | TicketsWrite | MessagesRead => true,
        MessagesSend => !matches!(role, OperatorSupport | OperatorBilling),
        ConsentWrite => matches!(
            role,
            OperatorAdmin | PartnerAdmin | PartnerAgent | CustomerAdmin
        ),
        RegistrationsWrite => matches!(role, OperatorAdmin | PartnerAdmin | CustomerAdmin),
        MessagingAdmin => matches!(role, OperatorAdmin | OperatorSupport),
        AssuranceRead => true,
        AssuranceAdmin => matches!(role, OperatorAdmin | OperatorSupport),
        SlaClose => matches!(role, OperatorAdmin | OperatorBilling),
        HardwareRead => true,
        HardwareWrite => matches!(
            role,
            OperatorAdmin | OperatorSupport | PartnerAdmin | PartnerAgent | CustomerAdmin
        ),
        HardwareAdmin => matches!(role, OperatorAdmin | OperatorSupport),
        FrontlineRead => true,
        FrontlineWrite => matches!(
            role,
            OperatorAdmin | OperatorSupport | PartnerAdmin | PartnerAgent | CustomerAdmin
        ),
    }
}

/// What part of the tenancy tree a principal may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The operator sees everything.
    All,
    /// A partner sees the customers of these partners: itself and the resellers it is the
    /// assigned partner of (P3, P4). Never a bronze partner's customers.
    Partners(Vec<String>),
    /// A customer sees only itself.
    Customer(String),
}

impl Scope {
    /// Whether a customer (owned by `partner_id`, or directly by the operator) is visible.
    pub fn sees_customer(&self, customer_id: &str, partner_id: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Partners(ids) => partner_id.is_some_and(|p| ids.iter().any(|i| i == p)),
            Scope::Customer(id) => id == customer_id,
        }
    }

    pub fn sees_partner(&self, partner_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Partners(ids) => ids.iter().any(|i| i == partner_id),
            Scope::Customer(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p3_bronze_and_resellers_need_a_platinum_or_gold_partner() {
        assert_eq!(
            check_assignment(PartnerTier::Bronze, None)
                .unwrap_err()
                .code,
            "assigned_partner_required"
        );
        assert_eq!(
            check_assignment(PartnerTier::Reseller, Some(PartnerTier::Silver))
                .unwrap_err()
                .code,
            "assigned_partner_tier_invalid"
        );
        assert!(check_assignment(PartnerTier::Bronze, Some(PartnerTier::Gold)).is_ok());
        assert!(check_assignment(PartnerTier::Reseller, Some(PartnerTier::Platinum)).is_ok());
        assert!(check_assignment(PartnerTier::Gold, None).is_ok());
        assert_eq!(
            check_assignment(PartnerTier::Gold, Some(PartnerTier::Gold))
                .unwrap_err()
                .code,
            "assigned_partner_not_applicable"
        );
    }

    #[test]
    fn a11_sip_edge_credential_decides_calls_and_reads_nothing() {
        use Permission::*;
        let every = [
            SelfRead,
            PartnersRead,
            PartnersWrite,
            CustomersRead,
            CustomersWrite,
            UsersRead,
            UsersWrite,
            TokensManage,
            TermsRead,
            AuditRead,
            RatesRead,
            RatesWrite,
            CdrsRead,
            CdrsWrite,
            GuardDecide,
            GuardRead,
            GuardManage,
            GuardSuspend,
            GuardAnnounce,
            NumbersRead,
            NumbersWrite,
            NumbersCustomerWrite,
            NumbersAdmin,
            PortingWrite,
            CatalogRead,
            CatalogWrite,
            OrdersRead,
            OrdersWrite,
            OrdersExecute,
            OrdersAccept,
            InvoicesRead,
            BillingRun,
            ReceivablesRead,
            PaymentsWrite,
            DisputesWrite,
            ReceivablesReport,
            OutboxManage,
            TicketsRead,
            TicketsWrite,
            TicketsAgent,
            MessagesRead,
            MessagesSend,
            ConsentWrite,
            RegistrationsWrite,
            MessagingAdmin,
            AssuranceRead,
            AssuranceAdmin,
            SlaClose,
            HardwareRead,
            HardwareWrite,
            HardwareAdmin,
            FrontlineRead,
            FrontlineWrite,
        ];
        let allowed: Vec<Permission> = every
            .into_iter()
            .filter(|p| allows(Role::SipEdge, *p))
            .collect();
        assert_eq!(allowed, vec![GuardDecide]);
        assert!(!Role::PartnerAdmin.may_grant(Role::SipEdge));
        assert!(Role::OperatorAdmin.may_grant(Role::SipEdge));
    }

    #[test]
    fn admins_never_grant_above_their_level() {
        assert!(Role::PartnerAdmin.may_grant(Role::CustomerUser));
        assert!(!Role::PartnerAdmin.may_grant(Role::OperatorAdmin));
        assert!(!Role::CustomerAdmin.may_grant(Role::PartnerAgent));
        assert!(!Role::CustomerUser.may_grant(Role::CustomerUser));
    }

    #[test]
    fn scope_partner_never_sees_other_partners_customers() {
        let s = Scope::Partners(vec!["p1".into()]);
        assert!(s.sees_customer("c1", Some("p1")));
        assert!(!s.sees_customer("c2", Some("p2")));
        assert!(!s.sees_customer("c3", None));
        let c = Scope::Customer("c1".into());
        assert!(c.sees_customer("c1", Some("p1")));
        assert!(!c.sees_customer("c2", Some("p1")));
    }
}
