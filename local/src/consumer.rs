//! The local consumer loops: what Lambda's Amazon MQ event-source mappings do in production,
//! one per lane (`Config::order_queues`). Each reads its queue with `lapin`, one batch at a
//! time as a mapping does, gathers deliveries into batches, wraps each batch
//! in the same `RabbitMqEvent` Lambda would send, and calls the consumer function's handler.
//! A batch the handler accepts is acked; a failed batch is nacked back to the queue, whose
//! delivery limit dead-letters a message that keeps failing.

use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use bilheteria::adapters::rabbit;
use bilheteria::App;
use bilheteria_testkit::amazon_mq;
use futures::StreamExt;
use lambda_runtime::{Context, LambdaEvent};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use std::time::Duration;

pub const BATCH_SIZE: usize = 25;
/// How long a batch waits for more deliveries once it has one (Lambda's batching window).
pub const BATCH_WINDOW: Duration = Duration::from_millis(20);

/// Runs one loop per lane, forever: a lane whose task ends (a panic) is started again, as
/// Lambda keeps a mapping polling. Stopping this stops them all (the set aborts its tasks
/// when dropped).
pub async fn run(app: App) {
    let mut lanes = tokio::task::JoinSet::new();
    let mut queues = std::collections::HashMap::new();
    for queue in app.config.order_queues() {
        queues.insert(lanes.spawn(run_lane(app.clone(), queue.clone())).id(), queue);
    }
    while let Some(ended) = lanes.join_next_with_id().await {
        let id = match &ended {
            Ok((id, ())) => *id,
            Err(err) => err.id(),
        };
        if let Some(queue) = queues.remove(&id) {
            tracing::error!(queue = %queue, "a consumer lane stopped; starting it again");
            tokio::time::sleep(Duration::from_millis(200)).await;
            queues.insert(lanes.spawn(run_lane(app.clone(), queue.clone())).id(), queue);
        }
    }
}

/// One lane, forever, reconnecting with a backoff when the broker goes away.
async fn run_lane(app: App, queue: String) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match consume(&app, &queue).await {
            Ok(()) => backoff = Duration::from_millis(200),
            Err(err) => tracing::warn!(queue = %queue, error = %err, "consumer disconnected; reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn consume(app: &App, queue: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = rabbit::connect(&app.config.amqp_url, "bilheteria-local-consumer").await?;
    let channel = connection.create_channel().await?;
    rabbit::declare_topology(&channel, &app.config).await?;
    channel.basic_qos((BATCH_SIZE * 2) as u16, BasicQosOptions::default()).await?;
    let mut deliveries = channel
        .basic_consume(queue.into(), "bilheteria-local".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await?;
    tracing::info!(queue = %queue, "consumer loop reading");
    while let Some(first) = deliveries.next().await {
        let mut batch = vec![first?];
        let window = tokio::time::sleep(BATCH_WINDOW);
        tokio::pin!(window);
        while batch.len() < BATCH_SIZE {
            tokio::select! {
                next = deliveries.next() => match next {
                    Some(d) => batch.push(d?),
                    None => break,
                },
                _ = &mut window => break,
            }
        }
        handle_batch(app, queue, &batch).await?;
    }
    Ok(())
}

pub fn event_of(queue: &str, batch: &[Delivery]) -> Result<RabbitMqEvent, bilheteria::AppError> {
    let raw: Vec<amazon_mq::RawDelivery<'_>> = batch
        .iter()
        .map(|d| amazon_mq::RawDelivery {
            body: &d.data,
            redelivered: d.redelivered,
            message_id: d.properties.message_id().as_ref().map(|s| s.as_str()),
            kind: d.properties.kind().as_ref().map(|s| s.as_str()),
        })
        .collect();
    amazon_mq::event_for(queue, "/", &raw)
}

async fn handle_batch(app: &App, queue: &str, batch: &[Delivery]) -> Result<(), lapin::Error> {
    let outcome = match event_of(queue, batch) {
        Ok(event) => processing_fn::handle(app, LambdaEvent::new(event, Context::default())).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(()) => {
            for d in batch {
                d.acker.ack(BasicAckOptions::default()).await?;
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, size = batch.len(), "batch failed; returned to the queue");
            for d in batch {
                d.acker.nack(BasicNackOptions { requeue: true, multiple: false }).await?;
            }
        }
    }
    Ok(())
}
