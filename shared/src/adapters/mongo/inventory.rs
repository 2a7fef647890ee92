//! The inventory: each lot of each sector split into bucket documents, so that concurrent
//! reservations on a hot sector update different documents (and, sharded by hashed `_id`,
//! different shards) instead of queueing on one.
//!
//! A reservation's round trips (`take`):
//! - fast path, one trip: a conditional `findOneAndUpdate` on a bucket picked at random,
//!   whose filter demands that sales are open and the bucket has enough (and, at half price,
//!   enough of the half-price share); it returns the lot's price in the same trip. On a miss,
//!   one more random bucket is tried;
//! - slow path, when little is left: one read of the lot's buckets, then conditional partial
//!   takes from as many buckets as needed (the remainder is gathered, so the last tickets —
//!   even a multi-ticket order's — are never stranded across buckets). A shortfall after a
//!   lost race gives back what it took and looks again.
//!
//! Partial takes are *holds*: they move tickets from `available` to `pending` until the
//! gather completes (one more update per bucket: `pending` back down) or gives them back. A
//! reservation is refused only when even `available + pending` — the stock if every gather
//! in flight gave back — is short; otherwise it waits a moment and looks again. Without
//! that, a buyer reading the lot while another buyer's gather briefly held the tickets was
//! told "sold out" for tickets that were then sold to someone who asked later.

use super::db_error;
use super::group_take::{GroupTake, Served};
use crate::domain::event::split_evenly;
use crate::domain::{Allocation, Event, EventId, PriceType};
use crate::error::AppResult;
use crate::ports::{Bucket, Inventory, SectorStock, StockBySector, Take, TakeRequest};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const FAST_TRIES: u32 = 2;

/// Counters for the benchmark: how many `take` calls, and how many conditional updates they
/// made (the difference is the retries). Relaxed atomics: a few nanoseconds per reservation.
pub static TAKE_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static TAKE_UPDATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn count(counter: &std::sync::atomic::AtomicU64) {
    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}
/// How long a gather waits for other gathers' holds to settle before giving up (a hold
/// leaked by a crash is waited for this long, at most, then ignored).
const GATHER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Serialize, Deserialize, Debug, Clone)]
pub(crate) struct InventoryDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub event_id: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: i32,
    pub bucket: i32,
    pub available: i64,
    pub capacity: i64,
    pub half_available: i64,
    pub half_capacity: i64,
    pub price_cents: i64,
    pub on_sale: bool,
    /// Tickets held by gathers in flight (taken from `available`, not yet final).
    #[serde(default)]
    pub pending: i64,
    #[serde(default)]
    pub half_pending: i64,
}

impl InventoryDoc {
    fn eligible(&self, price_type: PriceType) -> i64 {
        match price_type {
            PriceType::Full => self.available,
            PriceType::Half => self.available.min(self.half_available),
        }
        .max(0)
    }

    /// What would be eligible if every gather in flight gave its holds back.
    fn eligible_at_most(&self, price_type: PriceType) -> i64 {
        let all = self.available + self.pending.max(0);
        match price_type {
            PriceType::Full => all,
            PriceType::Half => all.min(self.half_available + self.half_pending.max(0)),
        }
        .max(0)
    }

    fn into_bucket(self) -> Bucket {
        Bucket {
            id: self.id,
            sector_id: self.sector_id,
            sector: self.sector,
            lot: self.lot.max(0) as usize,
            bucket: self.bucket.max(0) as u32,
            available: self.available,
            capacity: self.capacity,
            half_available: self.half_available,
            half_capacity: self.half_capacity,
            price_cents: self.price_cents,
            on_sale: self.on_sale,
            pending: self.pending,
            half_pending: self.half_pending,
        }
    }
}

/// `<event>/<sector id>/<lot>/<bucket>`: a reservation names its bucket by `_id`, a point
/// update a sharded cluster routes to exactly one shard.
pub(crate) fn bucket_id(event: &EventId, sector_id: &str, lot: usize, bucket: u32) -> String {
    format!("{event}/{sector_id}/{lot}/{bucket}")
}

/// The filter and update that take `quantity` from one bucket, atomically.
pub(crate) fn take_ops(id: &str, quantity: i64, price_type: PriceType) -> (Document, Document) {
    match price_type {
        PriceType::Full => (
            doc! {"_id": id, "on_sale": true, "available": {"$gte": quantity}},
            doc! {"$inc": {"available": -quantity}},
        ),
        PriceType::Half => (
            doc! {"_id": id, "on_sale": true, "available": {"$gte": quantity}, "half_available": {"$gte": quantity}},
            doc! {"$inc": {"available": -quantity, "half_available": -quantity}},
        ),
    }
}

/// The filter and update that hold `quantity` of one bucket for a gather, atomically.
fn hold_ops(id: &str, quantity: i64, price_type: PriceType) -> (Document, Document) {
    let (filter, _) = take_ops(id, quantity, price_type);
    let update = match price_type {
        PriceType::Full => doc! {"$inc": {"available": -quantity, "pending": quantity}},
        PriceType::Half => doc! {"$inc": {
            "available": -quantity, "pending": quantity, "half_available": -quantity, "half_pending": quantity,
        }},
    };
    (filter, update)
}

/// The update that makes a gather's hold final (`release`: gives it back instead).
fn settle_op(quantity: i64, price_type: PriceType, release: bool) -> Document {
    let back = if release { quantity } else { 0 };
    match price_type {
        PriceType::Full => doc! {"$inc": {"available": back, "pending": -quantity}},
        PriceType::Half => doc! {"$inc": {
            "available": back, "pending": -quantity, "half_available": back, "half_pending": -quantity,
        }},
    }
}

/// The update that returns `quantity` to a bucket.
pub(crate) fn return_op(quantity: i64, price_type: PriceType) -> Document {
    match price_type {
        PriceType::Full => doc! {"$inc": {"available": quantity}},
        PriceType::Half => doc! {"$inc": {"available": quantity, "half_available": quantity}},
    }
}

#[derive(Deserialize)]
pub(crate) struct PriceOnly {
    price_cents: i64,
}

/// Applies a conditional take (`take_ops`, `hold_ops`) and returns the lot's price in the same
/// trip, or `None` when the filter refused (nothing taken).
pub(crate) async fn take_price(
    prices: &Collection<PriceOnly>,
    (filter, update): (Document, Document),
) -> mongodb::error::Result<Option<i64>> {
    let taken = prices
        .find_one_and_update(filter, update)
        .projection(doc! {"_id": 0, "price_cents": 1})
        .return_document(ReturnDocument::After)
        .await?;
    Ok(taken.map(|p| p.price_cents))
}

pub struct MongoInventory {
    buckets: Collection<InventoryDoc>,
    prices: Collection<PriceOnly>,
    /// The first take of each reservation goes through here, combined with the takes on the
    /// same lot that arrive with it (see `group_take`).
    first_takes: GroupTake,
    drifts: Collection<Document>,
}

impl MongoInventory {
    pub fn new(db: &Database) -> Self {
        MongoInventory {
            buckets: db.collection("inventory"),
            prices: db.collection("inventory"),
            first_takes: GroupTake::new(db.collection("inventory")),
            drifts: db.collection("reconciliation"),
        }
    }

    async fn take_from(&self, id: &str, quantity: i64, price_type: PriceType) -> AppResult<Option<i64>> {
        self.take_with(take_ops(id, quantity, price_type)).await
    }

    async fn take_with(&self, ops: (Document, Document)) -> AppResult<Option<i64>> {
        count(&TAKE_UPDATES);
        take_price(&self.prices, ops).await.map_err(db_error("taking stock"))
    }

    async fn lot_buckets(&self, event: &EventId, sector_id: &str, lot: usize) -> AppResult<Vec<InventoryDoc>> {
        let cursor = self
            .buckets
            .find(doc! {"event_id": event.as_str(), "sector_id": sector_id, "lot": lot as i32})
            .await
            .map_err(db_error("reading a lot's stock"))?;
        cursor.try_collect().await.map_err(db_error("reading a lot's stock"))
    }

    /// Makes a gather's holds final, or gives them back.
    async fn settle(&self, holds: &[Allocation], price_type: PriceType, release: bool) -> AppResult<()> {
        for a in holds {
            self.buckets
                .update_one(doc! {"_id": &a.bucket}, settle_op(a.quantity, price_type, release))
                .await
                .map_err(db_error("settling a gather"))?;
        }
        Ok(())
    }

    /// The slow path: gather the quantity from several buckets.
    async fn gather(&self, req: &TakeRequest<'_>) -> AppResult<Take> {
        let deadline = tokio::time::Instant::now() + GATHER_PATIENCE;
        let mut round: u64 = 0;
        loop {
            let mut docs = self.lot_buckets(&req.event.id, req.sector_id, req.lot).await?;
            if docs.is_empty() {
                return Ok(Take::Short { left: 0 });
            }
            if docs.iter().any(|d| !d.on_sale) {
                return Ok(Take::Closed);
            }
            let left: i64 = docs.iter().map(|d| d.eligible(req.price_type)).sum();
            // Short even if every gather in flight gave back: a true refusal.
            if docs.iter().map(|d| d.eligible_at_most(req.price_type)).sum::<i64>() < req.quantity {
                return Ok(Take::Short { left });
            }
            if left >= req.quantity {
                docs.sort_by_key(|d| std::cmp::Reverse(d.eligible(req.price_type)));
                if docs[0].eligible(req.price_type) >= req.quantity {
                    // One bucket has it all: one final take.
                    if let Some(price) = self.take_from(&docs[0].id, req.quantity, req.price_type).await? {
                        let allocations = vec![Allocation { bucket: docs[0].id.clone(), quantity: req.quantity }];
                        return Ok(Take::Taken { full_price_cents: price, allocations });
                    }
                } else {
                    let mut need = req.quantity;
                    let mut held: Vec<Allocation> = Vec::new();
                    let mut price_cents = None;
                    for d in &docs {
                        let amount = d.eligible(req.price_type).min(need);
                        if amount == 0 {
                            continue;
                        }
                        if let Some(price) = self.take_with(hold_ops(&d.id, amount, req.price_type)).await? {
                            held.push(Allocation { bucket: d.id.clone(), quantity: amount });
                            price_cents = Some(price);
                            need -= amount;
                            if need == 0 {
                                break;
                            }
                        }
                    }
                    if let (0, Some(price)) = (need, price_cents) {
                        self.settle(&held, req.price_type, false).await?;
                        return Ok(Take::Taken { full_price_cents: price, allocations: held });
                    }
                    // Lost a race for part of it: give back and look again.
                    self.settle(&held, req.price_type, true).await?;
                }
            }
            // Enough only counting other gathers' holds (or a lost race): let them settle.
            if tokio::time::Instant::now() >= deadline {
                return Ok(Take::Short { left });
            }
            round += 1;
            let pause = rand::rng().random_range(1..=(2 + 2 * round).min(20));
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
    }
}

#[async_trait]
impl Inventory for MongoInventory {
    async fn open(&self, event: &Event) -> AppResult<()> {
        let mut docs = Vec::new();
        for sector in &event.sectors {
            let capacity = sector.capacity();
            let half_cap = event.half_price_cap(capacity);
            let mut sector_docs = Vec::new();
            for (lot_index, lot) in sector.lots.iter().enumerate() {
                for (b, cap) in split_evenly(lot.quantity, lot.buckets).into_iter().enumerate() {
                    sector_docs.push(InventoryDoc {
                        id: bucket_id(&event.id, &sector.id, lot_index, b as u32),
                        event_id: event.id.to_string(),
                        sector_id: sector.id.clone(),
                        sector: sector.name.clone(),
                        lot: lot_index as i32,
                        bucket: b as i32,
                        available: cap,
                        capacity: cap,
                        half_available: 0,
                        half_capacity: 0,
                        price_cents: lot.price_cents,
                        on_sale: event.on_sale(),
                        pending: 0,
                        half_pending: 0,
                    });
                }
            }
            // The half-price share, spread over the buckets in proportion to their size.
            let mut given = 0;
            for d in &mut sector_docs {
                let share = if capacity > 0 { half_cap * d.capacity / capacity } else { 0 };
                d.half_capacity = share;
                given += share;
            }
            // The floors leave fewer than one ticket per bucket over: hand those out in turn.
            while given < half_cap {
                let before = given;
                for d in sector_docs.iter_mut().filter(|d| d.half_capacity < d.capacity) {
                    if given < half_cap {
                        d.half_capacity += 1;
                        given += 1;
                    }
                }
                if given == before {
                    break;
                }
            }
            for d in &mut sector_docs {
                d.half_available = d.half_capacity;
            }
            docs.extend(sector_docs);
        }
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
        count(&TAKE_CALLS);
        let n = lot.buckets.max(1);
        let start = rand::rng().random_range(0..n);
        let step = if n > 2 { rand::rng().random_range(1..n) } else { 1 };
        for attempt in 0..FAST_TRIES.min(n) {
            let b = (start + attempt * step) % n;
            let id = bucket_id(&req.event.id, req.sector_id, req.lot, b);
            let taken = if attempt == 0 {
                count(&TAKE_UPDATES);
                let lot_key = format!("{}/{}/{}", req.event.id, req.sector_id, req.lot);
                let first = self.first_takes.take(lot_key, id, req.quantity, req.price_type).await;
                first.map_err(db_error("taking stock"))?
            } else {
                let price = self.take_from(&id, req.quantity, req.price_type).await?;
                price.map(|price_cents| Served { price_cents, bucket: id })
            };
            if let Some(served) = taken {
                return Ok(Take::Taken {
                    full_price_cents: served.price_cents,
                    allocations: vec![Allocation { bucket: served.bucket, quantity: req.quantity }],
                });
            }
        }
        self.gather(req).await
    }

    async fn give_back(&self, allocations: &[Allocation], price_type: PriceType) -> AppResult<()> {
        for a in allocations {
            self.buckets
                .update_one(doc! {"_id": &a.bucket}, return_op(a.quantity, price_type))
                .await
                .map_err(db_error("returning stock"))?;
        }
        Ok(())
    }

    async fn set_on_sale(&self, event: &EventId, on_sale: bool) -> AppResult<()> {
        self.buckets
            .update_many(doc! {"event_id": event.as_str()}, doc! {"$set": {"on_sale": on_sale}})
            .await
            .map_err(db_error("opening or closing sales"))?;
        Ok(())
    }

    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
        let ids: Vec<&str> = events.iter().map(EventId::as_str).collect();
        let cursor = self.buckets.find(doc! {"event_id": {"$in": ids}}).await.map_err(db_error("reading stock"))?;
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
        let cursor = self
            .buckets
            .find(doc! {"event_id": event.as_str()})
            .sort(doc! {"sector": 1, "lot": 1, "bucket": 1})
            .await
            .map_err(db_error("reading buckets"))?;
        let docs: Vec<InventoryDoc> = cursor.try_collect().await.map_err(db_error("reading buckets"))?;
        Ok(docs.into_iter().map(InventoryDoc::into_bucket).collect())
    }

    async fn adjust(&self, bucket: &str, delta: i64, half_delta: i64) -> AppResult<bool> {
        let mut filter = doc! {"_id": bucket};
        if delta < 0 {
            filter.insert("available", doc! {"$gte": -delta});
        }
        if half_delta < 0 {
            filter.insert("half_available", doc! {"$gte": -half_delta});
        }
        let result = self
            .buckets
            .update_one(
                filter,
                doc! {"$inc": {"available": delta, "capacity": delta, "half_available": half_delta, "half_capacity": half_delta}},
            )
            .await
            .map_err(db_error("resizing a bucket"))?;
        Ok(result.modified_count == 1)
    }

    async fn add_bucket(&self, event: &Event, b: &Bucket) -> AppResult<()> {
        let d = InventoryDoc {
            id: b.id.clone(),
            event_id: event.id.to_string(),
            sector_id: b.sector_id.clone(),
            sector: b.sector.clone(),
            lot: b.lot as i32,
            bucket: b.bucket as i32,
            available: b.available,
            capacity: b.capacity,
            half_available: b.half_available,
            half_capacity: b.half_capacity,
            price_cents: b.price_cents,
            on_sale: event.on_sale(),
            pending: 0,
            half_pending: 0,
        };
        self.buckets.insert_one(d).await.map_err(db_error("adding a bucket"))?;
        Ok(())
    }

    async fn refresh(&self, event: &Event) -> AppResult<()> {
        for sector in &event.sectors {
            for (lot_index, lot) in sector.lots.iter().enumerate() {
                self.buckets
                    .update_many(
                        doc! {"event_id": event.id.as_str(), "sector_id": &sector.id, "lot": lot_index as i32},
                        doc! {"$set": {"sector": &sector.name, "price_cents": lot.price_cents, "on_sale": event.on_sale()}},
                    )
                    .await
                    .map_err(db_error("refreshing the inventory"))?;
            }
        }
        Ok(())
    }

    async fn correct(&self, bucket: &str, delta: i64, half_delta: i64, stale_pending: (i64, i64)) -> AppResult<bool> {
        let mut filter = doc! {"_id": bucket};
        if delta < 0 {
            filter.insert("available", doc! {"$gte": -delta});
        }
        if half_delta < 0 {
            filter.insert("half_available", doc! {"$gte": -half_delta});
        }
        let (stale, half_stale) = (stale_pending.0.max(0), stale_pending.1.max(0));
        if stale > 0 {
            filter.insert("pending", doc! {"$gte": stale});
        }
        if half_stale > 0 {
            filter.insert("half_pending", doc! {"$gte": half_stale});
        }
        let update = doc! {"$inc": {
            "available": delta, "half_available": half_delta, "pending": -stale, "half_pending": -half_stale,
        }};
        let result = self.buckets.update_one(filter, update).await.map_err(db_error("correcting a bucket"))?;
        Ok(result.modified_count == 1)
    }

    async fn remember_drift(&self, bucket: &str, delta: i64, half_delta: i64) -> AppResult<bool> {
        let previous = self
            .drifts
            .find_one_and_update(
                doc! {"_id": bucket},
                doc! {"$set": {"drift": delta, "half_drift": half_delta, "seen_at": super::to_bson(chrono::Utc::now())}},
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

#[cfg(test)]
mod tests {
    use crate::domain::event::split_evenly as split;

    #[test]
    fn a_lot_is_split_evenly_over_its_buckets() {
        assert_eq!(split(10, 3), vec![4, 3, 3]);
        assert_eq!(split(1000, 16).iter().sum::<i64>(), 1000);
        assert_eq!(split(5, 1), vec![5]);
    }
}
