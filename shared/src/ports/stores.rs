//! Storage ports.

pub use crate::domain::Bucket;
use crate::domain::{
    Adjustment, Allocation, Cpf, Event, EventId, EventStatus, Language, NewOrder, Order, OrderId, OrderStatus, Payment,
    PriceType, ResizePlan, Role, Transition, User, UserId,
};
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Stores a new user; `Refusal::EmailTaken` when the e-mail is taken.
    async fn insert(&self, user: &User) -> AppResult<()>;
    async fn find_by_email(&self, email: &str) -> AppResult<Option<User>>;
    async fn find_by_id(&self, id: &UserId) -> AppResult<Option<User>>;
    async fn find_many(&self, ids: &[UserId]) -> AppResult<Vec<User>>;
    /// Creates the user as an admin, or promotes the existing account with that e-mail
    /// (resetting its password). Used only by operators (`create-admin`), never by the API.
    async fn upsert_admin(&self, user: &User) -> AppResult<()>;
    /// Sets the account's CPF once; `Refusal::CpfTaken` when another account has it.
    async fn set_cpf(&self, id: &UserId, cpf: &Cpf) -> AppResult<CpfChange>;
    /// Marks `email` verified if it is still the account's; the account as it is now.
    async fn mark_email_verified(&self, id: &UserId, email: &str, at: DateTime<Utc>) -> AppResult<Option<User>>;
    async fn set_password_hash(&self, id: &UserId, password_hash: &str) -> AppResult<bool>;
    /// `false` when there is no such account.
    async fn set_language(&self, id: &UserId, language: Language) -> AppResult<bool>;
    /// The account with its new role, or `None` when there is no such account.
    async fn set_role(&self, id: &UserId, role: Role) -> AppResult<Option<User>>;
    /// Deletes the account (its orders stay, under its id); `false` when it was not there.
    async fn delete(&self, id: &UserId) -> AppResult<bool>;
}

/// What setting a CPF did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpfChange {
    /// Set now, or it was already this CPF.
    Set,
    /// The account already has another CPF.
    AlreadySet,
    NoAccount,
}

/// One page of events, soonest first.
#[derive(Clone, Debug)]
pub struct EventQuery {
    pub statuses: Vec<EventStatus>,
    /// Only events starting after this moment (the catalogue hides events long past).
    pub starting_after: Option<DateTime<Utc>>,
    /// The last event of the previous page (`starts_at`, id): the page starts after it.
    pub after: Option<(DateTime<Utc>, EventId)>,
    pub limit: i64,
}

/// An edit in progress: recorded on the event when it starts (raising its version), so
/// that no other edit or status change can start until it is finished or undone, and so
/// that one whose process died is finished by the scheduled function.
#[derive(Clone, Debug)]
pub struct EventEdit {
    /// Keys the edit's bucket adjustments, so each is applied exactly once.
    pub key: String,
    pub base_version: i64,
    pub started_at: DateTime<Utc>,
    pub plan: ResizePlan,
    /// The event as it will be (its version `base_version + 1`).
    pub next: Event,
}

#[async_trait]
pub trait EventStore: Send + Sync {
    async fn create(&self, event: &Event) -> AppResult<()>;
    /// Every event with one of these statuses, soonest first (for the scheduled work).
    async fn list(&self, statuses: &[EventStatus]) -> AppResult<Vec<Event>>;
    async fn page(&self, query: &EventQuery) -> AppResult<Vec<Event>>;
    async fn find(&self, id: &EventId) -> AppResult<Option<Event>>;
    /// Starts an edit if the event is still at `edit.base_version`, open (active or paused)
    /// and has no edit in progress; `false` otherwise (nothing changed).
    async fn begin_edit(&self, edit: &EventEdit) -> AppResult<bool>;
    /// Writes the edited event and ends the edit; `false` if that edit is no longer pending.
    async fn finish_edit(&self, edit: &EventEdit) -> AppResult<bool>;
    /// Ends an edit without applying it (its version stays raised).
    async fn abort_edit(&self, id: &EventId, key: &str) -> AppResult<bool>;
    /// Edits started before `before` and still pending (their process died).
    async fn stale_edits(&self, before: DateTime<Utc>) -> AppResult<Vec<EventEdit>>;
    /// Changes the status if the event is at `expected_version`, in one of `from`, with no
    /// edit in progress; raises the version. The event as it is now, or `None`.
    async fn change_status(
        &self,
        id: &EventId,
        expected_version: i64,
        from: &[EventStatus],
        to: EventStatus,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Event>>;
    /// Drops any copy of the event this store keeps (it is known to be out of date). A
    /// store that keeps none has nothing to do.
    fn forget(&self, _id: &EventId) {}
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

/// A request to take stock from one lot of a sector, for one order.
#[derive(Clone, Debug)]
pub struct TakeRequest<'a> {
    pub event: &'a Event,
    pub sector_id: &'a str,
    pub lot: usize,
    pub price_type: PriceType,
    pub quantity: i64,
    /// The order the stock is for: recorded on the bucket with the take, in the same atomic
    /// update, until that order is stored (see `InFlightTake`).
    pub order_id: &'a OrderId,
    pub user_id: &'a UserId,
    /// When the take is made (the record's age is what the reconciler's grace measures).
    pub at: DateTime<Utc>,
}

/// A take recorded on its bucket and not yet covered by a stored order: what lets the
/// reconciler prove a take was lost (its order does not exist and, once fenced, never
/// will) instead of inferring it from two snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlightTake {
    pub bucket: String,
    pub order_id: OrderId,
    pub user_id: UserId,
    pub quantity: i64,
    pub price_type: PriceType,
    /// Still held in `pending` by a gather that had not settled.
    pub held: bool,
    pub at: DateTime<Utc>,
}

/// What became of a keyed adjustment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjusted {
    Applied,
    /// Applied before under the same key: not again.
    AlreadyApplied,
    /// A removal the bucket's unsold stock could not cover: nothing changed.
    Refused,
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
    /// (and, at half price, the half-price share) suffices, recording the take for its order
    /// in the same update. Never read-then-write.
    async fn take(&self, request: &TakeRequest<'_>) -> AppResult<Take>;
    /// The order holding these takes is stored: their records go (batched; a record left
    /// behind is cleared by the reconciler once it sees the order).
    async fn confirm(&self, order: &OrderId, allocations: &[Allocation]);
    /// Returns an order's takes that no stored order holds (a failed insert), each only if
    /// its record is still there: exactly once, whoever else tries.
    async fn give_back(&self, order: &OrderId, allocations: &[Allocation], price_type: PriceType) -> AppResult<()>;
    /// Takes recorded on the event's buckets and not yet confirmed.
    async fn in_flight(&self, event: &EventId) -> AppResult<Vec<InFlightTake>>;
    /// Returns one in-flight take (from `pending` if still held) if its record is still
    /// there; `false` if someone else already did.
    async fn return_take(&self, take: &InFlightTake) -> AppResult<bool>;
    /// Forgets a take's record whose order turned out to be stored.
    async fn forget_take(&self, take: &InFlightTake) -> AppResult<()>;
    /// Opens or closes sales on the event's buckets, unless a later status change (a higher
    /// `version`) already did: racing pauses and resumes end as the last one says.
    async fn set_on_sale(&self, event: &EventId, on_sale: bool, version: i64) -> AppResult<()>;
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>>;
    async fn buckets(&self, event: &EventId) -> AppResult<Vec<Bucket>>;
    /// Applies one adjustment of an edit, once per `key`; a removal only if that much is
    /// unsold.
    async fn adjust(&self, adjustment: &Adjustment, key: &str) -> AppResult<Adjusted>;
    /// Adds a bucket that did not exist (a new sector or lot in an edit); adding it again
    /// changes nothing.
    async fn add_bucket(&self, event: &Event, bucket: &Bucket) -> AppResult<()>;
    /// Rewrites the denormalised names and prices after an edit (never `on_sale`: that
    /// belongs to status changes).
    async fn refresh(&self, event: &Event) -> AppResult<()>;
    async fn remove_event(&self, event: &EventId) -> AppResult<()>;
    /// Records a drift seen on a bucket (a report); `true` when the same drift was seen the
    /// run before.
    async fn remember_drift(&self, bucket: &str, delta: i64, half_delta: i64, now: DateTime<Utc>) -> AppResult<bool>;
    async fn forget_drift(&self, bucket: &str) -> AppResult<()>;
}

/// What is left of events' stock as the catalogue shows it: as read at most a moment ago,
/// so that a crowd refreshing an event page costs the database one read per moment per
/// instance, not one per refresh. Reservations never ask it (they take, conditionally).
#[async_trait]
pub trait Availability: Send + Sync {
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>>;
}

/// Fields a transition sets besides the status.
#[derive(Clone, Debug, Default)]
pub struct TransitionChanges {
    pub payment: Option<Payment>,
}

/// What fencing an order id found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fence {
    /// No order by that id exists, and now none ever can (its id is taken by a void marker).
    Fenced,
    /// The order was stored.
    Stored,
}

#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores a new order; `None` when its id was fenced (the reconciler, or a lapsed
    /// idempotency claim, gave its stock back: this order must not exist).
    async fn insert(&self, order: &NewOrder) -> AppResult<Option<Order>>;
    /// Makes sure no order with this id will ever be stored, unless it already is. The
    /// marker carries the buyer's id, so that on a cluster sharded by buyer it lands where
    /// the order would.
    async fn fence(&self, id: &OrderId, user: &UserId, event: &EventId, now: DateTime<Utc>) -> AppResult<Fence>;
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
    /// Refunded orders whose money is not back at the provider yet (`refund_pending`).
    async fn refunds_pending(&self, limit: i64) -> AppResult<Vec<Order>>;
    /// The provider returned the money of this refunded order.
    async fn refund_returned(&self, id: &OrderId) -> AppResult<()>;
    /// Marks the order processed by the consumer. `false` when it already was.
    async fn mark_processed(&self, id: &OrderId, at: DateTime<Utc>) -> AppResult<bool>;
    /// Reserved orders not processed by the consumer before `before` (the outbox).
    async fn unprocessed_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    /// Payment requests not settled since before `before` (the outbox for payments).
    async fn payments_pending_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    /// Holds whose time is up.
    async fn due_for_expiry(&self, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>>;
    async fn by_event(&self, event: &EventId, statuses: &[OrderStatus]) -> AppResult<Vec<Order>>;
    /// An event's orders in id order, `limit` at a time after `after` (an export's pages:
    /// memory stays one page whatever the event's size).
    async fn page_by_event(&self, event: &EventId, after: Option<&OrderId>, limit: i64) -> AppResult<Vec<Order>>;
    /// Tickets held or sold per bucket, and how many of them at half price (the reconciler's
    /// expected stock).
    async fn held_per_bucket(&self, event: &EventId) -> AppResult<HashMap<String, (i64, i64)>>;
}

/// An idempotency key's claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request is the first with the key; it may go on and create its order.
    New,
    /// The key was used before, for this order. `lapsed`: the claim's lease (the longest a
    /// request can live) is over, so if its order does not exist its request died.
    Existing { order_id: OrderId, request_fingerprint: String, lapsed: bool },
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
    /// Frees a claim whose request failed, so that a retry may try again — only while the
    /// claim is still this request's (`order_id`): a claim taken over by a later request
    /// after this one's lease lapsed is that request's to keep.
    async fn release(&self, user: &UserId, key: &str, order_id: &OrderId) -> AppResult<()>;
    /// Takes over a lapsed claim for a new request: `true` if it still named `old_order`.
    async fn take_over(
        &self,
        user: &UserId,
        key: &str,
        old_order: &OrderId,
        new_order: &OrderId,
        request_fingerprint: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
}

#[async_trait]
pub trait BuyerLimits: Send + Sync {
    /// Counts `quantity` more tickets for the buyer (`order::buyer_key`: their CPF) at this
    /// event if that keeps them within `limit` (from the buyer's first order on); `false`
    /// (nothing counted) otherwise. Atomic.
    async fn count(&self, buyer: &str, event: &EventId, quantity: i64, limit: i64) -> AppResult<bool>;
    async fn uncount(&self, buyer: &str, event: &EventId, quantity: i64) -> AppResult<()>;
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

/// Where large exports are put for the admin to download through a short-lived link
/// (S3 in production; a local directory served by the local runner).
#[async_trait]
pub trait ExportStore: Send + Sync {
    async fn put(&self, key: &str, content: Vec<u8>, content_type: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// A link that downloads `key` until `expires_seconds` from `now`, and not after.
    fn link(&self, key: &str, expires_seconds: i64, now: DateTime<Utc>) -> String;
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> AppResult<()>;
    /// The newest entries first, those matching `filter` only.
    async fn recent(&self, limit: i64, filter: &AuditFilter) -> AppResult<Vec<AuditEntry>>;
}

/// Which audit entries to read: about one event (its edits and status changes, its gate
/// staff, its tickets' transfers), of one action, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub event: Option<EventId>,
    pub action: Option<String>,
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
