//! Combining for the reservation's first take: takes on the same lot and price type that
//! arrive together go to the server as ONE conditional update of their sum.
//!
//! Why: each command costs the single-node server a fixed ~200 µs of CPU, and a process
//! serving a peak (the local router: every buyer in one process) sends hundreds of takes
//! per second on the same hot lot. One `findOneAndUpdate` with filter `available >= sum`
//! and `$inc: -sum` serves them all, and is exactly as atomic as the separate takes: either
//! the bucket had enough for every one of them and each gets its quantity from it, or
//! nothing was taken and each member tries its own bucket alone, as if never combined (its
//! fast path, then the gather). Stock cannot be oversold by combining, only requested in a
//! larger piece.
//!
//! Like `group_insert`, on `batch_queue`: no timer; a lone take (one Lambda invocation, a
//! quiet server) goes out at once, alone; takes that arrive while a batch is in flight go
//! together next.

use super::batch_queue::{BatchQueue, Job, Submitted};
use super::inventory::{Forgets, PriceOnly, TakeRecord};
use crate::domain::PriceType;
use futures::future::join_all;
use futures::FutureExt;
use mongodb::Collection;
use std::collections::HashMap;
use std::sync::Arc;

const MAX_BATCH: usize = 256;

/// A take served: the lot's full price, and the bucket the tickets came from (a combined
/// take's bucket, which need not be the one the member picked).
#[derive(Debug, Clone)]
pub(crate) struct Served {
    pub price_cents: i64,
    pub bucket: String,
}

/// `Ok(None)`: the bucket could not serve it (nothing taken).
pub(crate) type TakeOutcome = Result<Option<Served>, mongodb::error::Error>;

/// Counters for the benchmark: takes served by a shared update, and shared updates sent.
/// Only with the `bench-counters` feature.
#[cfg(feature = "bench-counters")]
pub static COMBINED_TAKES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
#[cfg(feature = "bench-counters")]
pub static COMBINED_UPDATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

struct Wanted {
    /// Takes sharing a key may be combined: the same lot, at the same price type.
    key: (String, PriceType),
    /// The bucket this take would try alone (picked at random by the caller).
    bucket: String,
    /// The order it is for, recorded with the take wherever it is served from.
    record: TakeRecord,
}

pub(crate) struct GroupTake {
    prices: Collection<PriceOnly>,
    /// Records of stored orders to forget, carried by the next take on their bucket.
    forgets: Arc<Forgets>,
    queue: BatchQueue<Wanted, TakeOutcome>,
}

impl GroupTake {
    pub(crate) fn new(prices: Collection<PriceOnly>, forgets: Arc<Forgets>) -> Self {
        let (target, pending) = (prices.clone(), forgets.clone());
        let queue = BatchQueue::new(MAX_BATCH, move |jobs| serve_batch(target.clone(), pending.clone(), jobs).boxed());
        GroupTake { prices, forgets, queue }
    }

    /// Takes the record's quantity from `bucket` (of lot `lot_key`), possibly together with
    /// others.
    pub(crate) async fn take(
        &self,
        lot_key: String,
        bucket: String,
        record: TakeRecord,
        price_type: PriceType,
    ) -> TakeOutcome {
        match self.queue.submit(Wanted { key: (lot_key, price_type), bucket, record }).await {
            Submitted::Answered(outcome) => outcome,
            // The task stopped mid-batch: what became of the take is unknown; if it was made,
            // its record lets the reconciler return it.
            Submitted::Lost => Ok(None),
            Submitted::NotQueued(w) => take_one(&self.prices, &self.forgets, &w.bucket, &w.record, w.key.1).await,
        }
    }
}

async fn serve_batch(prices: Collection<PriceOnly>, forgets: Arc<Forgets>, jobs: Vec<Job<Wanted, TakeOutcome>>) {
    let mut groups: HashMap<(String, PriceType), Vec<Job<Wanted, TakeOutcome>>> = HashMap::new();
    for job in jobs {
        groups.entry(job.0.key.clone()).or_default().push(job);
    }
    join_all(groups.into_values().map(|group| serve(&prices, &forgets, group))).await;
}

async fn serve(prices: &Collection<PriceOnly>, forgets: &Forgets, group: Vec<Job<Wanted, TakeOutcome>>) {
    if group.len() > 1 {
        let price_type = group[0].0.key.1;
        let records: Vec<TakeRecord> = group.iter().map(|(w, _)| w.record.clone()).collect();
        #[cfg(feature = "bench-counters")]
        COMBINED_UPDATES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let bucket = &group[0].0.bucket;
        match forgets.take(prices, bucket, price_type, &records).await {
            Ok(Some(price_cents)) => {
                let served = Served { price_cents, bucket: bucket.clone() };
                #[cfg(feature = "bench-counters")]
                COMBINED_TAKES.fetch_add(group.len() as u64, std::sync::atomic::Ordering::Relaxed);
                for (_, reply) in group {
                    let _ = reply.send(Ok(Some(served.clone())));
                }
                return;
            }
            // Not enough in that bucket for all of them: nothing was taken; each goes alone.
            Ok(None) => {}
            Err(e) => {
                for (_, reply) in group {
                    let _ = reply.send(Err(e.clone()));
                }
                return;
            }
        }
    }
    join_all(group.into_iter().map(|(w, reply)| async move {
        let _ = reply.send(take_one(prices, forgets, &w.bucket, &w.record, w.key.1).await);
    }))
    .await;
}

async fn take_one(
    prices: &Collection<PriceOnly>,
    forgets: &Forgets,
    bucket: &str,
    record: &TakeRecord,
    price_type: PriceType,
) -> TakeOutcome {
    let price = forgets.take(prices, bucket, price_type, std::slice::from_ref(record)).await?;
    Ok(price.map(|price_cents| Served { price_cents, bucket: bucket.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db;
    use mongodb::bson::{doc, Document};
    use std::sync::Arc;

    /// Two buckets of one lot: `a` with 10 tickets, `b` with 1,000.
    async fn lot(prefix: &str) -> (mongodb::Database, Collection<Document>, Arc<GroupTake>) {
        let db = test_db::fresh_database(prefix).await;
        let buckets = db.collection::<Document>("inventory");
        for (id, available) in [("a", 10i64), ("b", 1_000)] {
            buckets
                .insert_one(doc! {"_id": id, "on_sale": true, "available": available, "half_available": 0i64, "price_cents": 5_000i64})
                .await
                .expect("seed");
        }
        let forgets = Forgets::new(db.collection("inventory"));
        (db.clone(), buckets, Arc::new(GroupTake::new(db.collection("inventory"), forgets)))
    }

    fn record(quantity: i64) -> TakeRecord {
        use crate::domain::{OrderId, UserId};
        TakeRecord::new(&OrderId::generate(), &UserId::generate(), quantity, chrono::Utc::now())
    }

    async fn available(buckets: &Collection<Document>, id: &str) -> i64 {
        let d = buckets.find_one(doc! {"_id": id}).await.expect("read").expect("bucket");
        d.get_i64("available").expect("available")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn takes_arriving_together_are_served_from_the_bucket_that_had_enough_and_nothing_is_oversold() {
        let (db, buckets, group) = lot("group_take").await;
        // 100 takes of 2: half of them pick the small bucket, which can serve only 5 of them.
        let outcomes = futures::future::join_all((0..100).map(|i| {
            let group = group.clone();
            let bucket = if i % 2 == 0 { "a" } else { "b" };
            async move { group.take("lot".into(), bucket.into(), record(2), PriceType::Full).await.expect("take") }
        }))
        .await;
        let mut from = HashMap::<String, i64>::new();
        for served in outcomes.iter().flatten() {
            assert_eq!(served.price_cents, 5_000);
            *from.entry(served.bucket.clone()).or_default() += 2;
        }
        // Each bucket lost exactly what the takes say they got from it.
        assert_eq!(10 - available(&buckets, "a").await, from.get("a").copied().unwrap_or(0));
        assert_eq!(1_000 - available(&buckets, "b").await, from.get("b").copied().unwrap_or(0));
        assert!(available(&buckets, "a").await >= 0);
        // A take that picked the big bucket is always served (alone or combined, something
        // had enough); only a take that picked the small one may be refused, and only once the
        // small one can no longer serve 2. (A combined take may spend the small bucket on
        // takes that picked the big one, so how many of the small bucket's pickers miss varies.)
        for (i, outcome) in outcomes.iter().enumerate() {
            if i % 2 == 1 {
                assert!(outcome.is_some(), "take {i} picked the big bucket and was refused");
            }
        }
        if outcomes.iter().any(Option::is_none) {
            assert!(available(&buckets, "a").await < 2, "a take was refused while the small bucket could serve it");
        }
        db.drop().await.ok();
    }

    #[tokio::test]
    async fn a_lone_take_that_cannot_be_served_takes_nothing() {
        let (db, buckets, group) = lot("group_take_lone").await;
        assert!(group.take("lot".into(), "a".into(), record(11), PriceType::Full).await.expect("take").is_none());
        assert_eq!(available(&buckets, "a").await, 10);
        db.drop().await.ok();
    }
}
