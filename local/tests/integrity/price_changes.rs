//! A reservation carries the unit price its buyer was shown, and is refused (409
//! `price_changed`, nothing kept) rather than sold at another. The refusal takes stock and
//! gives it back at once: under a crowd at a lot boundary no ticket may be lost, created or
//! sold at a price its buyer did not see.

use super::support::{books, create_event, id_of, live_orders, user};
use crate::helpers::Harness;
use bilheteria::domain::Role;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

const ROUNDS: usize = 4;
const FIRST_LOT: i64 = 5;
const SECOND_LOT: i64 = 40;

fn two_lots(first: i64) -> serde_json::Value {
    json!({"name": "Virada de Lote", "venue": "Arena", "starts_at": "2035-01-01T20:00:00Z",
           "sectors": [{"name": "Pista", "price_cents": 10_000, "capacity": first + SECOND_LOT, "lots": [
               {"name": "Lote 1", "price_cents": 10_000, "quantity": first},
               {"name": "Lote 2", "price_cents": 20_000, "quantity": SECOND_LOT}]}]})
}

#[tokio::test]
async fn a_crowd_at_the_lot_boundary_buys_only_at_the_prices_it_saw_and_loses_no_ticket() {
    let h = Harness::start().await;
    let (_, admin) = user(&h, Role::Admin).await;
    for round in 0..ROUNDS {
        let event = id_of_view(&create_event(&h, &admin, two_lots(FIRST_LOT)).await);
        // 16 buyers were shown the first lot's price, 16 the second's, all clicking at once.
        let mut buyers = Vec::new();
        for i in 0..32 {
            let (_, token) = user(&h, Role::Buyer).await;
            buyers.push((token, if i % 2 == 0 { 10_000 } else { 20_000 }));
        }
        let replies = join_all(buyers.iter().map(|(token, seen)| {
            let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1,
                              "expected_unit_price_cents": seen});
            h.post("/api/v1/orders", Some(token), body)
        }))
        .await;
        let mut sold_at = std::collections::BTreeMap::<i64, i64>::new();
        for ((_, seen), reply) in buyers.iter().zip(&replies) {
            match reply.status {
                StatusCode::CREATED => {
                    assert_eq!(reply.body["unit_price_cents"], json!(seen), "round {round}: sold at the price seen");
                    *sold_at.entry(*seen).or_default() += 1;
                }
                StatusCode::CONFLICT => {
                    assert_eq!(reply.body["code"], "price_changed", "round {round}: {}", reply.body);
                    let now = reply.body["unit_price_cents"].as_i64().expect("the new price");
                    assert_ne!(now, *seen, "round {round}: a refusal names another price");
                    assert_eq!(reply.body["total_cents"].as_i64(), Some(now), "one ticket");
                }
                other => panic!("round {round}: unexpected {other}: {}", reply.body),
            }
        }
        // Each lot's tickets went only to those who saw its price. (A refused take holds its
        // ticket for a moment, so a buyer racing it may be told of the next lot's price and a
        // first-lot ticket stay unsold: asking again finds it. Nothing is lost either way.)
        let orders = live_orders(&h, &event).await;
        for o in &orders {
            let expected = if o.lot == "Lote 1" { 10_000 } else { 20_000 };
            assert_eq!(o.unit_price_cents, expected, "round {round}: {} sold at its lot's price", o.id);
        }
        let first_lot_sold = orders.iter().filter(|o| o.lot == "Lote 1").count() as i64;
        assert_eq!(first_lot_sold, sold_at.get(&10_000).copied().unwrap_or(0), "round {round}: {sold_at:?}");
        assert!((1..=FIRST_LOT).contains(&first_lot_sold), "round {round}: {sold_at:?}");
        let books = books(&h, &event).await;
        for (sector, b) in &books {
            assert_eq!(b.held_by_orders + b.in_stock, b.capacity, "round {round}, sector {sector}: {b:?}");
        }
        assert_eq!(orders.len() as i64, sold_at.values().sum::<i64>(), "round {round}: one order per 201");
        let in_flight = h.app.inventory.in_flight(&super::support::event_id(&event)).await.expect("takes");
        let orphaned: Vec<_> = in_flight.iter().filter(|t| !orders.iter().any(|o| o.id == t.order_id)).collect();
        assert!(orphaned.is_empty(), "round {round}: a refused take left its record: {orphaned:?}");
    }
    h.finish().await;
}

#[tokio::test]
async fn a_buyer_told_the_new_price_buys_at_it_when_they_confirm() {
    let h = Harness::start().await;
    let (_, admin) = user(&h, Role::Admin).await;
    // The first lot has one ticket left: three come from the second, at its price.
    let event = id_of_view(&create_event(&h, &admin, two_lots(1)).await);
    let (_, buyer) = user(&h, Role::Buyer).await;
    let quote = h.get(&format!("/api/v1/events/{event}/quote?sector=Pista&price_type=full&quantity=3"), None).await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.body);
    assert_eq!((quote.body["lot"].as_str(), quote.body["total_cents"].as_i64()), (Some("Lote 2"), Some(60_000)));
    let stale = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 3,
                       "expected_unit_price_cents": 10_000});
    let refused = h.post("/api/v1/orders", Some(&buyer), stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(
        (refused.body["code"].as_str(), refused.body["lot"].as_str(), refused.body["total_cents"].as_i64()),
        (Some("price_changed"), Some("Lote 2"), Some(60_000))
    );
    assert_eq!(h.available(&event, "Pista").await, 1 + SECOND_LOT, "the refusal kept nothing");
    let confirmed = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 3,
                           "expected_unit_price_cents": 20_000});
    let order = h.post("/api/v1/orders", Some(&buyer), confirmed).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!((order.body["lot"].as_str(), order.body["total_cents"].as_i64()), (Some("Lote 2"), Some(60_000)));
    let _ = id_of(&order);
    h.finish().await;
}

fn id_of_view(view: &serde_json::Value) -> String {
    view["id"].as_str().expect("an event id").to_string()
}
