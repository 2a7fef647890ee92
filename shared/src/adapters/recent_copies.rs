//! What the warm-instance copies (`cached_events`, `recent_rooms`) share: values by key,
//! each good for `ttl` from when it was kept, dropped by a write, and bounded in number (a
//! process that sees more keys than `MAX_ENTRIES` starts over).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_ENTRIES: usize = 10_000;

pub struct RecentCopies<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> RecentCopies<K, V> {
    pub fn new(ttl: Duration) -> Self {
        RecentCopies { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The value kept for `key` less than `ttl` ago.
    pub fn fresh(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, value)| value.clone())
    }

    pub fn keep(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), value));
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}
