//! The `admin-events` handler in-process, driven by real API Gateway HTTP API v2 events
//! against a real `App`.

use admin_events_fn::handle;
use bilheteria::domain::Role;
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, body_text, content_type, json_of};
use http::StatusCode;
use serde_json::{json, Value};

fn event_input() -> Value {
    json!({
        "name": "Show de Teste",
        "venue": "Arena Local",
        "starts_at": (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339(),
        "sectors": [
            {"name": "Pista", "price_cents": 20000, "capacity": 100},
            {"name": "VIP", "price_cents": 50000, "capacity": 10}
        ]
    })
}

#[tokio::test]
async fn an_admin_creates_lists_pauses_and_deletes_an_event() {
    let config = harness::fresh_config("fn_admin_events");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let (_, admin) = harness::user_with_role(&app, Role::Admin, "admin@example.com").await.expect("admin");

    let res = handle(
        &app,
        apigw_v2("POST", "/api/v1/admin/events", "/api/v1/admin/events", Some(&admin), Some(&event_input())),
    )
    .await
    .expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", body_text(&res));
    let event = json_of(&res);
    let id = event["id"].as_str().expect("an id").to_string();
    assert_eq!(event["sectors"].as_array().map(Vec::len), Some(2));

    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/events", "/api/v1/admin/events", Some(&admin), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(json_of(&res).as_array().expect("array").iter().any(|e| e["id"] == json!(id)));

    let path = format!("/api/v1/admin/events/{id}/status");
    let res = handle(
        &app,
        apigw_v2("PATCH", "/api/v1/admin/events/{id}/status", &path, Some(&admin), Some(&json!({"status": "paused"}))),
    )
    .await
    .expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert_eq!(json_of(&res)["status"], json!("paused"));

    let path = format!("/api/v1/admin/events/{id}");
    let res = handle(&app, apigw_v2("DELETE", "/api/v1/admin/events/{id}", &path, Some(&admin), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", body_text(&res));

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn a_buyer_is_403_no_token_401_and_a_bad_body_422() {
    let config = harness::fresh_config("fn_admin_events");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let (_, buyer) = harness::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let (_, admin) = harness::user_with_role(&app, Role::Admin, "admin@example.com").await.expect("admin");

    let res = handle(
        &app,
        apigw_v2("POST", "/api/v1/admin/events", "/api/v1/admin/events", Some(&buyer), Some(&event_input())),
    )
    .await
    .expect("handler");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/events", "/api/v1/admin/events", None, None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(content_type(&res).starts_with("application/problem+json"));

    let mut bad = event_input();
    bad["sectors"][0]["capacity"] = json!(-5);
    let res = handle(&app, apigw_v2("POST", "/api/v1/admin/events", "/api/v1/admin/events", Some(&admin), Some(&bad)))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", body_text(&res));

    harness::cleanup(&config).await;
}
