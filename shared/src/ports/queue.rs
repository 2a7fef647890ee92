//! The waiting rooms' store (docs/waiting-room.md).

use crate::domain::queue::{AdmissionStep, Arrival, OrderFacts, RoomSettings, Tick, WaitingRoom};
use crate::domain::{EventId, UserId};
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait WaitingRooms: Send + Sync {
    /// The event's room, if it ever had one.
    async fn find(&self, event: &EventId) -> AppResult<Option<WaitingRoom>>;
    /// Rooms in queue mode (the tick's work list).
    async fn enabled(&self) -> AppResult<Vec<WaitingRoom>>;
    /// Sets queue mode, the opening and the rate; creates the room the first time.
    async fn configure(&self, event: &EventId, settings: &RoomSettings, now: DateTime<Utc>) -> AppResult<WaitingRoom>;
    /// Makes the draw with `seed` unless one was made: freezes the early arrivals.
    async fn draw(&self, event: &EventId, seed: &[u8], now: DateTime<Utc>) -> AppResult<()>;
    /// The buyer's arrival: the one they had, or the next one (early before the draw, late
    /// after it). `buyer` is the person (`buyer_key`); `user` the account joining.
    async fn join(&self, event: &EventId, buyer: &str, user: &UserId, now: DateTime<Utc>) -> AppResult<Arrival>;
    /// Gives up the buyer's place, if it is still that arrival (their turn passed unused;
    /// the next join gives a new one).
    async fn leave(&self, event: &EventId, buyer: &str, arrival: Arrival) -> AppResult<()>;
    /// Moves the serving counter as `tick` says, if it still stands at `from` (two ticks at
    /// once admit once), and notes the admission rate as spent up to `spent_until` (the
    /// next tick's allowance counts from there). `false` when another tick moved it first.
    async fn advance(
        &self,
        event: &EventId,
        from: i64,
        tick: &Tick,
        step: Option<AdmissionStep>,
        spent_until: DateTime<Utc>,
    ) -> AppResult<bool>;
    /// The event's orders as the admission needs them; buyers counted from `window_start`.
    async fn order_facts(&self, event: &EventId, window_start: DateTime<Utc>) -> AppResult<OrderFacts>;
}
