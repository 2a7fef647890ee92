//! The local stand-in for the EventBridge schedule: runs the `maintenance` function's
//! handler on a timer, with the same event shape a scheduled invocation gets.

use bilheteria::App;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use std::time::Duration;

pub async fn run(app: App, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let event = json!({
            "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Scheduled Event",
            "source": "aws.events", "time": chrono::Utc::now().to_rfc3339(), "detail": {},
        });
        if let Err(err) = maintenance_fn::handle(&app, LambdaEvent::new(event, Context::default())).await {
            tracing::warn!(error = %err, "scheduled maintenance failed; the next tick retries");
        }
    }
}

/// The waiting rooms' faster tick (`QUEUE_TICK_MS`, 1 s by default): in AWS the admission
/// moves with the `maintenance` schedule; locally a queue moves every second, as a buyer
/// watching the waiting page expects.
pub async fn run_queue_ticks(app: App, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(err) = bilheteria::services::queue::tick::tick_all(&app).await {
            tracing::warn!(error = %err.chain(), "the waiting rooms' tick failed; the next one retries");
        }
    }
}
