//! One evapi connection to Kamailio, and the loop that keeps one open.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tollgate_core::guard::Decision;
use tollgate_core::tenancy::Permission;

use super::messages::{EdgeCommand, EdgeEvent};
use super::{netstring, EdgeStats};
use crate::guard::CallRequest;
use crate::{Actor, App, AppError, Caller};

/// The first wait before reconnecting; doubled after each failure up to the maximum.
pub const EDGE_RECONNECT_MIN_MS: u64 = 100;
pub const EDGE_RECONNECT_MAX_MS: u64 = 5_000;
/// How long the edge has to present its credential after connecting.
pub const EDGE_HELLO_TIMEOUT_MS: u64 = 5_000;
/// Commands that may wait to be written. When it is full a command is dropped and logged: a
/// decision then times out at the edge (503, emergency relayed), a cut is sent again.
pub const EDGE_QUEUE: usize = 16_384;
/// Attempts to record a call's end when storing it fails (the database busy or away), a
/// second apart; then the call is left live for the stale-call reaper.
pub const EDGE_END_ATTEMPTS: u32 = 5;
/// How often cuts and bans are pushed to the edge.
pub const EDGE_PUSH_INTERVAL_MS: u64 = 100;
/// A cut not yet reported ended is sent again after this long.
pub const EDGE_CUT_RESEND_S: i64 = 5;
/// Bytes read from the socket at a time, and the buffers' first size.
const READ_CHUNK: usize = 64 * 1024;

/// What the connection answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeMode {
    /// The guard decides every call (production).
    Guard,
    /// Every INVITE allowed at once, nothing recorded, no credential checked: the ceiling of
    /// the asynchronous path on a machine, the baseline of `deploy/bench/edge-bench`.
    AllowAll,
}

impl App {
    /// Keeps a connection to Kamailio's evapi socket at `addr` open for as long as the
    /// process runs, reconnecting with backoff; the guard decides.
    pub async fn run_edge(&self, addr: String) {
        self.run_edge_mode(addr, EdgeMode::Guard).await
    }

    /// [`App::run_edge`] in a given mode.
    pub async fn run_edge_mode(&self, addr: String, mode: EdgeMode) {
        let mut wait = EDGE_RECONNECT_MIN_MS;
        loop {
            match TcpStream::connect(&addr).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    tracing::info!(%addr, "connected to the SIP edge (evapi)");
                    match self.edge_session(stream, mode).await {
                        Ok(()) => tracing::warn!(%addr, "the SIP edge closed the connection"),
                        Err(e) => tracing::error!(%addr, error = %e, "SIP edge connection ended"),
                    }
                    self.edge.connected.store(false, Ordering::Relaxed);
                    wait = EDGE_RECONNECT_MIN_MS;
                }
                Err(e) => tracing::debug!(%addr, error = %e, "SIP edge not reachable"),
            }
            tokio::time::sleep(Duration::from_millis(wait)).await;
            wait = (wait * 2).min(EDGE_RECONNECT_MAX_MS);
        }
    }

    /// One connection: the credential first, then events until it closes.
    async fn edge_session(&self, stream: TcpStream, mode: EdgeMode) -> Result<(), String> {
        let (mut rd, mut wr) = stream.into_split();
        let mut buf = Vec::with_capacity(READ_CHUNK);
        let caller = tokio::time::timeout(
            Duration::from_millis(EDGE_HELLO_TIMEOUT_MS),
            self.edge_hello(&mut rd, &mut buf, mode),
        )
        .await
        .map_err(|_| "the edge sent no credential".to_string())
        .and_then(|r| r)
        .inspect_err(|_| EdgeStats::bump(&self.edge.refused_hellos))?;
        self.edge.connected.store(true, Ordering::Relaxed);
        EdgeStats::bump(&self.edge.connects);
        let (tx, mut rx) = mpsc::channel::<EdgeCommand>(EDGE_QUEUE);
        let stats = self.edge.clone();
        // The writer: batches whatever is queued into one write.
        let writer = tokio::spawn(async move {
            let mut out = Vec::with_capacity(READ_CHUNK);
            while let Some(first) = rx.recv().await {
                out.clear();
                let mut next = Some(first);
                while let Some(cmd) = next {
                    stats.queued.fetch_sub(1, Ordering::Relaxed);
                    let json = serde_json::to_vec(&cmd).expect("commands serialize");
                    netstring::encode(&json, &mut out);
                    next = rx.try_recv().ok();
                }
                if wr.write_all(&out).await.is_err() {
                    break;
                }
            }
        });
        let pusher = {
            let app = self.clone();
            let tx = tx.clone();
            tokio::spawn(async move { app.edge_push(tx).await })
        };
        let result = self.edge_read(&mut rd, &mut buf, &caller, &tx, mode).await;
        pusher.abort();
        drop(tx);
        writer.abort();
        result
    }

    async fn edge_hello(
        &self,
        rd: &mut tokio::net::tcp::OwnedReadHalf,
        buf: &mut Vec<u8>,
        mode: EdgeMode,
    ) -> Result<Caller, String> {
        let msg = loop {
            if let Some(m) = netstring::decode(buf)? {
                break m;
            }
            if !read_more(rd, buf).await? {
                return Err("the edge closed the connection before its hello".into());
            }
        };
        let Ok(EdgeEvent::Hello { token }) = serde_json::from_slice(&msg) else {
            return Err("the first message is not the edge's hello".into());
        };
        if mode == EdgeMode::AllowAll {
            return Ok(Caller::system(Actor::cli()));
        }
        let principal = self
            .authenticate(&token)
            .await
            .map_err(|e| format!("edge credential refused: {e}"))?;
        let actor = Actor {
            actor: format!("user:{}", principal.user_id),
            source: "evapi".into(),
            request_id: crate::ids::new_id("edge"),
        };
        self.authorize(principal, Permission::GuardDecide, actor)
            .await
            .map_err(|e| format!("edge credential refused: {e}"))
    }

    async fn edge_read(
        &self,
        rd: &mut tokio::net::tcp::OwnedReadHalf,
        buf: &mut Vec<u8>,
        caller: &Caller,
        tx: &mpsc::Sender<EdgeCommand>,
        mode: EdgeMode,
    ) -> Result<(), String> {
        loop {
            while let Some(msg) = netstring::decode(buf)? {
                match serde_json::from_slice::<EdgeEvent>(&msg) {
                    Ok(EdgeEvent::Invite {
                        tindex,
                        tlabel,
                        call_id,
                        ..
                    }) if mode == EdgeMode::AllowAll => self.edge_send(
                        tx,
                        EdgeCommand::Decision {
                            tindex,
                            tlabel,
                            call_id,
                            decision: "allow",
                            code: "allowed".into(),
                            rule: String::new(),
                            clause: String::new(),
                            max_duration_s: 0,
                        },
                    ),
                    Ok(_) if mode == EdgeMode::AllowAll => {}
                    Ok(event) => self.edge_event(event, caller, tx).await?,
                    Err(e) => {
                        EdgeStats::bump(&self.edge.protocol_errors);
                        tracing::warn!(error = %e, message = %String::from_utf8_lossy(&msg), "unreadable edge event");
                    }
                }
            }
            if !read_more(rd, buf).await? {
                return Ok(());
            }
        }
    }

    async fn edge_event(
        &self,
        event: EdgeEvent,
        caller: &Caller,
        tx: &mpsc::Sender<EdgeCommand>,
    ) -> Result<(), String> {
        let app = self.clone();
        let actor = caller.actor.clone();
        match event {
            EdgeEvent::Hello { .. } => {}
            EdgeEvent::Invite {
                tindex,
                tlabel,
                call_id,
                from,
                to,
                src_ip,
            } => {
                EdgeStats::bump(&self.edge.invites);
                let tx = tx.clone();
                // Each decision on its own task: one slow account never holds up the rest.
                tokio::spawn(async move {
                    let req = CallRequest {
                        billing_account: None,
                        from,
                        to,
                        source_ip: Some(src_ip).filter(|s| !s.is_empty()),
                        at: None,
                        call_id: Some(call_id.clone()),
                    };
                    let cmd = app.edge_decide(&actor, req, tindex, tlabel, call_id).await;
                    app.edge_send(&tx, cmd);
                });
            }
            EdgeEvent::Answered { call_id, at } => {
                EdgeStats::bump(&self.edge.answered);
                // Recorded before the next event is read (memory and a queued write, no
                // database wait), so an end that follows at once (a replay after a
                // restart) sees the answer.
                if let Err(e) = self.guard_answer(&call_id, at).await {
                    tracing::debug!(%call_id, error = %e, "answer of a call the guard does not hold");
                }
            }
            EdgeEvent::Ended {
                call_id,
                reason,
                status,
                at,
            } => {
                EdgeStats::bump(&self.edge.ended);
                tokio::spawn(async move {
                    for attempt in 1..=EDGE_END_ATTEMPTS {
                        match app.guard_end(&actor, &call_id, at).await {
                            Ok(_) => {
                                tracing::debug!(%call_id, %reason, status, "call ended");
                                return;
                            }
                            Err(AppError::NotFound(_)) => return,
                            Err(e @ AppError::Invalid { .. }) => {
                                tracing::error!(%call_id, error = %e, "the end of a call was refused");
                                return;
                            }
                            Err(e) => {
                                tracing::warn!(%call_id, attempt, error = %e, "the end of a call was not recorded yet");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    }
                    tracing::error!(%call_id, "the end of a call was not recorded: left to the stale-call reaper");
                });
            }
            EdgeEvent::AuthFailed { src_ip, username } => {
                EdgeStats::bump(&self.edge.auth_failures);
                tokio::spawn(async move {
                    let user = Some(username.as_str()).filter(|u| !u.is_empty());
                    if let Err(e) = app
                        .guard_auth_failure(&actor, &src_ip, None, None, user)
                        .await
                    {
                        tracing::warn!(%src_ip, error = %e, "auth failure not recorded");
                    }
                });
            }
        }
        Ok(())
    }

    async fn edge_decide(
        &self,
        actor: &Actor,
        req: CallRequest,
        tindex: u64,
        tlabel: u64,
        call_id: String,
    ) -> EdgeCommand {
        let (decision, code, rule, clause, max) = match self.guard_call(actor, req).await {
            Ok(d) => {
                let v = &d.verdict;
                let s = &self.edge;
                EdgeStats::bump(match v.decision {
                    Decision::Allow => &s.allowed,
                    Decision::Busy => &s.busy,
                    Decision::Deny => &s.denied,
                });
                (
                    v.decision.as_str(),
                    v.code.to_string(),
                    v.rule.rule.to_string(),
                    d.clause,
                    v.max_duration_s,
                )
            }
            // Bad input from the edge (an unknown or malformed number) is a refusal with
            // its code; anything else is the guard failing, and the edge answers 503.
            Err(e @ (AppError::Invalid { .. } | AppError::NotFound(_) | AppError::Refused(_))) => {
                EdgeStats::bump(&self.edge.denied);
                let rule = match &e {
                    AppError::Refused(r) => r.rule.map(|r| r.rule).unwrap_or_default(),
                    _ => "",
                };
                (
                    "deny",
                    e.code().to_string(),
                    rule.to_string(),
                    String::new(),
                    0,
                )
            }
            Err(e) => {
                EdgeStats::bump(&self.edge.unavailable);
                tracing::error!(error = %e, "guard decision failed");
                (
                    "unavailable",
                    e.code().to_string(),
                    String::new(),
                    String::new(),
                    0,
                )
            }
        };
        EdgeCommand::Decision {
            tindex,
            tlabel,
            call_id,
            decision,
            code,
            rule,
            clause,
            max_duration_s: max,
        }
    }

    fn edge_send(&self, tx: &mpsc::Sender<EdgeCommand>, cmd: EdgeCommand) {
        self.edge.queued.fetch_add(1, Ordering::Relaxed);
        if tx.try_send(cmd).is_err() {
            self.edge.queued.fetch_sub(1, Ordering::Relaxed);
            tracing::error!("edge command queue full or closed: a command was dropped");
        }
    }

    /// Pushes the guard's cuts and bans to the edge as they appear; every active ban once per
    /// connection, a cut again if the call is still live after [`EDGE_CUT_RESEND_S`].
    async fn edge_push(&self, tx: mpsc::Sender<EdgeCommand>) {
        // (source, end of ban): a source banned again after its ban ended is pushed again.
        let mut banned: HashSet<(String, i64)> = HashSet::new();
        let mut cut_at: HashMap<String, i64> = HashMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(EDGE_PUSH_INTERVAL_MS));
        loop {
            tick.tick().await;
            let now = self.now();
            banned.retain(|(_, until)| *until > now);
            for (ip, until) in self.guard.counters.bans(now) {
                if banned.insert((ip.clone(), until)) {
                    EdgeStats::bump(&self.edge.bans_sent);
                    self.edge_send(
                        &tx,
                        EdgeCommand::Ban {
                            ip,
                            seconds: until - now,
                        },
                    );
                }
            }
            let orders = self.calls_to_cut();
            cut_at.retain(|id, _| orders.iter().any(|o| &o.call_id == id));
            for o in orders {
                let due = cut_at
                    .get(&o.call_id)
                    .is_none_or(|&at| now - at >= EDGE_CUT_RESEND_S);
                if due {
                    cut_at.insert(o.call_id.clone(), now);
                    EdgeStats::bump(&self.edge.cuts_sent);
                    self.edge_send(
                        &tx,
                        EdgeCommand::Cut {
                            call_id: o.call_id,
                            rule: o.rule.rule.to_string(),
                        },
                    );
                }
            }
        }
    }
}

/// Reads what has arrived; false at the end of the stream.
async fn read_more(
    rd: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut Vec<u8>,
) -> Result<bool, String> {
    let mut chunk = vec![0u8; READ_CHUNK];
    let n = rd.read(&mut chunk).await.map_err(|e| e.to_string())?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}
