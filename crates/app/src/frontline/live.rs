//! The live hubs: one channel per broadcast (what its connected staff hear) and one per store
//! (its manager's escalations). An event is serialised once and shared by every listener, so
//! a burst costs one JSON text per event, not one per connected member.

use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::broadcast::{self, error::RecvError, Receiver};
use tokio::sync::watch;
use tollgate_store::frontline::NotificationRow;

/// Events a slow listener may fall behind by before it misses some (it is told, and gets the
/// open queue again).
pub const HUB_CAPACITY: usize = 256;

/// A live event as sent: its kind (the SSE `event:` line) and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub kind: &'static str,
    /// The broadcast it is about (a manager in that broadcast hears it once).
    pub broadcast: Arc<str>,
    pub data: Arc<str>,
}

impl LiveEvent {
    pub fn new(kind: &'static str, broadcast: &str, data: Value) -> LiveEvent {
        LiveEvent {
            kind,
            broadcast: Arc::from(broadcast),
            data: Arc::from(data.to_string()),
        }
    }

    /// The JSON value (tests and the SSE handler's snapshot).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// A notification as announced: what the app shows and the headset speaks. `reannounced`:
/// the first announcement after a restart; `snapshot`: the open queue told to a member who
/// just connected.
pub fn announce(n: &NotificationRow, repeat: u32, reannounced: bool, snapshot: bool) -> LiveEvent {
    LiveEvent::new(
        "announce",
        &n.broadcast_id,
        json!({
            "notification_id": n.id,
            "broadcast_id": n.broadcast_id,
            "seq": n.seq,
            "from": n.from_label,
            "type": n.kind,
            "event": n.event,
            "text": n.text,
            "speech": n.speech,
            "source": n.source,
            "source_key": n.source_key,
            "raised_at_ms": n.raised_at_ms,
            "repeat": repeat,
            "reannounced": reannounced,
            "snapshot": snapshot,
        }),
    )
}

type Channels = HashMap<String, broadcast::Sender<LiveEvent>>;

/// The hubs by key (`b:<broadcast>`, `s:<store>`).
#[derive(Default)]
pub struct Hubs {
    channels: Mutex<Channels>,
}

impl Hubs {
    fn lock(&self) -> std::sync::MutexGuard<'_, Channels> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Listens to a broadcast's events.
    pub fn listen_broadcast(&self, broadcast: &str) -> broadcast::Receiver<LiveEvent> {
        self.listen(format!("b:{broadcast}"))
    }

    /// Listens to a store's manager events (escalations, misses).
    pub fn listen_store(&self, store: &str) -> broadcast::Receiver<LiveEvent> {
        self.listen(format!("s:{store}"))
    }

    fn listen(&self, key: String) -> broadcast::Receiver<LiveEvent> {
        self.lock()
            .entry(key)
            .or_insert_with(|| broadcast::channel(HUB_CAPACITY).0)
            .subscribe()
    }

    /// Sends to a broadcast's listeners; the number reached.
    pub fn to_broadcast(&self, broadcast: &str, e: LiveEvent) -> usize {
        self.send(&format!("b:{broadcast}"), e)
    }

    /// Sends to a store manager's listeners; the number reached.
    pub fn to_store(&self, store: &str, e: LiveEvent) -> usize {
        self.send(&format!("s:{store}"), e)
    }

    fn send(&self, key: &str, e: LiveEvent) -> usize {
        let mut m = self.lock();
        let Some(tx) = m.get(key) else { return 0 };
        match tx.send(e) {
            Ok(n) => n,
            Err(_) => {
                // Nobody listens any more: the channel goes (memory follows the listeners).
                m.remove(key);
                0
            }
        }
    }
}

/// Live streams one node serves at most.
pub const MAX_LIVE_STREAMS: usize = 100_000;
/// Live streams one staff member holds at most (the app on a phone and a tablet, a headset's
/// base reconnecting).
pub const MAX_STREAMS_PER_STAFF: usize = 4;
/// Seconds a refused stream is told to wait.
pub const STREAMS_RETRY_S: i64 = 60;
/// Escalated alerts told to a manager who connects, at most.
pub const MAX_ESCALATIONS_TOLD: usize = 100;

/// Live streams open, in all and per staff member; each member's streams share a signal that
/// ends them all (the member was deactivated).
#[derive(Default)]
pub struct StreamCount {
    per_staff: Mutex<HashMap<String, (usize, watch::Sender<()>)>>,
    total: std::sync::atomic::AtomicUsize,
}

impl StreamCount {
    /// Counts a new stream of `staff`; the signal that ends it.
    fn open(&self, staff: &str) -> Result<watch::Receiver<()>, &'static str> {
        let mut m = self.per_staff.lock().unwrap_or_else(|p| p.into_inner());
        if self.total.load(Relaxed) >= MAX_LIVE_STREAMS {
            return Err("this node serves as many live streams as it may");
        }
        let (n, end) = m
            .entry(staff.to_string())
            .or_insert_with(|| (0, watch::channel(()).0));
        if *n >= MAX_STREAMS_PER_STAFF {
            return Err("this member has as many live streams open as they may");
        }
        *n += 1;
        self.total.fetch_add(1, Relaxed);
        // A new receiver has seen the current value: only a later `end` wakes it.
        Ok(end.subscribe())
    }

    fn close(&self, staff: &str) {
        let mut m = self.per_staff.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((n, _)) = m.get_mut(staff) {
            *n -= 1;
            self.total.fetch_sub(1, Relaxed);
            if *n == 0 {
                m.remove(staff);
            }
        }
    }

    /// Ends every stream `staff` has open on this node (they were deactivated); how many.
    pub(crate) fn end(&self, staff: &str) -> usize {
        let m = self.per_staff.lock().unwrap_or_else(|p| p.into_inner());
        m.get(staff).map_or(0, |(n, end)| {
            end.send_replace(());
            *n
        })
    }

    /// Streams open on this node.
    pub fn total(&self) -> usize {
        self.total.load(Relaxed)
    }
}

/// What one connected member hears: the open queue of their broadcast first (and, for a
/// manager, the store's alerts already escalated), then the broadcast's events and, for a
/// manager, the store's escalations from other broadcasts. It ends after the member's own
/// leave (the app connects again to follow them elsewhere) and, with a last `deactivated`
/// event, when the member is deactivated (in a broadcast or not, manager or not). A listener
/// that fell behind is told (`lagged`) and hears the open queue again.
pub struct Listener {
    fl: Arc<super::Frontline>,
    snapshot: std::collections::VecDeque<LiveEvent>,
    broadcast: Option<Receiver<LiveEvent>>,
    store: Option<Receiver<LiveEvent>>,
    staff_id: String,
    broadcast_id: Option<String>,
    /// Woken when the member is deactivated ([`StreamCount::end`]).
    ended: watch::Receiver<()>,
    done: bool,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.fl.streams.close(&self.staff_id);
    }
}

async fn recv(r: &mut Option<Receiver<LiveEvent>>) -> Result<LiveEvent, RecvError> {
    match r {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    }
}

impl Listener {
    /// The next event; `None` once the member left or was deactivated.
    pub async fn next(&mut self) -> Option<LiveEvent> {
        if self.done {
            return None;
        }
        if self.ended.has_changed().unwrap_or(true) {
            return Some(self.deactivated());
        }
        if let Some(e) = self.snapshot.pop_front() {
            return Some(e);
        }
        loop {
            let (r, from_store) = tokio::select! {
                r = recv(&mut self.broadcast) => (r, false),
                r = recv(&mut self.store) => (r, true),
                _ = self.ended.changed() => return Some(self.deactivated()),
            };
            match r {
                Ok(e) => {
                    if let Some(e) = self.keep(e, from_store) {
                        return Some(e);
                    }
                }
                Err(RecvError::Lagged(n)) => return Some(self.lagged(n)),
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// An event already waiting, without waiting (tests and polling).
    pub fn try_next(&mut self) -> Option<LiveEvent> {
        if self.done {
            return None;
        }
        if self.ended.has_changed().unwrap_or(true) {
            return Some(self.deactivated());
        }
        if let Some(e) = self.snapshot.pop_front() {
            return Some(e);
        }
        for from_store in [false, true] {
            loop {
                let r = if from_store {
                    &mut self.store
                } else {
                    &mut self.broadcast
                };
                match r.as_mut().map(|r| r.try_recv()) {
                    Some(Ok(e)) => {
                        if let Some(e) = self.keep(e, from_store) {
                            return Some(e);
                        }
                    }
                    Some(Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n))) => {
                        return Some(self.lagged(n))
                    }
                    _ => break,
                }
            }
        }
        None
    }

    /// The stream's last event: the member was deactivated.
    fn deactivated(&mut self) -> LiveEvent {
        self.done = true;
        let b = self.broadcast_id.clone().unwrap_or_default();
        LiveEvent::new("deactivated", &b, json!({"staff": {"id": self.staff_id}}))
    }

    /// Tells the listener it missed events and queues the open queue again.
    fn lagged(&mut self, n: u64) -> LiveEvent {
        let b = self.broadcast_id.clone().unwrap_or_default();
        self.snapshot = self
            .fl
            .engine
            .queue_of(&b)
            .iter()
            .map(|n| announce(n, 0, false, true))
            .collect();
        LiveEvent::new("lagged", &b, json!({"missed_events": n}))
    }

    fn keep(&mut self, e: LiveEvent, from_store: bool) -> Option<LiveEvent> {
        // A manager in the broadcast hears its escalations there, once.
        if from_store && Some(&*e.broadcast) == self.broadcast_id.as_deref() {
            return None;
        }
        if e.kind == "left" && !from_store && e.json()["staff"]["id"] == self.staff_id.as_str() {
            self.done = true;
        }
        Some(e)
    }
}

/// An escalated alert as told to a manager who connects.
fn escalated(n: &NotificationRow) -> LiveEvent {
    LiveEvent::new(
        "escalated",
        &n.broadcast_id,
        json!({
            "notification_id": n.id,
            "broadcast_id": n.broadcast_id,
            "from": n.from_label,
            "text": n.text,
            "at_ms": n.escalated_at_ms.unwrap_or(n.raised_at_ms + n.escalate_after_s * 1_000),
            "rule": "Q",
            "clause": "X 2.B",
            "snapshot": true,
        }),
    )
}

impl crate::App {
    /// [`crate::App::frontline_listen`] for a device that connects: the member is read again
    /// once the stream is counted, so a deactivation committed since the token was checked
    /// (whose end signal found no stream yet) refuses the stream rather than missing it.
    pub async fn frontline_listen_live(
        &self,
        staff: &tollgate_store::frontline::StaffRow,
    ) -> Result<Listener, crate::AppError> {
        let listener = self.frontline_listen(staff)?;
        match tollgate_store::frontline::system::staff(&self.store, &staff.id).await? {
            Some(s) if s.active == 1 => Ok(listener),
            _ => Err(super::staff_token_invalid()),
        }
    }

    /// Starts listening for a staff member: their broadcast's open queue, then its events;
    /// a manager also hears the store's escalations and misses. Refused beyond
    /// [`MAX_STREAMS_PER_STAFF`] or [`MAX_LIVE_STREAMS`].
    pub fn frontline_listen(
        &self,
        staff: &tollgate_store::frontline::StaffRow,
    ) -> Result<Listener, crate::AppError> {
        let fl = &self.frontline;
        let ended = fl
            .streams
            .open(&staff.id)
            .map_err(|m| crate::AppError::TooManyRequests {
                code: "too_many_streams",
                message: m.into(),
                retry_after_s: STREAMS_RETRY_S,
            })?;
        let broadcast = staff
            .broadcast_id
            .as_deref()
            .map(|b| fl.hubs.listen_broadcast(b));
        let manager = staff.manager == 1;
        let store = manager.then(|| fl.hubs.listen_store(&staff.store_id));
        let mut snapshot: std::collections::VecDeque<LiveEvent> = staff
            .broadcast_id
            .as_deref()
            .map(|b| fl.engine.queue_of(b))
            .unwrap_or_default()
            .iter()
            .map(|n| announce(n, 0, false, true))
            .collect();
        if manager {
            snapshot.extend(
                fl.engine
                    .escalated_of_store(&staff.store_id, MAX_ESCALATIONS_TOLD)
                    .iter()
                    .filter(|n| Some(&n.broadcast_id) != staff.broadcast_id.as_ref())
                    .map(|n| escalated(n)),
            );
        }
        Ok(Listener {
            fl: fl.clone(),
            snapshot,
            broadcast,
            store,
            staff_id: staff.id.clone(),
            broadcast_id: staff.broadcast_id.clone(),
            ended,
            done: false,
        })
    }
}
