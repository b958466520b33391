//! A local SMSC speaking SMPP 3.4, for tests and the benchmark: binds (transceiver,
//! transmitter, receiver) checked against one system_id and password, `submit_sm` recorded
//! and numbered (hex counter), optional delivery receipts, mobile-originated `deliver_sm`,
//! `enquire_link` and `unbind` answered. Knobs for tests: a response delay (the peak of
//! unanswered submits is recorded), a forced submit status.
//!
//! Its PDU parsing and encoding are written here, apart from the client's codec, so the
//! tests check the two against each other; only the GSM 03.38 table is shared (one source of
//! truth; the tests check its code points by hand).

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;

use super::pdu::{gsm7_decode, gsm7_encode};

/// Connections served at once; more are closed on accept.
pub const SMSC_MAX_SESSIONS: usize = 16;
/// Longest PDU accepted; a longer command_length closes the connection.
pub const SMSC_MAX_PDU: usize = 64 * 1024;
/// Wait for the ESME's `deliver_sm_resp` to an MO message, milliseconds.
pub const SMSC_MO_TIMEOUT_MS: u64 = 5_000;
/// Wait for a session's tasks when stopping, milliseconds.
pub const SMSC_STOP_TIMEOUT_MS: u64 = 5_000;
/// PDUs queued to a connection's writer.
const SMSC_WRITE_QUEUE: usize = 4_096;
/// Octets read from a socket at a time (at least).
const SMSC_READ_CHUNK: usize = 16 * 1024;
/// system_id in bind responses.
const SMSC_SYSTEM_ID: &str = "TollgateSMSC";

// Command ids and statuses (SMPP 3.4 §5.1.2, §5.1.3).
const RESP: u32 = 0x8000_0000;
const GENERIC_NACK: u32 = 0x8000_0000;
const BIND_RECEIVER: u32 = 0x01;
const BIND_TRANSMITTER: u32 = 0x02;
const SUBMIT_SM: u32 = 0x04;
const DELIVER_SM: u32 = 0x05;
const UNBIND: u32 = 0x06;
const BIND_TRANSCEIVER: u32 = 0x09;
const ENQUIRE_LINK: u32 = 0x15;
const ROK: u32 = 0x00;
const RINVCMDLEN: u32 = 0x02;
const RINVCMDID: u32 = 0x03;
const RINVBNDSTS: u32 = 0x04;
const RALYBND: u32 = 0x05;
const RBINDFAIL: u32 = 0x0D;
// TLV tags (§5.3.2).
const TAG_RECEIPTED_MESSAGE_ID: u16 = 0x001E;
const TAG_MESSAGE_PAYLOAD: u16 = 0x0424;
const TAG_MESSAGE_STATE: u16 = 0x0427;

/// One accepted `submit_sm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub message_id: String,
    pub from: String,
    pub from_ton: u8,
    pub from_npi: u8,
    pub to: String,
    pub to_ton: u8,
    pub to_npi: u8,
    /// The text, decoded by `data_coding`.
    pub body: String,
    /// The octets as sent (`short_message` or `message_payload`).
    pub raw: Vec<u8>,
    /// Whether the text came in `message_payload`.
    pub in_payload: bool,
    pub data_coding: u8,
    pub registered_delivery: u8,
}

/// A bound ESME that can take `deliver_sm`.
#[derive(Clone)]
struct Esme {
    session: u64,
    tx: mpsc::Sender<Vec<u8>>,
    link: Arc<Link>,
}

/// Sequence numbers of PDUs this SMSC sends on one connection, and the MO messages
/// awaiting their `deliver_sm_resp`.
struct Link {
    seq: AtomicU32,
    waiting: Mutex<HashMap<u32, oneshot::Sender<u32>>>,
}

impl Link {
    fn next_seq(&self) -> u32 {
        self.seq.fetch_add(1, Ordering::Relaxed) % 0x7FFF_FFFF + 1
    }
}

struct Ctl {
    system_id: String,
    password: String,
    submitted: Mutex<Vec<Submitted>>,
    count: AtomicUsize,
    next_id: AtomicU64,
    receipts: Mutex<Option<String>>,
    binds: AtomicUsize,
    bind_failures: AtomicUsize,
    enquire_links: AtomicUsize,
    sessions: AtomicUsize,
    outstanding: AtomicUsize,
    peak: AtomicUsize,
    delay_ms: AtomicU64,
    submit_status: AtomicU32,
    esmes: Mutex<Vec<Esme>>,
    next_session: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running local SMSC.
pub struct LocalSmsc {
    addr: SocketAddr,
    ctl: Arc<Ctl>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl LocalSmsc {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start(system_id: &str, password: &str) -> io::Result<LocalSmsc> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), system_id, password).await
    }

    /// Listens on `addr` (e.g. the address of a stopped one, to restart it).
    pub async fn start_on(
        addr: SocketAddr,
        system_id: &str,
        password: &str,
    ) -> io::Result<LocalSmsc> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let ctl = Arc::new(Ctl {
            system_id: system_id.to_string(),
            password: password.to_string(),
            submitted: Mutex::new(Vec::new()),
            count: AtomicUsize::new(0),
            next_id: AtomicU64::new(0),
            receipts: Mutex::new(None),
            binds: AtomicUsize::new(0),
            bind_failures: AtomicUsize::new(0),
            enquire_links: AtomicUsize::new(0),
            sessions: AtomicUsize::new(0),
            outstanding: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            delay_ms: AtomicU64::new(0),
            submit_status: AtomicU32::new(ROK),
            esmes: Mutex::new(Vec::new()),
            next_session: AtomicU64::new(0),
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, ctl.clone(), stop_rx));
        Ok(LocalSmsc {
            addr,
            ctl,
            stop,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every accepted submit, in arrival order.
    pub fn submitted(&self) -> Vec<Submitted> {
        lock(&self.ctl.submitted).clone()
    }

    pub fn submitted_count(&self) -> usize {
        self.ctl.count.load(Ordering::Relaxed)
    }

    /// After each accepted submit asking for one (`registered_delivery` bit 0), send a
    /// delivery receipt with this `stat:` (`DELIVRD`, `UNDELIV`, `EXPIRED`, `REJECTD`, ...).
    pub fn set_receipts(&self, on: bool, state: &str) {
        *lock(&self.ctl.receipts) = on.then(|| state.to_string());
    }

    /// Delay every `submit_sm_resp` (and its receipt) by `delay`.
    pub fn set_response_delay(&self, delay: Duration) {
        self.ctl
            .delay_ms
            .store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// Answer every submit with this status (0: accept), without recording it.
    pub fn set_submit_status(&self, command_status: u32) {
        self.ctl
            .submit_status
            .store(command_status, Ordering::Relaxed);
    }

    /// The most submits seen unanswered at once.
    pub fn peak_outstanding(&self) -> usize {
        self.ctl.peak.load(Ordering::Relaxed)
    }

    /// Successful binds.
    pub fn binds(&self) -> usize {
        self.ctl.binds.load(Ordering::Relaxed)
    }

    /// Binds refused for a wrong system_id or password.
    pub fn bind_failures(&self) -> usize {
        self.ctl.bind_failures.load(Ordering::Relaxed)
    }

    /// `enquire_link` received.
    pub fn enquire_links(&self) -> usize {
        self.ctl.enquire_links.load(Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn sessions(&self) -> usize {
        self.ctl.sessions.load(Ordering::Relaxed)
    }

    /// A mobile-originated `deliver_sm` to the first bound ESME (GSM 03.38 when every
    /// character is in it, else UCS-2); true when it answered `deliver_sm_resp` status 0.
    pub async fn send_mo(&self, from: &str, to: &str, body: &str) -> bool {
        let Some(esme) = lock(&self.ctl.esmes).first().cloned() else {
            return false;
        };
        let (dc, octets) = match gsm7_encode(body) {
            Some(b) => (0x00, b),
            None => (
                0x08,
                body.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ),
        };
        let seq = esme.link.next_seq();
        let (tx, rx) = oneshot::channel();
        lock(&esme.link.waiting).insert(seq, tx);
        let frame = deliver_sm(seq, from, to, 0x00, dc, &octets, &[]);
        if esme.tx.send(frame).await.is_err() {
            return false;
        }
        let wait = Duration::from_millis(SMSC_MO_TIMEOUT_MS);
        let answered = timeout(wait, rx).await;
        lock(&esme.link.waiting).remove(&seq);
        matches!(answered, Ok(Ok(ROK)))
    }

    /// Closes the listener and every session; returns when all their tasks have ended.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if timeout(Duration::from_millis(SMSC_STOP_TIMEOUT_MS), &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Resolves when the stop flag is set or the [`LocalSmsc`] is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn accept_loop(listener: TcpListener, ctl: Arc<Ctl>, mut stop: watch::Receiver<bool>) {
    let session_stop = stop.clone();
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) if sessions.len() < SMSC_MAX_SESSIONS => {
                    sessions.spawn(session(ctl.clone(), stream, session_stop.clone()));
                }
                Ok(_) => tracing::warn!("local SMSC: session limit reached, connection closed"),
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            _ = stopped(&mut stop) => break,
        }
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
}

/// One PDU: header fields and body.
struct Frame {
    id: u32,
    status: u32,
    seq: u32,
    body: Vec<u8>,
}

/// A whole PDU: the 16-octet header then `body`.
fn frame(id: u32, status: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(16 + body.len());
    for v in [(16 + body.len()) as u32, id, status, seq] {
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(body);
    f
}

/// The PDUs whole in `buf[*at..]`, advancing `at`; `Err` on a length outside 16..=max.
fn frames(buf: &[u8], at: &mut usize) -> Result<Vec<Frame>, ()> {
    let mut out = Vec::new();
    while buf.len() - *at >= 4 {
        let b = &buf[*at..];
        let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if !(16..=SMSC_MAX_PDU).contains(&len) {
            return Err(());
        }
        if b.len() < len {
            break;
        }
        let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        out.push(Frame {
            id: word(4),
            status: word(8),
            seq: word(12),
            body: b[16..len].to_vec(),
        });
        *at += len;
    }
    Ok(out)
}

async fn write_loop(wr: OwnedWriteHalf, mut rx: mpsc::Receiver<Vec<u8>>) {
    let mut w = BufWriter::new(wr);
    while let Some(f) = rx.recv().await {
        let mut ok = w.write_all(&f).await.is_ok();
        while let (true, Ok(f)) = (ok, rx.try_recv()) {
            ok = w.write_all(&f).await.is_ok();
        }
        if !ok || w.flush().await.is_err() {
            return;
        }
    }
    let _ = w.shutdown().await;
}

async fn session(ctl: Arc<Ctl>, stream: TcpStream, mut stop: watch::Receiver<bool>) {
    ctl.sessions.fetch_add(1, Ordering::Relaxed);
    let _ = stream.set_nodelay(true);
    let (mut rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::channel(SMSC_WRITE_QUEUE);
    let mut writer = tokio::spawn(write_loop(wr, rx));
    let link = Arc::new(Link {
        seq: AtomicU32::new(0),
        waiting: Mutex::new(HashMap::new()),
    });
    let id = ctl.next_session.fetch_add(1, Ordering::Relaxed);
    let mut s = Session {
        ctl: ctl.clone(),
        tx,
        link,
        id,
        bound: false,
        delayed: JoinSet::new(),
    };
    let mut buf = Vec::with_capacity(SMSC_READ_CHUNK);
    let mut at = 0;
    // A length outside the limits ends the loop (and closes the connection).
    'serve: while let Ok(got) = frames(&buf, &mut at) {
        for f in got {
            if !s.on_pdu(f).await {
                break 'serve;
            }
        }
        buf.drain(..at);
        at = 0;
        if buf.capacity() - buf.len() < SMSC_READ_CHUNK / 2 {
            buf.reserve(SMSC_READ_CHUNK);
        }
        tokio::select! {
            r = rd.read_buf(&mut buf) => if !matches!(r, Ok(n) if n > 0) { break },
            Some(_) = s.delayed.join_next(), if !s.delayed.is_empty() => {}
            _ = stopped(&mut stop) => break,
        }
    }
    lock(&ctl.esmes).retain(|e| e.session != id);
    s.delayed.shutdown().await;
    drop(s);
    if timeout(Duration::from_millis(SMSC_STOP_TIMEOUT_MS), &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    ctl.sessions.fetch_sub(1, Ordering::Relaxed);
}

struct Session {
    ctl: Arc<Ctl>,
    tx: mpsc::Sender<Vec<u8>>,
    link: Arc<Link>,
    id: u64,
    bound: bool,
    /// Delayed responses (with [`LocalSmsc::set_response_delay`]).
    delayed: JoinSet<()>,
}

impl Session {
    async fn reply(&self, id: u32, status: u32, seq: u32, body: &[u8]) -> bool {
        self.tx.send(frame(id, status, seq, body)).await.is_ok()
    }

    /// Serves one PDU; false to close the connection.
    async fn on_pdu(&mut self, f: Frame) -> bool {
        match f.id {
            BIND_TRANSCEIVER | BIND_TRANSMITTER | BIND_RECEIVER => self.on_bind(f).await,
            SUBMIT_SM => self.on_submit(f).await,
            ENQUIRE_LINK => {
                self.ctl.enquire_links.fetch_add(1, Ordering::Relaxed);
                self.reply(ENQUIRE_LINK | RESP, ROK, f.seq, &[]).await
            }
            UNBIND => {
                let _ = self.reply(UNBIND | RESP, ROK, f.seq, &[]).await;
                false
            }
            id if id == DELIVER_SM | RESP => {
                if let Some(w) = lock(&self.link.waiting).remove(&f.seq) {
                    let _ = w.send(f.status);
                }
                true
            }
            id if id & RESP != 0 => true,
            _ => self.reply(GENERIC_NACK, RINVCMDID, f.seq, &[]).await,
        }
    }

    async fn on_bind(&mut self, f: Frame) -> bool {
        let resp = f.id | RESP;
        let ours = format!("{SMSC_SYSTEM_ID}\0");
        if self.bound {
            return self.reply(resp, RALYBND, f.seq, ours.as_bytes()).await;
        }
        let mut r = Fields::new(&f.body);
        let (Some(system_id), Some(password)) = (r.cstr(), r.cstr()) else {
            return self.reply(GENERIC_NACK, RINVCMDLEN, f.seq, &[]).await;
        };
        if system_id != self.ctl.system_id || password != self.ctl.password {
            self.ctl.bind_failures.fetch_add(1, Ordering::Relaxed);
            return self.reply(resp, RBINDFAIL, f.seq, &[]).await;
        }
        self.bound = true;
        self.ctl.binds.fetch_add(1, Ordering::Relaxed);
        if f.id != BIND_TRANSMITTER {
            let esme = Esme {
                session: self.id,
                tx: self.tx.clone(),
                link: self.link.clone(),
            };
            lock(&self.ctl.esmes).push(esme);
        }
        self.reply(resp, ROK, f.seq, ours.as_bytes()).await
    }

    async fn on_submit(&mut self, f: Frame) -> bool {
        const RESP_ID: u32 = SUBMIT_SM | RESP;
        if !self.bound {
            return self.reply(RESP_ID, RINVBNDSTS, f.seq, &[]).await;
        }
        let Some(sm) = parse_submit(&f.body) else {
            return self.reply(RESP_ID, RINVCMDLEN, f.seq, &[]).await;
        };
        let forced = self.ctl.submit_status.load(Ordering::Relaxed);
        if forced != ROK {
            return self.reply(RESP_ID, forced, f.seq, &[]).await;
        }
        let n = self.ctl.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let message_id = format!("{n:08X}");
        let receipt = (sm.registered_delivery & 1 == 1)
            .then(|| lock(&self.ctl.receipts).clone())
            .flatten()
            .map(|state| receipt(self.link.next_seq(), &sm, &message_id, &state));
        let resp = frame(RESP_ID, ROK, f.seq, format!("{message_id}\0").as_bytes());
        lock(&self.ctl.submitted).push(sm.into_submitted(message_id));
        self.ctl.count.fetch_add(1, Ordering::Relaxed);
        let now = self.ctl.outstanding.fetch_add(1, Ordering::Relaxed) + 1;
        self.ctl.peak.fetch_max(now, Ordering::Relaxed);
        let delay = self.ctl.delay_ms.load(Ordering::Relaxed);
        let (ctl, tx) = (self.ctl.clone(), self.tx.clone());
        let answer = async move {
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            // Counted answered before the response leaves: the ESME cannot be ahead of it.
            ctl.outstanding.fetch_sub(1, Ordering::Relaxed);
            let sent = tx.send(resp).await.is_ok();
            if let (true, Some(r)) = (sent, receipt) {
                let _ = tx.send(r).await;
            }
            sent
        };
        if delay == 0 {
            return answer.await;
        }
        self.delayed.spawn(async move {
            answer.await;
        });
        true
    }
}

/// A reader over a PDU body.
struct Fields<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Fields<'a> {
    fn new(b: &'a [u8]) -> Self {
        Fields { b, i: 0 }
    }

    fn octet(&mut self) -> Option<u8> {
        let v = self.b.get(self.i).copied();
        self.i += 1;
        v
    }

    fn octets(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n)?;
        let v = self.b.get(self.i..end)?;
        self.i = end;
        Some(v)
    }

    fn cstr(&mut self) -> Option<String> {
        let end = self.i + self.b.get(self.i..)?.iter().position(|&c| c == 0)?;
        let s = String::from_utf8_lossy(&self.b[self.i..end]).into_owned();
        self.i = end + 1;
        Some(s)
    }
}

/// The fields of a `submit_sm` this SMSC records.
struct Sm {
    from: (u8, u8, String),
    to: (u8, u8, String),
    registered_delivery: u8,
    data_coding: u8,
    message: Vec<u8>,
    in_payload: bool,
}

impl Sm {
    fn into_submitted(self, message_id: String) -> Submitted {
        let body = match self.data_coding {
            0x00 => gsm7_decode(&self.message),
            0x08 => {
                let units: Vec<u16> = self
                    .message
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            0x03 => self.message.iter().map(|&c| char::from(c)).collect(),
            _ => String::from_utf8_lossy(&self.message).into_owned(),
        };
        Submitted {
            message_id,
            from: self.from.2,
            from_ton: self.from.0,
            from_npi: self.from.1,
            to: self.to.2,
            to_ton: self.to.0,
            to_npi: self.to.1,
            body,
            raw: self.message,
            in_payload: self.in_payload,
            data_coding: self.data_coding,
            registered_delivery: self.registered_delivery,
        }
    }
}

/// `submit_sm` (§4.4.1): mandatory fields then TLVs; `None` when malformed.
fn parse_submit(body: &[u8]) -> Option<Sm> {
    let mut r = Fields::new(body);
    r.cstr()?; // service_type
    let from = (r.octet()?, r.octet()?, r.cstr()?);
    let to = (r.octet()?, r.octet()?, r.cstr()?);
    r.octets(3)?; // esm_class, protocol_id, priority_flag
    r.cstr()?; // schedule_delivery_time
    r.cstr()?; // validity_period
    let registered_delivery = r.octet()?;
    r.octet()?; // replace_if_present_flag
    let data_coding = r.octet()?;
    r.octet()?; // sm_default_msg_id
    let sm_length = usize::from(r.octet()?);
    let mut message = r.octets(sm_length)?.to_vec();
    let mut in_payload = false;
    while r.i < body.len() {
        let head = r.octets(4)?;
        let tag = u16::from_be_bytes([head[0], head[1]]);
        let value = r.octets(usize::from(u16::from_be_bytes([head[2], head[3]])))?;
        if tag == TAG_MESSAGE_PAYLOAD && sm_length == 0 {
            message = value.to_vec();
            in_payload = true;
        }
    }
    Some(Sm {
        from,
        to,
        registered_delivery,
        data_coding,
        message,
        in_payload,
    })
}

/// TON and NPI of an address this SMSC sends: digits international E.164, else alphanumeric.
fn ton_npi(addr: &str) -> (u8, u8, &str) {
    let digits = addr.strip_prefix('+').unwrap_or(addr);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        (1, 1, digits)
    } else {
        (5, 0, addr)
    }
}

/// A `deliver_sm` (§4.6.1); a message over 254 octets goes in `message_payload`.
fn deliver_sm(
    seq: u32,
    from: &str,
    to: &str,
    esm_class: u8,
    dc: u8,
    msg: &[u8],
    tlvs: &[u8],
) -> Vec<u8> {
    let mut b = vec![0]; // service_type
    for a in [from, to] {
        let (ton, npi, addr) = ton_npi(a);
        b.extend_from_slice(&[ton, npi]);
        b.extend_from_slice(addr.as_bytes());
        b.push(0);
    }
    // esm_class, protocol_id, priority_flag, schedule_delivery_time, validity_period,
    // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id.
    b.extend_from_slice(&[esm_class, 0, 0, 0, 0, 0, 0, dc, 0]);
    if msg.len() <= 254 {
        b.push(msg.len() as u8);
        b.extend_from_slice(msg);
    } else {
        b.push(0);
        b.extend_from_slice(&TAG_MESSAGE_PAYLOAD.to_be_bytes());
        b.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        b.extend_from_slice(msg);
    }
    b.extend_from_slice(tlvs);
    frame(DELIVER_SM, ROK, seq, &b)
}

/// The delivery receipt of `sm` (esm_class 0x04, Appendix B text, receipted_message_id and
/// message_state TLVs), from its recipient to its sender.
fn receipt(seq: u32, sm: &Sm, message_id: &str, state: &str) -> Vec<u8> {
    let now = jiff::Timestamp::now().strftime("%y%m%d%H%M").to_string();
    let (dlvrd, err) = if state == "DELIVRD" {
        ("001", "000")
    } else {
        ("000", "001")
    };
    // The text is ASCII letters, digits, ':' and ' ': the same octets in GSM 03.38.
    let text = format!(
        "id:{message_id} sub:001 dlvrd:{dlvrd} submit date:{now} done date:{now} stat:{state} err:{err} text:"
    );
    let state_code: u8 = match state {
        "ENROUTE" => 1,
        "DELIVRD" => 2,
        "EXPIRED" => 3,
        "DELETED" => 4,
        "UNDELIV" => 5,
        "ACCEPTD" => 6,
        "REJECTD" => 8,
        _ => 7,
    };
    let mut tlvs = Vec::new();
    tlvs.extend_from_slice(&TAG_RECEIPTED_MESSAGE_ID.to_be_bytes());
    tlvs.extend_from_slice(&(message_id.len() as u16 + 1).to_be_bytes());
    tlvs.extend_from_slice(message_id.as_bytes());
    tlvs.push(0);
    tlvs.extend_from_slice(&TAG_MESSAGE_STATE.to_be_bytes());
    tlvs.extend_from_slice(&[0, 1, state_code]);
    deliver_sm(
        seq,
        &sm.to.2,
        &sm.from.2,
        0x04,
        0x00,
        text.as_bytes(),
        &tlvs,
    )
}
