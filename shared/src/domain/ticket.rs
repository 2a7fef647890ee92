//! Tickets: one per seat unit of a paid order, with an unguessable code and a QR payload a
//! gate scanner can verify offline (it is signed).

use super::ids::{EventId, OrderId, UserId};
use super::money::PriceType;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub code: String,
    pub order_id: OrderId,
    pub user_id: UserId,
    pub event_id: EventId,
    pub sector: String,
    pub price_type: PriceType,
    pub seat_number: i64,
    pub qr_payload: String,
}
