//! Stock integrity under random interleavings: the operations a box office sees (reserve,
//! pay, settle, cancel, refund, expire, capacity edits, pause/resume, cancelling the event,
//! the reconciler) run concurrently in rounds against the real server, through an HTTP base
//! URL and the same `App` the server runs on, and after every round the invariants that no
//! interleaving may break are checked:
//!
//! - (a) per lot: tickets of the orders holding stock (reserved, payment_pending, paid) +
//!   available + pending = capacity, summed over the lot's buckets (and each order's
//!   allocations add up to its quantity, in buckets the inventory has);
//! - (b) per sector: half-price tickets held or sold ≤ the sector's half-price share (the sum
//!   of its buckets' `half_capacity`);
//! - (c) once cancelling the event answered 200: no order holds stock on it, and the event is
//!   cancelled (or deleted);
//! - (d) every paid order has exactly `quantity` live tickets;
//! - (e) no buyer holds more than the event's `max_per_buyer` tickets;
//! - (f) no order that gave its stock back (cancelled, expired, refunded) has a ticket that
//!   could still enter (check-ins race refunds, expiries and the event's cancellation).
//!
//! Used by `local/tests/stock_properties.rs` (operations drawn by proptest) and by the
//! `bilheteria-stock-check` program (drawn by a seeded `rand`, for long runs). Both draw from
//! the same weights and ranges, below.

mod event;
mod invariants;
mod ops;
mod outcome;
mod scenario;
mod world;

pub use event::{change_lot, event_body, if_match, input_from_view};
pub use invariants::check;
pub use ops::{random_case, random_op, Op};
pub use outcome::{Outcome, Round, Tally};
pub use scenario::Scenario;
pub use world::{Local, Reply, World};

use std::time::Duration;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Buyers per case (each may hold at most `MAX_PER_BUYER` tickets).
pub const BUYERS: usize = 6;
pub const MAX_PER_BUYER: i64 = 4;
/// Sector names of the event every case creates (see `event_body`).
pub const SECTORS: [&str; 2] = ["Pista", "VIP"];
/// Reservation quantities drawn: 5 is over `MAX_PER_BUYER`, a refusal to get right too.
pub const QUANTITY: std::ops::RangeInclusive<i64> = 1..=5;
/// Capacity changes drawn for one lot (0 is an edit that changes nothing).
pub const DELTA: std::ops::RangeInclusive<i64> = -4..=4;
/// Operations per round, rounds per case.
pub const OPS_PER_ROUND: std::ops::RangeInclusive<usize> = 4..=10;
pub const ROUNDS_PER_CASE: std::ops::RangeInclusive<usize> = 4..=7;
/// An operation still running after this long fails its round (a hang is a finding).
pub const OP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the clock jumps for an expiry (holds last 10 minutes).
pub const EXPIRY_JUMP_MINUTES: i64 = 11;

/// Relative weights of the operations, shared by the proptest strategy and the program.
pub mod weights {
    pub const RESERVE: u32 = 30;
    pub const PAY: u32 = 14;
    pub const SETTLE: u32 = 4;
    pub const CANCEL: u32 = 8;
    pub const REFUND: u32 = 6;
    pub const EXPIRE: u32 = 5;
    pub const EDIT_CAPACITY: u32 = 8;
    pub const PAUSE: u32 = 3;
    pub const RESUME: u32 = 4;
    pub const CANCEL_EVENT: u32 = 1;
    pub const RECONCILE: u32 = 5;
    pub const LATE_PIX: u32 = 4;
    pub const CHECK_IN: u32 = 5;
    pub const ALL: [u32; 13] = [
        RESERVE,
        PAY,
        SETTLE,
        CANCEL,
        REFUND,
        EXPIRE,
        EDIT_CAPACITY,
        PAUSE,
        RESUME,
        CANCEL_EVENT,
        RECONCILE,
        LATE_PIX,
        CHECK_IN,
    ];
}
