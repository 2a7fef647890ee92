//! RabbitMQ (Amazon MQ in production) with `lapin`: the publisher adapter and the queue
//! topology shared by the publisher, the local consumer loop and the operators' docs.
//!
//! Topology: `<orders>` is a durable quorum queue whose messages are dead-lettered to
//! `<orders>.dead` after `DELIVERY_LIMIT` failed deliveries, so a poison message stops
//! being retried and waits, visible, for an operator.

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

/// Declares the work queue and its dead-letter queue (idempotent; both durable quorum queues).
pub async fn declare_topology(channel: &Channel, queue: &str) -> AppResult<()> {
    let dead = format!("{queue}.dead");
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    let mut dead_args = FieldTable::default();
    dead_args.insert(ShortString::from("x-queue-type"), AMQPValue::LongString(LongString::from("quorum")));
    channel
        .queue_declare(ShortString::from(dead.as_str()), durable, dead_args)
        .await
        .map_err(broker_error("declaring the dead-letter queue"))?;
    let mut args = FieldTable::default();
    args.insert(ShortString::from("x-queue-type"), AMQPValue::LongString(LongString::from("quorum")));
    args.insert(ShortString::from("x-delivery-limit"), AMQPValue::LongLongInt(DELIVERY_LIMIT));
    args.insert(ShortString::from("x-dead-letter-exchange"), AMQPValue::LongString(LongString::from("")));
    args.insert(ShortString::from("x-dead-letter-routing-key"), AMQPValue::LongString(LongString::from(dead.as_str())));
    channel
        .queue_declare(ShortString::from(queue), durable, args)
        .await
        .map_err(broker_error("declaring the work queue"))?;
    Ok(())
}

/// Declares the queues over a connection of its own, before any publisher or consumer starts:
/// what an operator does before the first deploy (docs/deploy.md), and what the local runner,
/// the tests and the bench do at start. RabbitMQ 3.10 refuses about one publish in five made
/// while two connections create the same new quorum queue at once (measured: 21–23 of 100,
/// 0 of 100 once the queue exists), so the queue is created before they can race to.
pub async fn ensure_topology(amqp_url: &str, queue: &str) -> AppResult<()> {
    let connection = connect(amqp_url, "bilheteria-setup").await?;
    let channel = connection.create_channel().await.map_err(broker_error("opening a channel"))?;
    declare_topology(&channel, queue).await?;
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
    amqp_url: String,
    queue: String,
    link: Mutex<Option<Link>>,
}

impl RabbitPublisher {
    pub fn new(config: &Config) -> Self {
        RabbitPublisher {
            amqp_url: config.amqp_url.clone(),
            queue: config.orders_queue.clone(),
            link: Mutex::new(None),
        }
    }

    async fn channel(&self) -> AppResult<Channel> {
        let mut link = self.link.lock().await;
        if let Some(l) = link.as_ref() {
            if l.channel.status().connected() {
                return Ok(l.channel.clone());
            }
        }
        let connection = connect(&self.amqp_url, "bilheteria-publisher").await?;
        let channel = connection.create_channel().await.map_err(broker_error("opening a channel"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(broker_error("enabling publisher confirms"))?;
        declare_topology(&channel, &self.queue).await?;
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
        self.send_confirmed(&self.queue, &body, properties).await
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
        let outcome = self.send_confirmed(&format!("{}.dead", self.queue), body, properties).await;
        if outcome.is_err() {
            self.forget_link().await;
        }
        outcome
    }
}
