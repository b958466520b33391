//! SMPP 3.4 client: one transceiver session to an SMSC, kept bound (keepalive, reconnect with
//! backoff), with a window of outstanding `submit_sm` and a send throttle.
//!
//! - [`SmppClient::start`] spawns the session task and returns a handle and the receiver of
//!   [`Inbound`] traffic (delivery receipts and mobile-originated messages).
//! - [`SmppClient::submit`] sends one `submit_sm` and returns the SMSC's message id.
//! - [`pdu`] is the codec (PDU framing, the bodies this client sends and reads, GSM 03.38).
//! - `smsc` (feature `sim`) is a local SMSC for tests and the benchmark, with its own PDU code.
//!
//! The receiver of [`Inbound`] must be drained (or dropped): the session hands each
//! `deliver_sm` over before answering it, so a full receiver holds the session back.

mod client;
pub mod pdu;
#[cfg(feature = "sim")]
pub mod smsc;

pub use client::SmppClient;

/// Default window: outstanding `submit_sm` awaiting their `submit_sm_resp`.
pub const DEFAULT_WINDOW: usize = 10;
/// Default keepalive interval (`enquire_link`), seconds.
pub const DEFAULT_ENQUIRE_LINK_S: u64 = 30;
/// Default wait for a response (`submit_sm_resp`, `bind_transceiver_resp`,
/// `enquire_link_resp`), milliseconds.
pub const DEFAULT_RESPONSE_TIMEOUT_MS: u64 = 10_000;
/// Default first delay before reconnecting, milliseconds (doubles up to [`MAX_RECONNECT_MS`]).
pub const DEFAULT_RECONNECT_MS: u64 = 1_000;
/// Cap of the reconnect backoff, milliseconds.
pub const MAX_RECONNECT_MS: u64 = 30_000;
/// Wait for the TCP connection to the SMSC, milliseconds.
pub const CONNECT_TIMEOUT_MS: u64 = 5_000;
/// Wait for `unbind_resp` when stopping, milliseconds.
pub const UNBIND_TIMEOUT_MS: u64 = 1_000;
/// Capacity of the [`Inbound`] receiver returned by [`SmppClient::start`].
pub const INBOUND_QUEUE: usize = 1_024;
/// PDUs queued to the connection's writer.
pub const WRITE_QUEUE: usize = 1_024;
/// Burst the throttle allows after an idle spell, as milliseconds of `max_per_second`
/// (at least one message).
pub const THROTTLE_BURST_MS: u64 = 50;

/// Where and how to bind, and the session's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmppConfig {
    /// `host:port` of the SMSC, e.g. `127.0.0.1:2775`.
    pub addr: String,
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    /// Max outstanding `submit_sm` awaiting `submit_sm_resp` (0 counts as 1).
    pub window: usize,
    /// Throttle of `submit_sm` sent per second (0 = unlimited).
    pub max_per_second: u32,
    /// Keepalive interval, seconds (0 = no keepalive).
    pub enquire_link_s: u64,
    /// A submit without a response by then is [`SubmitError::Timeout`]; a bind or keepalive
    /// without one closes the connection.
    pub response_timeout_ms: u64,
    /// First delay between reconnect attempts (doubling up to [`MAX_RECONNECT_MS`]).
    pub reconnect_ms: u64,
}

impl SmppConfig {
    /// `addr`, credentials, an empty `system_type` and the defaults for the limits.
    pub fn new(addr: &str, system_id: &str, password: &str) -> SmppConfig {
        SmppConfig {
            addr: addr.to_string(),
            system_id: system_id.to_string(),
            password: password.to_string(),
            system_type: String::new(),
            window: DEFAULT_WINDOW,
            max_per_second: 0,
            enquire_link_s: DEFAULT_ENQUIRE_LINK_S,
            response_timeout_ms: DEFAULT_RESPONSE_TIMEOUT_MS,
            reconnect_ms: DEFAULT_RECONNECT_MS,
        }
    }
}

/// How the body is encoded: `data_coding` 0 (GSM 03.38 default alphabet, one septet per
/// octet) or 8 (UCS-2, sent as UTF-16BE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Gsm7,
    Ucs2,
}

/// One message to send.
#[derive(Clone, Copy, Debug)]
pub struct Submit<'a> {
    /// Sender: digits (an optional leading `+` is stripped; TON 1, NPI 1) or an alphanumeric
    /// sender id (TON 5, NPI 0); empty lets the SMSC choose (TON 0, NPI 0).
    pub from: &'a str,
    /// Recipient digits (an optional leading `+` is stripped; TON 1, NPI 1).
    pub to: &'a str,
    /// Text; with [`Coding::Gsm7`] a character outside GSM 03.38 is sent as `?`.
    pub body: &'a str,
    pub coding: Coding,
    /// Ask for a delivery receipt (`registered_delivery` 1).
    pub receipt: bool,
}

/// Why a submit did not get a message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// Not bound, or the connection was lost before the response (also `ESME_RTHROTTLED` and
    /// `ESME_RMSGQFUL` from the SMSC): the caller may retry later.
    Unavailable(String),
    /// The SMSC answered with this error status (also a message this client refuses to send,
    /// with the status an SMSC would give: `ESME_RINVSRCADR`, `ESME_RINVDSTADR`,
    /// `ESME_RINVMSGLEN`): permanent for this message.
    Rejected { command_status: u32 },
    /// Sent, but no response in time: the outcome is unknown.
    Timeout,
    /// Handed to the connection, which closed before the response: the SMSC may have it, so
    /// the outcome is unknown (sending it again could deliver it twice).
    Lost,
}

impl std::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitError::Unavailable(why) => write!(f, "SMSC unavailable: {why}"),
            SubmitError::Rejected { command_status } => {
                write!(
                    f,
                    "SMSC rejected the message: command_status 0x{command_status:08X}"
                )
            }
            SubmitError::Timeout => f.write_str("no submit_sm_resp in time (outcome unknown)"),
            SubmitError::Lost => {
                f.write_str("the connection closed before the submit_sm_resp (outcome unknown)")
            }
        }
    }
}

impl std::error::Error for SubmitError {}

/// Traffic from the SMSC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A delivery receipt for the message the SMSC numbered `message_id`; `error` is the
    /// receipt text's `err:` field (empty when absent).
    Receipt {
        message_id: String,
        state: ReceiptState,
        error: String,
    },
    /// A mobile-originated message; addresses as the SMSC sent them.
    Message {
        from: String,
        to: String,
        body: String,
    },
}

/// Traffic from the SMSC with its acknowledgement: the session answers the SMSC's
/// `deliver_sm` only after [`Delivered::accept`] (or [`Delivered::ack`] with `true`); an item
/// dropped or refused unacknowledged is answered with a temporary error
/// (`ESME_RX_T_APPN`), so the SMSC delivers it again: an inbound STOP is never acknowledged
/// before it is stored.
#[derive(Debug)]
pub struct Delivered {
    pub inbound: Inbound,
    pub(crate) ack: Option<tokio::sync::oneshot::Sender<bool>>,
}

impl Delivered {
    /// Tells the session whether the traffic was kept.
    pub fn ack(mut self, kept: bool) {
        if let Some(a) = self.ack.take() {
            let _ = a.send(kept);
        }
    }

    /// Acknowledges it as kept and returns it (tests, receivers that keep nothing).
    pub fn accept(self) -> Inbound {
        let i = self.inbound.clone();
        self.ack(true);
        i
    }
}

/// The final state a receipt reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptState {
    /// `DELIVRD` / message_state 2.
    Delivered,
    /// `UNDELIV` / message_state 5.
    Failed,
    /// `EXPIRED` / message_state 3.
    Expired,
    /// `REJECTD` / message_state 8.
    Rejected,
    /// Anything else (`ENROUTE`, `DELETED`, `ACCEPTD`, `UNKNOWN`, ...).
    Other,
}

/// Counters since [`SmppClient::start`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SmppStats {
    /// Submits the SMSC accepted (`submit_sm_resp` with status 0).
    pub submitted: u64,
    /// Delivery receipts handed to the receiver.
    pub receipts: u64,
    /// Mobile-originated messages handed to the receiver.
    pub inbound: u64,
    /// Binds after the first one (each one follows a lost connection).
    pub reconnects: u64,
    /// `enquire_link` sent by this client.
    pub enquire_links: u64,
}
