//! The outbox sweep. The orders collection is the outbox: a reserved order whose consumer
//! has not processed it (`processed_at` unset) after a grace period may never have reached
//! the broker (broker down, crash before the publish), so its message is published again.
//! A duplicate is harmless: the consumer recognises an order it already processed.

use crate::app::App;
use crate::domain::Message;
use crate::error::AppResult;
use chrono::Duration;

pub const SWEEP_BATCH: i64 = 500;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub republished: usize,
    pub failed: usize,
}

pub async fn sweep(app: &App, grace: Duration) -> AppResult<SweepReport> {
    let due = app
        .orders
        .unprocessed_before(app.clock.now() - grace, SWEEP_BATCH)
        .await?;
    let mut report = SweepReport::default();
    for order in due {
        match app
            .publisher
            .publish(&Message::order_reserved(order.id.clone(), order.created_at))
            .await
        {
            Ok(()) => report.republished += 1,
            Err(err) => {
                tracing::warn!(order_id = %order.id, error = %err, "outbox republish failed; next sweep retries");
                report.failed += 1;
                // The broker is likely down: stop hammering it this round.
                break;
            }
        }
    }
    if report.republished + report.failed > 0 {
        tracing::info!(
            republished = report.republished,
            failed = report.failed,
            "outbox sweep"
        );
    }
    Ok(report)
}
