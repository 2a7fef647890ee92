//! Ports: the small traits the use cases need from the outside world. Adapters (MongoDB,
//! RabbitMQ, the test payment gateway, the system clock) implement them; tests and the
//! local runner plug in the same real adapters, pointed at their own database and queues.

mod pix;
mod queue;
mod sessions;
mod stores;
mod tickets;

pub use pix::*;
pub use queue::*;
pub use sessions::*;
pub use stores::*;
pub use tickets::*;

use crate::domain::{Message, Order};
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes a persistent message and waits for the broker's confirm.
    async fn publish(&self, message: &Message) -> AppResult<()>;
    /// Sends a message that can never succeed (unknown order, not a message of ours) to the
    /// dead-letter queue, as it came, with the reason, and waits for the confirm.
    async fn dead_letter(&self, body: &[u8], reason: &str) -> AppResult<()>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// Deterministic per logical e-mail (e.g. `reservation-received:<order id>`), so that
    /// sending it twice delivers it once.
    pub id: String,
    pub to: String,
    pub subject: String,
    /// The plain-text part (every e-mail has one).
    pub body: String,
    /// The HTML part, when there is one (it says what `body` says).
    pub html: Option<String>,
    /// Files attached (a PDF of the tickets) and images the HTML shows inline (`cid:`).
    pub attachments: Vec<Attachment>,
}

impl Email {
    /// A plain-text e-mail.
    pub fn text(id: String, to: String, subject: String, body: String) -> Self {
        Email { id, to, subject, body, html: None, attachments: Vec::new() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
    /// Set for an image the HTML part shows as `cid:<id>`; `None` for a file to download.
    pub inline_id: Option<String>,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &Email) -> AppResult<()>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Charge {
    Approved { transaction_id: String },
    Declined { reason: String },
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Charges the order's total; idempotent per `idempotency_key` (a retried charge returns
    /// the first outcome and charges once).
    async fn charge(&self, order: &Order, idempotency_key: &str) -> AppResult<Charge>;
    /// Refunds a charge in full; idempotent per transaction.
    async fn refund(&self, transaction_id: &str, amount_cents: i64) -> AppResult<()>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, in UTC, to the millisecond (what the database stores, so a value read
/// back equals the value written).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        Utc::now().trunc_subsecs(3)
    }
}

/// Where the stock's documents live: one server, or the shards of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StockPlacement {
    /// Not a sharded cluster: every bucket lives on the one server (or replica set).
    SingleNode,
    /// Through `mongos`: the cluster's shards, and the shard holding each bucket (by id).
    Sharded { shards: Vec<String>, shard_of_bucket: std::collections::HashMap<String, String> },
}

#[async_trait]
pub trait Placement: Send + Sync {
    /// Where these buckets (by id) live.
    async fn of_buckets(&self, bucket_ids: &[String]) -> AppResult<StockPlacement>;
}
