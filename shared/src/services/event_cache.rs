//! A warm function's short-lived copy of the events it sells, so that a reservation need not
//! read its event on every request. Safe because nothing that must take effect at once
//! depends on it: pausing closes the inventory documents themselves (checked by the
//! reservation's conditional update), and prices live on them too. What the cache does
//! carry (limits, lot layout) may be up to `TTL` old after an edit.

use crate::domain::{Event, EventId};
use crate::error::AppResult;
use crate::ports::EventStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct EventCache {
    entries: Mutex<HashMap<EventId, (Instant, Arc<Event>)>>,
}

impl EventCache {
    pub async fn get(&self, store: &dyn EventStore, id: &EventId) -> AppResult<Option<Arc<Event>>> {
        if let Ok(entries) = self.entries.lock() {
            if let Some((at, event)) = entries.get(id) {
                if at.elapsed() < TTL {
                    return Ok(Some(event.clone()));
                }
            }
        }
        let Some(event) = store.find(id).await? else {
            return Ok(None);
        };
        let event = Arc::new(event);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(id.clone(), (Instant::now(), event.clone()));
        }
        Ok(Some(event))
    }

    pub fn forget(&self, id: &EventId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(id);
        }
    }
}
