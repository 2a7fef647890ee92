//! Why the box office says no. Two kinds, neither HTTP-shaped: a value the caller sent that
//! can never be accepted (`Invalid`), and a well-formed request the current state refuses
//! (`Refusal`: sold out, paused, an order in the wrong state). The edge (`http::problem`)
//! alone decides what status each becomes; the messages here are what the caller reads.

use super::stock::ResizeRefusal;
use thiserror::Error;

/// A value that can never be accepted, whatever the state (a name too long, a negative
/// price): the message names the field and the rule.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// A request the box office refuses as things stand now.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Refusal {
    // Reserving.
    #[error("sector '{sector}' is sold out")]
    SoldOut { sector: String },
    #[error("only {left} ticket(s) left in sector '{sector}', fewer than the {wanted} asked for")]
    FewerLeft { sector: String, left: i64, wanted: i64 },
    #[error(
        "the half-price (meia-entrada) share of sector '{sector}' is sold out; full-price tickets are still available"
    )]
    HalfShareSoldOut { sector: String },
    #[error(
        "only {left} half-price (meia-entrada) ticket(s) left in sector '{sector}', fewer than the {wanted} asked for"
    )]
    FewerHalfLeft { sector: String, left: i64, wanted: i64 },
    #[error("sales for this event have closed")]
    SalesClosed,
    #[error("sales for this event are paused")]
    SalesPaused,
    #[error("this event was cancelled")]
    EventCancelled,
    #[error("sales for this event are reopening; try again")]
    SalesReopening,
    #[error("this event allows at most {limit} tickets per buyer")]
    BuyerLimit { limit: i64 },
    #[error("a request with this Idempotency-Key is still being processed; retry shortly")]
    RequestInProgress,
    #[error("this Idempotency-Key is being retried; retry shortly")]
    KeyBeingRetried,

    // An order after its reservation.
    #[error("the hold on this order has expired")]
    HoldExpired,
    #[error("cannot {action} this order: its payment is being processed")]
    PaymentInProgress { action: &'static str },
    #[error("cannot {action} this order: its hold expired")]
    OrderExpired { action: &'static str },
    #[error("cannot {action} an order that is {status}")]
    WrongOrderState { action: &'static str, status: &'static str },
    #[error("this event was cancelled; its orders cannot be paid")]
    CancelledEventUnpayable,
    #[error("the event has already started; it can no longer be refunded")]
    TooLateToRefund,

    // Admins and accounts.
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    #[error("a {status} event cannot be edited")]
    NotEditable { status: &'static str },
    #[error("{0}")]
    Resize(ResizeRefusal),
    #[error("tickets were sold while editing; the capacity could not be lowered")]
    SoldWhileEditing,
    #[error("a {status} event cannot be paused or resumed")]
    NotPausable { status: &'static str },
    #[error("the event is already cancelled")]
    AlreadyCancelled,
    #[error("the event is being deleted")]
    BeingDeleted,
    #[error("a cancelled event is kept with its orders; it cannot be deleted")]
    CancelledIsKept,
    #[error("the event has {orders} order(s); cancel it instead (paid orders are then refunded)")]
    HasOrders { orders: usize },
}

impl From<ResizeRefusal> for Refusal {
    fn from(refusal: ResizeRefusal) -> Self {
        Refusal::Resize(refusal)
    }
}
