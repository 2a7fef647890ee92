//! The inventory: each lot of each sector split into bucket documents, so that concurrent
//! reservations on a hot sector update different documents (and, sharded by hashed `_id`,
//! different shards) instead of queueing on one. The layout and the edit rules live in
//! `domain::stock`; this adapter applies them.
//!
//! A reservation's round trips (`take`):
//! - fast path, one trip: a conditional `findOneAndUpdate` on a bucket picked at random,
//!   whose filter demands that sales are open and the bucket has enough (and, at half price,
//!   enough of the half-price share); it returns the lot's price in the same trip and
//!   records the take for its order (`takes.<order id>`) in the same update. On a miss, one
//!   more random bucket is tried;
//! - slow path, when little is left: the gather (`gather.rs`).
//!
//! The record is what makes a lost take provable: it stays until the order is stored
//! (`confirm`: forgotten by the next take on that bucket, or a background flush), and a record
//! whose order does not exist long after is returned by the reconciler only once its
//! order id is fenced — see `services::maintenance`.

mod confirm;
mod gather;
mod ops;

pub(crate) use confirm::Forgets;
pub(crate) use ops::{retake_ops, return_op, take_price, PriceOnly, TakeRecord};

use super::group_take::{GroupTake, Served};
use super::{db_error, is_duplicate_key, to_bson};
use crate::domain::stock::layout;
use crate::domain::{Adjustment, Allocation, Bucket, Event, EventId, OrderId, PriceType};
use crate::error::AppResult;
use crate::ports::{Adjusted, InFlightTake, Inventory, SectorStock, StockBySector, Take, TakeRequest};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use ops::{forget_records, return_record_ops, return_take_ops, InventoryDoc};
use rand::Rng;
use std::collections::HashMap;

const FAST_TRIES: u32 = 2;
/// How many edit keys a bucket remembers (an edit's retry comes within minutes; edits of
/// one event are serialised by its version, so far fewer than this are ever in flight).
const EDIT_KEYS_KEPT: i32 = 32;

/// Counters for the benchmark: how many `take` calls, and how many conditional updates they
/// made (the difference is the retries). Relaxed atomics: a few nanoseconds per reservation.
/// Only with the `bench-counters` feature (the local runner's); without it, neither the
/// counters nor the counting exist.
#[cfg(feature = "bench-counters")]
pub static TAKE_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
#[cfg(feature = "bench-counters")]
pub static TAKE_UPDATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[cfg(feature = "bench-counters")]
fn count(counter: &std::sync::atomic::AtomicU64) {
    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

pub struct MongoInventory {
    buckets: Collection<InventoryDoc>,
    prices: Collection<PriceOnly>,
    /// The first take of each reservation goes through here, combined with the takes on the
    /// same lot that arrive with it (see `group_take`).
    first_takes: GroupTake,
    forgets: std::sync::Arc<Forgets>,
    drifts: Collection<Document>,
}

impl MongoInventory {
    pub fn new(db: &Database) -> Self {
        let forgets = Forgets::new(db.collection("inventory"));
        MongoInventory {
            buckets: db.collection("inventory"),
            prices: db.collection("inventory"),
            first_takes: GroupTake::new(db.collection("inventory"), forgets.clone()),
            forgets,
            drifts: db.collection("reconciliation"),
        }
    }

    async fn take_with(&self, ops: (Document, Document)) -> AppResult<Option<i64>> {
        #[cfg(feature = "bench-counters")]
        count(&TAKE_UPDATES);
        take_price(&self.prices, ops).await.map_err(db_error("taking stock"))
    }

    async fn lot_buckets(&self, req: &TakeRequest<'_>) -> AppResult<Vec<InventoryDoc>> {
        let filter = doc! {"event_id": req.event.id.as_str(), "sector_id": req.sector_id, "lot": req.lot as i32};
        let cursor = self.buckets.find(filter).await.map_err(db_error("reading a lot's stock"))?;
        cursor.try_collect().await.map_err(db_error("reading a lot's stock"))
    }

    /// The event's bucket ids.
    async fn ids(&self, event: &EventId) -> AppResult<Vec<String>> {
        let ids = self
            .buckets
            .clone_with_type::<Document>()
            .distinct("_id", doc! {"event_id": event.as_str()})
            .await
            .map_err(db_error("listing buckets"))?;
        Ok(ids.into_iter().filter_map(|b| b.as_str().map(str::to_string)).collect())
    }

    async fn docs(&self, filter: Document, context: &'static str) -> AppResult<Vec<InventoryDoc>> {
        let cursor = self
            .buckets
            .find(filter)
            .sort(doc! {"sector": 1, "lot": 1, "bucket": 1})
            .await
            .map_err(db_error(context))?;
        cursor.try_collect().await.map_err(db_error(context))
    }

    /// Returns one allocation's tickets to its bucket, conditional on the order's record
    /// there being in the state named (`held`: a gather's hold not yet final), so that it
    /// happens at most once whoever else tries; `true` when this call returned them.
    async fn return_recorded(
        &self,
        allocation: &Allocation,
        order: &str,
        price_type: PriceType,
        held: bool,
    ) -> mongodb::error::Result<bool> {
        let (filter, update) = return_record_ops(&allocation.bucket, order, allocation.quantity, price_type, held);
        Ok(self.buckets.update_one(filter, update).await?.modified_count == 1)
    }
}

#[async_trait]
impl Inventory for MongoInventory {
    async fn open(&self, event: &Event) -> AppResult<()> {
        let docs: Vec<InventoryDoc> =
            layout(event).iter().map(|b| InventoryDoc::from_bucket(event.id.as_str(), b, event.version)).collect();
        self.buckets.insert_many(docs).await.map_err(db_error("opening the inventory"))?;
        Ok(())
    }

    async fn take(&self, req: &TakeRequest<'_>) -> AppResult<Take> {
        let Some(sector) = req.event.sector_by_id(req.sector_id) else {
            return Ok(Take::Short { left: 0 });
        };
        let Some(lot) = sector.lots.get(req.lot) else {
            return Ok(Take::Short { left: 0 });
        };
        #[cfg(feature = "bench-counters")]
        count(&TAKE_CALLS);
        let record = TakeRecord::new(req.order_id, req.user_id, req.quantity, req.at);
        let n = lot.buckets.max(1);
        let start = rand::rng().random_range(0..n);
        let step = if n > 2 { rand::rng().random_range(1..n) } else { 1 };
        for attempt in 0..FAST_TRIES.min(n) {
            let b = (start + attempt * step) % n;
            let id = crate::domain::stock::bucket_id(&req.event.id, req.sector_id, req.lot, b);
            let taken = if attempt == 0 {
                #[cfg(feature = "bench-counters")]
                count(&TAKE_UPDATES);
                let lot_key = format!("{}/{}/{}", req.event.id, req.sector_id, req.lot);
                let first = self.first_takes.take(lot_key, id, record.clone(), req.price_type).await;
                first.map_err(db_error("taking stock"))?
            } else {
                #[cfg(feature = "bench-counters")]
                count(&TAKE_UPDATES);
                let taken = self.forgets.take(&self.prices, &id, req.price_type, std::slice::from_ref(&record)).await;
                taken.map_err(db_error("taking stock"))?.map(|price_cents| Served { price_cents, bucket: id })
            };
            if let Some(served) = taken {
                return Ok(Take::Taken {
                    full_price_cents: served.price_cents,
                    allocations: vec![Allocation { bucket: served.bucket, quantity: req.quantity }],
                });
            }
        }
        self.gather(req, &record).await
    }

    async fn confirm(&self, order: &OrderId, allocations: &[Allocation]) {
        self.forgets.add(allocations.iter().map(|a| (a.bucket.clone(), order.to_string())));
    }

    async fn give_back(&self, order: &OrderId, allocations: &[Allocation], price_type: PriceType) -> AppResult<()> {
        for a in allocations {
            self.return_recorded(a, order.as_str(), price_type, false).await.map_err(db_error("returning stock"))?;
        }
        Ok(())
    }

    async fn in_flight(&self, event: &EventId) -> AppResult<Vec<InFlightTake>> {
        let filter = doc! {"event_id": event.as_str(), "takes": {"$exists": true, "$ne": {}}};
        Ok(self.docs(filter, "reading takes in flight").await?.iter().flat_map(InventoryDoc::in_flight).collect())
    }

    async fn return_take(&self, take: &InFlightTake) -> AppResult<bool> {
        let (filter, update) = return_take_ops(take);
        let result = self.buckets.update_one(filter, update).await.map_err(db_error("returning a take"))?;
        Ok(result.modified_count == 1)
    }

    async fn forget_take(&self, take: &InFlightTake) -> AppResult<()> {
        self.buckets
            .update_one(doc! {"_id": &take.bucket}, forget_records(std::iter::once(take.order_id.as_str())))
            .await
            .map_err(db_error("forgetting a take"))?;
        Ok(())
    }

    async fn set_on_sale(&self, event: &EventId, on_sale: bool, version: i64) -> AppResult<()> {
        // One bucket per command (see `confirm.rs` on multi-document updates of hot buckets);
        // `$not: {$gte}` also matches buckets written before versions existed.
        for id in self.ids(event).await? {
            self.buckets
                .update_one(
                    doc! {"_id": &id, "sale_version": {"$not": {"$gte": version}}},
                    doc! {"$set": {"on_sale": on_sale, "sale_version": version}},
                )
                .await
                .map_err(db_error("opening or closing sales"))?;
        }
        Ok(())
    }

    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
        let ids: Vec<&str> = events.iter().map(EventId::as_str).collect();
        let cursor = self
            .buckets
            .find(doc! {"event_id": {"$in": ids}})
            .projection(doc! {"takes": 0, "edits": 0})
            .await
            .map_err(db_error("reading stock"))?;
        let docs: Vec<InventoryDoc> = cursor.try_collect().await.map_err(db_error("reading stock"))?;
        let mut stock: HashMap<EventId, StockBySector> = HashMap::new();
        for d in docs {
            let Some(event) = EventId::parse(&d.event_id) else {
                continue;
            };
            let entry: &mut SectorStock = stock.entry(event).or_default().entry(d.sector_id.clone()).or_default();
            entry.available += d.available.max(0);
            entry.half_available += d.eligible(PriceType::Half);
            *entry.lots.entry(d.lot.max(0) as usize).or_insert(0) += d.available.max(0);
        }
        Ok(stock)
    }

    async fn buckets(&self, event: &EventId) -> AppResult<Vec<Bucket>> {
        let docs = self.docs(doc! {"event_id": event.as_str()}, "reading buckets").await?;
        Ok(docs.into_iter().map(InventoryDoc::into_bucket).collect())
    }

    async fn adjust(&self, a: &Adjustment, key: &str) -> AppResult<Adjusted> {
        let mut filter = doc! {"_id": &a.bucket, "edits": {"$ne": key}};
        if a.delta < 0 {
            filter.insert("available", doc! {"$gte": -a.delta});
        }
        if a.half_delta < 0 {
            filter.insert("half_available", doc! {"$gte": -a.half_delta});
        }
        let update = doc! {
            "$inc": {"available": a.delta, "capacity": a.delta, "half_available": a.half_delta, "half_capacity": a.half_delta},
            "$push": {"edits": {"$each": [key], "$slice": -EDIT_KEYS_KEPT}},
        };
        let result = self.buckets.update_one(filter, update).await.map_err(db_error("resizing a bucket"))?;
        if result.modified_count == 1 {
            return Ok(Adjusted::Applied);
        }
        let seen = self
            .buckets
            .find_one(doc! {"_id": &a.bucket, "edits": key})
            .projection(doc! {"_id": 1})
            .await
            .map_err(db_error("resizing a bucket"))?;
        Ok(if seen.is_some() { Adjusted::AlreadyApplied } else { Adjusted::Refused })
    }

    async fn add_bucket(&self, event: &Event, b: &Bucket) -> AppResult<()> {
        let doc = InventoryDoc::from_bucket(
            event.id.as_str(),
            &Bucket { on_sale: event.on_sale(), ..b.clone() },
            event.version,
        );
        match self.buckets.insert_one(doc).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Ok(()), // added by an earlier try of the same edit
            Err(e) => Err(db_error("adding a bucket")(e)),
        }
    }

    async fn refresh(&self, event: &Event) -> AppResult<()> {
        for b in self.buckets(&event.id).await? {
            let Some(sector) = event.sector_by_id(&b.sector_id) else { continue };
            let Some(lot) = sector.lots.get(b.lot) else { continue };
            if b.sector == sector.name && b.price_cents == lot.price_cents {
                continue;
            }
            self.buckets
                .update_one(
                    doc! {"_id": &b.id},
                    doc! {"$set": {"sector": &sector.name, "price_cents": lot.price_cents}},
                )
                .await
                .map_err(db_error("refreshing the inventory"))?;
        }
        Ok(())
    }

    async fn remember_drift(&self, bucket: &str, delta: i64, half_delta: i64, now: DateTime<Utc>) -> AppResult<bool> {
        let previous = self
            .drifts
            .find_one_and_update(
                doc! {"_id": bucket},
                doc! {"$set": {"drift": delta, "half_drift": half_delta, "seen_at": to_bson(now)}},
            )
            .upsert(true)
            .return_document(ReturnDocument::Before)
            .await
            .map_err(db_error("remembering a drift"))?;
        Ok(previous.is_some_and(|p| {
            p.get_i64("drift").ok() == Some(delta) && p.get_i64("half_drift").ok() == Some(half_delta)
        }))
    }

    async fn forget_drift(&self, bucket: &str) -> AppResult<()> {
        self.drifts.delete_one(doc! {"_id": bucket}).await.map_err(db_error("forgetting a drift"))?;
        Ok(())
    }

    async fn remove_event(&self, event: &EventId) -> AppResult<()> {
        self.buckets
            .delete_many(doc! {"event_id": event.as_str()})
            .await
            .map_err(db_error("removing the inventory"))?;
        Ok(())
    }
}
