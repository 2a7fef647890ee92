//! Reserving tickets, through the local router on the real server and broker.

use crate::helpers::Harness;
use bilheteria::domain::{EventId, OrderId};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_reservation_takes_the_stock_and_answers_with_the_order() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 25_001, 10)]).await;
    let buyer = h.buyer().await;
    let r = h.reserve(&buyer, &event, "Pista", "half", 2).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "reserved");
    assert_eq!(r.body["event_id"], event.as_str());
    assert_eq!(r.body["sector"], "Pista");
    assert_eq!(r.body["price_type"], "half");
    assert_eq!(r.body["quantity"], 2);
    assert_eq!(r.body["unit_price_cents"], 12_501, "half of 250,01 rounded to the cent");
    assert_eq!(r.body["total_cents"], 25_002);
    let created = chrono::DateTime::parse_from_rfc3339(r.body["created_at"].as_str().expect("created")).expect("date");
    let expires = chrono::DateTime::parse_from_rfc3339(r.body["expires_at"].as_str().expect("expires")).expect("date");
    assert_eq!((expires - created).num_minutes(), 10, "the hold lasts HOLD_MINUTES");
    assert_eq!(h.available(&event, "Pista").await, 8);
    h.finish().await;
}

#[tokio::test]
async fn reserving_more_than_is_left_is_409_and_takes_nothing() {
    let h = Harness::start().await;
    let event = h.event(&[("VIP", 50_000, 3)]).await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "VIP", "full", 2).await.status, StatusCode::CREATED);
    let too_many = h.reserve(&buyer, &event, "VIP", "full", 2).await;
    assert_eq!(too_many.status, StatusCode::CONFLICT);
    assert!(too_many.body["detail"].as_str().expect("detail").contains("only 1"), "{}", too_many.body);
    assert_eq!(h.reserve(&buyer, &event, "VIP", "full", 1).await.status, StatusCode::CREATED);
    let sold_out = h.reserve(&buyer, &event, "VIP", "full", 1).await;
    assert_eq!(sold_out.status, StatusCode::CONFLICT);
    assert!(sold_out.body["detail"].as_str().expect("detail").contains("sold out"));
    assert_eq!(h.available(&event, "VIP").await, 0);
    h.finish().await;
}

#[tokio::test]
async fn reserving_the_last_ticket_twice_sells_it_once() {
    let h = Harness::start().await;
    let event = h.event(&[("Camarote", 90_000, 1)]).await;
    let (a, b) = (h.buyer().await, h.buyer().await);
    let (ra, rb) =
        tokio::join!(h.reserve(&a, &event, "Camarote", "full", 1), h.reserve(&b, &event, "Camarote", "full", 1));
    let mut statuses = vec![ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(h.available(&event, "Camarote").await, 0);
    h.finish().await;
}

#[tokio::test]
async fn a_paused_event_refuses_reservations_with_409() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    h.set_status(&event, "paused").await;
    let buyer = h.buyer().await;
    let r = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body["detail"].as_str().expect("detail").contains("paused"));
    assert_eq!(h.available(&event, "Pista").await, 10);
    h.finish().await;
}

#[tokio::test]
async fn an_unknown_event_or_sector_is_404_and_a_deleted_event_too() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "Backstage", "full", 1).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.reserve(&buyer, &EventId::generate().to_string(), "Pista", "full", 1).await.status,
        StatusCode::NOT_FOUND
    );
    h.delete_event(&event).await;
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test]
async fn a_quantity_outside_one_to_six_or_a_bad_body_is_422_and_takes_nothing() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let buyer = h.buyer().await;
    for q in [0, -1, 7, 1_000_000] {
        assert_eq!(
            h.reserve(&buyer, &event, "Pista", "full", q).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "quantity {q}"
        );
    }
    assert_eq!(h.reserve(&buyer, &event, "Pista", "student", 1).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h.reserve(&buyer, "not-an-id", "Pista", "full", 1).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let extra = h
        .post(
            "/api/v1/orders",
            Some(&buyer),
            json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1, "unit_price_cents": 1}),
        )
        .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY, "a client cannot set its own price");
    assert_eq!(h.available(&event, "Pista").await, 100);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 6).await.status, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test]
async fn reserving_without_a_token_is_401() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let r = h
        .post(
            "/api/v1/orders",
            None,
            json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.available(&event, "Pista").await, 10);
    h.finish().await;
}

#[tokio::test]
async fn a_retried_reservation_with_the_same_idempotency_key_returns_the_first_order_and_reserves_nothing_more() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 2});
    let key = [("Idempotency-Key", "retry-7f3a")];
    let first = h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(body.clone()), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let (second, third) = tokio::join!(
        h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(body.clone()), &key),
        h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(body.clone()), &key),
    );
    for again in [&second, &third] {
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body, first.body, "the first response, byte for byte");
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }
    assert_eq!(h.available(&event, "Pista").await, 8);
    assert_eq!(h.get("/api/v1/orders", Some(&buyer)).await.body.as_array().expect("orders").len(), 1);

    let different = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 3});
    let misuse = h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(different), &key).await;
    assert_eq!(misuse.status, StatusCode::UNPROCESSABLE_ENTITY);

    let other_buyer = h.buyer().await;
    let theirs = h.call_with(Method::POST, "/api/v1/orders", Some(&other_buyer), Some(body), &key).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "keys are per buyer");
    assert_ne!(theirs.body["id"], first.body["id"]);
    h.finish().await;
}

#[tokio::test]
async fn a_failed_reservation_frees_its_idempotency_key_for_a_retry() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    h.set_status(&event, "paused").await;
    let buyer = h.buyer().await;
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1});
    let key = [("Idempotency-Key", "after-pause")];
    let paused = h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(body.clone()), &key).await;
    assert_eq!(paused.status, StatusCode::CONFLICT);
    h.set_status(&event, "active").await;
    let retried = h.call_with(Method::POST, "/api/v1/orders", Some(&buyer), Some(body), &key).await;
    assert_eq!(retried.status, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test]
async fn a_buyer_sees_only_their_own_orders_newest_first() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let (ana, bia) = (h.buyer().await, h.buyer().await);
    let first = h.reserve(&ana, &event, "Pista", "full", 1).await.body;
    let second = h.reserve(&ana, &event, "Pista", "half", 1).await.body;
    let bias = h.reserve(&bia, &event, "Pista", "full", 1).await.body;

    let mine = h.get("/api/v1/orders", Some(&ana)).await;
    let ids: Vec<&serde_json::Value> = mine.body.as_array().expect("orders").iter().map(|o| &o["id"]).collect();
    assert_eq!(ids, vec![&second["id"], &first["id"]]);

    let own = h.get(&format!("/api/v1/orders/{}", first["id"].as_str().expect("id")), Some(&ana)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["id"], first["id"]);
    let someone_elses = h.get(&format!("/api/v1/orders/{}", bias["id"].as_str().expect("id")), Some(&ana)).await;
    assert_eq!(someone_elses.status, StatusCode::NOT_FOUND, "another buyer's order does not exist for you");
    assert_eq!(
        h.get(&format!("/api/v1/orders/{}", OrderId::generate()), Some(&ana)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.get("/api/v1/orders/garbage", Some(&ana)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/api/v1/orders", None).await.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}

#[tokio::test]
async fn an_unknown_route_is_404_and_a_wrong_method_405_as_problems() {
    let h = Harness::start().await;
    let r = h.get("/api/v1/nothing-here", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(h.call(Method::DELETE, "/api/v1/events", None, None).await.status, StatusCode::METHOD_NOT_ALLOWED);
    h.finish().await;
}
