//! The session task and the handle: connect, `bind_transceiver`, keepalive, reconnect with
//! backoff; submits matched to their responses by sequence number.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::{sleep, sleep_until, timeout, Instant};

use super::pdu::{self, cmd, status, Pdu};
use super::{
    Delivered, Inbound, SmppConfig, SmppStats, Submit, SubmitError, CONNECT_TIMEOUT_MS,
    INBOUND_QUEUE, MAX_RECONNECT_MS, THROTTLE_BURST_MS, UNBIND_TIMEOUT_MS, WRITE_QUEUE,
};

/// Octets read from the socket at a time (at least).
const READ_CHUNK: usize = 16 * 1024;
/// Highest sequence number (SMPP 3.4 §3.2: 0x00000001 to 0x7FFFFFFF).
const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// A response to a submit: its status and message id (a `generic_nack` has no id).
struct Resp {
    status: u32,
    message_id: String,
}

/// The bound connection: its writer queue and the submits awaiting a response.
struct Live {
    tx: mpsc::Sender<Vec<u8>>,
    pending: HashMap<u32, oneshot::Sender<Resp>>,
}

/// State shared by the handles and the session task.
struct Shared {
    cfg: SmppConfig,
    bound: watch::Sender<bool>,
    live: Mutex<Option<Live>>,
    window: Semaphore,
    pace: Mutex<Option<Instant>>,
    seq: AtomicU32,
    stopped: AtomicBool,
    submitted: AtomicU64,
    receipts: AtomicU64,
    inbound: AtomicU64,
    reconnects: AtomicU64,
    enquire_links: AtomicU64,
}

impl Shared {
    fn live(&self) -> MutexGuard<'_, Option<Live>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_seq(&self) -> u32 {
        let mut cur = self.seq.load(Ordering::Relaxed);
        loop {
            let next = if cur >= MAX_SEQUENCE { 1 } else { cur + 1 };
            match self
                .seq
                .compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(now) => cur = now,
            }
        }
    }

    /// Stopped for good: unbound, every pending submit and window waiter failed.
    fn shut(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.bound.send_replace(false);
        self.live().take();
        self.window.close();
    }

    /// Hands a response to the submit awaiting `seq`; false when none is.
    fn resolve(&self, seq: u32, resp: Resp) -> bool {
        let waiter = self.live().as_mut().and_then(|l| l.pending.remove(&seq));
        match waiter {
            Some(w) => {
                let _ = w.send(resp);
                true
            }
            None => false,
        }
    }

    /// When the next submit may go: a GCRA pace of `max_per_second`, with a burst of
    /// [`THROTTLE_BURST_MS`] worth after an idle spell.
    fn pace_slot(&self) -> Option<Instant> {
        let rate = self.cfg.max_per_second;
        if rate == 0 {
            return None;
        }
        let interval = Duration::from_secs(1) / rate;
        let burst = (u64::from(rate) * THROTTLE_BURST_MS / 1000).max(1) as u32;
        let now = Instant::now();
        let floor = now.checked_sub(interval * (burst - 1)).unwrap_or(now);
        let mut next = self.pace.lock().unwrap_or_else(|e| e.into_inner());
        let start = next.map_or(floor, |n| n.max(floor));
        *next = Some(start + interval);
        (start > now).then_some(start)
    }
}

/// Handle to one SMPP session (cheap to clone). Dropping the last handle stops the session.
#[derive(Clone)]
pub struct SmppClient {
    inner: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl SmppClient {
    /// Spawns the session task (connect, bind_transceiver, keepalive, reconnect until
    /// stopped) and returns at once, with the receiver of [`Inbound`] traffic.
    ///
    /// Must be called within a Tokio runtime.
    pub fn start(cfg: SmppConfig) -> (SmppClient, mpsc::Receiver<Delivered>) {
        let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            window: Semaphore::new(cfg.window.max(1)),
            cfg,
            bound: watch::channel(false).0,
            live: Mutex::new(None),
            pace: Mutex::new(None),
            seq: AtomicU32::new(0),
            stopped: AtomicBool::new(false),
            submitted: AtomicU64::new(0),
            receipts: AtomicU64::new(0),
            inbound: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            enquire_links: AtomicU64::new(0),
        });
        let task = tokio::spawn(run(shared.clone(), stop_rx, inbound_tx));
        let inner = Handle {
            shared,
            stop,
            task: tokio::sync::Mutex::new(Some(task)),
        };
        (
            SmppClient {
                inner: Arc::new(inner),
            },
            inbound_rx,
        )
    }

    /// The window: submits outstanding at once at most.
    pub fn window(&self) -> usize {
        self.inner.shared.cfg.window.max(1)
    }

    pub fn is_bound(&self) -> bool {
        *self.inner.shared.bound.borrow()
    }

    /// Waits until bound or `wait` passes; whether bound.
    pub async fn wait_bound(&self, wait: Duration) -> bool {
        let mut rx = self.inner.shared.bound.subscribe();
        let waited = timeout(wait, rx.wait_for(|b| *b)).await;
        matches!(waited, Ok(Ok(_)))
    }

    /// Sends one `submit_sm` (after room in the window and the throttle) and returns the
    /// SMSC's message id from its `submit_sm_resp`.
    pub async fn submit(&self, m: &Submit<'_>) -> Result<String, SubmitError> {
        let sh = &self.inner.shared;
        let rejected = |command_status| SubmitError::Rejected { command_status };
        let from = pdu::source_addr(m.from).map_err(rejected)?;
        let to = pdu::destination_addr(m.to).map_err(rejected)?;
        let (text, dc) = pdu::encode_text(m.body, m.coding);
        let body = pdu::submit_sm_body(&from, &to, dc, m.receipt, &text).map_err(rejected)?;
        if !self.is_bound() {
            return Err(unavailable(sh));
        }
        let _permit = sh.window.acquire().await.map_err(|_| unavailable(sh))?;
        if let Some(at) = sh.pace_slot() {
            sleep_until(at).await;
        }
        let (seq, tx, rx) = {
            let mut live = sh.live();
            let Some(l) = live.as_mut() else {
                return Err(unavailable(sh));
            };
            let seq = sh.next_seq();
            let (w, rx) = oneshot::channel();
            l.pending.insert(seq, w);
            (seq, l.tx.clone(), rx)
        };
        let frame = pdu::encode(cmd::SUBMIT_SM, 0, seq, &body);
        if tx.send(frame).await.is_err() {
            forget(sh, seq);
            return Err(SubmitError::Unavailable("connection lost".into()));
        }
        drop(tx);
        let wait = Duration::from_millis(sh.cfg.response_timeout_ms);
        match timeout(wait, rx).await {
            Err(_) => {
                forget(sh, seq);
                Err(SubmitError::Timeout)
            }
            // Handed to the connection: the SMSC may have it. Not "unavailable" (that
            // would send it again): the outcome is unknown.
            Ok(Err(_)) => Err(SubmitError::Lost),
            Ok(Ok(Resp {
                status: status::ESME_ROK,
                message_id,
            })) => {
                sh.submitted.fetch_add(1, Ordering::Relaxed);
                Ok(message_id)
            }
            Ok(Ok(Resp {
                status: s @ (status::ESME_RTHROTTLED | status::ESME_RMSGQFUL),
                ..
            })) => Err(SubmitError::Unavailable(format!(
                "SMSC busy: command_status 0x{s:08X}"
            ))),
            Ok(Ok(Resp { status, .. })) => Err(SubmitError::Rejected {
                command_status: status,
            }),
        }
    }

    /// Unbinds, closes the connection and ends the session task (waits for it).
    pub async fn stop(&self) {
        let _ = self.inner.stop.send(true);
        let task = self.inner.task.lock().await.take();
        if let Some(mut task) = task {
            let grace = Duration::from_millis(UNBIND_TIMEOUT_MS + CONNECT_TIMEOUT_MS);
            if timeout(grace, &mut task).await.is_err() {
                // Stuck (e.g. on a full Inbound receiver nobody drains): cut it short.
                task.abort();
                let _ = task.await;
                self.inner.shared.shut();
            }
        }
    }

    pub fn stats(&self) -> SmppStats {
        let sh = &self.inner.shared;
        SmppStats {
            submitted: sh.submitted.load(Ordering::Relaxed),
            receipts: sh.receipts.load(Ordering::Relaxed),
            inbound: sh.inbound.load(Ordering::Relaxed),
            reconnects: sh.reconnects.load(Ordering::Relaxed),
            enquire_links: sh.enquire_links.load(Ordering::Relaxed),
        }
    }
}

fn unavailable(sh: &Shared) -> SubmitError {
    let why = if sh.stopped.load(Ordering::Relaxed) {
        "client stopped"
    } else {
        "not bound"
    };
    SubmitError::Unavailable(why.into())
}

fn forget(sh: &Shared, seq: u32) {
    if let Some(l) = sh.live().as_mut() {
        l.pending.remove(&seq);
    }
}

/// Resolves when the stop flag is set or every handle is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// How a connection ended.
enum End {
    Stopped,
    /// Lost or refused; whether it had bound (the backoff starts over).
    Lost {
        why: String,
        had_bound: bool,
    },
}

/// The session task: connect and serve until stopped, with backoff between attempts.
async fn run(sh: Arc<Shared>, mut stop: watch::Receiver<bool>, inbound: mpsc::Sender<Delivered>) {
    let base = sh.cfg.reconnect_ms.max(1);
    let mut delay = base;
    let mut binds = 0u64;
    loop {
        match connection(&sh, &mut stop, &inbound, &mut binds).await {
            End::Stopped => break,
            End::Lost { why, had_bound } => {
                if had_bound {
                    delay = base;
                }
                tracing::warn!(addr = %sh.cfg.addr, %why, retry_ms = delay, "SMPP session down");
            }
        }
        tokio::select! {
            _ = sleep(Duration::from_millis(delay)) => {}
            _ = stopped(&mut stop) => break,
        }
        delay = (delay * 2).min(MAX_RECONNECT_MS.max(base));
    }
    sh.shut();
    tracing::info!(addr = %sh.cfg.addr, "SMPP session stopped");
}

/// The read side of a connection: buffered, cancel-safe framing (state kept in `self`).
struct Reader {
    rd: OwnedReadHalf,
    buf: Vec<u8>,
    /// Octets of `buf` already returned as PDUs.
    at: usize,
}

impl Reader {
    /// The next PDU; an error on EOF, a socket error or a refused header.
    async fn next(&mut self) -> Result<Pdu, String> {
        loop {
            match pdu::parse_frame(&self.buf[self.at..]) {
                Ok(Some((p, used))) => {
                    self.at += used;
                    return Ok(p);
                }
                Ok(None) => {}
                Err(e) => return Err(e.to_string()),
            }
            self.buf.drain(..self.at);
            self.at = 0;
            if self.buf.capacity() - self.buf.len() < READ_CHUNK / 2 {
                self.buf.reserve(READ_CHUNK);
            }
            match self.rd.read_buf(&mut self.buf).await {
                Ok(0) => return Err("connection closed by the SMSC".into()),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

/// Writes queued PDUs, flushing when the queue is empty; ends when every sender is gone.
async fn write_loop(wr: OwnedWriteHalf, mut rx: mpsc::Receiver<Vec<u8>>) {
    let mut w = BufWriter::with_capacity(READ_CHUNK, wr);
    while let Some(f) = rx.recv().await {
        if w.write_all(&f).await.is_err() {
            return;
        }
        while let Ok(f) = rx.try_recv() {
            if w.write_all(&f).await.is_err() {
                return;
            }
        }
        if w.flush().await.is_err() {
            return;
        }
    }
    let _ = w.shutdown().await;
}

/// One connection: connect, bind, serve; tears down so every pending submit fails.
async fn connection(
    sh: &Arc<Shared>,
    stop: &mut watch::Receiver<bool>,
    inbound: &mpsc::Sender<Delivered>,
    binds: &mut u64,
) -> End {
    let lost = |why: String| End::Lost {
        why,
        had_bound: false,
    };
    let connect = timeout(
        Duration::from_millis(CONNECT_TIMEOUT_MS),
        TcpStream::connect(&sh.cfg.addr),
    );
    let stream = tokio::select! {
        r = connect => match r {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return lost(format!("connect: {e}")),
            Err(_) => return lost("connect: timed out".into()),
        },
        _ = stopped(stop) => return End::Stopped,
    };
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::channel(WRITE_QUEUE);
    let mut writer = tokio::spawn(write_loop(wr, rx));
    let mut reader = Reader {
        rd,
        buf: Vec::with_capacity(READ_CHUNK),
        at: 0,
    };
    let mut s = Session { sh, tx, inbound };
    let end = match s.bind(&mut reader, stop).await {
        Err(end) => end,
        Ok(()) => {
            if *binds > 0 {
                sh.reconnects.fetch_add(1, Ordering::Relaxed);
            }
            *binds += 1;
            *sh.live() = Some(Live {
                tx: s.tx.clone(),
                pending: HashMap::new(),
            });
            sh.bound.send_replace(true);
            tracing::info!(addr = %sh.cfg.addr, system_id = %sh.cfg.system_id, "SMPP bound");
            let end = s.serve(&mut reader, stop).await;
            sh.bound.send_replace(false);
            // Dropping the pending senders fails every outstanding submit as Unavailable.
            sh.live().take();
            match end {
                End::Lost { why, .. } => End::Lost {
                    why,
                    had_bound: true,
                },
                stopped => stopped,
            }
        }
    };
    drop(s);
    if timeout(Duration::from_millis(UNBIND_TIMEOUT_MS), &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    end
}

/// A connection being served.
struct Session<'a> {
    sh: &'a Shared,
    tx: mpsc::Sender<Vec<u8>>,
    inbound: &'a mpsc::Sender<Delivered>,
}

impl Session<'_> {
    async fn send(&self, command_id: u32, status: u32, seq: u32, body: &[u8]) -> Result<(), End> {
        let frame = pdu::encode(command_id, status, seq, body);
        self.tx.send(frame).await.map_err(|_| End::Lost {
            why: "connection writer closed".into(),
            had_bound: false,
        })
    }

    /// Sends `bind_transceiver` and waits for its response.
    async fn bind(
        &mut self,
        reader: &mut Reader,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), End> {
        let cfg = &self.sh.cfg;
        let seq = self.sh.next_seq();
        let body = pdu::bind_transceiver_body(&cfg.system_id, &cfg.password, &cfg.system_type);
        self.send(cmd::BIND_TRANSCEIVER, 0, seq, &body).await?;
        let deadline = Instant::now() + Duration::from_millis(cfg.response_timeout_ms);
        loop {
            let p = tokio::select! {
                r = reader.next() => r.map_err(|why| End::Lost { why, had_bound: false })?,
                _ = sleep_until(deadline) => return Err(lost("no bind_transceiver_resp in time")),
                _ = stopped(stop) => return Err(End::Stopped),
            };
            match p.command_id {
                cmd::BIND_TRANSCEIVER_RESP | cmd::GENERIC_NACK if p.sequence == seq => {
                    return match (p.command_id, p.command_status) {
                        (cmd::BIND_TRANSCEIVER_RESP, status::ESME_ROK) => Ok(()),
                        (_, s) => Err(lost(&format!("bind refused: command_status 0x{s:08X}"))),
                    };
                }
                cmd::ENQUIRE_LINK => {
                    self.send(cmd::ENQUIRE_LINK_RESP, 0, p.sequence, &[])
                        .await?
                }
                _ => tracing::debug!(command_id = p.command_id, "SMPP PDU before bind ignored"),
            }
        }
    }

    /// Serves a bound connection: responses, inbound traffic, keepalive, stop.
    async fn serve(&mut self, reader: &mut Reader, stop: &mut watch::Receiver<bool>) -> End {
        let cfg = &self.sh.cfg;
        let every = Duration::from_secs(cfg.enquire_link_s.max(1));
        let mut tick = tokio::time::interval_at(Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let reply_wait = Duration::from_millis(cfg.response_timeout_ms);
        let dead = sleep(reply_wait);
        tokio::pin!(dead);
        // The sequence number of the enquire_link awaiting its response.
        let mut awaiting: Option<u32> = None;
        loop {
            let p = tokio::select! {
                r = reader.next() => match r {
                    Ok(p) => p,
                    Err(why) => return End::Lost { why, had_bound: true },
                },
                _ = tick.tick(), if cfg.enquire_link_s > 0 => {
                    if awaiting.is_none() {
                        let seq = self.sh.next_seq();
                        if let Err(e) = self.send(cmd::ENQUIRE_LINK, 0, seq, &[]).await {
                            return e;
                        }
                        self.sh.enquire_links.fetch_add(1, Ordering::Relaxed);
                        dead.as_mut().reset(Instant::now() + reply_wait);
                        awaiting = Some(seq);
                    }
                    continue;
                }
                _ = &mut dead, if awaiting.is_some() => return lost("no enquire_link_resp in time"),
                _ = stopped(stop) => {
                    self.unbind(reader).await;
                    return End::Stopped;
                }
            };
            // A generic_nack answers too: the link is alive.
            let answers =
                p.command_id == cmd::ENQUIRE_LINK_RESP || p.command_id == cmd::GENERIC_NACK;
            if answers && awaiting == Some(p.sequence) {
                awaiting = None;
                continue;
            }
            if p.command_id == cmd::ENQUIRE_LINK_RESP {
                continue;
            }
            if let Err(end) = self.handle(p).await {
                return end;
            }
        }
    }

    /// One PDU from the SMSC on a bound connection.
    async fn handle(&mut self, p: Pdu) -> Result<(), End> {
        match p.command_id {
            cmd::SUBMIT_SM_RESP => {
                let message_id = pdu::submit_sm_resp_id(&p.body);
                self.sh.resolve(
                    p.sequence,
                    Resp {
                        status: p.command_status,
                        message_id,
                    },
                );
            }
            cmd::GENERIC_NACK => {
                let resp = Resp {
                    status: p.command_status,
                    message_id: String::new(),
                };
                if !self.sh.resolve(p.sequence, resp) {
                    tracing::warn!(
                        status = p.command_status,
                        seq = p.sequence,
                        "SMPP generic_nack"
                    );
                }
            }
            cmd::DELIVER_SM => {
                match pdu::parse_deliver_sm(&p.body) {
                    Some(d) => {
                        let msg = pdu::inbound_of(&d);
                        let counter = match msg {
                            Inbound::Receipt { .. } => &self.sh.receipts,
                            Inbound::Message { .. } => &self.sh.inbound,
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                        // Answered only once the receiver has kept it (an opt-out committed):
                        // otherwise a temporary error, and the SMSC delivers it again.
                        let (ack, acked) = oneshot::channel();
                        let item = Delivered {
                            inbound: msg,
                            ack: Some(ack),
                        };
                        let wait = Duration::from_millis(self.sh.cfg.response_timeout_ms);
                        let kept = self.inbound.send(item).await.is_ok()
                            && matches!(timeout(wait, acked).await, Ok(Ok(true)));
                        let status = if kept {
                            status::ESME_ROK
                        } else {
                            status::ESME_RX_T_APPN
                        };
                        self.send(cmd::DELIVER_SM_RESP, status, p.sequence, &[0])
                            .await?;
                    }
                    None => {
                        tracing::warn!(seq = p.sequence, "SMPP malformed deliver_sm dropped");
                        self.send(cmd::DELIVER_SM_RESP, 0, p.sequence, &[0]).await?;
                    }
                }
            }
            cmd::ENQUIRE_LINK => {
                self.send(cmd::ENQUIRE_LINK_RESP, 0, p.sequence, &[])
                    .await?
            }
            cmd::UNBIND => {
                self.send(cmd::UNBIND_RESP, 0, p.sequence, &[]).await?;
                return Err(lost("the SMSC unbound"));
            }
            id if id & cmd::RESP_BIT == 0 => {
                self.send(cmd::GENERIC_NACK, status::ESME_RINVCMDID, p.sequence, &[])
                    .await?;
            }
            id => tracing::debug!(command_id = id, "SMPP response ignored"),
        }
        Ok(())
    }

    /// Sends `unbind` and serves the connection until `unbind_resp` (bounded).
    async fn unbind(&mut self, reader: &mut Reader) {
        let seq = self.sh.next_seq();
        if self.send(cmd::UNBIND, 0, seq, &[]).await.is_err() {
            return;
        }
        let deadline = Instant::now() + Duration::from_millis(UNBIND_TIMEOUT_MS);
        loop {
            let p = tokio::select! {
                r = reader.next() => match r { Ok(p) => p, Err(_) => return },
                _ = sleep_until(deadline) => return,
            };
            if p.command_id == cmd::UNBIND_RESP && p.sequence == seq {
                return;
            }
            if p.command_id == cmd::UNBIND || self.handle(p).await.is_err() {
                return;
            }
        }
    }
}

fn lost(why: &str) -> End {
    End::Lost {
        why: why.to_string(),
        had_bound: false,
    }
}
