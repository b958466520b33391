//! Invoice lines in money: each line's exact amount (micro units: quantity × unit price,
//! sub-cent rates allowed) is rounded half up to the currency's minor unit once, and the total
//! is the sum of the rounded lines (RULEBOOK "Decision (money)"), never a rounding of the sum.

use crate::money::{micros_to_minor, Currency};
use crate::Refusal;

/// One line's exact amount and its rounded amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmount {
    pub exact_micros: i128,
    pub minor: i64,
}

/// `quantity` × `unit_micros`, exact, then rounded half up to `currency`'s minor unit.
pub fn line_minor(
    quantity: i64,
    unit_micros: i64,
    currency: Currency,
) -> Result<LineAmount, Refusal> {
    if quantity <= 0 {
        return Err(Refusal::invalid(
            "quantity_invalid",
            "quantity",
            "must be a positive whole number",
        ));
    }
    let exact = i128::from(quantity) * i128::from(unit_micros);
    // The minor amount must fit the ledger's i64 with room: refuse rather than wrap.
    if exact.abs() > i128::from(i64::MAX) {
        return Err(Refusal::invalid(
            "amount_too_large",
            "quantity",
            "the line amount overflows",
        ));
    }
    Ok(LineAmount {
        exact_micros: exact,
        minor: micros_to_minor(exact, currency),
    })
}

/// The invoice total: the sum of the rounded lines, checked.
pub fn invoice_total(lines: &[LineAmount]) -> Result<i64, Refusal> {
    lines.iter().try_fold(0i64, |acc, l| {
        acc.checked_add(l.minor).ok_or_else(|| {
            Refusal::invalid("amount_too_large", "lines", "the invoice total overflows")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_decision_the_total_is_the_sum_of_rounded_lines() {
        let eur = Currency::parse("EUR").unwrap();
        // Three lines of 1 × 0.005 EUR: each rounds half up to 0.01, the total is 0.03, not
        // round(0.015) = 0.02.
        let l = line_minor(1, 5_000, eur).unwrap();
        assert_eq!(
            l,
            LineAmount {
                exact_micros: 5_000,
                minor: 1
            }
        );
        assert_eq!(invoice_total(&[l, l, l]).unwrap(), 3);
        // 1,234 minutes at 0.012345 EUR = 15.233730 → 15.23.
        assert_eq!(line_minor(1_234, 12_345, eur).unwrap().minor, 1_523);
        // JPY has no minor digits: 3 × 0.5 JPY = 1.5 → 2.
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(line_minor(3, 500_000, jpy).unwrap().minor, 2);
    }

    #[test]
    fn money_decision_bad_quantities_and_overflows_are_refused() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(line_minor(0, 1, eur).unwrap_err().code, "quantity_invalid");
        assert_eq!(line_minor(-2, 1, eur).unwrap_err().code, "quantity_invalid");
        assert_eq!(
            line_minor(i64::MAX, 2, eur).unwrap_err().code,
            "amount_too_large"
        );
        let big = LineAmount {
            exact_micros: 0,
            minor: i64::MAX,
        };
        assert_eq!(
            invoice_total(&[big, big]).unwrap_err().code,
            "amount_too_large"
        );
    }
}
