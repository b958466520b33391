//! The portal's sections: path, label and the permission each needs (the API's matrix,
//! `tollgate_core::tenancy::allows`). The menu shows a role only what it may open; the page
//! itself asks the same permission of `App::authorize`, so a hidden link is never the guard.

use tollgate_core::tenancy::Permission;

use crate::session::Session;

/// One entry of the menu.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub key: &'static str,
    pub path: &'static str,
    pub label: &'static str,
    pub perm: Permission,
}

/// The menu, in order.
pub const ENTRIES: &[Entry] = &[
    Entry {
        key: "dashboard",
        path: "/portal/",
        label: "Dashboard",
        perm: Permission::SelfRead,
    },
    Entry {
        key: "customers",
        path: "/portal/customers",
        label: "Customers",
        perm: Permission::CustomersRead,
    },
    Entry {
        key: "numbers",
        path: "/portal/numbers",
        label: "Numbers",
        perm: Permission::NumbersRead,
    },
    Entry {
        key: "calls",
        path: "/portal/calls",
        label: "Calls",
        perm: Permission::CdrsRead,
    },
    Entry {
        key: "rates",
        path: "/portal/rates",
        label: "Rates",
        perm: Permission::RatesRead,
    },
    Entry {
        key: "guard",
        path: "/portal/guard",
        label: "Guard",
        perm: Permission::GuardRead,
    },
    Entry {
        key: "messages",
        path: "/portal/messages",
        label: "Messages",
        perm: Permission::MessagesRead,
    },
    Entry {
        key: "availability",
        path: "/portal/availability",
        label: "Availability",
        perm: Permission::AssuranceRead,
    },
    Entry {
        key: "hardware",
        path: "/portal/hardware",
        label: "Hardware",
        perm: Permission::HardwareRead,
    },
    Entry {
        key: "frontline",
        path: "/portal/frontline",
        label: "Frontline",
        perm: Permission::FrontlineRead,
    },
    Entry {
        key: "invoices",
        path: "/portal/invoices",
        label: "Invoices",
        perm: Permission::InvoicesRead,
    },
    Entry {
        key: "receivables",
        path: "/portal/receivables",
        label: "Receivables",
        perm: Permission::ReceivablesRead,
    },
    Entry {
        key: "tickets",
        path: "/portal/tickets",
        label: "Tickets",
        perm: Permission::TicketsRead,
    },
    Entry {
        key: "audit",
        path: "/portal/audit",
        label: "Audit log",
        perm: Permission::AuditRead,
    },
    Entry {
        key: "me",
        path: "/portal/me",
        label: "My account",
        perm: Permission::SelfRead,
    },
];

/// A menu item as the layout draws it.
#[derive(Debug, Clone)]
pub struct Item {
    pub path: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The entries the session's role may open, `current` marked.
pub fn items(session: &Session, current: &str) -> Vec<Item> {
    ENTRIES
        .iter()
        .filter(|e| session.may(e.perm))
        .map(|e| Item {
            path: e.path,
            label: e.label,
            current: e.key == current,
        })
        .collect()
}
