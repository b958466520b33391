//! Forbidden destination classes (F2): built-in ranges plus operator additions.

use std::collections::HashMap;

/// Destination classes the terms forbid (F2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestClass {
    PremiumRate,
    SharedCost,
    PersonalNumber,
    Uan,
    HighRisk,
}

impl DestClass {
    pub const ALL: [DestClass; 5] = [
        DestClass::PremiumRate,
        DestClass::SharedCost,
        DestClass::PersonalNumber,
        DestClass::Uan,
        DestClass::HighRisk,
    ];

    pub fn parse(s: &str) -> Option<DestClass> {
        Some(match s {
            "premium_rate" => DestClass::PremiumRate,
            "shared_cost" => DestClass::SharedCost,
            "personal_number" => DestClass::PersonalNumber,
            "uan" => DestClass::Uan,
            "high_risk" => DestClass::HighRisk,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DestClass::PremiumRate => "premium_rate",
            DestClass::SharedCost => "shared_cost",
            DestClass::PersonalNumber => "personal_number",
            DestClass::Uan => "uan",
            DestClass::HighRisk => "high_risk",
        }
    }

    pub(super) fn code(self) -> &'static str {
        match self {
            DestClass::PremiumRate => "destination_premium_rate",
            DestClass::SharedCost => "destination_shared_cost",
            DestClass::PersonalNumber => "destination_personal_number",
            DestClass::Uan => "destination_uan",
            DestClass::HighRisk => "destination_high_risk",
        }
    }
}

/// Prefix lists of forbidden destination classes: built-in data plus operator additions.
#[derive(Debug, Clone, Default)]
pub struct DestinationClasses {
    by_prefix: HashMap<String, DestClass>,
}

impl DestinationClasses {
    /// Parses `prefix,class,note` lines (`#` comments and a header allowed).
    pub fn parse(text: &str) -> Result<DestinationClasses, String> {
        let mut d = DestinationClasses::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("prefix,") {
                continue;
            }
            let mut cols = line.splitn(3, ',');
            let (p, c) = (
                cols.next().unwrap_or("").trim(),
                cols.next().unwrap_or("").trim(),
            );
            let class = DestClass::parse(c)
                .ok_or_else(|| format!("line {}: unknown class `{c}`", i + 1))?;
            d.add(p, class)
                .map_err(|e| format!("line {}: {e}", i + 1))?;
        }
        Ok(d)
    }

    pub fn add(&mut self, prefix: &str, class: DestClass) -> Result<(), String> {
        if prefix.is_empty() || prefix.len() > 15 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{prefix}` is not a digit prefix"));
        }
        self.by_prefix.insert(prefix.to_string(), class);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.by_prefix.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_prefix.is_empty()
    }

    /// The class of the longest listed prefix of `digits`.
    pub fn classify(&self, digits: &str) -> Option<(DestClass, &str)> {
        (1..=digits.len().min(15)).rev().find_map(|n| {
            self.by_prefix
                .get_key_value(&digits[..n])
                .map(|(k, c)| (*c, k.as_str()))
        })
    }
}
