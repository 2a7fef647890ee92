//! Messages published to the broker. The body is JSON; `id` is unique per message so a
//! consumer can recognise a redelivery.

use super::ids::OrderId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    #[serde(rename = "order.reserved")]
    OrderReserved,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::OrderReserved => "order.reserved",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Unique per logical message: `<kind>:<order id>`. A republished message (outbox
    /// sweep, broker redelivery) keeps its id, so processing it twice is recognisable.
    pub id: String,
    pub kind: MessageKind,
    pub order_id: OrderId,
    pub occurred_at: DateTime<Utc>,
}

impl Message {
    pub fn order_reserved(order_id: OrderId, occurred_at: DateTime<Utc>) -> Self {
        Message {
            id: format!("{}:{}", MessageKind::OrderReserved.as_str(), order_id),
            kind: MessageKind::OrderReserved,
            order_id,
            occurred_at,
        }
    }
}
