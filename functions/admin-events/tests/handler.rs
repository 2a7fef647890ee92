//! The `admin-events` handler in-process, driven by real API Gateway HTTP API v2 events
//! against a real `App`.

use admin_events_fn::handle;
use bilheteria::domain::Role;
use bilheteria::testing;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

/// A real API Gateway HTTP API (payload format 2.0) event, as SAM's `HttpApi` trigger sends
/// it, parsed by `lambda_http` exactly as in Lambda.
fn apigw_v2(method: &str, route: &str, raw_path: &str, token: Option<&str>, body: Option<&Value>) -> Request {
    let mut headers = json!({
        "accept": "application/json",
        "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "user-agent": "handler-test/1.0",
        "x-amzn-trace-id": "Root=1-6749ad00-0a1b2c3d4e5f60718293a4b5",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    let body_text = body.map(Value::to_string);
    if let Some(text) = &body_text {
        headers["content-type"] = json!("application/json");
        headers["content-length"] = json!(text.len().to_string());
    }
    // Path parameters as API Gateway fills them from the route template.
    let mut path_parameters = serde_json::Map::new();
    for (want, got) in route.split('/').zip(raw_path.split('/')) {
        if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            path_parameters.insert(name.to_string(), json!(got));
        }
    }
    let route_key = format!("{method} {route}");
    let event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "handler-test/1.0"
            },
            "requestId": "Cq3TxjQWIAMEVHA=",
            "routeKey": route_key,
            "stage": "$default",
            "time": "29/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795953600000u64
        },
        "body": body_text,
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

fn body_text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Empty => String::new(),
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn json_of(response: &Response<Body>) -> Value {
    serde_json::from_str(&body_text(response)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", body_text(response)))
}

fn content_type(response: &Response<Body>) -> &str {
    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

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
    let config = testing::fresh_config("fn_admin_events");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let (_, admin) = testing::user_with_role(&app, Role::Admin, "admin@example.com").await.expect("admin");

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

    testing::cleanup(&config).await;
}

#[tokio::test]
async fn a_buyer_is_403_no_token_401_and_a_bad_body_422() {
    let config = testing::fresh_config("fn_admin_events");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let (_, buyer) = testing::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let (_, admin) = testing::user_with_role(&app, Role::Admin, "admin@example.com").await.expect("admin");

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

    testing::cleanup(&config).await;
}
