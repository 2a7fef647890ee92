//! The `orders` handler in-process, driven by real API Gateway HTTP API v2 events (the
//! shipped `fixtures/apigw-v2/reserve-order.json` among them) against a real `App`.

use bilheteria::auth::Caller;
use bilheteria::domain::Role;
use bilheteria::services::admin;
use bilheteria::testing;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use orders_fn::handle;
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

/// Creates an event through the admin service (what `admin-events` does), with one sector
/// "Pista" of `capacity` seats at R$ 100,00.
async fn create_event(app: &bilheteria::App, capacity: i64) -> String {
    let (admin_id, _) =
        testing::user_with_role(app, Role::Admin, &format!("{}@example.com", testing::unique_name("admin")))
            .await
            .expect("an admin");
    let input = serde_json::from_value(json!({
        "name": "Noite de Teste",
        "venue": "Teatro Local",
        "starts_at": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
        "description": "Um evento de teste.",
        "sectors": [{"name": "Pista", "price_cents": 10000, "capacity": capacity}]
    }))
    .expect("an event input");
    let event = admin::create(app, &Caller { user_id: admin_id, role: Role::Admin }, input).await.expect("created");
    serde_json::to_value(&event).expect("json")["id"].as_str().expect("an id").to_string()
}

/// The shipped fixture with the buyer's token and the event's id put in.
fn reserve_fixture(token: &str, event_id: &str, idempotency_key: &str) -> Request {
    let fixture = include_str!("../../../fixtures/apigw-v2/reserve-order.json")
        .replace("REPLACE_WITH_TOKEN", token)
        .replace("REPLACE_WITH_EVENT_ID", event_id)
        .replace("fixture-reserve-0001", idempotency_key);
    lambda_http::request::from_str(&fixture).expect("the fixture is a valid v2 event")
}

#[tokio::test]
async fn reserve_replay_read_pay_and_tickets() {
    let config = testing::fresh_config("fn_orders");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 20).await;
    let (_, buyer) = testing::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let key = testing::unique_name("key");

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

    testing::cleanup(&config).await;
}

#[tokio::test]
async fn cancel_frees_the_stock_and_strangers_see_404() {
    let config = testing::fresh_config("fn_orders");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 1).await;
    let (_, buyer) = testing::user_with_role(&app, Role::Buyer, "buyer@example.com").await.expect("buyer");
    let (_, other) = testing::user_with_role(&app, Role::Buyer, "other@example.com").await.expect("buyer");

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

    testing::cleanup(&config).await;
}
