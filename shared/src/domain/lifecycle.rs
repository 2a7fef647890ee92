//! The order state machine. Every transition is applied as one conditional update on the
//! order's current status, so of two racing transitions exactly one wins.
//!
//! ```text
//! reserved ──pay──▶ payment_pending ──approved──▶ paid ──refund──▶ refunded
//!    │  ▲                 │   │
//!    │  └───declined──────┘   │
//!    ├──cancel──▶ cancelled   │                    ▲
//!    └──expire──▶ expired ◀───┘                    │
//!                    └──late payment, stock there───┘
//! ```

use super::order::OrderStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    RequestPayment,
    ConfirmPayment,
    DeclinePayment,
    Cancel,
    Expire,
    Refund,
    /// A payment that landed after its hold ended: the same tickets taken from the stock
    /// again, in the same atomic step (refused if they are no longer there).
    ConfirmLatePayment,
}

impl Transition {
    pub fn from(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Transition::RequestPayment => &[Reserved],
            Transition::ConfirmPayment => &[PaymentPending],
            Transition::DeclinePayment => &[PaymentPending],
            Transition::Cancel => &[Reserved],
            Transition::Expire => &[Reserved, PaymentPending],
            Transition::Refund => &[Paid],
            Transition::ConfirmLatePayment => &[Expired],
        }
    }

    pub fn to(self) -> OrderStatus {
        use OrderStatus::*;
        match self {
            Transition::RequestPayment => PaymentPending,
            Transition::ConfirmPayment => Paid,
            Transition::DeclinePayment => Reserved,
            Transition::Cancel => Cancelled,
            Transition::Expire => Expired,
            Transition::Refund => Refunded,
            Transition::ConfirmLatePayment => Paid,
        }
    }

    /// Transitions that end an order's claim on its tickets give them back to the stock, in
    /// the same atomic step as the status change.
    pub fn returns_stock(self) -> bool {
        matches!(self, Transition::Cancel | Transition::Expire | Transition::Refund)
    }

    /// Transitions that give an order a claim on tickets again take them from the stock, in
    /// the same atomic step, or do not happen.
    pub fn takes_stock(self) -> bool {
        matches!(self, Transition::ConfirmLatePayment)
    }

    pub fn name(self) -> &'static str {
        match self {
            Transition::RequestPayment => "pay",
            Transition::ConfirmPayment => "confirm the payment of",
            Transition::DeclinePayment => "decline the payment of",
            Transition::Cancel => "cancel",
            Transition::Expire => "expire",
            Transition::Refund => "refund",
            Transition::ConfirmLatePayment => "confirm the late payment of",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_moves_exactly_when_an_order_starts_or_stops_holding_it() {
        for t in [
            Transition::RequestPayment,
            Transition::ConfirmPayment,
            Transition::DeclinePayment,
            Transition::Cancel,
            Transition::Expire,
            Transition::Refund,
            Transition::ConfirmLatePayment,
        ] {
            let held_before = t.from().iter().all(|s| OrderStatus::HOLDING_STOCK.contains(s));
            let none_held_before = t.from().iter().all(|s| !OrderStatus::HOLDING_STOCK.contains(s));
            assert!(held_before || none_held_before, "{t:?} starts from holding and non-holding states");
            let held_after = OrderStatus::HOLDING_STOCK.contains(&t.to());
            assert_eq!(t.returns_stock(), held_before && !held_after, "{t:?}");
            assert_eq!(t.takes_stock(), !held_before && held_after, "{t:?}");
        }
    }
}
