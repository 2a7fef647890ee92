//! Tickets: one per unit of a paid order, with an unguessable code and a QR payload a gate
//! scanner can verify offline (it is signed). Sectors are general admission: a ticket has
//! no seat, only its place within its order (`position`, 1..quantity: "ticket 2 of 3").

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
    /// This ticket's place within its order (1..quantity); not a seat.
    #[serde(alias = "seat_number")]
    pub position: i64,
    pub qr_payload: String,
}
