//! Calls already admitted are cut when their account is suspended (F4): the guard lists the
//! live calls in the suspension's scope and the SIP edge tears them down
//! (`GET /v1/guard/teardowns`), then reports each call's end as usual. Emergency calls are
//! never cut (T13).

use super::*;

impl App {
    /// Orders the live calls of `account` within `scope` cut; returns how many.
    pub(super) fn order_cuts(
        &self,
        account: &str,
        scope: &SuspensionScope,
        rule: RuleRef,
        reason: &str,
        now: i64,
    ) -> usize {
        let calls = self.guard.counters.calls_of(account);
        let home = {
            let g = self.guard.inner.lock().expect("guard lock");
            g.accounts
                .get(account)
                .map(|a| a.policy.home_country.clone())
        };
        let mut cuts = self.guard.cuts.lock().expect("cuts lock");
        let mut n = 0;
        for (id, call) in calls {
            let emergency =
                tollgate_core::guard::is_emergency(&call.to, Some(&call.from), home.as_deref());
            let in_scope = match scope {
                SuspensionScope::All | SuspensionScope::Outbound => true,
                SuspensionScope::International => call.international,
                SuspensionScope::Messaging => false,
            };
            if emergency || !in_scope {
                continue;
            }
            cuts.entry(id.clone()).or_insert_with(|| CutOrder {
                call_id: id,
                billing_account: account.to_string(),
                rule,
                reason: reason.to_string(),
                ordered_at: now,
            });
            n += 1;
        }
        n
    }

    /// The calls the edge must tear down now, oldest order first.
    pub fn calls_to_cut(&self) -> Vec<CutOrder> {
        let mut v: Vec<CutOrder> = self
            .guard
            .cuts
            .lock()
            .expect("cuts lock")
            .values()
            .cloned()
            .collect();
        v.sort_by(|a, b| (a.ordered_at, &a.call_id).cmp(&(b.ordered_at, &b.call_id)));
        v
    }

    /// An account was reactivated: its calls are no longer to be cut.
    pub(super) fn forget_cuts_of(&self, account: &str) {
        self.guard
            .cuts
            .lock()
            .expect("cuts lock")
            .retain(|_, c| c.billing_account != account);
    }

    /// A call ended: no longer to be cut.
    pub(super) fn forget_cut(&self, call_id: &str) {
        self.guard.cuts.lock().expect("cuts lock").remove(call_id);
    }
}
