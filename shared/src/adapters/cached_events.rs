//! A warm function's short-lived copy of the events it sells, so that a reservation need not
//! read its event on every request: an `EventStore` in front of another. Safe because
//! nothing that must take effect at once depends on it: pausing closes the inventory
//! documents themselves (checked by the reservation's conditional update), and prices live
//! on them too. What a copy does carry (limits, lot layout) may be up to `TTL` old after an
//! edit made elsewhere; writes made through this store drop their event's copy at once.

use super::recent_copies::RecentCopies;
use crate::domain::{Event, EventId, EventStatus};
use crate::error::AppResult;
use crate::ports::{EventEdit, EventQuery, EventStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(2);

pub struct CachedEvents {
    inner: Arc<dyn EventStore>,
    copies: RecentCopies<EventId, Event>,
}

impl CachedEvents {
    pub fn new(inner: Arc<dyn EventStore>) -> Self {
        CachedEvents { inner, copies: RecentCopies::new(TTL) }
    }
}

#[async_trait]
impl EventStore for CachedEvents {
    async fn create(&self, event: &Event) -> AppResult<()> {
        self.inner.create(event).await
    }

    async fn list(&self, statuses: &[EventStatus]) -> AppResult<Vec<Event>> {
        self.inner.list(statuses).await
    }

    async fn page(&self, query: &EventQuery) -> AppResult<Vec<Event>> {
        self.inner.page(query).await
    }

    /// The event as read at most `TTL` ago.
    async fn find(&self, id: &EventId) -> AppResult<Option<Event>> {
        if let Some(event) = self.copies.fresh(id) {
            return Ok(Some(event));
        }
        let found = self.inner.find(id).await?;
        if let Some(event) = &found {
            self.copies.keep(event.id.clone(), event.clone());
        }
        Ok(found)
    }

    async fn begin_edit(&self, edit: &EventEdit) -> AppResult<bool> {
        self.forget(&edit.next.id);
        self.inner.begin_edit(edit).await
    }

    async fn finish_edit(&self, edit: &EventEdit) -> AppResult<bool> {
        self.forget(&edit.next.id);
        self.inner.finish_edit(edit).await
    }

    async fn abort_edit(&self, id: &EventId, key: &str) -> AppResult<bool> {
        self.forget(id);
        self.inner.abort_edit(id, key).await
    }

    async fn stale_edits(&self, before: DateTime<Utc>) -> AppResult<Vec<EventEdit>> {
        self.inner.stale_edits(before).await
    }

    async fn change_status(
        &self,
        id: &EventId,
        expected_version: i64,
        from: &[EventStatus],
        to: EventStatus,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Event>> {
        self.forget(id);
        self.inner.change_status(id, expected_version, from, to, now).await
    }

    fn forget(&self, id: &EventId) {
        self.copies.forget(id);
    }
}
