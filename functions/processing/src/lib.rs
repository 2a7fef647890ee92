//! `processing`: takes batches of `order.*` messages from Amazon MQ for RabbitMQ and
//! does the slower work of each, idempotently.

use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use bilheteria::adapters::amazon_mq;
use bilheteria::services::processing;
use bilheteria::App;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub processed: usize,
    pub already_done: usize,
    pub dead_lettered: usize,
}

/// Each message has its own outcome. A message that can never succeed goes to the
/// dead-letter queue alone, with its reason, and the rest of its batch proceeds; a transient
/// failure fails the batch (Amazon MQ has no partial-batch responses), which is delivered
/// again, and what was already done is recognised and not redone.
pub async fn handle(app: &App, event: LambdaEvent<RabbitMqEvent>) -> Result<Outcome, Error> {
    let deliveries = amazon_mq::deliveries_of(&event.payload);
    let report = processing::process_batch(app, &deliveries).await;
    if let Some(err) = report.retry {
        tracing::error!(error = %err, "batch failed; the broker will deliver it again");
        return Err(err.into());
    }
    for (body, reason) in &report.poisoned {
        tracing::warn!(reason = %reason, "message dead-lettered");
        app.publisher.dead_letter(body, reason).await?;
    }
    let outcome = Outcome {
        processed: report.processed,
        already_done: report.already_done,
        dead_lettered: report.poisoned.len(),
    };
    tracing::info!(?outcome, "batch done");
    Ok(outcome)
}
