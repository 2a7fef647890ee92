//! The order state machine. Every transition is applied as one conditional update on the
//! order's current status, so of two racing transitions exactly one wins.
//!
//! ```text
//! reserved ──pay──▶ payment_pending ──approved──▶ paid ──refund──▶ refunded
//!    │  ▲                 │   │
//!    │  └───declined──────┘   │
//!    ├──cancel──▶ cancelled   │
//!    └──expire──▶ expired ◀───┘
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
        }
    }

    /// Transitions that end an order's claim on its tickets give them back to the stock, in
    /// the same atomic step as the status change.
    pub fn returns_stock(self) -> bool {
        matches!(self, Transition::Cancel | Transition::Expire | Transition::Refund)
    }

    pub fn name(self) -> &'static str {
        match self {
            Transition::RequestPayment => "pay",
            Transition::ConfirmPayment => "confirm the payment of",
            Transition::DeclinePayment => "decline the payment of",
            Transition::Cancel => "cancel",
            Transition::Expire => "expire",
            Transition::Refund => "refund",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_comes_back_only_when_an_order_stops_holding_it() {
        for t in [
            Transition::RequestPayment,
            Transition::ConfirmPayment,
            Transition::DeclinePayment,
            Transition::Cancel,
            Transition::Expire,
            Transition::Refund,
        ] {
            let held_before = t.from().iter().all(|s| OrderStatus::HOLDING_STOCK.contains(s));
            let held_after = OrderStatus::HOLDING_STOCK.contains(&t.to());
            assert!(held_before);
            assert_eq!(t.returns_stock(), !held_after, "{t:?}");
        }
    }
}
