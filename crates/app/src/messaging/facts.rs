//! An account's messaging facts: loaded from the store, folded, cached and kept current.

use std::collections::{HashMap, VecDeque};

use tollgate_core::messaging::Registered;
use tollgate_store::messaging::{system as msg_store, ConsentRow, RegistrationRow};
use tollgate_store::tenancy::system as tenancy_system;

use super::{AccountFacts, ConsentState, CAP_WINDOW_S, FACTS_TTL_S, MAX_CACHED_ACCOUNTS};
use crate::{App, AppError};

/// Folds the consent ledger (oldest first) into each recipient's current state.
pub(crate) fn fold_consents(rows: &[ConsentRow]) -> HashMap<String, ConsentState> {
    let mut m: HashMap<String, ConsentState> = HashMap::new();
    for r in rows {
        apply_consent(m.entry(r.recipient.clone()).or_default(), r);
    }
    m
}

/// One ledger event on a recipient's state: a grant (consent, or `START`) or a revocation.
pub(crate) fn apply_consent(state: &mut ConsentState, r: &ConsentRow) {
    if r.at < state.at {
        return;
    }
    state.at = r.at;
    let granted = r.action == "granted";
    state.granted = granted;
    state.opted_out = !granted;
    if r.country.is_some() || r.time_zone.is_some() {
        state.country = r.country.clone();
        state.region = r.region.clone();
        state.time_zone = r.time_zone.clone();
    }
}

/// The approved, unexpired registrations as admission reads them, and each sender's
/// per-message surcharge (B8).
pub(crate) fn registered(rows: &[RegistrationRow], now: i64) -> (Registered, HashMap<String, i64>) {
    let live = |r: &RegistrationRow| r.status == "approved" && r.expires_at.is_none_or(|e| now < e);
    let numbers = |r: &RegistrationRow| -> Vec<String> {
        r.numbers
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut reg = Registered::default();
    let mut surcharge = HashMap::new();
    for r in rows.iter().filter(|r| live(r)) {
        match r.kind.as_str() {
            "tendlc_campaign" => {
                let brand_ok = r
                    .brand_id
                    .as_deref()
                    .and_then(|b| rows.iter().find(|x| x.id == b))
                    .is_some_and(|b| b.kind == "tendlc_brand" && live(b));
                if brand_ok {
                    for n in numbers(r) {
                        surcharge.insert(n.clone(), r.surcharge_micros);
                        reg.tendlc_numbers.push(n);
                    }
                }
            }
            "toll_free" => {
                for n in numbers(r) {
                    surcharge.insert(n.clone(), r.surcharge_micros);
                    reg.toll_free.push(n);
                }
            }
            "short_code" => {
                surcharge.insert(r.reference.clone(), r.surcharge_micros);
                reg.short_codes.push(r.reference.clone());
            }
            "sender_id" => {
                surcharge.insert(r.reference.clone(), r.surcharge_micros);
                reg.sender_ids.push(r.reference.clone());
            }
            "state" => reg.states.extend(r.region.clone()),
            _ => {}
        }
    }
    for v in [
        &mut reg.tendlc_numbers,
        &mut reg.short_codes,
        &mut reg.toll_free,
        &mut reg.sender_ids,
        &mut reg.states,
    ] {
        v.sort_unstable();
        v.dedup();
    }
    (reg, surcharge)
}

impl App {
    /// Makes sure the account's facts are in memory and fresh.
    pub(crate) async fn load_messaging_facts(
        &self,
        account: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let wall = self.now();
        {
            let m = self.messaging.accounts.lock().expect("messaging lock");
            if let Some(f) = m.get(account) {
                if wall - f.loaded_at < FACTS_TTL_S && f.loaded_at <= wall {
                    return Ok(());
                }
            }
        }
        let ba = tenancy_system::get_billing_account(&self.store, account)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let customer = tenancy_system::get_customer(&self.store, &ba.customer_id).await?;
        let consents = msg_store::consents_of_account(&self.store, account).await?;
        let suppressed = msg_store::suppressed_for(&self.store, account).await?;
        let regs = msg_store::registrations_of_account(&self.store, account).await?;
        let sent = msg_store::marketing_since(&self.store, account, now - CAP_WINDOW_S).await?;
        let (registered, surcharge) = registered(&regs, now);
        let mut marketing: HashMap<String, VecDeque<i64>> = HashMap::new();
        let mut sent = sent;
        sent.sort_by_key(|(_, at)| *at);
        for (r, at) in sent {
            marketing.entry(r).or_default().push_back(at);
        }
        let mut m = self.messaging.accounts.lock().expect("messaging lock");
        if m.len() >= MAX_CACHED_ACCOUNTS && !m.contains_key(account) {
            m.clear();
        }
        let recipients = m.remove(account).map(|f| f.recipients).unwrap_or_default();
        m.insert(
            account.to_string(),
            AccountFacts {
                customer_id: ba.customer_id,
                partner_id: customer.partner_id,
                consent: fold_consents(&consents),
                suppressed: suppressed.into_iter().collect(),
                registered,
                surcharge,
                marketing,
                recipients,
                loaded_at: wall,
            },
        );
        Ok(())
    }

    /// Forgets an account's cached facts (after a change another path made).
    pub fn invalidate_messaging_facts(&self, account: &str) {
        self.messaging
            .accounts
            .lock()
            .expect("messaging lock")
            .remove(account);
    }

    /// Applies a consent event to the cached facts at once (opt-outs are honoured at once, M3).
    pub(crate) fn cache_consent(&self, row: &ConsentRow) {
        let mut m = self.messaging.accounts.lock().expect("messaging lock");
        if let Some(f) = m.get_mut(&row.billing_account_id) {
            apply_consent(f.consent.entry(row.recipient.clone()).or_default(), row);
        }
    }
}
