//! `maintenance`: the scheduled maintenance (EventBridge, every minute): expires due holds
//! and returns their stock, publishes what the outbox holds, rolls ended lots over, and
//! reconciles the stock with the orders.

use bilheteria::services::maintenance::{self, MaintenanceReport};
use bilheteria::App;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::Value;

/// The scheduled event's payload is not used: every run does all the work that is due.
pub async fn handle(app: &App, _event: LambdaEvent<Value>) -> Result<MaintenanceReport, Error> {
    Ok(maintenance::run(app).await?)
}
