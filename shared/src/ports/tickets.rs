//! Tickets and the gate: where each ticket stands (valid, used once, revoked), changed only
//! by conditional writes on the ticket itself, so an entry, a refund and a transfer racing
//! on one ticket cannot both win.

use crate::domain::{CheckIn, EventId, OrderId, RevokedBecause, StoredTicket, Ticket, UserId};
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A code as found: the ticket it is (or was) the code of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub ticket: StoredTicket,
    /// `false`: the code was replaced by a transfer (the ticket now has another).
    pub current: bool,
}

/// What a check-in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// This scan is the ticket's entry.
    Admitted(StoredTicket),
    /// The ticket could not enter (used before, or revoked); as it is now.
    Refused(Found),
    /// No ticket has (or had) this code.
    Unknown,
}

/// The new holder's side of a transfer.
#[derive(Clone, Debug)]
pub struct Handover {
    pub from_code: String,
    pub from_user: UserId,
    /// The ticket as the recipient holds it: new code, holder and signed payload.
    pub to: Ticket,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Stores the order's tickets; issuing twice stores them once (the first codes stay).
    async fn issue(&self, tickets: &[Ticket]) -> AppResult<()>;
    /// The order's tickets that are not revoked (used ones included), by position.
    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Ticket>>;
    /// Every ticket of the order with its state (revoked ones included).
    async fn states_for_order(&self, order: &OrderId) -> AppResult<Vec<StoredTicket>>;
    /// The tickets an account holds or held (bought or received), newest first.
    async fn held_by(&self, user: &UserId) -> AppResult<Vec<StoredTicket>>;
    /// Revokes the order's tickets that have not entered (only those `holder` holds, when
    /// given); the first reason stays. Answers how many of the order's tickets still stand:
    /// entered (they cannot be revoked any more) or, with `holder`, held by someone else.
    async fn void(&self, order: &OrderId, because: RevokedBecause, holder: Option<&UserId>) -> AppResult<u64>;
    /// Makes the order's tickets revoked as `Refunded` valid again (a late pix took them
    /// back after an earlier one was returned; a refund refused because one had entered).
    async fn reinstate(&self, order: &OrderId) -> AppResult<()>;
    /// Revokes every ticket of the event that has not entered (the event is cancelled), as
    /// `because` whatever revoked it before: no reinstate brings a cancelled ticket back.
    async fn void_event(&self, event: &EventId, because: RevokedBecause) -> AppResult<u64>;
    async fn find(&self, code: &str) -> AppResult<Option<Found>>;
    /// The entry of the event's ticket with this code, if it is valid and has not entered:
    /// one conditional write. A code of another event is refused, as it is now.
    async fn check_in(&self, code: &str, event: &EventId, entry: &CheckIn, now: DateTime<Utc>) -> AppResult<Entry>;
    /// Moves a valid ticket that has not entered to its new holder under a new code, in one
    /// conditional write; `None` when it is no longer the sender's to give (as it is now).
    async fn transfer(&self, handover: &Handover) -> AppResult<Result<StoredTicket, Option<Found>>>;
    /// The event's tickets whose state changed after `after` (all without), in the
    /// cursor's order (`changed_at`, then slot), at most `limit`.
    async fn changed_since(
        &self,
        event: &EventId,
        after: Option<&ManifestCursor>,
        limit: i64,
    ) -> AppResult<Vec<StoredTicket>>;
}

/// Where a manifest read stopped: a change time and, among changes at that same
/// millisecond, the last slot read (thousands of tickets revoked at once share one time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestCursor {
    pub changed_at: DateTime<Utc>,
    pub slot: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Entered twice (two gates, or one gate twice while offline).
    DoubleEntry,
    /// Entered offline on a ticket revoked before the scan reached us.
    RevokedEntry,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::DoubleEntry => "double_entry",
            ConflictKind::RevokedEntry => "revoked_entry",
        }
    }
}

/// A scan that found the ticket already used (or revoked), kept for the admins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub event_id: EventId,
    pub ticket_id: String,
    pub kind: ConflictKind,
    /// The entry that counted (for a revoked ticket: none).
    pub first: Option<CheckIn>,
    pub second: CheckIn,
}

/// The gates of one event, for the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GateCounts {
    /// Tickets that may enter or have entered.
    pub issued: u64,
    pub checked_in: u64,
    pub per_gate: Vec<(String, u64)>,
    /// Entries per minute (the minute's start), since the given time.
    pub per_minute: Vec<(DateTime<Utc>, u64)>,
}

#[async_trait]
pub trait GateLog: Send + Sync {
    /// Keeps a conflict once (the same scan synced again adds nothing).
    async fn record_conflict(&self, conflict: &Conflict) -> AppResult<()>;
    async fn conflicts(&self, event: &EventId, limit: i64) -> AppResult<Vec<Conflict>>;
    async fn counts(&self, event: &EventId, minutes_since: DateTime<Utc>) -> AppResult<GateCounts>;
}
