//! Events in (Q): a shopper's scan of a call point (public, rate-limited, every scan logged),
//! an AI video alert by signed webhook, a staff member's push-to-talk or app request. Each
//! becomes a notification in its broadcast's queue, committed (grouped) and then announced.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tollgate_core::frontline::{
    default_text, signature, speech_text, video_event, EventKind, NotificationType, SourceKind,
    MAX_FROM_CHARS, MAX_TEXT_CHARS,
};
use tollgate_core::text::check_text;

use tollgate_store::frontline::{
    system as fsys, BroadcastRow, CallPointRow, NotificationRow, ScanRow, StaffRow, VideoSourceRow,
};

use super::engine::MAX_OPEN_NOTIFICATIONS;
use super::writer::{Raise, Raised};
use crate::ids::new_id;
use crate::{App, AppError};

/// Characters of a video alert's own id at most.
pub const MAX_ALERT_ID_CHARS: usize = 128;
/// Seconds a raise refused for the node's backlog is told to wait.
pub const BACKLOG_RETRY_S: i64 = 5;
/// Bytes of a scanner's address hash kept (enough to count distinct scanners).
pub const SCAN_HASH_BYTES: usize = 12;

/// What a raise answers.
#[derive(Debug, Clone)]
pub struct RaiseOutcome {
    pub notification: NotificationRow,
    /// False when the source's open notification (or the alert's earlier copy) took it.
    pub new: bool,
}

/// What a source says; the broadcast gives the timing.
struct Draft<'a> {
    broadcast: &'a BroadcastRow,
    source: SourceKind,
    source_id: &'a str,
    source_key: Option<String>,
    from: String,
    kind: NotificationType,
    event: EventKind,
    text: Option<String>,
}

/// An AI video alert's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoAlert {
    /// The analytics system's own id of the alert (sent again, it is one notification).
    pub alert_id: String,
    /// `theft_suspicion`, `queue_too_long` or `dwell_time_exceeded`.
    pub kind: String,
    /// The camera (the notification's `from`).
    pub camera: String,
    pub text: Option<String>,
    /// `broadcast_message` (default), `call` or `video_call`.
    #[serde(rename = "type")]
    pub notification_type: Option<String>,
}

/// A staff member's request (push-to-talk button or the app).
#[derive(Debug, Clone, Default)]
pub struct StaffRequest {
    pub text: Option<String>,
    pub notification_type: Option<String>,
    pub event: Option<String>,
}

impl App {
    fn draft_row(&self, d: Draft<'_>) -> Result<NotificationRow, AppError> {
        let from = check_text("from", &d.from, MAX_FROM_CHARS)?;
        let text = match d.text {
            Some(t) => check_text("text", &t, MAX_TEXT_CHARS)?,
            None => default_text(d.event, &from),
        };
        Ok(NotificationRow {
            id: new_id("fl_ntf"),
            broadcast_id: d.broadcast.id.clone(),
            store_id: d.broadcast.store_id.clone(),
            customer_id: d.broadcast.customer_id.clone(),
            partner_id: d.broadcast.partner_id.clone(),
            seq: 0,
            source: d.source.as_str().into(),
            source_id: d.source_id.into(),
            source_key: d.source_key,
            speech: speech_text(&from, &text),
            from_label: from,
            kind: d.kind.as_str().into(),
            event: d.event.as_str().into(),
            text,
            repeat_s: d.broadcast.repeat_s,
            escalate_after_s: d.broadcast.escalate_after_s,
            miss_after_s: d.broadcast.miss_after_s,
            state: "open".into(),
            raised_at_ms: self.clock.now_ms(),
            accepted_by: None,
            accepted_at_ms: None,
            escalated_at_ms: None,
            missed_at_ms: None,
        })
    }

    /// Commits a raise (grouped) and announces it when it is new.
    async fn raise(&self, r: Raise) -> Result<RaiseOutcome, AppError> {
        if self.frontline().engine.len() >= MAX_OPEN_NOTIFICATIONS {
            return Err(AppError::TooManyRequests {
                code: "frontline_backlog",
                message: "too many notifications are open on this node".into(),
                retry_after_s: BACKLOG_RETRY_S,
            });
        }
        let out = self
            .frontline()
            .writer
            .submit(&self.store, r)
            .await
            .map_err(AppError::Internal)?;
        Ok(match out {
            Raised::New(row) => {
                self.announce_new(row.clone());
                RaiseOutcome {
                    notification: row,
                    new: true,
                }
            }
            Raised::Existing(row) => RaiseOutcome {
                notification: row,
                new: false,
            },
        })
    }

    /// A source by key with its broadcast, from `ttl` ([`super::cache`]); `load` reads the
    /// source when the cache has no fresh entry.
    async fn cached_source<T>(
        &self,
        ttl: &super::cache::Ttl<T>,
        key: &str,
        load: impl std::future::Future<Output = Result<Option<T>, tollgate_store::StoreError>>,
        broadcast_id: impl Fn(&T) -> String,
    ) -> Result<Option<Arc<(T, BroadcastRow)>>, AppError> {
        let now = self.now();
        let generation = match ttl.get(key, now) {
            Ok(hit) => return Ok(hit),
            Err(generation) => generation,
        };
        let found = match load.await? {
            Some(v) => fsys::broadcast(&self.store, &broadcast_id(&v))
                .await?
                .map(|b| Arc::new((v, b))),
            None => None,
        };
        ttl.put(key, now, generation, found.clone());
        Ok(found)
    }

    /// A call point by code with its broadcast.
    async fn point_of(
        &self,
        code: &str,
    ) -> Result<Option<Arc<(CallPointRow, BroadcastRow)>>, AppError> {
        let load = fsys::call_point_by_code(&self.store, code);
        let ttl = &self.frontline().sources.points;
        self.cached_source(ttl, code, load, |p| p.broadcast_id.clone())
            .await
    }

    /// A video source with its broadcast.
    async fn video_source_of(
        &self,
        id: &str,
    ) -> Result<Option<Arc<(VideoSourceRow, BroadcastRow)>>, AppError> {
        let load = fsys::video_source(&self.store, id);
        let ttl = &self.frontline().sources.video;
        self.cached_source(ttl, id, load, |v| v.broadcast_id.clone())
            .await
    }

    async fn broadcast_of(&self, id: &str) -> Result<BroadcastRow, AppError> {
        fsys::broadcast(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("broadcast"))
    }

    /// A shopper scanned a call point (public): limited per point and per address
    /// ([`super::limiter`]); the scan is logged; the point's open notification takes a
    /// repeated scan, otherwise a new one is raised.
    pub async fn scan_call_point(
        &self,
        code: &str,
        source: &str,
    ) -> Result<RaiseOutcome, AppError> {
        if !super::is_call_point_code(code) {
            return Err(AppError::NotFound("call point"));
        }
        if let Err(retry) = self.frontline().scans.admit(code, source, self.now()) {
            return Err(AppError::TooManyRequests {
                code: "scan_rate_limited",
                message: "too many scans: try again shortly".into(),
                retry_after_s: retry,
            });
        }
        let found = self
            .point_of(code)
            .await?
            .ok_or(AppError::NotFound("call point"))?;
        let (point, b) = (&found.0, &found.1);
        let row = self.draft_row(Draft {
            broadcast: b,
            source: SourceKind::CallPoint,
            source_id: &point.id,
            source_key: None,
            from: point.label.clone(),
            kind: NotificationType::BroadcastMessage,
            event: EventKind::HelpNeeded,
            text: None,
        })?;
        // The address is kept only as a hash salted with the point (distinct scanners).
        let hash = Sha256::digest(format!("{}:{source}", point.id).as_bytes());
        let scan = ScanRow {
            id: new_id("fl_scan"),
            call_point_id: point.id.clone(),
            store_id: point.store_id.clone(),
            customer_id: point.customer_id.clone(),
            partner_id: point.partner_id.clone(),
            at_ms: row.raised_at_ms,
            source_hash: hash
                .iter()
                .take(SCAN_HASH_BYTES)
                .map(|b| format!("{b:02x}"))
                .collect(),
            outcome: String::new(),
            notification_id: String::new(),
        };
        self.raise(Raise {
            row,
            scan: Some(scan),
            join_open: true,
        })
        .await
    }

    /// An AI video alert (X 2.B) from a registered analytics source, signed with its secret
    /// (`X-Tollgate-Signature: t=<unix s>,v1=<HMAC-SHA256 of "<t>.<body>">`). An unknown source
    /// and a wrong signature look the same; the body is read only once the signature holds.
    pub async fn video_alert(
        &self,
        source_id: &str,
        header: Option<&str>,
        body: &[u8],
    ) -> Result<RaiseOutcome, AppError> {
        let refused =
            |code: &'static str, message: String| AppError::Unauthenticated { code, message };
        let sig = signature::parse(header, self.now()).map_err(|r| refused(r.code, r.message))?;
        let found = self.video_source_of(source_id).await?;
        let src = found.as_ref().map(|f| &f.0);
        let expected = src.map(|s| {
            crate::secrets::hmac_sha256_hex(
                s.secret.as_bytes(),
                &signature::signed_payload(sig.t, body),
            )
        });
        let (Some(src), Some(expected)) = (src, expected) else {
            return Err(refused(
                "signature_invalid",
                "the signature does not match".into(),
            ));
        };
        if !crate::secrets::constant_time_eq(expected.as_bytes(), sig.v1.as_bytes()) {
            return Err(refused(
                "signature_invalid",
                "the signature does not match".into(),
            ));
        }
        let alert: VideoAlert = serde_json::from_slice(body).map_err(|e| {
            AppError::invalid("body_invalid", "body", format!("not a video alert: {e}"))
        })?;
        let key = alert.alert_id.trim();
        if key.is_empty() || key.len() > MAX_ALERT_ID_CHARS {
            return Err(AppError::invalid(
                "alert_id_invalid",
                "alert_id",
                format!("1 to {MAX_ALERT_ID_CHARS} characters"),
            ));
        }
        let kind = match &alert.notification_type {
            Some(t) => NotificationType::parse(t, "type")?,
            None => NotificationType::BroadcastMessage,
        };
        let b = found
            .as_ref()
            .map(|f| &f.1)
            .ok_or(AppError::NotFound("broadcast"))?;
        let row = self
            .draft_row(Draft {
                broadcast: b,
                source: SourceKind::Video,
                source_id: &src.id,
                source_key: Some(key.to_string()),
                from: alert.camera,
                kind,
                event: video_event(&alert.kind)?,
                text: alert.text,
            })
            .map_err(|e| field_renamed(e, "from", "camera"))?;
        self.raise(Raise {
            row,
            scan: None,
            join_open: false,
        })
        .await
    }

    /// A staff member asks for help from the broadcast they are in: a double press on a
    /// headset's push-to-talk, or the app.
    pub async fn staff_request(
        &self,
        staff: &StaffRow,
        r: StaffRequest,
    ) -> Result<RaiseOutcome, AppError> {
        let Some(broadcast) = staff.broadcast_id.as_deref() else {
            return Err(AppError::Conflict {
                code: "not_in_broadcast",
                message: "join a broadcast first".into(),
            });
        };
        let b = self.broadcast_of(broadcast).await?;
        let source = if staff.device == "headset" {
            SourceKind::PushToTalk
        } else {
            SourceKind::App
        };
        let kind = match &r.notification_type {
            Some(t) => NotificationType::parse(t, "type")?,
            None => NotificationType::Call,
        };
        let event = match &r.event {
            Some(e) => EventKind::parse(e, "event")?,
            None => EventKind::Request,
        };
        let row = self.draft_row(Draft {
            broadcast: &b,
            source,
            source_id: &staff.id,
            source_key: None,
            from: staff.name.clone(),
            kind,
            event,
            text: r.text,
        })?;
        // One open request per member: asking again before anyone answered joins it.
        self.raise(Raise {
            row,
            scan: None,
            join_open: true,
        })
        .await
    }
}

/// A refusal of the notification's field `from` is the alert's `camera`.
fn field_renamed(e: AppError, from: &str, to: &'static str) -> AppError {
    match e {
        AppError::Refused(r) if r.field == Some(from) => AppError::Refused(r.on_field(to)),
        AppError::Invalid {
            code,
            message,
            mut fields,
        } => {
            if let Some(v) = fields.remove(from) {
                fields.insert(to.into(), v);
            }
            AppError::Invalid {
                code,
                message,
                fields,
            }
        }
        e => e,
    }
}
