//! The raises' reads from memory: a video source or a call point with its broadcast, cached
//! for [`SOURCE_CACHE_TTL_S`] (a burst of alerts reads the database once per source, not once
//! per alert). This node's own changes drop their entry at once; another node's show within
//! the time to live. Unknown keys are cached too, so forged requests do not reach the
//! database each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tollgate_store::frontline::{BroadcastRow, CallPointRow, VideoSourceRow};

/// Seconds an entry is used before it is read again.
pub const SOURCE_CACHE_TTL_S: i64 = 30;
/// Entries kept at most per kind; when full, the cache starts afresh.
pub const MAX_CACHED_SOURCES: usize = 100_000;

type Entry<T> = (i64, Option<Arc<(T, BroadcastRow)>>);

pub(crate) struct Ttl<T> {
    map: Mutex<HashMap<String, Entry<T>>>,
}

impl<T> Default for Ttl<T> {
    fn default() -> Self {
        Ttl {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Ttl<T> {
    pub(crate) fn get(&self, key: &str, now: i64) -> Option<Option<Arc<(T, BroadcastRow)>>> {
        let m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.get(key)
            .filter(|(at, _)| now - at < SOURCE_CACHE_TTL_S)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn put(&self, key: &str, now: i64, v: Option<Arc<(T, BroadcastRow)>>) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_CACHED_SOURCES {
            m.clear();
        }
        m.insert(key.to_string(), (now, v));
    }

    fn drop_key(&self, key: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// Video sources by id and call points by code, each with its broadcast.
#[derive(Default)]
pub struct SourceCache {
    pub(crate) video: Ttl<VideoSourceRow>,
    pub(crate) points: Ttl<CallPointRow>,
}

impl SourceCache {
    /// Forgets a video source (created or changed on this node).
    pub(crate) fn forget_video(&self, id: &str) {
        self.video.drop_key(id)
    }

    /// Forgets a call point (created or changed on this node).
    pub(crate) fn forget_point(&self, code: &str) {
        self.points.drop_key(code)
    }
}
