//! A seeded traffic simulator for the guard: normal office traffic for many accounts plus
//! injected fraud patterns, replayed through the real use cases with a pinned clock.
//! Deterministic by seed: the same seed gives the same events and the same incidents.
//! [`scenarios`] builds realistic attacks and ordinary office days with randomised
//! parameters and reports, per scenario, what the guard caught and what it cost.

pub mod scenarios;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tollgate_core::guard::Decision;
use tollgate_store::guard::PolicyRow;
use tollgate_store::numbers::NumberRow;
use tollgate_store::tenancy::{self as tenancy_store, OperatorRow};

use crate::guard::CallRequest;
use crate::ids::new_id;
use crate::tenancy::NewCustomer;
use crate::{Actor, App, AppError, Caller};

/// The fraud patterns the simulator can inject (issue 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Night burst to high-risk international ranges.
    NightBurst,
    /// Short-call dialer traffic.
    Dialer,
    /// Sequential dialing through a number range.
    Sequential,
    /// SIP registration brute force from one address.
    BruteForce,
    /// Repeated calls to premium-rate numbers.
    PremiumPumping,
    /// Many simultaneous international calls.
    InternationalBurst,
}

impl Pattern {
    pub const ALL: [Pattern; 6] = [
        Pattern::NightBurst,
        Pattern::Dialer,
        Pattern::Sequential,
        Pattern::BruteForce,
        Pattern::PremiumPumping,
        Pattern::InternationalBurst,
    ];

    /// The detector expected to catch the pattern.
    pub fn detector(self) -> &'static str {
        match self {
            Pattern::NightBurst | Pattern::PremiumPumping => "forbidden_destination_attempts",
            Pattern::Dialer => "dialer_short_calls",
            Pattern::Sequential => "number_enumeration",
            Pattern::BruteForce => "auth_failures",
            Pattern::InternationalBurst => "simultaneous_international",
        }
    }
}

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A simulated account: billing account and its caller ID.
#[derive(Debug, Clone)]
pub struct SimAccount {
    pub billing_account: String,
    pub number: String,
}

/// Rates the simulated accounts use: neighbours at cents, IRSF destinations at a euro or more.
pub const SIM_RATES: &str = "prefix,destination,rate_per_min,initial_s,subsequent_s,valid_from,currency\n\
33,France,0.012,60,60,2020-01-01,EUR\n49,Germany,0.014,1,1,2020-01-01,EUR\n44,United Kingdom,0.015,60,60,2020-01-01,EUR\n\
353,Ireland,0.020,60,60,2020-01-01,EUR\n252,Somalia,1.200,60,60,2020-01-01,EUR\n53,Cuba,0.950,60,60,2020-01-01,EUR\n\
675,Papua New Guinea,1.100,60,60,2020-01-01,EUR\n";

/// Countries every simulated account may call: its neighbours, and (as a business with
/// partners abroad) the costly ones an IRSF attack uses.
pub const SIM_ALLOWLIST: &str = "DE,GB,IE,SO,CU,PG";

/// Creates `n` validated accounts (home France, Germany and the UK allowlisted), each with one
/// active number, in a store that has no operator yet.
pub async fn setup(app: &App, n: usize) -> Result<Vec<SimAccount>, AppError> {
    let actor = Actor {
        actor: "system:sim".into(),
        source: "sim".into(),
        request_id: "sim".into(),
    };
    let sys = Caller::system(actor.clone());
    let now = app.now();
    if tenancy_store::system::first_operator(&app.store)
        .await?
        .is_none()
    {
        let mut tx = app.store.begin().await?;
        tenancy_store::insert_operator(
            &mut tx,
            &OperatorRow {
                id: new_id("op"),
                name: "Sim Telecom".into(),
                created_at: now,
            },
        )
        .await?;
        tollgate_store::commit(tx).await?;
    }
    let (_, errors) = app
        .import_rate_table(&actor, "sim", SIM_RATES.as_bytes(), None)
        .await?;
    if let Some(e) = errors.first() {
        return Err(AppError::Internal(e.message.clone()));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (c, _) = app
            .create_customer(
                &sys,
                NewCustomer {
                    name: format!("Sim customer {i}"),
                    partner_id: None,
                    terms_profile: None,
                    terms_version: None,
                },
            )
            .await?;
        let ba = app
            .create_billing_account(&sys, &c.id, "main", "EUR", Some("sim"))
            .await?;
        app.set_guard_policy(
            &sys,
            PolicyRow {
                billing_account_id: ba.id.clone(),
                validated: true,
                licensed_calls: 30,
                site_bandwidth_kbps: None,
                home_country: "FR".into(),
                international_allowlist: SIM_ALLOWLIST.into(),
                credit_limit_micros: None,
                updated_at: 0,
            },
        )
        .await?;
        let number = format!("3317{:07}", i);
        let mut tx = app.store.begin().await?;
        tollgate_store::numbers::insert_number(
            &mut tx,
            &NumberRow {
                id: new_id("num"),
                e164: number.clone(),
                country: "FR".into(),
                number_type: "geographic".into(),
                capabilities: "voice".into(),
                state: "active".into(),
                customer_id: Some(c.id.clone()),
                billing_account_id: Some(ba.id.clone()),
                reserved_at: Some(now),
                provider_verified_at: Some(now),
                provider_verified_by: Some("sim".into()),
                customer_confirmed_at: Some(now),
                customer_confirmed_by: Some("sim".into()),
                confirm_method: Some("test_call".into()),
                activated_at: Some(now),
                quarantine_until: None,
                suspended_reason: None,
                suspension_ref: None,
                cnam: None,
                no_trunking: false,
                routing: "direct".into(),
                origin: "inventory".into(),
                created_at: now,
                updated_at: now,
                partner_id: None,
            },
        )
        .await?;
        tollgate_store::commit(tx).await?;
        out.push(SimAccount {
            billing_account: ba.id,
            number,
        });
    }
    Ok(out)
}

/// One simulated event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimEvent {
    Attempt {
        account: usize,
        to: String,
        call_id: String,
        ring_s: i64,
        talk_s: i64,
        source: String,
    },
    Answer {
        call_id: String,
    },
    End {
        call_id: String,
    },
    AuthFailure {
        source: String,
    },
}

/// Where each injected pattern starts: `(pattern, account index or source, onset)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    pub pattern: Pattern,
    pub account: usize,
    pub source: String,
    pub onset: i64,
}

/// Builds a day of traffic from `day_start` (00:00): office calls 09:00-18:00 for every account
/// not used by an injection, plus the injections. Events sorted by time.
pub fn traffic(
    seed: u64,
    accounts: usize,
    day_start: i64,
    inject: &[Pattern],
) -> (Vec<(i64, SimEvent)>, Vec<Injection>) {
    let mut rng = Rng::new(seed);
    let mut events = Vec::new();
    let mut injections = Vec::new();
    let fraud_accounts = inject.len().min(accounts);
    for a in fraud_accounts..accounts {
        let mut t = day_start + 9 * 3_600 + rng.below(1_800) as i64;
        let mut n = 0;
        while t < day_start + 18 * 3_600 {
            let r = rng.below(100);
            let to = if r < 80 {
                format!("331{:08}", rng.below(100_000_000))
            } else if r < 90 {
                format!("4930{:07}", rng.below(10_000_000))
            } else {
                format!("4420{:08}", rng.below(100_000_000))
            };
            let talk = if rng.below(100) < 25 {
                5 + rng.below(50) as i64
            } else {
                60 + rng.below(900) as i64
            };
            let ring = 2 + rng.below(12) as i64;
            events.push((
                t,
                SimEvent::Attempt {
                    account: a,
                    to,
                    call_id: format!("n{a}-{n}"),
                    ring_s: ring,
                    talk_s: talk,
                    source: format!("10.0.{}.{}", a / 250, a % 250 + 1),
                },
            ));
            n += 1;
            t += 120 + rng.below(900) as i64;
        }
    }
    for (i, p) in inject.iter().enumerate() {
        let account = i % accounts.max(1);
        let onset = match p {
            Pattern::NightBurst => day_start + 2 * 3_600 + rng.below(600) as i64,
            _ => day_start + 10 * 3_600 + rng.below(3_600) as i64,
        };
        let src = format!("203.0.113.{}", 10 + i);
        injections.push(Injection {
            pattern: *p,
            account,
            source: src.clone(),
            onset,
        });
        for k in 0..40i64 {
            let (at, ev) = match p {
                Pattern::NightBurst => (
                    onset + k * 7,
                    SimEvent::Attempt {
                        account,
                        to: format!("882{:09}", rng.below(1_000_000_000)),
                        call_id: format!("f{i}-{k}"),
                        ring_s: 3,
                        talk_s: 600,
                        source: src.clone(),
                    },
                ),
                Pattern::Dialer => (
                    onset + k * 25,
                    SimEvent::Attempt {
                        account,
                        to: format!("331{:08}", rng.below(100_000_000)),
                        call_id: format!("f{i}-{k}"),
                        ring_s: 2,
                        talk_s: 3 + rng.below(20) as i64,
                        source: src.clone(),
                    },
                ),
                Pattern::Sequential => (
                    onset + k,
                    SimEvent::Attempt {
                        account,
                        to: format!("33142685{k:03}"),
                        call_id: format!("f{i}-{k}"),
                        ring_s: 5,
                        talk_s: 20,
                        source: src.clone(),
                    },
                ),
                Pattern::BruteForce => (
                    onset + k * 5,
                    SimEvent::AuthFailure {
                        source: src.clone(),
                    },
                ),
                Pattern::PremiumPumping => (
                    onset + k * 30,
                    SimEvent::Attempt {
                        account,
                        to: format!("33899{:06}", rng.below(1_000_000)),
                        call_id: format!("f{i}-{k}"),
                        ring_s: 2,
                        talk_s: 1_800,
                        source: src.clone(),
                    },
                ),
                Pattern::InternationalBurst => (
                    onset + k * 2,
                    SimEvent::Attempt {
                        account,
                        to: format!("4930{:07}", rng.below(10_000_000)),
                        call_id: format!("f{i}-{k}"),
                        ring_s: 2,
                        talk_s: 3_000,
                        source: src.clone(),
                    },
                ),
            };
            events.push((at, ev));
        }
    }
    events.sort();
    (events, injections)
}

/// An incident the run saw: detector, account (or source), time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub detector: String,
    pub account: Option<String>,
    pub source: Option<String>,
    pub at: i64,
}

/// Replays events through the guard with the app's clock pinned to each event's time.
pub async fn run(
    app: &App,
    accounts: &[SimAccount],
    events: Vec<(i64, SimEvent)>,
) -> Result<Vec<Seen>, AppError> {
    let actor = Actor {
        actor: "system:sim".into(),
        source: "sim".into(),
        request_id: "sim".into(),
    };
    let mut queue: BinaryHeap<Reverse<(i64, u64, SimEvent)>> = BinaryHeap::new();
    for (seq, (t, e)) in events.into_iter().enumerate() {
        queue.push(Reverse((t, seq as u64, e)));
    }
    let mut seq = u64::MAX / 2;
    // Calls live in the edge: progress is reported for these only, and an error on that path
    // fails the run. A call the guard orders cut is torn down by the edge.
    let mut live = std::collections::HashSet::new();
    while let Some(Reverse((t, _, e))) = queue.pop() {
        app.clock.set(t);
        match e {
            SimEvent::Attempt {
                account,
                to,
                call_id,
                ring_s,
                talk_s,
                source,
            } => {
                let a = &accounts[account];
                let req = CallRequest {
                    billing_account: Some(a.billing_account.clone()),
                    from: format!("+{}", a.number),
                    to: format!("+{to}"),
                    source_ip: Some(source),
                    at: Some(t),
                    call_id: Some(call_id.clone()),
                };
                let d = app.guard_call(&actor, req).await?;
                if d.verdict.decision == Decision::Allow {
                    live.insert(call_id.clone());
                    seq += 1;
                    queue.push(Reverse((
                        t + ring_s,
                        seq,
                        SimEvent::Answer {
                            call_id: call_id.clone(),
                        },
                    )));
                    seq += 1;
                    queue.push(Reverse((
                        t + ring_s + talk_s.min(i64::from(d.verdict.max_duration_s)),
                        seq,
                        SimEvent::End { call_id },
                    )));
                }
            }
            SimEvent::Answer { call_id } => {
                if live.contains(&call_id) {
                    app.guard_answer(&call_id, Some(t)).await?;
                }
            }
            SimEvent::End { call_id } => {
                if live.remove(&call_id) {
                    app.guard_end(&actor, &call_id, Some(t)).await?;
                }
            }
            SimEvent::AuthFailure { source } => {
                app.guard_auth_failure(&actor, &source, Some(t), None, None)
                    .await?;
            }
        }
        for order in app.calls_to_cut() {
            if live.contains(&order.call_id) {
                seq += 1;
                queue.push(Reverse((
                    t + scenarios::EDGE_CUT_DELAY_S,
                    seq,
                    SimEvent::End {
                        call_id: order.call_id,
                    },
                )));
            }
        }
    }
    let sys = Caller::system(actor);
    let mut seen = Vec::new();
    let mut page = tollgate_store::Page::first(tollgate_store::MAX_PAGE_LIMIT);
    loop {
        let batch = app.list_incidents(&sys, &page).await?;
        let last = batch.last().map(|i| i.id.clone());
        for i in &batch {
            seen.push(Seen {
                detector: i.detector.clone(),
                account: i.billing_account_id.clone(),
                source: i.source.clone(),
                at: i.at,
            });
        }
        match last {
            Some(l) if batch.len() as i64 == page.limit => page.after = Some(l),
            _ => break,
        }
    }
    Ok(seen)
}
