//! Storage ports.

use crate::domain::{
    Allocation, Event, EventId, EventStatus, NewOrder, Order, OrderId, OrderStatus, Payment, PriceType, Ticket,
    Transition, User, UserId,
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
    async fn find_many(&self, ids: &[UserId]) -> AppResult<Vec<User>>;
    /// Creates the user as an admin, or promotes the existing account with that e-mail
    /// (resetting its password). Used only by operators (`create-admin`), never by the API.
    async fn upsert_admin(&self, user: &User) -> AppResult<()>;
}

#[async_trait]
pub trait EventStore: Send + Sync {
    async fn create(&self, event: &Event) -> AppResult<()>;
    /// Events with one of these statuses, soonest first.
    async fn list(&self, statuses: &[EventStatus]) -> AppResult<Vec<Event>>;
    async fn find(&self, id: &EventId) -> AppResult<Option<Event>>;
    /// Replaces the event's document (an edit).
    async fn replace(&self, event: &Event) -> AppResult<()>;
    async fn set_status(&self, id: &EventId, status: EventStatus) -> AppResult<bool>;
}

/// What is left of one sector, over all its lots and buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SectorStock {
    pub available: i64,
    pub half_available: i64,
    /// Available per lot index.
    pub lots: HashMap<usize, i64>,
}

/// Stock per sector id.
pub type StockBySector = HashMap<String, SectorStock>;

/// One inventory document, as the admin's inventory view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub id: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: usize,
    pub bucket: u32,
    pub available: i64,
    pub capacity: i64,
    pub half_available: i64,
    pub half_capacity: i64,
    pub price_cents: i64,
    pub on_sale: bool,
    /// Tickets held by gathers in flight (taken from `available`, not yet in an order).
    pub pending: i64,
    pub half_pending: i64,
}

/// A request to take stock from one lot of a sector.
#[derive(Clone, Debug)]
pub struct TakeRequest<'a> {
    pub event: &'a Event,
    pub sector_id: &'a str,
    pub lot: usize,
    pub price_type: PriceType,
    pub quantity: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Take {
    /// Taken; the lot's full price at that moment and where the tickets came from.
    Taken { full_price_cents: i64, allocations: Vec<Allocation> },
    /// This lot cannot serve the quantity now: `left` is what it (or its half-price share)
    /// still had when looked at; 0 means the lot is exhausted.
    Short { left: i64 },
    /// Sales are closed (paused or cancelled event).
    Closed,
}

#[async_trait]
pub trait Inventory: Send + Sync {
    /// Opens an event's stock: its buckets, for every sector and lot.
    async fn open(&self, event: &Event) -> AppResult<()>;
    /// Atomically takes tickets from one lot if, and only if, sales are open and the stock
    /// (and, at half price, the half-price share) suffices. Never read-then-write.
    async fn take(&self, request: &TakeRequest<'_>) -> AppResult<Take>;
    /// Returns tickets (a compensation after a failed order insert).
    async fn give_back(&self, allocations: &[Allocation], price_type: PriceType) -> AppResult<()>;
    async fn set_on_sale(&self, event: &EventId, on_sale: bool) -> AppResult<()>;
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>>;
    async fn buckets(&self, event: &EventId) -> AppResult<Vec<Bucket>>;
    /// Adds to (positive) or removes from (negative, only if that much is available) a
    /// bucket's capacity and stock; `false` when a removal could not be made.
    async fn adjust(&self, bucket: &str, delta: i64, half_delta: i64) -> AppResult<bool>;
    /// Adds a bucket that did not exist (a new sector or lot in an edit).
    async fn add_bucket(&self, event: &Event, bucket: &Bucket) -> AppResult<()>;
    /// Rewrites the denormalised fields (names, prices, on-sale) after an edit.
    async fn refresh(&self, event: &Event) -> AppResult<()>;
    async fn remove_event(&self, event: &EventId) -> AppResult<()>;
    /// Corrects a bucket's stock (not its capacity) by `delta`; a negative correction only
    /// if that much is available. `stale_pending` (full, half) of the correction are tickets
    /// a dead gather left held: they leave `pending` as they return (only if that much is).
    async fn correct(&self, bucket: &str, delta: i64, half_delta: i64, stale_pending: (i64, i64)) -> AppResult<bool>;
    /// Records a drift seen on a bucket; `true` when the same drift was seen the run before.
    async fn remember_drift(&self, bucket: &str, delta: i64, half_delta: i64) -> AppResult<bool>;
    async fn forget_drift(&self, bucket: &str) -> AppResult<()>;
}

/// Fields a transition sets besides the status.
#[derive(Clone, Debug, Default)]
pub struct TransitionChanges {
    pub payment: Option<Payment>,
}

#[async_trait]
pub trait OrderStore: Send + Sync {
    async fn insert(&self, order: &NewOrder) -> AppResult<Order>;
    /// The order if it exists and belongs to `user`; another buyer's order is `None`.
    async fn find_for_user(&self, user: &UserId, id: &OrderId) -> AppResult<Option<Order>>;
    async fn find(&self, id: &OrderId) -> AppResult<Option<Order>>;
    /// The buyer's orders, newest first.
    async fn list_for_user(&self, user: &UserId, limit: i64) -> AppResult<Vec<Order>>;
    /// Applies a transition as one conditional update on the current status (and, for a
    /// buyer's action, on the owner). Transitions that end a hold return its tickets to the
    /// stock in the same transaction. `None` when the order was not in a status the
    /// transition starts from (someone else won the race, or it was never allowed).
    async fn transition(
        &self,
        id: &OrderId,
        owner: Option<&UserId>,
        transition: Transition,
        changes: TransitionChanges,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Order>>;
    /// Marks the order processed by the consumer. `false` when it already was.
    async fn mark_processed(&self, id: &OrderId, at: DateTime<Utc>) -> AppResult<bool>;
    /// Reserved orders not processed by the consumer before `before` (the outbox).
    async fn unprocessed_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    /// Payment requests not settled since before `before` (the outbox for payments).
    async fn payments_pending_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    /// Holds whose time is up.
    async fn due_for_expiry(&self, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    async fn by_event(&self, event: &EventId, statuses: &[OrderStatus]) -> AppResult<Vec<Order>>;
    /// Tickets held or sold per bucket, and how many of them at half price (the reconciler's
    /// expected stock).
    async fn held_per_bucket(&self, event: &EventId) -> AppResult<HashMap<String, (i64, i64)>>;
}

/// An idempotency key's claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request is the first with the key; it may go on and create its order.
    New,
    /// The key was used before, for this order.
    Existing { order_id: OrderId, request_fingerprint: String },
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
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
pub trait BuyerLimits: Send + Sync {
    /// Counts `quantity` more tickets for the buyer at this event if that keeps them within
    /// `limit`; `false` (nothing counted) otherwise. Atomic.
    async fn count(&self, user: &UserId, event: &EventId, quantity: i64, limit: i64) -> AppResult<bool>;
    async fn uncount(&self, user: &UserId, event: &EventId, quantity: i64) -> AppResult<()>;
}

#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Stores the order's tickets; issuing twice stores them once.
    async fn issue(&self, tickets: &[Ticket]) -> AppResult<()>;
    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Ticket>>;
    /// Voids the order's tickets (refund).
    async fn void(&self, order: &OrderId) -> AppResult<()>;
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub actor: UserId,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> AppResult<()>;
    async fn recent(&self, limit: i64) -> AppResult<Vec<AuditEntry>>;
}

/// One group of orders for the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesRow {
    pub event_id: String,
    pub sector_id: String,
    pub price_type: PriceType,
    pub status: OrderStatus,
    pub orders: i64,
    pub tickets: i64,
    pub amount_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesPoint {
    pub at: DateTime<Utc>,
    pub tickets: i64,
    pub revenue_cents: i64,
}

#[async_trait]
pub trait SalesReport: Send + Sync {
    /// Orders grouped by event, sector, price type and status.
    async fn rows(&self) -> AppResult<Vec<SalesRow>>;
    /// Paid tickets and revenue per time slot since `since` (`minute` or `day` slots).
    async fn series(&self, since: DateTime<Utc>, per_day: bool) -> AppResult<Vec<SalesPoint>>;
}
