//! Orders, as their buyer sees them (the `orders` function): reserving (`reserve`, the hot
//! path), and what comes after (`after_reserve`: pay, cancel, refund, tickets). The order's
//! state machine itself is the domain's (`domain::lifecycle`).

mod after_reserve;
mod reserve;
mod views;

pub use after_reserve::{
    cancel, pay, refund, refund_changes, return_money, settle_refund, tickets, tickets_pdf, PayRequest,
};
pub use reserve::reserve;
pub use views::{find_mine, get_mine, list_mine, OrderView, PaymentView, ORDERS_PAGE};
