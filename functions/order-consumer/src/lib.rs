//! `order-consumer`: takes batches of `order.*` messages from Amazon MQ for RabbitMQ and
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
}

/// Fails the whole batch on the first failure: Amazon MQ redelivers it (there are no
/// partial-batch responses), and what was already done is recognised and not redone.
pub async fn handle(app: &App, event: LambdaEvent<RabbitMqEvent>) -> Result<Outcome, Error> {
    let messages = amazon_mq::messages_of(&event.payload)?;
    let report = processing::process_batch(app, &messages).await.map_err(|err| {
        tracing::error!(error = %err, "batch failed; the broker will redeliver it");
        err
    })?;
    tracing::info!(processed = report.processed, already_done = report.already_done, "batch done");
    Ok(Outcome { processed: report.processed, already_done: report.already_done })
}
