//! The public catalogue and creating events, through the local router.

use crate::helpers::Harness;
use bilheteria::domain::EventId;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn listing_shows_active_and_paused_events_with_live_availability_but_never_deleted_ones() {
    let h = Harness::start().await;
    let active = h.event(&[("Pista", 10_000, 50), ("VIP", 30_001, 5)]).await;
    let paused = h.event(&[("Pista", 10_000, 5)]).await;
    let deleted = h.event(&[("Pista", 10_000, 5)]).await;
    h.set_status(&paused, "paused").await;
    h.delete_event(&deleted).await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &active, "Pista", "full", 3).await.status, StatusCode::CREATED);

    let list = h.get("/api/v1/events", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<&str> = list.body.as_array().expect("array").iter().filter_map(|e| e["id"].as_str()).collect();
    assert!(ids.contains(&active.as_str()) && ids.contains(&paused.as_str()));
    assert!(!ids.contains(&deleted.as_str()));

    let one = h.get(&format!("/api/v1/events/{active}"), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["status"], "active");
    assert_eq!(one.body["sectors"][0]["available"], 47);
    assert_eq!(one.body["sectors"][0]["capacity"], 50);
    assert_eq!(one.body["sectors"][1]["half_price_cents"], 15_001);
    assert_eq!(h.get(&format!("/api/v1/events/{paused}"), None).await.body["status"], "paused");
    assert_eq!(h.get(&format!("/api/v1/events/{deleted}"), None).await.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test]
async fn an_unknown_or_malformed_event_id_is_404() {
    let h = Harness::start().await;
    assert_eq!(h.get(&format!("/api/v1/events/{}", EventId::generate()), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/api/v1/events/not-an-id", None).await.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test]
async fn only_admins_create_events() {
    let h = Harness::start().await;
    let body = json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "sectors": [{"name": "Pista", "price_cents": 100, "capacity": 10}]});
    assert_eq!(h.post("/api/v1/admin/events", None, body.clone()).await.status, StatusCode::UNAUTHORIZED);
    let buyer = h.buyer().await;
    assert_eq!(h.post("/api/v1/admin/events", Some(&buyer), body.clone()).await.status, StatusCode::FORBIDDEN);
    let admin = h.admin().await;
    let created = h.post("/api/v1/admin/events", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["sectors"][0]["available"], 10);
    h.finish().await;
}

#[tokio::test]
async fn an_invalid_event_is_422_and_nothing_is_created() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for bad in [
        json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "sectors": []}),
        json!({"name": "X", "venue": "Y", "starts_at": "not a date", "sectors": [{"name": "P", "price_cents": 1, "capacity": 1}]}),
        json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "sectors": [{"name": "P", "price_cents": -5, "capacity": 1}]}),
        json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "sectors": [{"name": "P", "price_cents": 1, "capacity": 0}]}),
        json!({"name": " ", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z", "sectors": [{"name": "P", "price_cents": 1, "capacity": 1}]}),
    ] {
        let r = h.post("/api/v1/admin/events", Some(&admin), bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {}", r.body);
    }
    assert_eq!(h.get("/api/v1/events", None).await.body, json!([]));
    h.finish().await;
}
