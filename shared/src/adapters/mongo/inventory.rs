use super::db_error;
use crate::domain::EventId;
use crate::error::AppResult;
use crate::ports::{Inventory, StockBySector, Take};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One bucket of a sector's stock. Price and on-sale flag live here too, so that one
/// conditional update both checks that sales are open and returns the price.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct InventoryDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub event_id: String,
    pub sector: String,
    pub bucket: i32,
    pub available: i64,
    pub capacity: i64,
    pub price_cents: i64,
    pub on_sale: bool,
}

/// `<event>/<bucket>/<sector>`: a reservation names its bucket by `_id`, a point update
/// that a sharded cluster routes to exactly one shard.
pub(crate) fn bucket_id(event: &EventId, bucket: i32, sector: &str) -> String {
    format!("{event}/{bucket}/{sector}")
}

#[derive(Deserialize)]
struct PriceOnly {
    price_cents: i64,
}

pub struct MongoInventory {
    buckets: Collection<InventoryDoc>,
    prices: Collection<PriceOnly>,
}

impl MongoInventory {
    pub fn new(db: &Database) -> Self {
        MongoInventory {
            buckets: db.collection("inventory"),
            prices: db.collection("inventory"),
        }
    }
}

#[async_trait]
impl Inventory for MongoInventory {
    async fn take(&self, event: &EventId, sector: &str, quantity: i64) -> AppResult<Take> {
        let taken = self
            .prices
            .find_one_and_update(
                doc! {"_id": bucket_id(event, 0, sector), "on_sale": true, "available": {"$gte": quantity}},
                doc! {"$inc": {"available": -quantity}},
            )
            .projection(doc! {"_id": 0, "price_cents": 1})
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("taking stock"))?;
        Ok(match taken {
            Some(p) => Take::Taken {
                full_price_cents: p.price_cents,
            },
            None => Take::Refused,
        })
    }

    async fn give_back(&self, event: &EventId, sector: &str, quantity: i64) -> AppResult<()> {
        self.buckets
            .update_one(
                doc! {"_id": bucket_id(event, 0, sector)},
                doc! {"$inc": {"available": quantity}},
            )
            .await
            .map_err(db_error("returning stock"))?;
        Ok(())
    }

    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
        let ids: Vec<&str> = events.iter().map(EventId::as_str).collect();
        let cursor = self
            .buckets
            .find(doc! {"event_id": {"$in": ids}})
            .await
            .map_err(db_error("reading stock"))?;
        let docs: Vec<InventoryDoc> = cursor
            .try_collect()
            .await
            .map_err(db_error("reading stock"))?;
        let mut stock: HashMap<EventId, StockBySector> = HashMap::new();
        for d in docs {
            let Some(event) = EventId::parse(&d.event_id) else {
                continue;
            };
            *stock.entry(event).or_default().entry(d.sector).or_insert(0) += d.available;
        }
        Ok(stock)
    }
}
