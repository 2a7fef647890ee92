//! A warm instance's copy of the waiting rooms, each kept for `TTL`, absence included (most
//! events have no room, and the reservation path asks about every event it sells). Through
//! it, the reservation learns that an event is in queue mode at most `TTL` after an admin
//! said so, and everyone polling a room's status is answered from memory: one read per room
//! per `TTL` per instance, not one per request. Writes go to the store and drop the copy.

use super::recent_copies::RecentCopies;
use crate::domain::queue::{AdmissionStep, Arrival, OrderFacts, RoomSettings, Tick, WaitingRoom};
use crate::domain::{EventId, UserId};
use crate::error::AppResult;
use crate::ports::WaitingRooms;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

pub struct RecentRooms {
    inner: Arc<dyn WaitingRooms>,
    copies: RecentCopies<EventId, Option<WaitingRoom>>,
}

impl RecentRooms {
    pub fn new(inner: Arc<dyn WaitingRooms>, ttl: Duration) -> Self {
        RecentRooms { inner, copies: RecentCopies::new(ttl) }
    }
}

#[async_trait]
impl WaitingRooms for RecentRooms {
    /// The room as read at most `TTL` ago (concurrent misses each read: the store groups
    /// reads that arrive together into one command).
    async fn find(&self, event: &EventId) -> AppResult<Option<WaitingRoom>> {
        if let Some(room) = self.copies.fresh(event) {
            return Ok(room);
        }
        let room = self.inner.find(event).await?;
        self.copies.keep(event.clone(), room.clone());
        Ok(room)
    }

    async fn enabled(&self) -> AppResult<Vec<WaitingRoom>> {
        self.inner.enabled().await
    }

    async fn configure(&self, event: &EventId, settings: &RoomSettings, now: DateTime<Utc>) -> AppResult<WaitingRoom> {
        self.copies.forget(event);
        self.inner.configure(event, settings, now).await
    }

    async fn draw(&self, event: &EventId, seed: &[u8], now: DateTime<Utc>) -> AppResult<()> {
        self.copies.forget(event);
        self.inner.draw(event, seed, now).await
    }

    async fn join(&self, event: &EventId, buyer: &str, user: &UserId, now: DateTime<Utc>) -> AppResult<Arrival> {
        self.inner.join(event, buyer, user, now).await
    }

    async fn leave(&self, event: &EventId, buyer: &str, arrival: Arrival) -> AppResult<()> {
        self.inner.leave(event, buyer, arrival).await
    }

    async fn advance(
        &self,
        event: &EventId,
        from: i64,
        tick: &Tick,
        step: Option<AdmissionStep>,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        self.copies.forget(event);
        self.inner.advance(event, from, tick, step, now).await
    }

    async fn order_facts(&self, event: &EventId, window_start: DateTime<Utc>) -> AppResult<OrderFacts> {
        self.inner.order_facts(event, window_start).await
    }
}
