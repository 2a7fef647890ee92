//! The `orders` handler in-process, driven by real API Gateway HTTP API v2 events (the
//! shipped `fixtures/apigw-v2/reserve-order.json` among them) against a real `App`.

use bilheteria::domain::Role;
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, body_text, content_type, create_event, json_of};
use http::StatusCode;
use lambda_http::Request;
use orders_fn::handle;
use serde_json::json;

/// The shipped fixture with the buyer's token and the event's id put in.
fn reserve_fixture(token: &str, event_id: &str, idempotency_key: &str) -> Request {
    let fixture = include_str!("../../../../fixtures/apigw-v2/reserve-order.json")
        .replace("REPLACE_WITH_TOKEN", token)
        .replace("REPLACE_WITH_EVENT_ID", event_id)
        .replace("fixture-reserve-0001", idempotency_key);
    lambda_http::request::from_str(&fixture).expect("the fixture is a valid v2 event")
}

#[tokio::test]
async fn reserve_replay_read_pay_and_tickets() {
    let config = harness::fresh_config("fn_orders");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 20).await;
    let (_, buyer) = harness::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let key = harness::unique_name("key");

    let res = handle(&app, reserve_fixture(&buyer, &event_id, &key)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", body_text(&res));
    let order = json_of(&res);
    assert_eq!(order["status"], json!("reserved"));
    assert_eq!(order["quantity"], json!(1));
    assert_eq!(order["total_cents"], json!(10000));
    let id = order["id"].as_str().expect("an id").to_string();

    // The same Idempotency-Key: the same order, marked as a replay, nothing more reserved.
    let res = handle(&app, reserve_fixture(&buyer, &event_id, &key)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(json_of(&res)["id"], json!(id));

    let res =
        handle(&app, apigw_v2("GET", "/api/v1/orders", "/api/v1/orders", Some(&buyer), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json_of(&res).as_array().map(Vec::len), Some(1));

    let path = format!("/api/v1/orders/{id}");
    let res = handle(&app, apigw_v2("GET", "/api/v1/orders/{id}", &path, Some(&buyer), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));

    let path = format!("/api/v1/orders/{id}/pay");
    let res =
        handle(&app, apigw_v2("POST", "/api/v1/orders/{id}/pay", &path, Some(&buyer), Some(&json!({"method": "pix"}))))
            .await
            .expect("handler");
    assert_eq!(res.status(), StatusCode::ACCEPTED, "{}", body_text(&res));
    assert_eq!(json_of(&res)["status"], json!("payment_pending"));

    let path = format!("/api/v1/orders/{id}/tickets");
    let res =
        handle(&app, apigw_v2("GET", "/api/v1/orders/{id}/tickets", &path, Some(&buyer), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert!(json_of(&res).is_array());

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn cancel_frees_the_stock_and_strangers_see_404() {
    let config = harness::fresh_config("fn_orders");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 1).await;
    let (_, buyer) = harness::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let (_, other) = harness::user_with_role(&app, Role::Buyer, "other@example.com").await.expect("buyer");

    let res = handle(&app, reserve_fixture(&buyer, &event_id, "k-cancel-1")).await.expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", body_text(&res));
    let id = json_of(&res)["id"].as_str().expect("id").to_string();

    // The only seat is held: another buyer gets a 409.
    let res = handle(&app, reserve_fixture(&other, &event_id, "k-cancel-2")).await.expect("handler");
    assert_eq!(res.status(), StatusCode::CONFLICT, "{}", body_text(&res));

    let path = format!("/api/v1/orders/{id}");
    let res = handle(&app, apigw_v2("GET", "/api/v1/orders/{id}", &path, Some(&other), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "another buyer's order is not found");

    let path = format!("/api/v1/orders/{id}/cancel");
    let res =
        handle(&app, apigw_v2("POST", "/api/v1/orders/{id}/cancel", &path, Some(&buyer), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert_eq!(json_of(&res)["status"], json!("cancelled"));

    // The seat is back on sale.
    let res = handle(&app, reserve_fixture(&other, &event_id, "k-cancel-3")).await.expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", body_text(&res));

    // No token at all: 401.
    let res = handle(&app, apigw_v2("GET", "/api/v1/orders", "/api/v1/orders", None, None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(content_type(&res).starts_with("application/problem+json"), "{}", content_type(&res));

    harness::cleanup(&config).await;
}
