//! Messages published to the broker. The body is JSON; `id` is unique per logical message,
//! so a consumer can recognise a redelivery or a republish.

use super::ids::OrderId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    #[serde(rename = "order.reserved")]
    OrderReserved,
    #[serde(rename = "payment.requested")]
    PaymentRequested,
    /// A PSP said (and a re-read confirmed) that a pix was received for one of the order's
    /// charges: the consumer settles it.
    #[serde(rename = "payment.confirmed")]
    PaymentConfirmed,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::OrderReserved => "order.reserved",
            MessageKind::PaymentRequested => "payment.requested",
            MessageKind::PaymentConfirmed => "payment.confirmed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub kind: MessageKind,
    pub order_id: OrderId,
    /// Which payment attempt a `payment.requested` is for (a later attempt supersedes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<i32>,
    /// The charge a `payment.confirmed` is about (`Txid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txid: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl Message {
    pub fn order_reserved(order_id: OrderId, occurred_at: DateTime<Utc>) -> Self {
        Message {
            id: format!("order.reserved:{order_id}"),
            kind: MessageKind::OrderReserved,
            order_id,
            attempt: None,
            txid: None,
            occurred_at,
        }
    }

    pub fn payment_requested(order_id: OrderId, attempt: i32, occurred_at: DateTime<Utc>) -> Self {
        Message {
            id: format!("payment.requested:{order_id}:{attempt}"),
            kind: MessageKind::PaymentRequested,
            order_id,
            attempt: Some(attempt),
            txid: None,
            occurred_at,
        }
    }

    /// One per received pix (`end_to_end_id`): a duplicate notification publishes the same
    /// message, which the consumer recognises.
    pub fn payment_confirmed(order_id: OrderId, txid: &str, end_to_end_id: &str, occurred_at: DateTime<Utc>) -> Self {
        Message {
            id: format!("payment.confirmed:{end_to_end_id}"),
            kind: MessageKind::PaymentConfirmed,
            order_id,
            attempt: None,
            txid: Some(txid.to_string()),
            occurred_at,
        }
    }
}

/// One message as the broker delivered it: its body as it came, and the message it holds, or
/// why it holds none (it can never be processed: the consumer dead-letters it alone).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub body: Vec<u8>,
    pub message: Result<Message, String>,
}
