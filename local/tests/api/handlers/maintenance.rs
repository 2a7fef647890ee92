//! The `maintenance` handler in-process, fed the EventBridge scheduled event that invokes
//! it every minute, against a real `App` whose clock the test moves forward.

use bilheteria::domain::{OrderId, OrderStatus};
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{create_event, reserve_one};
use lambda_runtime::{Context, LambdaEvent};
use maintenance_fn::handle;
use serde_json::{json, Value};
use std::sync::Arc;

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
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/bilheteria-maintenance"],
        "detail": {}
    });
    LambdaEvent::new(event, Context::default())
}

#[tokio::test]
async fn a_due_hold_expires_and_its_seat_returns() {
    let config = harness::fresh_config("fn_expire");
    let mut app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let clock = Arc::new(harness::ShiftableClock::default());
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

    harness::cleanup(&config).await;
}
