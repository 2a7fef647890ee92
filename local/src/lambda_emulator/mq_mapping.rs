//! An Amazon MQ (RabbitMQ) event-source mapping, as Lambda runs one: it reads one queue,
//! gathers up to `batch_size` messages within the batching window, hands the batch to the
//! function as one `RabbitMqEvent` invocation, and waits for it before the next (a mapping
//! runs one invocation at a time). An answered batch is acked; a failed one goes back to the
//! queue whole (no partial-batch responses for Amazon MQ).

use super::{Invocation, RuntimeApi};
use crate::consumer::event_of;
use bilheteria::adapters::rabbit;
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Mapping {
    pub queue: String,
    pub batch_size: usize,
    pub window: Duration,
}

/// What a mapping did, for the report.
#[derive(Default, Debug)]
pub struct MappingCounts {
    pub batches: AtomicU64,
    pub messages: AtomicU64,
    pub failed_batches: AtomicU64,
}

/// Runs the mapping until the task is aborted.
pub async fn run(
    amqp_url: String,
    mapping: Mapping,
    function: RuntimeApi,
    counts: Arc<MappingCounts>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = rabbit::connect(&amqp_url, "bilheteria-emulated-mapping").await?;
    let channel = connection.create_channel().await?;
    channel.basic_qos((mapping.batch_size * 2) as u16, BasicQosOptions::default()).await?;
    let mut deliveries = channel
        .basic_consume(
            mapping.queue.as_str().into(),
            "bilheteria-emulated-mapping".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    while let Some(first) = deliveries.next().await {
        let mut batch = vec![first?];
        let window = tokio::time::sleep(mapping.window);
        tokio::pin!(window);
        while batch.len() < mapping.batch_size {
            tokio::select! {
                next = deliveries.next() => match next {
                    Some(d) => batch.push(d?),
                    None => break,
                },
                _ = &mut window => break,
            }
        }
        let event = serde_json::to_vec(&event_of(&mapping.queue, &batch)?)?;
        let answered = matches!(function.invoke(event.into()).await, Ok(Invocation::Answered(_)));
        counts.batches.fetch_add(1, Ordering::Relaxed);
        if answered {
            counts.messages.fetch_add(batch.len() as u64, Ordering::Relaxed);
            for d in &batch {
                d.acker.ack(BasicAckOptions::default()).await?;
            }
        } else {
            counts.failed_batches.fetch_add(1, Ordering::Relaxed);
            for d in &batch {
                d.acker.nack(BasicNackOptions { requeue: true, multiple: false }).await?;
            }
        }
    }
    Ok(())
}
