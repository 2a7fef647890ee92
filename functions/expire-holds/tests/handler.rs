//! The `expire-holds` handler in-process, fed the EventBridge scheduled event that invokes
//! it every minute, against a real `App` whose clock the test moves forward.

use bilheteria::auth::Caller;
use bilheteria::domain::{OrderId, OrderStatus, Role};
use bilheteria::services::{admin, reservations};
use bilheteria::testing;
use expire_holds_fn::handle;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use std::sync::Arc;

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

/// Reserves one seat for a new buyer through the reservation service (what `orders` does).
async fn reserve_one(app: &bilheteria::App, event_id: &str) -> OrderId {
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

/// What EventBridge Scheduler / a `Schedule` event sends.
fn scheduled_event() -> LambdaEvent<Value> {
    let event = json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-29T12:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/bilheteria-expire-holds"],
        "detail": {}
    });
    LambdaEvent::new(event, Context::default())
}

#[tokio::test]
async fn a_due_hold_expires_and_its_seat_returns() {
    let config = testing::fresh_config("fn_expire");
    let mut app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let clock = Arc::new(testing::ShiftableClock::default());
    app.clock = clock.clone();
    let event_id = create_event(&app, 1).await;
    let order_id: OrderId = reserve_one(&app, &event_id).await;

    // Nothing is due yet.
    let report = handle(&app, scheduled_event()).await.expect("maintenance");
    assert_eq!(report.expired, 0);

    clock.advance(chrono::Duration::minutes(app.config.hold_minutes + 1));
    let report = handle(&app, scheduled_event()).await.expect("maintenance");
    assert_eq!(report.expired, 1, "{report:?}");
    let order = app.orders.find(&order_id).await.expect("read").expect("order");
    assert_eq!(order.status, OrderStatus::Expired);

    // The seat is back: another buyer can hold it.
    let _ = reserve_one(&app, &event_id).await;

    // A second run finds nothing more to do.
    let report = handle(&app, scheduled_event()).await.expect("maintenance");
    assert_eq!(report.expired, 0);

    testing::cleanup(&config).await;
}
