//! Receivables use cases (issue 13): payments allocated oldest first and declined payments
//! (B9, B10), disputes and credit notes (B9), billing credits consumed by later invoices,
//! late interest on the next invoice (B6), statements of account and aged receivables.
//! Every movement of money is one balanced ledger transaction, with its audit entry, in the
//! use case's transaction.

mod cancellation;
mod credits;
pub mod demo;
mod disputes;
mod dunning;
mod interest;
mod payments;
mod reports;
mod termination;

pub use cancellation::Cancelled;
pub use disputes::{NewDispute, Resolution};
pub use dunning::DunningReport;
pub use payments::{NewPayment, PaymentOutcome};
pub use reports::{AgedBucket, AgedRow, Statement, StatementLine, AGED_BUCKETS};
pub use termination::{Terminated, TERMINATION_CAUSES};

use tollgate_core::ledger::{AccountKind, Entry, LedgerAccount, Side};
use tollgate_core::money::{parse_scaled, Currency};
use tollgate_core::tenancy::Scope;

use crate::{AppError, Caller};

/// Money of `currency` from text (`12.34`) to minor units, positive.
pub(crate) fn minor_amount(text: &str, currency: Currency, field: &str) -> Result<i64, AppError> {
    let v = parse_scaled(text, currency.minor_digits())
        .map_err(|m| AppError::invalid("amount_invalid", field, m))?;
    if v <= 0 {
        return Err(AppError::invalid(
            "amount_invalid",
            field,
            "a positive amount",
        ));
    }
    Ok(v)
}

/// One ledger entry of `issuer`'s books with `counterparty`.
pub(crate) fn entry(
    issuer: &str,
    counterparty: &str,
    kind: AccountKind,
    currency: Currency,
    side: Side,
    minor: i64,
) -> Entry {
    Entry {
        account: LedgerAccount {
            issuer: issuer.into(),
            counterparty: counterparty.into(),
            kind,
            currency,
        },
        side,
        minor,
    }
}

/// Whether the caller acts for `issuer`: the operator for all, a partner for itself.
pub(crate) fn acts_for(caller: &Caller, issuer: &str) -> bool {
    match &caller.scope {
        Scope::All => true,
        Scope::Partners(ids) => ids.first().is_some_and(|p| p == issuer),
        Scope::Customer(_) => false,
    }
}

/// The taxes of an invoice given back with `net_micros` of its taxable lines (a refund of
/// prepaid fees, a credit note): per jurisdiction at the invoice's own rates, in micro units.
pub(crate) async fn tax_back(
    app: &crate::App,
    invoice_id: &str,
    net_micros: i128,
    into: &mut std::collections::BTreeMap<String, i128>,
) -> Result<(), AppError> {
    let (_, taxes) = tollgate_store::billing::system::invoice_parts(&app.store, invoice_id).await?;
    for t in taxes {
        *into.entry(t.jurisdiction).or_default() += tollgate_core::billing::catalog::round_div(
            net_micros * i128::from(t.rate_ppm),
            i128::from(tollgate_core::billing::invoice::PPM),
        );
    }
    Ok(())
}

/// Micro units in one minor unit of `currency` (10,000 for cents).
pub(crate) fn micros_per_minor(currency: Currency) -> i64 {
    10i64.pow(tollgate_core::money::MICRO_DIGITS - currency.minor_digits())
}
