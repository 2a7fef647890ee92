//! Helpers for the functions' handler tests: real API Gateway v2 events, response readers,
//! and an event and a reservation made through the services.

use crate::auth::Caller;
use crate::domain::{OrderId, Role};
use crate::services::{admin, reservations};
use crate::testing;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

/// A real API Gateway HTTP API (payload format 2.0) event, as SAM's `HttpApi` trigger sends
/// it, parsed by `lambda_http` exactly as in Lambda.
pub fn apigw_v2(method: &str, route: &str, raw_path: &str, token: Option<&str>, body: Option<&Value>) -> Request {
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

pub fn body_text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Empty => String::new(),
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

pub fn json_of(response: &Response<Body>) -> Value {
    serde_json::from_str(&body_text(response)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", body_text(response)))
}

pub fn content_type(response: &Response<Body>) -> &str {
    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Creates an event through the admin service (what `admin-events` does), with one sector
/// "Pista" of `capacity` seats at R$ 100,00.
pub async fn create_event(app: &crate::App, capacity: i64) -> String {
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

/// Reserves one seat for a new buyer through the reservation service (what `orders` does).
pub async fn reserve_one(app: &crate::App, event_id: &str) -> OrderId {
    let (buyer_id, _) =
        testing::user_with_role(app, Role::Buyer, &format!("{}@example.com", testing::unique_name("buyer")))
            .await
            .expect("a buyer");
    let request =
        serde_json::from_value(json!({"event_id": event_id, "sector": "Pista", "price_type": "full", "quantity": 1}))
            .expect("a reservation request");
    let (order, _) = reservations::reserve(app, &Caller { user_id: buyer_id, role: Role::Buyer }, request, None)
        .await
        .expect("reserved");
    let id = serde_json::to_value(&order).expect("json")["id"].as_str().expect("id").to_string();
    OrderId::parse(&id).expect("an order id")
}
