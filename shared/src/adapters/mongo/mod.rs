//! MongoDB adapters. Documents are private to this module: the domain never sees BSON.
//!
//! Collections: `users`, `events`, `inventory` (one document per bucket of a lot, `_id`
//! `<event>/<sector id>/<lot>/<bucket>` so a reservation is a point update targeted at one shard),
//! `orders` (sharded by hashed `user_id` in production), `idempotency` (24 h TTL), `emails`, and for accounts `refresh_tokens`,
//! `revocations` and `attempts` (each dropped by a TTL index).

mod attempts;
mod audit;
mod batch_queue;
mod buyer_limits;
mod emails;
mod errors;
mod event_edit;
mod events;
mod gate;
mod group_find;
mod group_insert;
mod group_take;
mod group_update;
mod idempotency;
mod indexes;
mod inventory;
mod order_transitions;
mod orders;
mod password_resets;
mod payments;
mod pix_receipts;
mod sales;
mod sessions;
mod tickets;
mod topology;
mod users;
mod waiting_rooms;

use crate::config::Config;
use crate::error::AppError;
use crate::ports::Clock;
use chrono::{DateTime, Utc};
use mongodb::bson::DateTime as BsonDateTime;
use mongodb::options::ClientOptions;
use mongodb::{Client, Database};
use std::sync::Arc;

pub use attempts::MongoAttempts;
pub use audit::MongoAudit;
pub use buyer_limits::MongoBuyerLimits;
pub use emails::{MongoMailer, StoredEmail};
pub use events::MongoEvents;
pub use gate::MongoGate;
#[cfg(feature = "bench-counters")]
pub use group_take::{COMBINED_TAKES, COMBINED_UPDATES};
pub use idempotency::MongoIdempotency;
pub use inventory::MongoInventory;
#[cfg(feature = "bench-counters")]
pub use inventory::{TAKE_CALLS, TAKE_UPDATES};
pub use orders::MongoOrders;
pub use password_resets::MongoPasswordResets;
pub use payments::{TestPaymentGateway, DECLINED_TEST_CARD_SUFFIX};
pub use pix_receipts::MongoPixReceipts;
pub use sales::MongoSales;
pub use sessions::{MongoRevocations, MongoSessions};
pub use tickets::MongoTickets;
pub use topology::MongoPlacement;
pub use users::MongoUsers;
pub use waiting_rooms::MongoWaitingRooms;

/// The database handle; cheap to clone, one connection pool per process.
#[derive(Clone)]
pub struct MongoStores {
    client: Client,
    db: Database,
}

impl MongoStores {
    pub async fn connect(config: &Config) -> Result<Self, AppError> {
        let mut options = ClientOptions::parse(&config.mongodb_uri)
            .await
            .map_err(|e| AppError::internal("parsing MONGODB_URI", e))?;
        options.app_name.get_or_insert_with(|| "bilheteria".to_string());
        // Fail fast on a dead server instead of hanging a Lambda until its timeout.
        options.server_selection_timeout.get_or_insert(std::time::Duration::from_secs(5));
        options.max_pool_size.get_or_insert(100);
        let client = Client::with_options(options).map_err(|e| AppError::internal("creating the MongoDB client", e))?;
        let stores = Self::from_client(client, &config.mongodb_database);
        indexes::ensure(&stores.db).await?;
        Ok(stores)
    }

    pub fn from_client(client: Client, database: &str) -> Self {
        let db = client.database(database);
        MongoStores { client, db }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn users(&self) -> MongoUsers {
        MongoUsers::new(&self.db)
    }
    pub fn events(&self) -> MongoEvents {
        MongoEvents::new(&self.db)
    }
    pub fn inventory(&self) -> MongoInventory {
        MongoInventory::new(&self.db)
    }
    pub fn orders(&self) -> MongoOrders {
        MongoOrders::new(&self.client, &self.db)
    }
    pub fn buyer_limits(&self) -> MongoBuyerLimits {
        MongoBuyerLimits::new(&self.db)
    }
    pub fn tickets(&self) -> MongoTickets {
        MongoTickets::new(&self.db)
    }
    pub fn gate(&self) -> MongoGate {
        MongoGate::new(&self.db)
    }
    pub fn audit(&self) -> MongoAudit {
        MongoAudit::new(&self.db)
    }
    pub fn sales(&self) -> MongoSales {
        MongoSales::new(&self.db)
    }
    pub fn payment_gateway(&self, clock: Arc<dyn Clock>) -> TestPaymentGateway {
        TestPaymentGateway::new(&self.db, clock)
    }
    pub fn idempotency(&self) -> MongoIdempotency {
        MongoIdempotency::new(&self.db)
    }
    pub fn mailer(&self, clock: Arc<dyn Clock>) -> MongoMailer {
        MongoMailer::new(&self.db, clock)
    }
    pub fn password_resets(&self) -> MongoPasswordResets {
        MongoPasswordResets::new(&self.db)
    }
    pub fn sessions(&self) -> MongoSessions {
        MongoSessions::new(&self.db)
    }
    pub fn revocations(&self) -> MongoRevocations {
        MongoRevocations::new(&self.db)
    }
    pub fn pix_receipts(&self) -> MongoPixReceipts {
        MongoPixReceipts::new(&self.db)
    }
    pub fn attempts(&self) -> MongoAttempts {
        MongoAttempts::new(&self.db)
    }
    pub fn waiting_rooms(&self) -> MongoWaitingRooms {
        MongoWaitingRooms::new(&self.db)
    }
    pub fn placement(&self) -> MongoPlacement {
        MongoPlacement::new(&self.db)
    }
}

pub(crate) fn to_bson(t: DateTime<Utc>) -> BsonDateTime {
    BsonDateTime::from_millis(t.timestamp_millis())
}

pub(crate) fn from_bson(t: BsonDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(t.timestamp_millis()).unwrap_or_default()
}

pub(crate) use errors::{db_error, is_duplicate_key, is_transactions_unsupported, refused};

/// An integer field of a raw document (an aggregation's sum comes back as int32 or int64);
/// 0 when absent.
pub(crate) fn int_field(d: &mongodb::bson::Document, field: &str) -> i64 {
    d.get_i64(field).or_else(|_| d.get_i32(field).map(i64::from)).unwrap_or(0)
}
