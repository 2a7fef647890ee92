//! Orders: a reservation (a hold on stock) and what happens to it afterwards.

use super::event::MAX_PRICE_CENTS;
use super::ids::{EventId, OrderId, UserId};
use super::money::{Cents, PriceType};
use super::refusal::Invalid;
use super::ticket::Entitlement;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Reserved,
    PaymentPending,
    Paid,
    Cancelled,
    Expired,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Reserved => "reserved",
            OrderStatus::PaymentPending => "payment_pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Statuses whose tickets are taken from the stock (held or sold).
    pub const HOLDING_STOCK: [OrderStatus; 3] = [OrderStatus::Reserved, OrderStatus::PaymentPending, OrderStatus::Paid];
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Reserved,
        OrderStatus::PaymentPending,
        OrderStatus::Paid,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
        OrderStatus::Refunded,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Pix,
    Card,
}

/// What the buyer chose to pay with, and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PaymentMethod,
    /// PIX "copia e cola" code to show as a QR code.
    pub pix_code: Option<String>,
    /// Only the last four digits of a card are ever stored.
    pub card_last4: Option<String>,
    pub declined_reason: Option<String>,
    /// The gateway's reference once charged (for PIX, the `endToEndId` of the pix that paid).
    pub transaction_id: Option<String>,
    /// The PIX charge of this attempt at the PSP (`Txid`).
    #[serde(default)]
    pub pix_txid: Option<String>,
    /// Refunded here, the money not yet back at the provider (it was down): the scheduled
    /// function retries until it is.
    #[serde(default)]
    pub refund_pending: bool,
    /// Increases with each payment attempt, so each attempt's message is distinct.
    pub attempt: i32,
}

/// Where an order's tickets were taken from, so that they go back to the same place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub bucket: String,
    pub quantity: i64,
}

/// The body of `POST /api/v1/orders`, as received (ids still unchecked).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationRequest {
    pub event_id: String,
    pub sector: String,
    pub price_type: PriceType,
    pub quantity: i64,
    /// Half price only, and required there: what the holder will show at the gate.
    #[serde(default)]
    pub entitlement: Option<Entitlement>,
    /// The unit price the buyer was shown (a quote): the reservation is refused with
    /// `price_changed` rather than sold at another. Absent: sold at the current price.
    #[serde(default)]
    pub expected_unit_price_cents: Option<i64>,
    /// The waiting room's admission, for an event in queue mode (docs/waiting-room.md).
    #[serde(default)]
    pub admission_token: Option<String>,
}

/// A reservation request that passed every check that needs no database.
#[derive(Clone, Debug)]
pub struct CheckedReservation {
    pub event_id: EventId,
    pub sector: String,
    pub price_type: PriceType,
    pub quantity: i64,
    pub entitlement: Option<Entitlement>,
    pub expected_unit_price_cents: Option<i64>,
    pub admission_token: Option<String>,
}

/// No event allows more than this per order, whatever its own limit (a sanity bound).
pub const ABSOLUTE_MAX_PER_ORDER: i64 = 100;

impl ReservationRequest {
    pub fn check(self) -> Result<CheckedReservation, Invalid> {
        let event_id =
            EventId::parse(&self.event_id).ok_or_else(|| Invalid::new("'event_id' is not a valid event id"))?;
        if !(1..=ABSOLUTE_MAX_PER_ORDER).contains(&self.quantity) {
            return Err(Invalid::new(format!(
                "'quantity' must be between 1 and the event's limit per order (at most {ABSOLUTE_MAX_PER_ORDER})"
            )));
        }
        let sector = self.sector.trim();
        if sector.is_empty() || sector.len() > 80 {
            return Err(Invalid::new("'sector' must name a sector of the event"));
        }
        match (self.price_type, self.entitlement) {
            (PriceType::Half, None) => {
                return Err(Invalid::coded(
                    "entitlement_required",
                    "a half-price (meia-entrada) ticket needs the holder's 'entitlement' (student, senior, disability, low_income_youth, teacher)",
                ))
            }
            (PriceType::Full, Some(_)) => return Err(Invalid::new("'entitlement' is for half-price tickets only")),
            _ => {}
        }
        if self.expected_unit_price_cents.is_some_and(|p| !(0..=MAX_PRICE_CENTS).contains(&p)) {
            return Err(Invalid::new(format!("'expected_unit_price_cents' must be between 0 and {MAX_PRICE_CENTS}")));
        }
        if self.admission_token.as_ref().is_some_and(|t| t.len() > 512) {
            return Err(Invalid::new("'admission_token' is not an admission of ours"));
        }
        Ok(CheckedReservation {
            event_id,
            sector: sector.to_string(),
            price_type: self.price_type,
            quantity: self.quantity,
            entitlement: self.entitlement,
            expected_unit_price_cents: self.expected_unit_price_cents,
            admission_token: self.admission_token,
        })
    }
}

/// An order about to be stored, once its stock has been taken.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub id: OrderId,
    pub user_id: UserId,
    pub event_id: EventId,
    pub event_name: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: String,
    pub price_type: PriceType,
    pub entitlement: Option<Entitlement>,
    pub quantity: i64,
    pub unit_price_cents: Cents,
    pub allocations: Vec<Allocation>,
    /// The buyer the event's per-buyer limit counted this order under (`buyer_key`), or
    /// `None` when the event has no limit.
    pub counted_as: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
}

/// Whom a per-buyer limit counts: the person (their CPF, whatever account they use), or the
/// account for a caller with no CPF yet.
pub fn buyer_key(cpf: Option<&crate::domain::Cpf>, user: &UserId) -> String {
    match cpf {
        Some(cpf) => format!("cpf:{}", cpf.digits()),
        None => user.to_string(),
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub id: OrderId,
    pub user_id: UserId,
    pub event_id: EventId,
    pub event_name: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: String,
    pub price_type: PriceType,
    /// A half-price order's declared entitlement (its tickets carry it).
    pub entitlement: Option<Entitlement>,
    pub quantity: i64,
    pub unit_price_cents: Cents,
    pub total_cents: Cents,
    pub status: OrderStatus,
    pub allocations: Vec<Allocation>,
    /// See `NewOrder::counted_as`.
    pub counted_as: Option<String>,
    pub payment: Option<Payment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub expired_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub idempotency_key: Option<String>,
}

impl NewOrder {
    pub fn into_order(self) -> Order {
        Order {
            total_cents: self.unit_price_cents * self.quantity,
            id: self.id,
            user_id: self.user_id,
            event_id: self.event_id,
            event_name: self.event_name,
            sector_id: self.sector_id,
            sector: self.sector,
            lot: self.lot,
            price_type: self.price_type,
            entitlement: self.entitlement,
            quantity: self.quantity,
            unit_price_cents: self.unit_price_cents,
            status: OrderStatus::Reserved,
            allocations: self.allocations,
            counted_as: self.counted_as,
            payment: None,
            created_at: self.created_at,
            updated_at: self.created_at,
            expires_at: self.expires_at,
            processed_at: None,
            paid_at: None,
            cancelled_at: None,
            expired_at: None,
            refunded_at: None,
            idempotency_key: self.idempotency_key,
        }
    }
}

/// An `Idempotency-Key` header value: 1 to 255 visible ASCII characters (`None` if not).
pub fn check_idempotency_key(raw: &str) -> Option<String> {
    let ok = !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(quantity: i64) -> ReservationRequest {
        ReservationRequest {
            event_id: EventId::generate().to_string(),
            sector: "Pista".into(),
            price_type: PriceType::Full,
            quantity,
            entitlement: None,
            expected_unit_price_cents: None,
            admission_token: None,
        }
    }

    #[test]
    fn a_quantity_below_one_or_absurdly_high_is_refused_before_any_lookup() {
        assert!(request(0).check().is_err());
        assert!(request(-1).check().is_err());
        assert!(request(1_000).check().is_err());
        assert!(request(6).check().is_ok());
    }

    #[test]
    fn a_malformed_event_id_is_refused_before_any_lookup() {
        let mut r = request(1);
        r.event_id = "{\"$ne\":null}".into();
        assert!(r.check().is_err());
    }
}
