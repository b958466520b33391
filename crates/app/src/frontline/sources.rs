//! A store's event sources: smart call points (the QR codes shoppers scan) and video-analytics
//! sources (their alerts signed with a secret shown once). Each can be taken out of service
//! and back (a deactivated point's scans and a deactivated source's alerts are refused as
//! unknown), and a source's secret can be replaced when it leaks: the old one stops at once
//! on this node and within [`super::cache::SOURCE_CACHE_TTL_S`] on the others. Every write
//! carries its audit entry in one transaction.

use serde_json::json;
use tollgate_core::text::check_name;
use tollgate_store::frontline::{self as fl, system as fsys, CallPointRow, VideoSourceRow};
use tollgate_store::ScopeFilter;

use super::setup::commit_audited;
use crate::ids::new_id;
use crate::secrets::{new_token, new_webhook_secret};
use crate::{App, AppError, Caller};

/// A video source created or its secret replaced: the signing secret is shown once.
#[derive(Debug, Clone)]
pub struct NewVideoSource {
    pub source: VideoSourceRow,
    pub secret: String,
}

impl App {
    /// A call point in scope.
    pub async fn frontline_call_point(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<CallPointRow, AppError> {
        fl::get_call_point(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("call point"))
    }

    /// A video source in scope.
    pub async fn frontline_video_source(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<VideoSourceRow, AppError> {
        fl::get_video_source(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("video source"))
    }

    /// Adds a call point (a QR code's code, unguessable) to a store's broadcast.
    pub async fn create_call_point(
        &self,
        caller: &Caller,
        broadcast_id: &str,
        label: &str,
    ) -> Result<CallPointRow, AppError> {
        let b = self.frontline_broadcast(caller, broadcast_id).await?;
        let label = check_name("label", label)?;
        let now = self.now();
        let row = CallPointRow {
            id: new_id("fl_cp"),
            code: new_token()
                .chars()
                .rev()
                .take(super::CALL_POINT_CODE_CHARS)
                .collect(),
            store_id: b.store_id.clone(),
            broadcast_id: b.id.clone(),
            customer_id: b.customer_id.clone(),
            partner_id: b.partner_id.clone(),
            label,
            active: 1,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        commit_audited(
            tx,
            caller,
            now,
            "frontline.call_point_created",
            &row.id,
            json!({"label": row.label}),
        )
        .await?;
        self.frontline().sources.forget_point(&row.code);
        Ok(row)
    }

    /// Registers a video-analytics source for a broadcast: its alerts are signed with the
    /// secret shown once.
    pub async fn create_video_source(
        &self,
        caller: &Caller,
        broadcast_id: &str,
        name: &str,
    ) -> Result<NewVideoSource, AppError> {
        let b = self.frontline_broadcast(caller, broadcast_id).await?;
        let name = check_name("name", name)?;
        let secret = new_webhook_secret();
        let now = self.now();
        let row = VideoSourceRow {
            id: new_id("fl_vid"),
            store_id: b.store_id.clone(),
            broadcast_id: b.id.clone(),
            customer_id: b.customer_id.clone(),
            partner_id: b.partner_id.clone(),
            name,
            secret: secret.clone(),
            active: 1,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        commit_audited(
            tx,
            caller,
            now,
            "frontline.video_source_created",
            &row.id,
            json!({"name": row.name}),
        )
        .await?;
        self.frontline().sources.forget_video(&row.id);
        Ok(NewVideoSource {
            source: row,
            secret,
        })
    }

    /// Takes a call point out of service (its scans are refused as an unknown code; an alert
    /// it raised stays in the queue until closed) or back into service.
    pub async fn set_call_point_active(
        &self,
        caller: &Caller,
        id: &str,
        active: bool,
    ) -> Result<CallPointRow, AppError> {
        let row = self.frontline_call_point(caller, id).await?;
        self.write_source_active(caller, fsys::Source::CallPoint, &row.id, active)
            .await?;
        self.frontline().sources.forget_point(&row.code);
        Ok(CallPointRow {
            active: i64::from(active),
            ..row
        })
    }

    /// Takes a video source out of service (its alerts are refused, signed or not) or back.
    pub async fn set_video_source_active(
        &self,
        caller: &Caller,
        id: &str,
        active: bool,
    ) -> Result<VideoSourceRow, AppError> {
        let row = self.frontline_video_source(caller, id).await?;
        self.write_source_active(caller, fsys::Source::Video, &row.id, active)
            .await?;
        self.frontline().sources.forget_video(&row.id);
        Ok(VideoSourceRow {
            active: i64::from(active),
            ..row
        })
    }

    /// Writes a source's service state with its audit entry in one transaction.
    async fn write_source_active(
        &self,
        caller: &Caller,
        kind: fsys::Source,
        id: &str,
        active: bool,
    ) -> Result<(), AppError> {
        let action = match kind {
            fsys::Source::CallPoint => "frontline.call_point_active",
            fsys::Source::Video => "frontline.video_source_active",
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        fsys::set_source_active(&mut tx, kind, id, active).await?;
        commit_audited(tx, caller, now, action, id, json!({"active": active})).await?;
        Ok(())
    }

    /// Replaces a video source's signing secret (shown once): alerts signed with the old one
    /// are refused from now on. The audit entry records the replacement, not the secret.
    pub async fn rotate_video_source_secret(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NewVideoSource, AppError> {
        let row = self.frontline_video_source(caller, id).await?;
        let secret = new_webhook_secret();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        fsys::set_video_secret(&mut tx, &row.id, &secret).await?;
        commit_audited(
            tx,
            caller,
            now,
            "frontline.video_source_secret_replaced",
            &row.id,
            json!({}),
        )
        .await?;
        self.frontline().sources.forget_video(&row.id);
        Ok(NewVideoSource {
            source: VideoSourceRow {
                secret: secret.clone(),
                ..row
            },
            secret,
        })
    }
}
