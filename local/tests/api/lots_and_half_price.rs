//! Lots (*lotes*), the half-price share (*meia-entrada*) and the per-order and per-buyer
//! limits, through the local router on the real server and broker.

use crate::helpers::Harness;
use futures::future::join_all;
use mongodb::bson::{doc, Document};
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------
// Helpers of this file.
// ---------------------------------------------------------------------------------------

/// Creates an event from `extra` fields and `sectors`; returns its id.
async fn create(h: &Harness, extra: Value, sectors: Value) -> String {
    let admin = h.admin().await;
    let mut body =
        json!({"name": "Festival de Lotes", "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "sectors": sectors});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let r = h.post("/api/v1/admin/events", Some(&admin), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

/// A sector "Pista" in two lots: 10 at R$ 100,00, then 10 at R$ 150,00.
fn two_lots(first: i64, second: i64) -> Value {
    json!([{"name": "Pista", "price_cents": 10_000, "capacity": first + second, "lots": [
        {"name": "1º lote", "price_cents": 10_000, "quantity": first},
        {"name": "2º lote", "price_cents": 15_000, "quantity": second},
    ]}])
}

async fn pista(h: &Harness, event: &str) -> Value {
    let r = h.get(&format!("/api/v1/events/{event}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["sectors"][0].clone()
}

async fn orders_of(h: &Harness, event: &str) -> Vec<Document> {
    use futures::TryStreamExt;
    let stores = bilheteria::adapters::mongo::MongoStores::connect(&h.config).await.expect("db");
    let cursor = stores.database().collection::<Document>("orders").find(doc! {"event_id": event}).await.expect("find");
    cursor.try_collect().await.expect("orders")
}

fn int(d: &Document, k: &str) -> i64 {
    d.get_i64(k).or_else(|_| d.get_i32(k).map(i64::from)).unwrap_or_else(|_| panic!("no {k} in {d}"))
}

fn detail(r: &crate::helpers::Reply) -> String {
    r.body["detail"].as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------
// Lots.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_first_lot_sells_at_its_price_and_the_next_tickets_at_the_second_lots() {
    let h = Harness::start().await;
    let event = create(&h, json!({}), two_lots(10, 10)).await;
    let view = pista(&h, &event).await;
    assert_eq!(view["current_lot"], "1º lote");
    assert_eq!(view["price_cents"], 10_000);
    assert_eq!(view["half_price_cents"], 5_000);
    assert_eq!(view["capacity"], 20);
    assert_eq!(view["lots"][0]["status"], "on_sale");
    assert_eq!(view["lots"][1]["status"], "upcoming");

    let buyer = h.buyer().await;
    for q in [4, 6] {
        let r = h.reserve(&buyer, &event, "Pista", "full", q).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["unit_price_cents"], 10_000, "the 1st lot's price");
        assert_eq!(r.body["total_cents"], 10_000 * q);
        assert_eq!(r.body["lot"], "1º lote");
    }
    let view = pista(&h, &event).await;
    assert_eq!(view["current_lot"], "2º lote", "the first lot sold out: the second is on sale");
    assert_eq!(view["price_cents"], 15_000);
    assert_eq!(view["half_price_cents"], 7_500);
    assert_eq!(view["lots"][0]["status"], "sold_out");
    assert_eq!(view["lots"][1]["status"], "on_sale");
    assert_eq!(view["available"], 10);

    let full = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(full.status, StatusCode::CREATED, "{}", full.body);
    assert_eq!(full.body["unit_price_cents"], 15_000, "the 2nd lot's price");
    assert_eq!(full.body["lot"], "2º lote");
    let half = h.reserve(&buyer, &event, "Pista", "half", 1).await;
    assert_eq!(half.status, StatusCode::CREATED, "{}", half.body);
    assert_eq!(half.body["unit_price_cents"], 7_500, "half of the 2nd lot's price");

    // A cancelled first-lot order puts its tickets back in the first lot, at its price.
    let first =
        h.get("/api/v1/orders", Some(&buyer)).await.body.as_array().expect("orders").last().cloned().expect("order");
    assert_eq!(first["lot"], "1º lote");
    let cancel =
        h.post(&format!("/api/v1/orders/{}/cancel", first["id"].as_str().expect("id")), Some(&buyer), json!({})).await;
    assert_eq!(cancel.status, StatusCode::OK);
    assert_eq!(pista(&h, &event).await["current_lot"], "1º lote");
    let again = h.reserve(&buyer, &event, "Pista", "full", 4).await;
    assert_eq!(again.body["unit_price_cents"], 10_000, "{}", again.body);
    h.finish().await;
}

#[tokio::test]
async fn a_lot_whose_end_date_passed_gives_way_to_the_next_even_with_stock_left() {
    let h = Harness::start().await;
    let ends = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let event = create(
        &h,
        json!({}),
        json!([{"name": "Pista", "price_cents": 10_000, "capacity": 20, "lots": [
            {"name": "Pré-venda", "price_cents": 10_000, "quantity": 10, "ends_at": ends},
            {"name": "Venda geral", "price_cents": 15_000, "quantity": 10},
        ]}]),
    )
    .await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.body["unit_price_cents"], 10_000);
    h.clock.advance(chrono::Duration::hours(2));
    let view = pista(&h, &event).await;
    assert_eq!(view["current_lot"], "Venda geral");
    assert_eq!(view["lots"][0]["status"], "ended");
    let r = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["unit_price_cents"], 15_000, "the pre-sale is over");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------
// The half-price share.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn half_price_tickets_beyond_the_default_forty_percent_are_refused_while_full_price_still_sells() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    assert_eq!(pista(&h, &event).await["half_available"], 4, "40% of 10");
    let buyer = h.buyer().await;
    for q in [3, 1] {
        let r = h.reserve(&buyer, &event, "Pista", "half", q).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["unit_price_cents"], 5_000);
    }
    assert_eq!(pista(&h, &event).await["half_available"], 0);
    let refused = h.reserve(&h.buyer().await, &event, "Pista", "half", 1).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let why = detail(&refused);
    assert!(why.contains("meia-entrada") && why.contains("half-price"), "a clear reason: {why}");
    assert!(why.contains("full-price tickets are still available"), "{why}");
    for _ in 0..6 {
        assert_eq!(h.reserve(&h.buyer().await, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);
    }
    assert_eq!(h.available(&event, "Pista").await, 0);
    let sold_out = h.reserve(&buyer, &event, "Pista", "half", 1).await;
    assert_eq!(sold_out.status, StatusCode::CONFLICT);
    assert!(detail(&sold_out).contains("sold out"), "{}", sold_out.body);
    h.finish().await;
}

#[tokio::test]
async fn a_custom_half_price_share_is_enforced_and_a_returned_half_ticket_frees_its_share() {
    let h = Harness::start().await;
    let event = create(
        &h,
        json!({"half_price_share_percent": 25}),
        json!([{"name": "Pista", "price_cents": 8_000, "capacity": 20}]),
    )
    .await;
    let view = pista(&h, &event).await;
    assert_eq!(view["half_available"], 5, "25% of 20");
    let buyer = h.buyer().await;
    let mut last = None;
    for _ in 0..5 {
        let r = h.reserve(&buyer, &event, "Pista", "half", 1).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        last = Some(r.body["id"].as_str().expect("id").to_string());
    }
    let refused = h.reserve(&buyer, &event, "Pista", "half", 1).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(detail(&refused).contains("meia-entrada"), "{}", refused.body);
    assert_eq!(
        h.reserve(&buyer, &event, "Pista", "full", 6).await.status,
        StatusCode::CREATED,
        "full price still sells"
    );

    let cancel = h.post(&format!("/api/v1/orders/{}/cancel", last.expect("order")), Some(&buyer), json!({})).await;
    assert_eq!(cancel.status, StatusCode::OK);
    assert_eq!(pista(&h, &event).await["half_available"], 1, "the cancelled half-price ticket frees its share");
    assert_eq!(h.reserve(&buyer, &event, "Pista", "half", 1).await.status, StatusCode::CREATED);

    let none = create(
        &h,
        json!({"half_price_share_percent": 0}),
        json!([{"name": "Pista", "price_cents": 8_000, "capacity": 5}]),
    )
    .await;
    let r = h.reserve(&buyer, &none, "Pista", "half", 1).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a 0% share sells no half-price ticket: {}", r.body);
    assert!(detail(&r).contains("meia-entrada"), "{}", r.body);
    let admin = h.admin().await;
    let bad = h.post(
        "/api/v1/admin/events",
        Some(&admin),
        json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "half_price_share_percent": 101,
               "sectors": [{"name": "Pista", "price_cents": 1, "capacity": 1}]}),
    );
    assert_eq!(bad.await.status, StatusCode::UNPROCESSABLE_ENTITY);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_buyers_on_a_two_lot_sector_never_oversell_a_lot_nor_the_half_price_share() {
    let h = Harness::start().await;
    // 60 + 60 tickets in four buckets per lot; 40% → at most 48 at half price.
    let event = create(
        &h,
        json!({"buckets": 4}),
        json!([{"name": "Pista", "price_cents": 10_000, "capacity": 120, "lots": [
            {"name": "1º lote", "price_cents": 10_000, "quantity": 60},
            {"name": "2º lote", "price_cents": 15_000, "quantity": 60},
        ]}]),
    )
    .await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xB11E7E);
    let wants: Vec<(&str, i64)> =
        (0..200).map(|_| (if rng.random_bool(0.5) { "half" } else { "full" }, rng.random_range(1..=3))).collect();
    let buyers = join_all((0..200).map(|_| h.buyer())).await;
    let replies = join_all(buyers.iter().zip(&wants).map(|(b, (pt, q))| h.reserve(b, &event, "Pista", pt, *q))).await;
    for r in &replies {
        assert!(matches!(r.status, StatusCode::CREATED | StatusCode::CONFLICT), "{} {}", r.status, r.body);
    }

    let orders = orders_of(&h, &event).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    assert_eq!(orders.len(), created, "one order per 201");
    let mut per_lot: HashMap<String, i64> = HashMap::new();
    let mut half = 0;
    for o in &orders {
        let q = int(o, "quantity");
        let lot = o.get_str("lot").expect("lot").to_string();
        let full_price = if lot == "1º lote" { 10_000 } else { 15_000 };
        let unit = if o.get_str("price_type").expect("type") == "half" {
            half += q;
            full_price / 2
        } else {
            full_price
        };
        assert_eq!(int(o, "unit_price_cents"), unit, "charged its lot's price: {o}");
        *per_lot.entry(lot).or_default() += q;
    }
    assert!(per_lot.get("1º lote").copied().unwrap_or(0) <= 60, "1st lot oversold: {per_lot:?}");
    assert!(per_lot.get("2º lote").copied().unwrap_or(0) <= 60, "2nd lot oversold: {per_lot:?}");
    assert!(half <= 48, "{half} half-price tickets, more than the 40% share");
    let sold: i64 = per_lot.values().sum();
    let view = pista(&h, &event).await;
    assert_eq!(view["available"].as_i64().expect("available") + sold, 120, "stock + sold = capacity");
    // Per lot too: the inventory's buckets of each lot hold what its orders did not take.
    let admin = h.admin().await;
    let inv = h.get(&format!("/api/v1/admin/events/{event}/inventory"), Some(&admin)).await;
    for (index, name) in [(0, "1º lote"), (1, "2º lote")] {
        let left: i64 = inv.body["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .filter(|b| b["lot"] == index)
            .map(|b| b["available"].as_i64().expect("available"))
            .sum();
        assert_eq!(left + per_lot.get(name).copied().unwrap_or(0), 60, "lot {name}");
    }
    // 200 buyers asking for ~400 tickets: the first lot is surely gone.
    assert_eq!(per_lot.get("1º lote").copied(), Some(60), "{per_lot:?}");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------
// Limits per order and per buyer.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_events_max_per_order_is_422_above_it() {
    let h = Harness::start().await;
    let event =
        create(&h, json!({"max_per_order": 2}), json!([{"name": "Pista", "price_cents": 1_000, "capacity": 50}])).await;
    let view = h.get(&format!("/api/v1/events/{event}"), None).await.body;
    assert_eq!(view["max_per_order"], 2);
    let buyer = h.buyer().await;
    let r = h.reserve(&buyer, &event, "Pista", "full", 3).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(detail(&r).contains("between 1 and 2"), "{}", r.body);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 2).await.status, StatusCode::CREATED);
    assert_eq!(h.available(&event, "Pista").await, 48, "the refused order took nothing");
    h.finish().await;
}

#[tokio::test]
async fn an_events_max_per_buyer_is_409_once_a_buyers_total_would_exceed_it() {
    let h = Harness::start().await;
    let event =
        create(&h, json!({"max_per_buyer": 5}), json!([{"name": "Pista", "price_cents": 1_000, "capacity": 50}])).await;
    let other_event =
        create(&h, json!({"max_per_buyer": 5}), json!([{"name": "Pista", "price_cents": 1_000, "capacity": 50}])).await;
    let buyer = h.buyer().await;
    let first = h.reserve(&buyer, &event, "Pista", "full", 3).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let over = h.reserve(&buyer, &event, "Pista", "half", 3).await;
    assert_eq!(over.status, StatusCode::CONFLICT, "3 + 3 > 5: {}", over.body);
    assert!(detail(&over).contains("at most 5"), "{}", over.body);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "half", 2).await.status, StatusCode::CREATED, "3 + 2 = 5");
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::CONFLICT);
    assert_eq!(h.reserve(&h.buyer().await, &event, "Pista", "full", 5).await.status, StatusCode::CREATED, "per buyer");
    assert_eq!(h.reserve(&buyer, &other_event, "Pista", "full", 5).await.status, StatusCode::CREATED, "per event");
    assert_eq!(h.available(&event, "Pista").await, 40, "the refusals took nothing");
    // A cancelled order no longer counts.
    let id = first.body["id"].as_str().expect("id");
    assert_eq!(h.post(&format!("/api/v1/orders/{id}/cancel"), Some(&buyer), json!({})).await.status, StatusCode::OK);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 3).await.status, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_reservations_by_one_buyer_stay_within_max_per_buyer() {
    let h = Harness::start().await;
    let event =
        create(&h, json!({"max_per_buyer": 5}), json!([{"name": "Pista", "price_cents": 1_000, "capacity": 100}]))
            .await;
    let buyer = h.buyer().await;
    let replies = join_all((0..20).map(|_| h.reserve(&buyer, &event, "Pista", "full", 1))).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    }
    assert!(created <= 5, "{created} tickets for one buyer with max_per_buyer 5");
    assert_eq!(created, 5, "nor fewer: the limit refuses only what would exceed it");
    assert_eq!(h.available(&event, "Pista").await, 95);

    // Mixed quantities from a second buyer: the total stays within 5 too.
    let other = h.buyer().await;
    let replies = join_all((0..20).map(|i| h.reserve(&other, &event, "Pista", "full", 1 + i % 3))).await;
    let total: i64 = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| r.body["quantity"].as_i64().expect("q"))
        .sum();
    assert!(total <= 5, "{total} tickets for one buyer with max_per_buyer 5");
    let orders = orders_of(&h, &event).await;
    assert_eq!(orders.iter().map(|o| int(o, "quantity")).sum::<i64>(), 5 + total);
    assert_eq!(h.available(&event, "Pista").await, 95 - total, "refused reservations took no stock");
    h.finish().await;
}
