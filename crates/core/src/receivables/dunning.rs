//! Dunning: reminders at configured days past due, and a step that suspends outbound calls
//! (through the guard, F4) once a billed party's overdue balance passes a threshold; lifted
//! when paid. Each step is taken once per invoice.

use crate::Refusal;

/// Reminder days when an issuer set none.
pub const DEFAULT_REMINDER_DAYS: &[i64] = &[7, 14, 30];
/// Most reminders a policy may have.
pub const MAX_REMINDERS: usize = 10;
/// The latest day past due a step may name.
pub const MAX_DUNNING_DAY: i64 = 365;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DunningPolicy {
    /// Ascending days past due at which a reminder goes out.
    pub reminder_days: Vec<i64>,
    /// Suspend outbound calls from this many days past due; none: never.
    pub suspend_after_days: Option<i64>,
    /// ... when the party's overdue balance is at least this (minor units).
    pub suspend_min_minor: i64,
}

impl Default for DunningPolicy {
    fn default() -> Self {
        DunningPolicy {
            reminder_days: DEFAULT_REMINDER_DAYS.to_vec(),
            suspend_after_days: None,
            suspend_min_minor: 0,
        }
    }
}

/// One dunning step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Remind(i64),
    Suspend,
}

impl Step {
    /// Its key in the log (`remind:7`, `suspend`).
    pub fn key(&self) -> String {
        match self {
            Step::Remind(d) => format!("remind:{d}"),
            Step::Suspend => "suspend".into(),
        }
    }
}

impl DunningPolicy {
    /// A policy from its parts, checked.
    pub fn new(
        mut reminder_days: Vec<i64>,
        suspend_after_days: Option<i64>,
        suspend_min_minor: i64,
    ) -> Result<DunningPolicy, Refusal> {
        let bad = |m: String| Refusal::invalid("dunning_policy_invalid", "reminder_days", m);
        if reminder_days.len() > MAX_REMINDERS {
            return Err(bad(format!("at most {MAX_REMINDERS} reminders")));
        }
        if reminder_days
            .iter()
            .any(|d| !(1..=MAX_DUNNING_DAY).contains(d))
        {
            return Err(bad(format!("days past due from 1 to {MAX_DUNNING_DAY}")));
        }
        reminder_days.sort_unstable();
        reminder_days.dedup();
        if suspend_after_days.is_some_and(|d| !(1..=MAX_DUNNING_DAY).contains(&d)) {
            return Err(Refusal::invalid(
                "dunning_policy_invalid",
                "suspend_after_days",
                format!("from 1 to {MAX_DUNNING_DAY}"),
            ));
        }
        if suspend_min_minor < 0 {
            return Err(Refusal::invalid(
                "dunning_policy_invalid",
                "suspend_min_minor",
                "not negative",
            ));
        }
        Ok(DunningPolicy {
            reminder_days,
            suspend_after_days,
            suspend_min_minor,
        })
    }

    /// The steps due for an invoice `days_past_due` late of a party owing `overdue_minor`.
    pub fn steps_due(&self, days_past_due: i64, overdue_minor: i64) -> Vec<Step> {
        let mut out: Vec<Step> = self
            .reminder_days
            .iter()
            .filter(|d| **d <= days_past_due)
            .map(|d| Step::Remind(*d))
            .collect();
        if self.suspends(days_past_due, overdue_minor) {
            out.push(Step::Suspend);
        }
        out
    }

    /// Whether a party this late owing this much is (still) to be suspended.
    pub fn suspends(&self, days_past_due: i64, overdue_minor: i64) -> bool {
        self.suspend_after_days.is_some_and(|d| {
            days_past_due >= d && overdue_minor > 0 && overdue_minor >= self.suspend_min_minor
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_go_at_their_days_and_suspension_past_the_day_and_threshold() {
        let p = DunningPolicy::new(vec![14, 7], Some(20), 5_000).unwrap();
        assert_eq!(p.reminder_days, vec![7, 14]);
        assert!(p.steps_due(6, 10_000).is_empty());
        assert_eq!(p.steps_due(8, 10_000), vec![Step::Remind(7)]);
        assert_eq!(
            p.steps_due(21, 10_000),
            vec![Step::Remind(7), Step::Remind(14), Step::Suspend]
        );
        // Below the threshold: reminders only.
        assert_eq!(
            p.steps_due(21, 4_999),
            vec![Step::Remind(7), Step::Remind(14)]
        );
        assert_eq!(Step::Remind(7).key(), "remind:7");
        assert!(DunningPolicy::new(vec![0], None, 0).is_err());
        assert!(DunningPolicy::new(vec![7], Some(400), 0).is_err());
    }
}
