//! The catalog's vocabulary: what a product is (its kind decides how it is billed and which
//! revenue account it feeds), the contract terms a subscription can run for, how often it is
//! billed, and term discounts as data (product facts: 3-year 15 %, 5-year 20 %).

use crate::Refusal;

/// What a product is. The kind decides whether it recurs, when its charges start (B2, E4) and
/// the revenue account (`revenue:<kind>`) its lines are credited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProductKind {
    /// A UC user licence: included concurrent calls (T3, L1) and minutes to a zone.
    Licence,
    /// Extra concurrent-call channels on top of the licences (T3).
    ExtraChannel,
    /// A telephone number (DID): charges start at its Activation Date (B2).
    Number,
    Fax,
    /// A messaging bundle.
    Messaging,
    /// A leased device (HWaaS): invoicing starts 14 days after the order (E4).
    LeasedDevice,
    /// A device sold outright (CAPEX, K1): billed once.
    SoldDevice,
    /// Set-up, transport and other one-time charges.
    OneTime,
}

pub const PRODUCT_KINDS: &[ProductKind] = &[
    ProductKind::Licence,
    ProductKind::ExtraChannel,
    ProductKind::Number,
    ProductKind::Fax,
    ProductKind::Messaging,
    ProductKind::LeasedDevice,
    ProductKind::SoldDevice,
    ProductKind::OneTime,
];

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Licence => "licence",
            ProductKind::ExtraChannel => "extra_channel",
            ProductKind::Number => "number",
            ProductKind::Fax => "fax",
            ProductKind::Messaging => "messaging",
            ProductKind::LeasedDevice => "leased_device",
            ProductKind::SoldDevice => "sold_device",
            ProductKind::OneTime => "one_time",
        }
    }

    pub fn parse(s: &str) -> Result<ProductKind, Refusal> {
        PRODUCT_KINDS
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "product_kind_invalid",
                    "kind",
                    format!(
                        "`{s}` is not a product kind (one of {})",
                        PRODUCT_KINDS
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }

    /// Billed at a frequency in advance (B3), rather than once.
    pub fn recurring(self) -> bool {
        !matches!(self, ProductKind::SoldDevice | ProductKind::OneTime)
    }

    /// Carries concurrent calls to the guard (T3, L1, L2).
    pub fn carries_calls(self) -> bool {
        matches!(self, ProductKind::Licence | ProductKind::ExtraChannel)
    }
}

/// The chosen rent period (C2): the contract term, which auto-renews for the same period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    Monthly,
    Annual,
    ThreeYear,
    FiveYear,
}

pub const TERMS: &[Term] = &[Term::Monthly, Term::Annual, Term::ThreeYear, Term::FiveYear];

impl Term {
    pub fn as_str(self) -> &'static str {
        match self {
            Term::Monthly => "monthly",
            Term::Annual => "annual",
            Term::ThreeYear => "3_year",
            Term::FiveYear => "5_year",
        }
    }

    pub fn months(self) -> i32 {
        match self {
            Term::Monthly => 1,
            Term::Annual => 12,
            Term::ThreeYear => 36,
            Term::FiveYear => 60,
        }
    }

    pub fn parse(s: &str) -> Result<Term, Refusal> {
        TERMS
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "term_invalid",
                    "term",
                    format!("`{s}` is not a term (monthly, annual, 3_year, 5_year)"),
                )
            })
    }
}

/// How often a recurring charge is invoiced (in advance, B3). A multi-year term may be billed
/// monthly or annually; a monthly term only monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    Monthly,
    Annual,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Annual => "annual",
        }
    }

    pub fn months(self) -> i64 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Annual => 12,
        }
    }

    pub fn parse(s: &str) -> Result<Frequency, Refusal> {
        match s {
            "monthly" => Ok(Frequency::Monthly),
            "annual" => Ok(Frequency::Annual),
            _ => Err(Refusal::invalid(
                "frequency_invalid",
                "billing_frequency",
                format!("`{s}` is not a billing frequency (monthly, annual)"),
            )),
        }
    }

    /// Whether a subscription of `term` may be billed at this frequency: never less often than
    /// the term ends (a monthly term is billed monthly).
    pub fn fits(self, term: Term) -> Result<(), Refusal> {
        if self.months() > i64::from(term.months()) {
            return Err(Refusal::invalid(
                "frequency_invalid",
                "billing_frequency",
                format!(
                    "a {} term cannot be billed {}",
                    term.as_str(),
                    self.as_str()
                ),
            ));
        }
        Ok(())
    }
}

/// Basis points (1/100 of a percent): 1,500 = 15 %.
pub const BASIS_POINTS: i64 = 10_000;

/// The price of one unit per month after a term discount in basis points, half up to the
/// micro. Checked: a discount outside 0..=100 % refuses.
pub fn discounted_micros(monthly_micros: i64, discount_bp: i64) -> Result<i64, Refusal> {
    if !(0..=BASIS_POINTS).contains(&discount_bp) {
        return Err(Refusal::invalid(
            "discount_invalid",
            "discount_bp",
            "a term discount is between 0 and 10000 basis points",
        ));
    }
    let num = i128::from(monthly_micros) * i128::from(BASIS_POINTS - discount_bp);
    Ok(i64::try_from(round_div(num, i128::from(BASIS_POINTS))).expect("≤ the undiscounted price"))
}

/// `num / den`, half away from zero (den > 0).
pub fn round_div(num: i128, den: i128) -> i128 {
    let (q, r) = (num / den, num % den);
    if r.abs() * 2 >= den {
        q + r.signum()
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_facts_term_discounts_are_data_applied_to_the_monthly_price() {
        // 12.99 a month: 3-year (15 %) → 11.0415; 5-year (20 %) → 10.392.
        assert_eq!(discounted_micros(12_990_000, 1_500).unwrap(), 11_041_500);
        assert_eq!(discounted_micros(12_990_000, 2_000).unwrap(), 10_392_000);
        // 0.000003 × 0.85 = 0.00000255 → 0.000003 (half up to the micro).
        assert_eq!(discounted_micros(3, 1_500).unwrap(), 3);
        assert_eq!(
            discounted_micros(1, 10_001).unwrap_err().code,
            "discount_invalid"
        );
    }

    #[test]
    fn c2_a_monthly_term_is_billed_monthly_a_long_term_monthly_or_annually() {
        assert!(Frequency::Monthly.fits(Term::FiveYear).is_ok());
        assert!(Frequency::Annual.fits(Term::Annual).is_ok());
        assert_eq!(
            Frequency::Annual.fits(Term::Monthly).unwrap_err().code,
            "frequency_invalid"
        );
        assert_eq!(Term::parse("2_year").unwrap_err().code, "term_invalid");
        assert_eq!(ProductKind::parse("licence").unwrap(), ProductKind::Licence);
        assert!(!ProductKind::SoldDevice.recurring());
    }
}
