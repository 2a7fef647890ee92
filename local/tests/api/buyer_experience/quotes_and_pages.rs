//! What a buyer reads before and after buying: the quote, a cancelled event's page and its
//! refunded order (with date, venue and zone), and an admin's audit log by event.

use crate::helpers::Harness;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn event_in(h: &Harness, admin: &str, zone: Option<&str>) -> String {
    let mut body = json!({"name": "Noite em Manaus", "venue": "Teatro Amazonas", "starts_at": "2035-03-01T23:30:00Z",
                          "sectors": [{"name": "Plateia", "price_cents": 15_000, "capacity": 20}]});
    if let Some(zone) = zone {
        body["time_zone"] = zone.into();
    }
    let r = h.post("/api/v1/admin/events", Some(admin), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_quote_answers_the_price_now_or_why_not_and_bad_questions_are_422() {
    let harness = Harness::start().await;
    asks(&harness).await;
    harness.finish().await;
}

async fn asks(h: &Harness) {
    let event = h.event(&[("Pista", 10_000, 10), ("VIP", 30_000, 3)]).await;
    let quote = |q: &'static str| {
        let path = format!("/api/v1/events/{event}/quote?{q}");
        async move { h.get(&path, None).await }
    };
    let two_half = quote("sector=Pista&price_type=half&quantity=2").await;
    assert_eq!(two_half.status, StatusCode::OK, "{}", two_half.body);
    assert_eq!(
        (two_half.body["unit_price_cents"].as_i64(), two_half.body["total_cents"].as_i64()),
        (Some(5_000), Some(10_000))
    );
    let too_many = quote("sector=VIP&quantity=4").await;
    assert_eq!(
        (too_many.body["available"].as_bool(), too_many.body["code"].as_str()),
        (Some(false), Some("fewer_left"))
    );
    assert_eq!(quote("sector=Camarote").await.status, StatusCode::NOT_FOUND);
    assert_eq!(quote("sector=Pista&quantity=zero").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(quote("sector=Pista&price_type=free").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(quote("quantity=1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    h.set_status(&event, "paused").await;
    assert_eq!(quote("sector=Pista").await.body["code"], "sales_paused");
}

#[tokio::test]
async fn a_cancelled_events_page_and_its_refunded_order_say_so_with_date_venue_and_zone() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = event_in(&h, &admin, Some("America/Manaus")).await;
    let buyer = h.buyer().await;
    let order = h.reserve(&buyer, &event, "Plateia", "full", 2).await;
    let order = order.body["id"].as_str().expect("order").to_string();
    assert_eq!(
        h.post(&format!("/api/v1/orders/{order}/pay"), Some(&buyer), json!({"method": "pix"})).await.status,
        StatusCode::ACCEPTED
    );
    h.settle_payment(&order).await;
    let view = h.order(&buyer, &order).await;
    assert_eq!(
        (view["event_venue"].as_str(), view["event_time_zone"].as_str(), view["event_starts_at"].as_str()),
        (Some("Teatro Amazonas"), Some("America/Manaus"), Some("2035-03-01T23:30:00Z"))
    );
    let tickets = h.get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer)).await;
    assert_eq!(tickets.body[0]["event_venue"], "Teatro Amazonas", "{}", tickets.body);

    let mut cancelled =
        h.call(Method::POST, &format!("/api/v1/admin/events/{event}/cancel"), Some(&admin), Some(json!({}))).await;
    for _ in 0..50 {
        if cancelled.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        cancelled =
            h.call(Method::POST, &format!("/api/v1/admin/events/{event}/cancel"), Some(&admin), Some(json!({}))).await;
    }
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let page = h.get(&format!("/api/v1/events/{event}"), None).await;
    assert_eq!(
        (page.status, page.body["status"].as_str(), page.body["sales_open"].as_bool()),
        (StatusCode::OK, Some("cancelled"), Some(false))
    );
    let quote = h.get(&format!("/api/v1/events/{event}/quote?sector=Plateia"), None).await;
    assert_eq!(quote.body["code"], "event_cancelled", "{}", quote.body);
    let refunded = h.order(&buyer, &order).await;
    assert_eq!((refunded["status"].as_str(), refunded["event_status"].as_str()), (Some("refunded"), Some("cancelled")));
    assert_eq!(refunded["event_venue"], "Teatro Amazonas", "a refunded order keeps its date and venue");
    // The catalogue lists only what is on sale.
    let listed = h.get("/api/v1/events", None).await;
    assert!(!listed.body.as_array().expect("list").iter().any(|e| e["id"] == event.as_str()));
    h.finish().await;
}

#[tokio::test]
async fn an_event_is_shown_in_its_own_time_zone_and_a_made_up_zone_is_422() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let default = event_in(&h, &admin, None).await;
    assert_eq!(h.get(&format!("/api/v1/events/{default}"), None).await.body["time_zone"], "America/Sao_Paulo");
    let body = json!({"name": "X", "venue": "Y", "starts_at": "2035-03-01T23:30:00Z", "time_zone": "Brasilia",
                      "sectors": [{"name": "Pista", "price_cents": 100, "capacity": 1}]});
    let refused = h.post("/api/v1/admin/events", Some(&admin), body).await;
    assert_eq!(
        (refused.status, refused.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_time_zone"))
    );
    h.finish().await;
}

#[tokio::test]
async fn the_audit_log_filters_by_event_and_by_action() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let one = event_in(&h, &admin, None).await;
    let other = event_in(&h, &admin, None).await;
    h.set_status(&one, "paused").await;
    let of_one = h.get(&format!("/api/v1/admin/audit?event={one}"), Some(&admin)).await;
    let actions: Vec<&str> =
        of_one.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"event.create") && actions.iter().any(|a| a.contains("pause") || a.contains("status")),
        "{actions:?}"
    );
    assert!(of_one.body.as_array().expect("entries").iter().all(|e| e["target"] == one.as_str()), "{}", of_one.body);
    let creates = h.get("/api/v1/admin/audit?action=event.create", Some(&admin)).await;
    let targets: Vec<&str> =
        creates.body.as_array().expect("entries").iter().filter_map(|e| e["target"].as_str()).collect();
    assert!(targets.contains(&one.as_str()) && targets.contains(&other.as_str()) && targets.len() == 2, "{targets:?}");
    assert_eq!(h.get("/api/v1/admin/audit?event=nope", Some(&admin)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.get("/api/v1/admin/audit?action=DROP%20TABLE", Some(&admin)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    h.finish().await;
}
