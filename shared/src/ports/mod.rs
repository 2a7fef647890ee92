//! Ports: the small traits the use cases need from the outside world. Adapters (MongoDB,
//! RabbitMQ, the system clock) implement them; tests and the local runner plug in the same
//! real adapters, pointed at their own database and queues.

use crate::domain::{
    event::{Event, EventStatus},
    ids::{EventId, OrderId, UserId},
    message::Message,
    money::Cents,
    order::{NewOrder, Order},
    user::User,
};
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Stores a new user; `AppError::Conflict` when the e-mail is taken.
    async fn insert(&self, user: &User) -> AppResult<()>;
    async fn find_by_email(&self, email: &str) -> AppResult<Option<User>>;
    async fn find_by_id(&self, id: &UserId) -> AppResult<Option<User>>;
    /// Creates the user as an admin, or promotes the existing account with that e-mail
    /// (resetting its password). Used only by operators (`create-admin`), never by the API.
    async fn upsert_admin(&self, user: &User) -> AppResult<()>;
}

/// How much of each sector is left, by sector name.
pub type StockBySector = HashMap<String, i64>;

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Stores the event and opens its sectors' inventory.
    async fn create(&self, event: &Event) -> AppResult<()>;
    /// Events buyers may see (active and paused), soonest first.
    async fn list_visible(&self) -> AppResult<Vec<Event>>;
    async fn find(&self, id: &EventId) -> AppResult<Option<Event>>;
    async fn set_status(&self, id: &EventId, status: EventStatus) -> AppResult<bool>;
}

/// The outcome of trying to take stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    /// The stock was taken; the sector's full price at that moment.
    Taken { full_price_cents: Cents },
    /// Nothing was taken: sold out, not on sale, or no such sector. The caller finds out which.
    Refused,
}

#[async_trait]
pub trait Inventory: Send + Sync {
    /// Atomically takes `quantity` tickets of a sector if, and only if, the event is on sale
    /// and the sector has that many left. One conditional update: never read-then-write.
    async fn take(&self, event: &EventId, sector: &str, quantity: i64) -> AppResult<Take>;
    /// Returns tickets to a sector (a compensation, a cancellation, an expiry).
    async fn give_back(&self, event: &EventId, sector: &str, quantity: i64) -> AppResult<()>;
    /// What is left of each sector of these events.
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>>;
}

#[async_trait]
pub trait OrderStore: Send + Sync {
    async fn insert(&self, order: &NewOrder) -> AppResult<Order>;
    /// The order if it exists and belongs to `user`; another buyer's order is `None`.
    async fn find_for_user(&self, user: &UserId, id: &OrderId) -> AppResult<Option<Order>>;
    async fn find(&self, id: &OrderId) -> AppResult<Option<Order>>;
    /// The buyer's orders, newest first.
    async fn list_for_user(&self, user: &UserId, limit: i64) -> AppResult<Vec<Order>>;
    /// Marks the order processed by the consumer. `false` when it already was: the one
    /// conditional update that makes processing idempotent.
    async fn mark_processed(&self, id: &OrderId, at: DateTime<Utc>) -> AppResult<bool>;
    /// Reserved orders whose message may never have reached the broker (the outbox sweep).
    async fn unprocessed_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
}

/// An idempotency key's claim: the order a key was first used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request is the first with the key; it may go on and create `order`.
    New,
    /// The key was used before, for this order.
    Existing {
        order_id: OrderId,
        request_fingerprint: String,
    },
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `user` and `order_id` unless already claimed.
    async fn claim(
        &self,
        user: &UserId,
        key: &str,
        order_id: &OrderId,
        request_fingerprint: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Claim>;
    /// Frees a claim whose request failed, so that a retry may try again.
    async fn release(&self, user: &UserId, key: &str) -> AppResult<()>;
}

#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes a persistent message and waits for the broker's confirm.
    async fn publish(&self, message: &Message) -> AppResult<()>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// Deterministic per logical e-mail (e.g. `reservation-received:<order id>`), so that
    /// sending it twice stores it once.
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &Email) -> AppResult<()>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, in UTC, to the millisecond (what the database stores, so a value read
/// back equals the value written).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        Utc::now().trunc_subsecs(3)
    }
}
