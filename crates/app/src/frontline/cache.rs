//! The raises' reads from memory: a video source or a call point with its broadcast, cached
//! for [`SOURCE_CACHE_TTL_S`] (a burst of alerts reads the database once per source, not once
//! per alert). This node's own changes drop their entry at once, and a read that started
//! before the drop does not put the old row back (each drop moves the cache's generation on;
//! a read stores its row only if the generation it started in is still current). Another
//! node's changes show within the time to live. Unknown keys are cached too, so forged
//! requests do not reach the database each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tollgate_store::frontline::{BroadcastRow, CallPointRow, VideoSourceRow};

/// Seconds an entry is used before it is read again.
pub const SOURCE_CACHE_TTL_S: i64 = 30;
/// Entries kept at most per kind; when full, the cache starts afresh.
pub const MAX_CACHED_SOURCES: usize = 100_000;

type Entry<T> = (i64, Option<Arc<(T, BroadcastRow)>>);

pub(crate) struct Ttl<T> {
    /// The entries, and the generation: how many times an entry was dropped.
    map: Mutex<(HashMap<String, Entry<T>>, u64)>,
}

impl<T> Default for Ttl<T> {
    fn default() -> Self {
        Ttl {
            map: Mutex::new((HashMap::new(), 0)),
        }
    }
}

impl<T> Ttl<T> {
    /// A fresh entry, or (on a miss) the generation to hand back to [`Ttl::put`].
    pub(crate) fn get(&self, key: &str, now: i64) -> Result<Option<Arc<(T, BroadcastRow)>>, u64> {
        let m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.0.get(key)
            .filter(|(at, _)| now - at < SOURCE_CACHE_TTL_S)
            .map(|(_, v)| v.clone())
            .ok_or(m.1)
    }

    /// Stores what a read found, unless an entry was dropped since the read began (its row
    /// may be older than the change that dropped it).
    pub(crate) fn put(
        &self,
        key: &str,
        now: i64,
        generation: u64,
        v: Option<Arc<(T, BroadcastRow)>>,
    ) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if m.1 != generation {
            return;
        }
        if m.0.len() >= MAX_CACHED_SOURCES {
            m.0.clear();
        }
        m.0.insert(key.to_string(), (now, v));
    }

    fn drop_key(&self, key: &str) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.0.remove(key);
        m.1 = m.1.wrapping_add(1);
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

#[cfg(test)]
mod tests {
    use super::Ttl;

    #[test]
    fn q_a_read_begun_before_a_change_does_not_put_the_old_source_back() {
        let t: Ttl<u8> = Ttl::default();
        // A webhook misses the cache and starts reading the source (old secret)…
        let began = t.get("src", 0).expect_err("a miss");
        // …the secret is replaced and committed meanwhile, dropping the entry…
        t.drop_key("src");
        // …so what the read found is not stored: the next request reads the new row.
        t.put("src", 0, began, None);
        let again = t.get("src", 0).expect_err("still a miss");
        t.put("src", 0, again, None);
        assert!(
            matches!(t.get("src", 0), Ok(None)),
            "a current read is kept"
        );
    }
}
