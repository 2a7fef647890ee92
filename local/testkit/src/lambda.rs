//! Helpers for the functions' handler tests: real API Gateway v2 events, response readers,
//! and an event and a reservation made through the services.

use crate::apigw::{ApiGwV2, RequestContext};
use crate::harness;
use bilheteria::domain::{OrderId, Role};
use bilheteria::services::{admin, orders};
use chrono::TimeZone;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

/// A real API Gateway HTTP API (payload format 2.0) event, as SAM's `HttpApi` trigger sends
/// it, parsed by `lambda_http` exactly as in Lambda.
pub fn apigw_v2(method: &str, route: &str, raw_path: &str, token: Option<&str>, body: Option<&Value>) -> Request {
    apigw_v2_with(method, route, raw_path, token, body, &[])
}

/// `apigw_v2` with more headers (a `cookie` one goes to the event's `cookies`, as API
/// Gateway puts it).
pub fn apigw_v2_with(
    method: &str,
    route: &str,
    raw_path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Request {
    let context = RequestContext {
        account_id: "123456789012".into(),
        api_id: "a1b2c3d4e5".into(),
        domain_name: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com".into(),
        domain_prefix: "a1b2c3d4e5".into(),
        source_ip: "203.0.113.10".into(),
        request_id: "Cq3TxjQWIAMEVHA=".into(),
        time: chrono::Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).single().expect("a valid time"),
    };
    // Path parameters as API Gateway fills them from the route template (`ApiGwV2::new`).
    let mut event = ApiGwV2::new(method, route, raw_path, context)
        .header("accept", "application/json")
        .header("host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com")
        .header("user-agent", "handler-test/1.0")
        .header("x-amzn-trace-id", "Root=1-6749ad00-0a1b2c3d4e5f60718293a4b5")
        .header("x-forwarded-for", "203.0.113.10")
        .header("x-forwarded-port", "443")
        .header("x-forwarded-proto", "https");
    if let Some(token) = token {
        event = event.header("authorization", &format!("Bearer {token}"));
    }
    for (name, value) in headers {
        event = event.header(name, value);
    }
    if let Some(body) = body {
        let text = body.to_string();
        event = event
            .header("content-type", "application/json")
            .header("content-length", &text.len().to_string())
            .body(text.as_bytes());
    }
    event.into_request().expect("a valid API Gateway v2 event")
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
pub async fn create_event(app: &bilheteria::App, capacity: i64) -> String {
    let (_, token) =
        harness::user_with_role(app, Role::Admin, &format!("{}@example.com", harness::unique_name("admin")))
            .await
            .expect("an admin");
    let admin_caller = app.guard.caller(&token).await.expect("the admin's token");
    let input = serde_json::from_value(json!({
        "name": "Noite de Teste",
        "venue": "Teatro Local",
        "starts_at": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
        "description": "Um evento de teste.",
        "sectors": [{"name": "Pista", "price_cents": 10000, "capacity": capacity}]
    }))
    .expect("an event input");
    let event = admin::create(app, &admin_caller, input).await.expect("created");
    serde_json::to_value(&event).expect("json")["id"].as_str().expect("an id").to_string()
}

/// Reserves one seat for a new buyer through the reservation service (what `orders` does).
pub async fn reserve_one(app: &bilheteria::App, event_id: &str) -> OrderId {
    let (_, token) =
        harness::user_with_role(app, Role::Buyer, &format!("{}@example.com", harness::unique_name("buyer")))
            .await
            .expect("a buyer");
    let buyer = app.guard.caller(&token).await.expect("the buyer's token");
    let request =
        serde_json::from_value(json!({"event_id": event_id, "sector": "Pista", "price_type": "full", "quantity": 1}))
            .expect("a reservation request");
    let (order, _) = orders::reserve(app, &buyer, request, None).await.expect("reserved");
    let id = serde_json::to_value(&order).expect("json")["id"].as_str().expect("id").to_string();
    OrderId::parse(&id).expect("an order id")
}
