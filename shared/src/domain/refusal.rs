//! Why the box office says no. Two kinds, neither HTTP-shaped: a value the caller sent that
//! can never be accepted (`Invalid`), and a well-formed request the current state refuses
//! (`Refusal`: sold out, paused, an order in the wrong state). The edge (`http::problem`)
//! alone decides what status each becomes; the messages here are what the caller reads.

use super::money::PriceType;
use super::stock::ResizeRefusal;
use thiserror::Error;

/// A value that can never be accepted, whatever the state (a name too long, a negative
/// price): the message names the field and the rule.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{detail}")]
pub struct Invalid {
    /// A stable name for the rule broken (`weak_password`, `invalid_cpf`), for clients that
    /// say it in their own language.
    pub code: &'static str,
    pub detail: String,
}

impl Invalid {
    pub fn new(detail: impl Into<String>) -> Self {
        Invalid { code: "invalid_input", detail: detail.into() }
    }

    pub fn coded(code: &'static str, detail: impl Into<String>) -> Self {
        Invalid { code, detail: detail.into() }
    }
}

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
    /// The sale would be at another unit price than the one the buyer was shown (a lot sold
    /// out or a price was edited meanwhile): nothing was reserved.
    #[error("the price changed: {quantity} ticket(s) from '{lot}' now cost {unit_price_cents} cents each")]
    PriceChanged { lot: String, unit_price_cents: i64, quantity: i64 },
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
    /// The reservation outlived the reconciler's grace: its order id was fenced and its
    /// stock given back. Ours, not the buyer's: answered 503, and a retry may well succeed.
    #[error("the reservation took too long and was undone; please try again")]
    ReservationUndone,

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
    #[error("an account with this CPF already exists")]
    CpfTaken,
    #[error("this account already has a CPF; it cannot be changed here")]
    CpfAlreadySet,
    #[error("a CPF is required before the first purchase: add it to your account")]
    CpfRequired,
    #[error("confirm your e-mail address before paying: follow the link we sent you")]
    EmailUnverified,
    #[error("this e-mail address is already verified")]
    AlreadyVerified,
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("the password is wrong")]
    WrongPassword,
    #[error("the session has ended; please log in again")]
    SessionEnded,
    #[error("an admin cannot change their own role")]
    OwnRole,
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

impl Refusal {
    /// Why `wanted` tickets of `sector` cannot be had: `left` is the most that could be
    /// served (the best open lot, or at half price the half-price share); `full_price_left`
    /// whether the sector still sells at full price (then a spent half share says so). The
    /// reservation and the quote both decide by this, so they say the same thing.
    pub fn shortage(sector: String, price_type: PriceType, left: i64, wanted: i64, full_price_left: bool) -> Refusal {
        match (price_type, left) {
            (PriceType::Half, 0) if full_price_left => Refusal::HalfShareSoldOut { sector },
            (_, 0) => Refusal::SoldOut { sector },
            (PriceType::Half, left) => Refusal::FewerHalfLeft { sector, left, wanted },
            (PriceType::Full, left) => Refusal::FewerLeft { sector, left, wanted },
        }
    }

    /// A stable name for the refusal, for clients that say it in their own language.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::SoldOut { .. } => "sold_out",
            Refusal::FewerLeft { .. } => "fewer_left",
            Refusal::HalfShareSoldOut { .. } => "half_share_sold_out",
            Refusal::FewerHalfLeft { .. } => "fewer_half_left",
            Refusal::PriceChanged { .. } => "price_changed",
            Refusal::SalesClosed => "sales_closed",
            Refusal::SalesPaused => "sales_paused",
            Refusal::EventCancelled => "event_cancelled",
            Refusal::SalesReopening => "sales_reopening",
            Refusal::BuyerLimit { .. } => "buyer_limit",
            Refusal::RequestInProgress => "request_in_progress",
            Refusal::KeyBeingRetried => "key_being_retried",
            Refusal::ReservationUndone => "reservation_undone",
            Refusal::HoldExpired => "hold_expired",
            Refusal::PaymentInProgress { .. } => "payment_in_progress",
            Refusal::OrderExpired { .. } => "order_expired",
            Refusal::WrongOrderState { .. } => "wrong_order_state",
            Refusal::CancelledEventUnpayable => "cancelled_event_unpayable",
            Refusal::TooLateToRefund => "too_late_to_refund",
            Refusal::EmailTaken => "email_taken",
            Refusal::CpfTaken => "cpf_taken",
            Refusal::CpfAlreadySet => "cpf_already_set",
            Refusal::CpfRequired => "cpf_required",
            Refusal::EmailUnverified => "email_unverified",
            Refusal::AlreadyVerified => "already_verified",
            Refusal::BadCredentials => "bad_credentials",
            Refusal::WrongPassword => "wrong_password",
            Refusal::SessionEnded => "session_ended",
            Refusal::OwnRole => "own_role",
            Refusal::NotEditable { .. } => "not_editable",
            Refusal::Resize(_) => "resize_refused",
            Refusal::SoldWhileEditing => "sold_while_editing",
            Refusal::NotPausable { .. } => "not_pausable",
            Refusal::AlreadyCancelled => "already_cancelled",
            Refusal::BeingDeleted => "being_deleted",
            Refusal::CancelledIsKept => "cancelled_is_kept",
            Refusal::HasOrders { .. } => "has_orders",
        }
    }
}

impl From<ResizeRefusal> for Refusal {
    fn from(refusal: ResizeRefusal) -> Self {
        Refusal::Resize(refusal)
    }
}

/// Why a ticket cannot do what was asked (enter, be transferred, be refunded).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TicketRefusal {
    #[error("this is not a valid ticket code (forged, damaged or from another box office)")]
    InvalidTicket,
    #[error("this ticket was already used at {} (UTC) at gate {}", .at.format("%H:%M"), .gate)]
    AlreadyUsed { at: chrono::DateTime<chrono::Utc>, gate: String },
    #[error("this ticket is no longer valid: it was {}", .because.as_str())]
    Revoked { because: super::ticket::RevokedBecause },
    #[error("this ticket is for another event")]
    WrongEvent,
    #[error("a ticket that was used at the gate cannot be refunded")]
    UsedCannotRefund,
    #[error("a ticket of this order was transferred to someone else; the order cannot be refunded")]
    TransferredCannotRefund,
    #[error("transfers for this event are closed")]
    TransferClosed,
    #[error("no verified account has this e-mail; the recipient must sign up first")]
    RecipientUnknown,
    #[error("the recipient must add their CPF to their account before receiving a ticket")]
    RecipientNeedsCpf,
    #[error("the ticket is already yours")]
    SelfTransfer,
    #[error("a half-price ticket goes only to a holder with an entitlement: say which one")]
    EntitlementRequired,
}

impl TicketRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            TicketRefusal::InvalidTicket => "invalid_ticket",
            TicketRefusal::AlreadyUsed { .. } => "already_used",
            TicketRefusal::Revoked { .. } => "ticket_revoked",
            TicketRefusal::WrongEvent => "wrong_event",
            TicketRefusal::UsedCannotRefund => "ticket_used",
            TicketRefusal::TransferredCannotRefund => "ticket_transferred",
            TicketRefusal::TransferClosed => "transfer_closed",
            TicketRefusal::RecipientUnknown => "recipient_unknown",
            TicketRefusal::RecipientNeedsCpf => "recipient_needs_cpf",
            TicketRefusal::SelfTransfer => "self_transfer",
            TicketRefusal::EntitlementRequired => "entitlement_required",
        }
    }
}
