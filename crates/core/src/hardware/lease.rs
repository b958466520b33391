//! HWaaS leases (W 21): the term (E2), the 6-month hold on reductions and exchanges (E3),
//! when a new device's invoicing starts (E4, B2), what a cancelled device is billed up to
//! (product fact) and what a device not returned at the end costs (E7).

use jiff::civil::Date;
use jiff::Span;

use super::{add_months, months_between};
use crate::billing::catalog::round_div;
use crate::rules;
use crate::Refusal;

/// E2 (W 21.5): a lease runs month-to-month, year-to-year or for 5 years; the fee is paid in
/// advance (W 21.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaseTerm {
    MonthToMonth,
    YearToYear,
    FiveYears,
}

impl LeaseTerm {
    pub const ALL: [LeaseTerm; 3] = [
        LeaseTerm::MonthToMonth,
        LeaseTerm::YearToYear,
        LeaseTerm::FiveYears,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeaseTerm::MonthToMonth => "month_to_month",
            LeaseTerm::YearToYear => "year_to_year",
            LeaseTerm::FiveYears => "five_years",
        }
    }

    /// Reads a stored or submitted term; `term_invalid` on field `term` otherwise.
    pub fn parse(s: &str) -> Result<LeaseTerm, Refusal> {
        LeaseTerm::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "term_invalid",
                    "term",
                    format!(
                        "`{s}` is not a lease term; one of: month_to_month, year_to_year, \
                         five_years"
                    ),
                )
            })
    }

    /// The term's length in months.
    pub fn months(self) -> i32 {
        match self {
            LeaseTerm::MonthToMonth => 1,
            LeaseTerm::YearToYear => 12,
            LeaseTerm::FiveYears => 60,
        }
    }
}

/// E3 (W 21.6) and the product fact on cancellations: months a delivered device is held.
pub const MIN_HOLD_MONTHS: i32 = 6;

/// E4 (W 21.7): days from the order to the first invoiced day of a new device (the same
/// figure the billing engine uses for leased devices).
pub const INVOICE_DELAY_DAYS: i64 = crate::billing::contract::HWAAS_INVOICING_DELAY_DAYS;

/// E7 (W 21.24): the surcharge on a device not returned, percent of its casualty value.
pub const NON_RETURN_SURCHARGE_PERCENT: i64 = 10;

/// E3: the first day a delivered device may be reduced or exchanged for another model:
/// delivery + 6 months (delivered 2026-06-01 → 2026-12-01).
pub fn first_change_allowed(delivered_on: Date) -> Date {
    add_months(delivered_on, MIN_HOLD_MONTHS)
}

/// A change to a lease that E3 holds back for 6 months after delivery. Increases and
/// exchanges for the same model are free at any time and need no check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Fewer devices (a device removed from Annex A).
    Reduce,
    /// A device exchanged for a different model.
    Exchange,
}

/// E3: a reduction or an exchange for another model on `on`; refused before
/// [`first_change_allowed`] with code `within_six_months`, the rule and the first allowed date,
/// on field `quantity` (reductions) or `model` (exchanges).
pub fn check_change(change: Change, delivered_on: Date, on: Date) -> Result<(), Refusal> {
    let first = first_change_allowed(delivered_on);
    if on >= first {
        return Ok(());
    }
    let (what, field) = match change {
        Change::Reduce => ("the quantity cannot be reduced", "quantity"),
        Change::Exchange => ("a device cannot be exchanged for another model", "model"),
    };
    Err(Refusal::new(
        "within_six_months",
        rules::E3,
        format!(
            "{what} within {MIN_HOLD_MONTHS} months of delivery (delivered on {delivered_on}); \
             the first allowed date is {first}"
        ),
    )
    .on_field(field))
}

/// E4 (W 21.7, B2): the first invoiced day of a new device: the order + 14 days
/// (ordered 2026-11-03 → 2026-11-17). Saturates at jiff's last date.
pub fn invoicing_starts(ordered_on: Date) -> Date {
    ordered_on
        .checked_add(Span::new().days(INVOICE_DELAY_DAYS))
        .unwrap_or(Date::MAX)
}

/// Product fact: a leased device cancelled before 6 months is billed up to 6 months. The
/// (exclusive) end of its billing: the later of the cancellation day and delivery + 6 months
/// (delivered 2026-06-01, cancelled 2026-09-15 → billed until 2026-12-01).
pub fn billed_until_on_cancel(delivered_on: Date, cancelled_on: Date) -> Date {
    cancelled_on.max(first_change_allowed(delivered_on))
}

/// E2, E7: the end (exclusive) of the lease term running on `on`: terms renew for the same
/// length (a month, a year, five years) from `started` (the first invoiced day), so the term
/// running on `on` ends at the first `started + k × term` after `on`. Started 2026-11-17, a
/// year-to-year term ends 2027-11-17 on 2026-12-16 and 2028-11-17 on 2027-11-17.
pub fn term_ends(started: Date, term: LeaseTerm, on: Date) -> Date {
    let step = term.months();
    let mut k = 1;
    loop {
        let end = super::add_months(started, step.saturating_mul(k));
        if end > on || end == Date::MAX {
            return end;
        }
        k += 1;
    }
}

/// What a device not returned at the end of the lease costs (E7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonReturn {
    /// Monthly fee × `months_unpaid`.
    pub unpaid_fees_micros: i64,
    /// The model's casualty value.
    pub casualty_micros: i64,
    /// 10 % of the casualty value, half up to the micro.
    pub surcharge_micros: i64,
    /// The sum of the three: the amount invoiced, after which ownership passes.
    pub total_micros: i64,
    /// Months from `paid_until` to the end of the term, a partial month counted whole.
    pub months_unpaid: i64,
}

/// E7 (W 21.24): a device not made available for pick-up at the end of the term (or on
/// earlier termination) costs the unpaid service fee for the term, its casualty value and
/// 10 % of the casualty value; ownership then passes to the lessee.
///
/// **Decision (unpaid fees for the term):** the fees of the months from `paid_until` (the
/// first day no paid fee covers; fees are paid in advance) to `term_ends` (the day the term
/// ends, exclusive), counted by [`months_between`], a partial month counted whole; nothing
/// when the fees are paid to the end of the term.
///
/// **Decision (surcharge base):** W 21.24 reads "plus the Casualty Value of the Equipment
/// plus 10% of the Casualty Value": the 10 % is of the casualty value alone, not of the unpaid
/// fees; rounded half up to the micro.
///
/// Refuses negative amounts (`amount_invalid`) and totals that overflow (`amount_too_large`).
pub fn non_return(
    monthly_fee_micros: i64,
    paid_until: Date,
    term_ends: Date,
    casualty_micros: i64,
) -> Result<NonReturn, Refusal> {
    for (field, v) in [
        ("monthly_fee_micros", monthly_fee_micros),
        ("casualty_micros", casualty_micros),
    ] {
        if v < 0 {
            return Err(Refusal::invalid(
                "amount_invalid",
                field,
                "an amount cannot be negative",
            ));
        }
    }
    let overflow = || {
        Refusal::invalid(
            "amount_too_large",
            "monthly_fee_micros",
            "the amount overflows",
        )
    };
    let months_unpaid = months_between(paid_until, term_ends);
    let unpaid_fees_micros = monthly_fee_micros
        .checked_mul(months_unpaid)
        .ok_or_else(overflow)?;
    let surcharge = round_div(
        i128::from(casualty_micros) * i128::from(NON_RETURN_SURCHARGE_PERCENT),
        100,
    );
    let surcharge_micros = i64::try_from(surcharge).map_err(|_| overflow())?;
    let total_micros = unpaid_fees_micros
        .checked_add(casualty_micros)
        .and_then(|t| t.checked_add(surcharge_micros))
        .ok_or_else(overflow)?;
    Ok(NonReturn {
        unpaid_fees_micros,
        casualty_micros,
        surcharge_micros,
        total_micros,
        months_unpaid,
    })
}
