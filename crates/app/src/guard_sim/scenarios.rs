//! Realistic scenarios for the guard, built from how the attacks and ordinary offices behave
//! (not from the detectors' thresholds), each with randomised parameters from a seed, and a
//! report per scenario: detected or not, minutes to detect, minutes of fraud admitted, and
//! refusals of legitimate calls.
//!
//! The run plays the SIP edge faithfully: every admitted call is answered and ended (an
//! error on that path fails the run), and the calls the guard orders cut
//! ([`App::calls_to_cut`]) are torn down [`EDGE_CUT_DELAY_S`] later.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use tollgate_core::guard::Decision;

use super::{Rng, SimAccount};
use crate::guard::CallRequest;
use crate::{Actor, App, AppError, Caller};

/// Seconds the edge takes to tear down a call the guard ordered cut.
pub const EDGE_CUT_DELAY_S: i64 = 2;
/// 2026-11-16T00:00:00Z, a Monday: scenarios start their history here.
pub const MONDAY: i64 = 1_794_787_200;
const DAY: i64 = 86_400;

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// A compromised PBX holds 3-5 simultaneous long calls to costly destinations on a
    /// Saturday night, after a week of ordinary office traffic.
    IrsfLowConcurrency,
    /// Short-call bursts (a dialer): many calls under a minute.
    ShortCallBurst,
    /// Random number scanning through a range.
    NumberScanning,
    /// SIP registration brute force that goes on well past a first ban, with calls tried
    /// from the attacking address meanwhile and afterwards.
    BruteForce,
    /// A working day of five ordinary 20-user offices, with bursts of six simultaneous calls
    /// to neighbouring countries (Ireland, Germany). Nothing to detect.
    OfficeDay,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::IrsfLowConcurrency,
        Scenario::ShortCallBurst,
        Scenario::NumberScanning,
        Scenario::BruteForce,
        Scenario::OfficeDay,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::IrsfLowConcurrency => "irsf_low_concurrency",
            Scenario::ShortCallBurst => "short_call_burst",
            Scenario::NumberScanning => "number_scanning",
            Scenario::BruteForce => "brute_force",
            Scenario::OfficeDay => "office_day",
        }
    }

    /// Accounts the scenario uses (index 0 is the attacked one, when there is one).
    pub fn accounts(self) -> usize {
        match self {
            Scenario::OfficeDay => 5,
            _ => 2,
        }
    }
}

/// What one scenario run showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub scenario: &'static str,
    /// When the fraud started (none for [`Scenario::OfficeDay`]).
    pub onset: Option<i64>,
    /// Seconds from the onset to the first incident on the attacked account or source.
    pub detected_after_s: Option<i64>,
    /// Talk time of fraudulent calls the guard admitted, in seconds.
    pub fraud_talk_s: i64,
    /// Fraudulent attempts admitted.
    pub fraud_admitted: usize,
    /// Legitimate attempts refused (deny or busy).
    pub legit_refused: usize,
    pub legit_attempts: usize,
    /// Incidents that suspended an account that carried only legitimate traffic.
    pub legit_suspensions: usize,
}

impl Report {
    /// One line for a table.
    pub fn line(&self) -> String {
        format!(
            "{:<22} detected {:<5} after {:>6} min  fraud admitted {:>3} calls {:>6.1} min  legit refused {:>4} of {:>5}  legit suspensions {}",
            self.scenario,
            self.detected_after_s.is_some(),
            self.detected_after_s
                .map_or("-".to_string(), |s| format!("{:.1}", s as f64 / 60.0)),
            self.fraud_admitted,
            self.fraud_talk_s as f64 / 60.0,
            self.legit_refused,
            self.legit_attempts,
            self.legit_suspensions
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Attempt {
        account: usize,
        to: String,
        call_id: String,
        source: String,
        ring_s: i64,
        talk_s: i64,
        fraud: bool,
    },
    Answer(String),
    End(String),
    AuthFailure(String),
}

/// `n` office calls of one account on one day, 09:00-18:00 UTC, from its PBX address.
fn office_calls(rng: &mut Rng, account: usize, day: i64, n: usize, tag: &str) -> Vec<(i64, Ev)> {
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let at = day + 9 * 3_600 + rng.below(9 * 3_600) as i64;
        let r = rng.below(100);
        let to = match r {
            0..=79 => format!("331{:08}", rng.below(100_000_000)),
            80..=89 => format!("4930{:07}", rng.below(10_000_000)),
            90..=94 => format!("35312{:05}", rng.below(100_000)),
            _ => format!("4420{:08}", rng.below(100_000_000)),
        };
        let talk = if rng.below(100) < 25 {
            5 + rng.below(50) as i64
        } else {
            60 + rng.below(600) as i64
        };
        out.push((
            at,
            Ev::Attempt {
                account,
                to,
                call_id: format!("n{tag}-{account}-{k}"),
                source: format!("192.0.2.{}", 10 + account),
                ring_s: 2 + rng.below(10) as i64,
                talk_s: talk,
                fraud: false,
            },
        ));
    }
    out
}

/// A week of office history (Monday to Friday) for `accounts` accounts.
fn week_of_history(rng: &mut Rng, accounts: usize) -> Vec<(i64, Ev)> {
    let mut out = Vec::new();
    for d in 0..5 {
        for a in 0..accounts {
            out.extend(office_calls(rng, a, MONDAY + d * DAY, 12, &format!("h{d}")));
        }
    }
    out
}

/// The events of a scenario and its onset.
fn build(scenario: Scenario, seed: u64) -> (Vec<(i64, Ev)>, Option<i64>) {
    let mut rng = Rng::new(seed ^ 0x5eed_0000 ^ scenario as u64);
    let mut ev = week_of_history(&mut rng, scenario.accounts().min(2));
    let saturday = MONDAY + 5 * DAY;
    match scenario {
        Scenario::IrsfLowConcurrency => {
            let onset = saturday + 3_600 + rng.below(3 * 3_600) as i64;
            let concurrency = 3 + rng.below(3) as usize;
            let dests = ["252612", "5352", "67571"];
            // Each line keeps a call up: 20-60 min calls back to back for 3 hours.
            for line in 0..concurrency {
                let mut t = onset + line as i64 * (30 + rng.below(120) as i64);
                let mut k = 0;
                while t < onset + 3 * 3_600 {
                    let talk = 1_200 + rng.below(2_400) as i64;
                    let d = dests[rng.below(dests.len() as u64) as usize];
                    ev.push((
                        t,
                        Ev::Attempt {
                            account: 0,
                            to: format!("{d}{:06}", rng.below(1_000_000)),
                            call_id: format!("f-{line}-{k}"),
                            source: "203.0.113.66".into(),
                            ring_s: 3,
                            talk_s: talk,
                            fraud: true,
                        },
                    ));
                    t += talk + 5 + rng.below(30) as i64;
                    k += 1;
                }
            }
            (ev, Some(onset))
        }
        Scenario::ShortCallBurst => {
            let onset = saturday + 10 * 3_600 + rng.below(4 * 3_600) as i64;
            // A burst: a call every 5-20 s, each under 20 s.
            let calls = 40 + rng.below(60) as i64;
            let gap = 5 + rng.below(16) as i64;
            for k in 0..calls {
                ev.push((
                    onset + k * gap,
                    Ev::Attempt {
                        account: 0,
                        to: format!("336{:08}", rng.below(100_000_000)),
                        call_id: format!("f-{k}"),
                        source: "192.0.2.10".into(),
                        ring_s: 2,
                        talk_s: 2 + rng.below(15) as i64,
                        fraud: true,
                    },
                ));
            }
            (ev, Some(onset))
        }
        Scenario::NumberScanning => {
            let onset = saturday + 10 * 3_600 + rng.below(4 * 3_600) as i64;
            let base = 33_142_680_000u64 + rng.below(9_000) * 1_000;
            let sequential = rng.below(2) == 0;
            for k in 0..60u64 {
                let n = if sequential {
                    base + k
                } else {
                    base + rng.below(1_000)
                };
                ev.push((
                    onset + (k as i64) * (1 + rng.below(3) as i64),
                    Ev::Attempt {
                        account: 0,
                        to: n.to_string(),
                        call_id: format!("f-{k}"),
                        source: "192.0.2.10".into(),
                        ring_s: 4,
                        talk_s: 3,
                        fraud: true,
                    },
                ));
            }
            (ev, Some(onset))
        }
        Scenario::BruteForce => {
            let onset = saturday + rng.below(12 * 3_600) as i64;
            let attack_s = 1_800 + rng.below(1_800) as i64;
            let gap = 5 + rng.below(15) as i64;
            let mut t = onset;
            while t < onset + attack_s {
                ev.push((t, Ev::AuthFailure("198.51.100.77".into())));
                t += gap;
            }
            // The attacker tries calls with stolen credentials during and after the attack
            // (within ten minutes of its end): every one is fraud.
            for k in 0..20 {
                let at = onset + 120 + rng.below((attack_s + 600 - 120) as u64) as i64;
                ev.push((
                    at,
                    Ev::Attempt {
                        account: 0,
                        to: format!("331{:08}", rng.below(100_000_000)),
                        call_id: format!("f-{k}"),
                        source: "198.51.100.77".into(),
                        ring_s: 2,
                        talk_s: 300,
                        fraud: true,
                    },
                ));
            }
            (ev, Some(onset))
        }
        Scenario::OfficeDay => {
            // Five 20-user offices on the Monday after the history week: ~8 calls per user
            // per day, and twice a day six simultaneous calls to Ireland and Germany.
            let day = MONDAY + 7 * DAY;
            for a in 0..5 {
                ev.extend(office_calls(&mut rng, a, day, 160, "d"));
                for burst in 0..2 {
                    let at = day + (10 + 4 * burst) * 3_600 + rng.below(3_600) as i64;
                    for k in 0..6 {
                        let to = if k % 2 == 0 {
                            format!("35318{:05}", rng.below(100_000))
                        } else {
                            format!("4989{:07}", rng.below(10_000_000))
                        };
                        ev.push((
                            at + k * (5 + rng.below(20) as i64),
                            Ev::Attempt {
                                account: a,
                                to,
                                call_id: format!("nb-{a}-{burst}-{k}"),
                                source: format!("192.0.2.{}", 10 + a),
                                ring_s: 3,
                                talk_s: 600 + rng.below(1_200) as i64,
                                fraud: false,
                            },
                        ));
                    }
                }
            }
            (ev, None)
        }
    }
}

/// Runs a scenario on `accounts` (from [`super::setup`], at least [`Scenario::accounts`]).
pub async fn run(
    app: &App,
    accounts: &[SimAccount],
    scenario: Scenario,
    seed: u64,
) -> Result<Report, AppError> {
    let actor = Actor {
        actor: "system:sim".into(),
        source: "sim".into(),
        request_id: "sim".into(),
    };
    let (events, onset) = build(scenario, seed);
    let mut queue: BinaryHeap<Reverse<(i64, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    for (t, e) in events {
        seq += 1;
        queue.push(Reverse((t, seq, e)));
    }
    let mut r = Report {
        scenario: scenario.name(),
        onset,
        detected_after_s: None,
        fraud_talk_s: 0,
        fraud_admitted: 0,
        legit_refused: 0,
        legit_attempts: 0,
        legit_suspensions: 0,
    };
    // Live in the edge: call id -> (fraud, answered at).
    let mut live: HashMap<String, (bool, Option<i64>)> = HashMap::new();
    let mut cut: HashSet<String> = HashSet::new();
    while let Some(Reverse((t, _, e))) = queue.pop() {
        app.clock.set(t);
        match e {
            Ev::Attempt {
                account,
                to,
                call_id,
                source,
                ring_s,
                talk_s,
                fraud,
            } => {
                let a = &accounts[account];
                let d = app
                    .guard_call(
                        &actor,
                        CallRequest {
                            billing_account: Some(a.billing_account.clone()),
                            from: format!("+{}", a.number),
                            to: format!("+{to}"),
                            source_ip: Some(source),
                            at: Some(t),
                            call_id: Some(call_id.clone()),
                        },
                    )
                    .await?;
                let admitted = d.verdict.decision == Decision::Allow;
                if fraud {
                    r.fraud_admitted += usize::from(admitted);
                } else {
                    r.legit_attempts += 1;
                    r.legit_refused += usize::from(!admitted);
                }
                if admitted {
                    live.insert(call_id.clone(), (fraud, None));
                    let talk = talk_s.min(i64::from(d.verdict.max_duration_s));
                    seq += 1;
                    queue.push(Reverse((t + ring_s, seq, Ev::Answer(call_id.clone()))));
                    seq += 1;
                    queue.push(Reverse((t + ring_s + talk, seq, Ev::End(call_id))));
                }
            }
            Ev::Answer(id) => {
                if let Some(c) = live.get_mut(&id) {
                    app.guard_answer(&id, Some(t)).await?;
                    c.1 = Some(t);
                }
            }
            Ev::End(id) => {
                if let Some((fraud, answered)) = live.remove(&id) {
                    app.guard_end(&actor, &id, Some(t)).await?;
                    if fraud {
                        r.fraud_talk_s += answered.map_or(0, |a| t - a);
                    }
                }
            }
            Ev::AuthFailure(source) => {
                app.guard_auth_failure(&actor, &source, Some(t), None, None)
                    .await?;
            }
        }
        // The edge tears down what the guard ordered cut.
        for order in app.calls_to_cut() {
            if live.contains_key(&order.call_id) && cut.insert(order.call_id.clone()) {
                seq += 1;
                queue.push(Reverse((t + EDGE_CUT_DELAY_S, seq, Ev::End(order.call_id))));
            }
        }
    }
    app.flush_guard().await?;
    let sys = Caller::system(actor);
    let mut page = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
    let target_account = &accounts[0].billing_account;
    loop {
        let batch = app.list_incidents(&sys, &page).await?;
        for i in &batch {
            let on_target = match scenario {
                Scenario::BruteForce => i.source.as_deref() == Some("198.51.100.77"),
                _ => i.billing_account_id.as_deref() == Some(target_account.as_str()),
            };
            let suspends = i.action.starts_with("suspend");
            if let (Some(o), true) = (onset, on_target) {
                if i.at >= o {
                    let after = i.at - o;
                    r.detected_after_s = Some(r.detected_after_s.map_or(after, |d| d.min(after)));
                }
            }
            let legit_account = scenario == Scenario::OfficeDay || !on_target;
            if suspends && legit_account && i.billing_account_id.is_some() {
                r.legit_suspensions += 1;
            }
        }
        match batch.last() {
            Some(l) if batch.len() as i64 == page.limit => page.after = Some(l.id.clone()),
            _ => break,
        }
    }
    Ok(r)
}
