//! The `dashboard` handler in-process, driven by real API Gateway HTTP API v2 events
//! against a real `App`.

use bilheteria::domain::Role;
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, body_text, content_type, create_event, json_of};
use dashboard_fn::handle;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_admin_sees_the_dashboard_the_inventory_and_the_csv() {
    let config = harness::fresh_config("fn_dashboard");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let id = create_event(&app, 30).await;
    let (_, admin) = harness::user_with_role(&app, Role::Admin, "boss@example.com").await.expect("admin");

    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/dashboard", "/api/v1/admin/dashboard", Some(&admin), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    let dashboard = json_of(&res);
    assert_eq!(dashboard["totals"]["tickets_available"], json!(30), "{dashboard}");
    assert!(dashboard["events"].as_array().expect("events").iter().any(|e| e["id"] == json!(id)));

    let path = format!("/api/v1/admin/events/{id}/inventory");
    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/events/{id}/inventory", &path, Some(&admin), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    let inventory = json_of(&res);
    assert_eq!(inventory["event_id"], json!(id));
    let available: i64 =
        inventory["buckets"].as_array().expect("buckets").iter().map(|b| b["available"].as_i64().unwrap_or(0)).sum();
    assert_eq!(available, 30);

    let path = format!("/api/v1/admin/events/{id}/orders.csv");
    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/events/{id}/orders.csv", &path, Some(&admin), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert!(content_type(&res).starts_with("text/csv"), "{}", content_type(&res));
    assert!(!body_text(&res).is_empty(), "at least the header line");

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn a_buyer_is_403_and_no_token_401() {
    let config = harness::fresh_config("fn_dashboard");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let (_, buyer) = harness::user_with_role(&app, Role::Buyer, "fan@example.com").await.expect("buyer");
    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/dashboard", "/api/v1/admin/dashboard", Some(&buyer), None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = handle(&app, apigw_v2("GET", "/api/v1/admin/dashboard", "/api/v1/admin/dashboard", None, None))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(content_type(&res).starts_with("application/problem+json"));
    harness::cleanup(&config).await;
}
