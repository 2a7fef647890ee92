//! RabbitMQ (Amazon MQ in production) with `lapin`: the publisher adapter and the queue
//! topology shared by the publisher, the local consumer loop and the operators' docs.
//!
//! Topology: the messages are spread over `ORDER_LANES` durable quorum queues (`<orders>`
//! when there is one lane, `<orders>.0` … `<orders>.<N-1>` otherwise; `Config::order_queues`),
//! by a hash of the order id, so every message of one order goes through one lane, in order.
//! Lanes exist because an Amazon MQ event-source mapping runs one invocation at a time: each
//! lane has its own mapping (docs/capacity.md). Every lane dead-letters to the one
//! `<orders>.dead` after `DELIVERY_LIMIT` failed deliveries, so a poison message stops being
//! retried and waits, visible, for an operator.

use crate::config::Config;
use crate::domain::Message;
use crate::error::{AppError, AppResult};
use crate::ports::Publisher;
use async_trait::async_trait;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use std::time::Duration;
use tokio::sync::Mutex;

/// How many times a message is delivered before it is dead-lettered.
pub const DELIVERY_LIMIT: i64 = 5;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);
/// AMQP delivery mode 2: the broker writes the message to disk.
const PERSISTENT: u8 = 2;
/// The header a dead-lettered message carries with the reason it can never succeed.
pub const REASON_HEADER: &str = "x-bilheteria-reason";

fn broker_error(context: &str) -> impl Fn(lapin::Error) -> AppError + '_ {
    move |e| AppError::Unavailable(format!("{context}: {e}"))
}

pub async fn connect(amqp_url: &str, name: &str) -> AppResult<Connection> {
    let properties = ConnectionProperties::default().with_connection_name(LongString::from(name.to_string()));
    tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(amqp_url, properties))
        .await
        .map_err(|_| AppError::Unavailable("connecting to RabbitMQ timed out".into()))?
        .map_err(broker_error("connecting to RabbitMQ"))
}

/// The lane an order's messages go through: FNV-1a of its id, so that every process (the
/// reservation, the outbox, the webhook) picks the same one without asking anybody.
pub fn lane_of(order_id: &str, lanes: u16) -> u16 {
    let hash =
        order_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % u64::from(lanes.max(1))) as u16
}

fn quorum_queue_args() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(ShortString::from("x-queue-type"), AMQPValue::LongString(LongString::from("quorum")));
    args
}

/// Declares one work queue that dead-letters to `dead` (idempotent; durable quorum queues).
pub async fn declare_work_queue(channel: &Channel, queue: &str, dead: &str) -> AppResult<()> {
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    let mut args = quorum_queue_args();
    args.insert(ShortString::from("x-delivery-limit"), AMQPValue::LongLongInt(DELIVERY_LIMIT));
    args.insert(ShortString::from("x-dead-letter-exchange"), AMQPValue::LongString(LongString::from("")));
    args.insert(ShortString::from("x-dead-letter-routing-key"), AMQPValue::LongString(LongString::from(dead)));
    channel
        .queue_declare(ShortString::from(queue), durable, args)
        .await
        .map_err(broker_error("declaring a work queue"))?;
    Ok(())
}

/// Declares the dead-letter queue and every lane's work queue (idempotent).
pub async fn declare_topology(channel: &Channel, config: &Config) -> AppResult<()> {
    let dead = config.dead_letter_queue();
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    channel
        .queue_declare(ShortString::from(dead.as_str()), durable, quorum_queue_args())
        .await
        .map_err(broker_error("declaring the dead-letter queue"))?;
    for queue in config.order_queues() {
        declare_work_queue(channel, &queue, &dead).await?;
    }
    Ok(())
}

/// Declares the queues over a connection of its own, before any publisher or consumer starts:
/// what an operator does before the first deploy (docs/deploy.md), and what the local runner,
/// the tests and the bench do at start. RabbitMQ 3.10 refuses about one publish in five made
/// while two connections create the same new quorum queue at once (measured: 21–23 of 100,
/// 0 of 100 once the queue exists), so the queue is created before they can race to.
pub async fn ensure_topology(config: &Config) -> AppResult<()> {
    let connection = connect(&config.amqp_url, "bilheteria-setup").await?;
    let channel = connection.create_channel().await.map_err(broker_error("opening a channel"))?;
    declare_topology(&channel, config).await?;
    let _ = connection.close(0, ShortString::from("declared")).await;
    Ok(())
}

struct Link {
    // Kept so the connection lives as long as its channel.
    _connection: Connection,
    channel: Channel,
}

/// Publishes with confirms over one connection per process, opened on the first publish and
/// reopened after a failure (a broker restart, a network blip).
pub struct RabbitPublisher {
    config: Config,
    link: Mutex<Option<Link>>,
}

impl RabbitPublisher {
    pub fn new(config: &Config) -> Self {
        RabbitPublisher { config: config.clone(), link: Mutex::new(None) }
    }

    async fn channel(&self) -> AppResult<Channel> {
        let mut link = self.link.lock().await;
        if let Some(l) = link.as_ref() {
            if l.channel.status().connected() {
                return Ok(l.channel.clone());
            }
        }
        let connection = connect(&self.config.amqp_url, "bilheteria-publisher").await?;
        let channel = connection.create_channel().await.map_err(broker_error("opening a channel"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(broker_error("enabling publisher confirms"))?;
        declare_topology(&channel, &self.config).await?;
        *link = Some(Link { _connection: connection, channel: channel.clone() });
        Ok(channel)
    }

    async fn forget_link(&self) {
        *self.link.lock().await = None;
    }

    async fn try_publish(&self, message: &Message) -> AppResult<()> {
        let body = serde_json::to_vec(message).map_err(|e| AppError::internal("encoding a message", e))?;
        let properties = BasicProperties::default()
            .with_content_type(ShortString::from("application/json"))
            .with_delivery_mode(PERSISTENT)
            .with_message_id(ShortString::from(message.id.as_str()))
            .with_type(ShortString::from(message.kind.as_str()));
        let lane = lane_of(message.order_id.as_str(), self.config.order_lanes);
        self.send_confirmed(&self.config.lane_queue(lane), &body, properties).await
    }

    async fn send_confirmed(&self, queue: &str, body: &[u8], properties: BasicProperties) -> AppResult<()> {
        let channel = self.channel().await?;
        let confirm = channel
            .basic_publish(
                ShortString::from(""),
                ShortString::from(queue),
                BasicPublishOptions::default(),
                body,
                properties,
            )
            .await
            .map_err(broker_error("publishing"))?;
        let confirmation = tokio::time::timeout(CONFIRM_TIMEOUT, confirm)
            .await
            .map_err(|_| AppError::Unavailable("the broker did not confirm in time".into()))?
            .map_err(broker_error("waiting for the confirm"))?;
        match confirmation {
            Confirmation::Ack(_) => Ok(()),
            Confirmation::Nack(_) => Err(AppError::Unavailable("the broker refused the message".into())),
            Confirmation::NotRequested => Err(AppError::Internal("publisher confirms are off".into())),
        }
    }
}

#[async_trait]
impl Publisher for RabbitPublisher {
    async fn publish(&self, message: &Message) -> AppResult<()> {
        let outcome = self.try_publish(message).await;
        if outcome.is_err() {
            self.forget_link().await;
        }
        outcome
    }

    async fn dead_letter(&self, body: &[u8], reason: &str) -> AppResult<()> {
        let mut headers = FieldTable::default();
        headers.insert(ShortString::from(REASON_HEADER), AMQPValue::LongString(LongString::from(reason.to_string())));
        let properties = BasicProperties::default().with_delivery_mode(PERSISTENT).with_headers(headers);
        let outcome = self.send_confirmed(&self.config.dead_letter_queue(), body, properties).await;
        if outcome.is_err() {
            self.forget_link().await;
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::lane_of;

    #[test]
    fn one_lane_takes_every_order() {
        assert!(["a", "b", "65f0c0ffee"].iter().all(|id| lane_of(id, 1) == 0));
    }

    #[test]
    fn an_order_always_goes_through_the_same_lane() {
        assert_eq!(lane_of("6650a1b2c3d4e5f601234567", 4), lane_of("6650a1b2c3d4e5f601234567", 4));
    }

    #[test]
    fn orders_spread_evenly_over_the_lanes() {
        // 40,000 ids shaped like ObjectIds (a timestamp, then a counter): each of 4 lanes
        // gets its quarter within 3%.
        let mut per_lane = [0u32; 4];
        for i in 0..40_000u32 {
            let id = format!("6650a1b2{:016x}", 0x00c0_ffee_0000_0000_u64 + u64::from(i));
            per_lane[usize::from(lane_of(&id, 4))] += 1;
        }
        assert!(per_lane.iter().all(|n| n.abs_diff(10_000) < 300), "{per_lane:?}");
    }
}
