//! What a purchase would cost now: the lot a reservation of this quantity would be served
//! from (the first open lot that can serve all of it, as `orders::reserve` takes) and its
//! price. The site shows this before the buyer commits; the reservation then carries the
//! unit price the buyer saw and is refused (`price_changed`) if the sale would be at another.
//!
//! A quote reads the stock (one query, no write) and may be stale by the time the buyer
//! clicks: the reservation stays the only truth.

use super::find_visible;
use crate::app::App;
use crate::domain::{Event, EventStatus, Invalid, PriceType, Refusal};
use crate::error::{AppError, AppResult};
use crate::ports::SectorStock;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The question, as parsed from `?sector=&price_type=&quantity=`.
#[derive(Clone, Debug)]
pub struct QuoteRequest {
    pub sector: String,
    pub price_type: PriceType,
    pub quantity: i64,
}

impl QuoteRequest {
    pub fn parse(sector: Option<&str>, price_type: Option<&str>, quantity: Option<&str>) -> Result<Self, Invalid> {
        let sector = sector.map(str::trim).filter(|s| !s.is_empty() && s.len() <= 80);
        let sector = sector.ok_or_else(|| Invalid::new("'sector' must name a sector of the event"))?;
        let price_type = match price_type.unwrap_or("full") {
            "full" => PriceType::Full,
            "half" => PriceType::Half,
            _ => return Err(Invalid::new("'price_type' must be 'full' or 'half'")),
        };
        let quantity = quantity.unwrap_or("1").parse::<i64>().ok().filter(|q| (1..=100).contains(q));
        let quantity = quantity.ok_or_else(|| Invalid::new("'quantity' must be a whole number between 1 and 100"))?;
        Ok(QuoteRequest { sector: sector.to_string(), price_type, quantity })
    }
}

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Quote {
    pub sector: String,
    pub price_type: PriceType,
    pub quantity: i64,
    /// Whether a reservation of this quantity could be served now.
    pub available: bool,
    pub lot: Option<String>,
    pub unit_price_cents: Option<i64>,
    pub total_cents: Option<i64>,
    /// Why not, when `available` is false: the code the reservation would be refused with.
    pub code: Option<&'static str>,
}

pub async fn quote(app: &App, raw_event_id: &str, request: QuoteRequest) -> AppResult<Quote> {
    let event = find_visible(app, raw_event_id).await?;
    let sector = event
        .sector_named(&request.sector)
        .ok_or_else(|| AppError::NotFound(format!("the event has no sector '{}'", request.sector)))?;
    if request.quantity > event.max_per_order {
        return Err(AppError::Unprocessable(format!(
            "'quantity' must be between 1 and {} tickets per order for this event",
            event.max_per_order
        )));
    }
    let stock = app.inventory.stock(std::slice::from_ref(&event.id)).await?;
    let sector_stock = stock.get(&event.id).and_then(|s| s.get(&sector.id)).cloned().unwrap_or_default();
    Ok(price_now(&event, &sector.id, &sector_stock, &request, app.clock.now()))
}

/// The decision, without I/O: the first open lot with the whole quantity left (and, at half
/// price, the half-price share left), else the refusal the reservation would meet.
pub fn price_now(
    event: &Event,
    sector_id: &str,
    stock: &SectorStock,
    request: &QuoteRequest,
    now: DateTime<Utc>,
) -> Quote {
    let refused = |refusal: Refusal| Quote {
        sector: request.sector.clone(),
        price_type: request.price_type,
        quantity: request.quantity,
        available: false,
        lot: None,
        unit_price_cents: None,
        total_cents: None,
        code: Some(refusal.code()),
    };
    let name = request.sector.clone();
    match event.status {
        EventStatus::Cancelled | EventStatus::Cancelling => return refused(Refusal::EventCancelled),
        EventStatus::Paused => return refused(Refusal::SalesPaused),
        _ if now >= event.sales_close_at() => return refused(Refusal::SalesClosed),
        _ => {}
    }
    let Some(sector) = event.sector_by_id(sector_id) else {
        return refused(Refusal::SoldOut { sector: name });
    };
    let wanted = request.quantity;
    if request.price_type == PriceType::Half && stock.half_available < wanted {
        let left = stock.half_available.max(0);
        return refused(Refusal::shortage(name, PriceType::Half, left, wanted, stock.available > 0));
    }
    let left_in = |lot: usize| stock.lots.get(&lot).copied().unwrap_or(0);
    let mut best_left = 0;
    for (index, lot) in sector.lots_open_at(now) {
        let left = left_in(index);
        if left >= wanted {
            let unit = request.price_type.unit_price(lot.price_cents);
            return Quote {
                sector: request.sector.clone(),
                price_type: request.price_type,
                quantity: wanted,
                available: true,
                lot: Some(lot.name.clone()),
                unit_price_cents: Some(unit),
                total_cents: Some(unit * wanted),
                code: None,
            };
        }
        best_left = best_left.max(left);
    }
    refused(Refusal::shortage(name, request.price_type, best_left, wanted, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventId, EventInput};
    use std::collections::HashMap;

    fn two_lots() -> Event {
        let input: EventInput = serde_json::from_value(serde_json::json!({
            "name": "Show", "venue": "Arena", "starts_at": "2040-01-01T20:00:00Z",
            "sectors": [{"name": "Pista", "price_cents": 10000, "capacity": 11, "lots": [
                {"name": "Lote 1", "price_cents": 10000, "quantity": 1},
                {"name": "Lote 2", "price_cents": 20000, "quantity": 10}
            ]}]
        }))
        .unwrap();
        input.validate(EventId::generate(), Utc::now(), 10).unwrap()
    }

    fn stock(lot1: i64, lot2: i64, half: i64) -> SectorStock {
        SectorStock { available: lot1 + lot2, half_available: half, lots: HashMap::from([(0, lot1), (1, lot2)]) }
    }

    fn ask(quantity: i64, price_type: PriceType) -> QuoteRequest {
        QuoteRequest { sector: "Pista".into(), price_type, quantity }
    }

    #[test]
    fn three_tickets_when_the_first_lot_has_one_left_are_priced_at_the_second_lot() {
        let event = two_lots();
        let sector = event.sectors[0].id.clone();
        let q = price_now(&event, &sector, &stock(1, 10, 4), &ask(3, PriceType::Full), Utc::now());
        assert_eq!((q.lot.as_deref(), q.unit_price_cents, q.total_cents), (Some("Lote 2"), Some(20000), Some(60000)));
        let one = price_now(&event, &sector, &stock(1, 10, 4), &ask(1, PriceType::Full), Utc::now());
        assert_eq!((one.lot.as_deref(), one.total_cents), (Some("Lote 1"), Some(10000)));
        let half = price_now(&event, &sector, &stock(1, 10, 4), &ask(2, PriceType::Half), Utc::now());
        assert_eq!((half.unit_price_cents, half.total_cents), (Some(10000), Some(20000)));
    }

    #[test]
    fn what_cannot_be_served_says_why_with_the_reservations_own_code() {
        let event = two_lots();
        let sector = event.sectors[0].id.clone();
        let codes = |s: SectorStock, q: QuoteRequest| price_now(&event, &sector, &s, &q, Utc::now()).code;
        assert_eq!(codes(stock(0, 0, 0), ask(1, PriceType::Full)), Some("sold_out"));
        assert_eq!(codes(stock(1, 2, 3), ask(4, PriceType::Full)), Some("fewer_left"));
        assert_eq!(codes(stock(1, 2, 0), ask(1, PriceType::Half)), Some("half_share_sold_out"));
        assert_eq!(codes(stock(1, 9, 2), ask(3, PriceType::Half)), Some("fewer_half_left"));
        let mut paused = two_lots();
        paused.status = EventStatus::Paused;
        let q =
            price_now(&paused, &paused.sectors[0].id.clone(), &stock(1, 9, 4), &ask(1, PriceType::Full), Utc::now());
        assert_eq!((q.available, q.code), (false, Some("sales_paused")));
    }

    #[test]
    fn a_quote_request_refuses_what_no_reservation_could_be() {
        assert!(QuoteRequest::parse(Some("Pista"), Some("half"), Some("2")).is_ok());
        assert!(QuoteRequest::parse(None, None, None).is_err());
        assert!(QuoteRequest::parse(Some("Pista"), Some("free"), Some("1")).is_err());
        assert!(QuoteRequest::parse(Some("Pista"), None, Some("0")).is_err());
        assert!(QuoteRequest::parse(Some("Pista"), None, Some("1e3")).is_err());
    }
}
