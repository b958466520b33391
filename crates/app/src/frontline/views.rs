//! Scoped reads of the frontline for users (the set-up, the queues, the notifications).

use tollgate_store::frontline::{
    self as fl, BroadcastRow, CallPointRow, NotificationRow, StaffRow, VideoSourceRow,
};
use tollgate_store::{Page, ScopeFilter};

use crate::{App, AppError, Caller};

/// Open notifications of one broadcast listed at most (its queue's head).
pub const MAX_QUEUE_LISTED: i64 = 500;

impl App {
    /// Broadcasts in scope, of a store when given.
    pub async fn frontline_broadcasts(
        &self,
        caller: &Caller,
        store: Option<&str>,
        page: &Page,
    ) -> Result<Vec<BroadcastRow>, AppError> {
        Ok(fl::list_broadcasts(&self.store, ScopeFilter::of(&caller.scope), store, page).await?)
    }

    /// Staff in scope, of a store when given.
    pub async fn frontline_staff_list(
        &self,
        caller: &Caller,
        store: Option<&str>,
        page: &Page,
    ) -> Result<Vec<StaffRow>, AppError> {
        Ok(fl::list_staff(&self.store, ScopeFilter::of(&caller.scope), store, page).await?)
    }

    /// Call points in scope, of a store when given.
    pub async fn frontline_call_points(
        &self,
        caller: &Caller,
        store: Option<&str>,
        page: &Page,
    ) -> Result<Vec<CallPointRow>, AppError> {
        Ok(fl::list_call_points(&self.store, ScopeFilter::of(&caller.scope), store, page).await?)
    }

    /// Video sources in scope, of a store when given.
    pub async fn frontline_video_sources(
        &self,
        caller: &Caller,
        store: Option<&str>,
        page: &Page,
    ) -> Result<Vec<VideoSourceRow>, AppError> {
        Ok(
            fl::list_video_sources(&self.store, ScopeFilter::of(&caller.scope), store, page)
                .await?,
        )
    }

    /// Notifications in scope, of a broadcast when given.
    pub async fn frontline_notifications(
        &self,
        caller: &Caller,
        broadcast: Option<&str>,
        page: &Page,
    ) -> Result<Vec<NotificationRow>, AppError> {
        Ok(
            fl::list_notifications(&self.store, ScopeFilter::of(&caller.scope), broadcast, page)
                .await?,
        )
    }

    /// One notification in scope.
    pub async fn frontline_notification(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NotificationRow, AppError> {
        fl::get_notification(&self.store, ScopeFilter::of(&caller.scope), id)
            .await?
            .ok_or(AppError::NotFound("notification"))
    }

    /// A broadcast's open notifications in queue order (at most [`MAX_QUEUE_LISTED`]).
    pub async fn frontline_queue(
        &self,
        caller: &Caller,
        broadcast: &str,
    ) -> Result<Vec<NotificationRow>, AppError> {
        let b = self.frontline_broadcast(caller, broadcast).await?;
        Ok(fl::open_queue(
            &self.store,
            ScopeFilter::of(&caller.scope),
            &b.id,
            MAX_QUEUE_LISTED,
        )
        .await?)
    }
}
