//! Forgetting the records of takes whose orders are stored, without a command of their own
//! on the hot path: a confirm only queues `(bucket, order)`, and the next take on that bucket
//! — a command that goes to that very document anyway — carries the `$unset` of whatever is
//! queued for it. What no take picks up within `FLUSH_EVERY` goes one update per bucket.
//! Measured (docs/benchmarks.md): a confirm command per batch of reservations cost ~20% of
//! the peak rate; piggybacked, a few percent.
//!
//! One document per command, never an `updateMany` over hot buckets: on the single-node
//! server a multi-document update retries its whole chunk on every write conflict, and
//! against a hot bucket's stream of takes it never won — seen here twice, the update and
//! then every write behind it spinning for ten minutes and more.
//!
//! A record left behind (a process that stops before its flush, a frozen Lambda) is harmless:
//! its order exists, and the reconciler forgets it.

use super::ops::{forget_records, take_and_forget_ops, take_price, InventoryDoc, PriceOnly, TakeRecord};
use crate::domain::PriceType;
use futures::FutureExt;
use mongodb::bson::doc;
use mongodb::Collection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const FLUSH_EVERY: Duration = Duration::from_millis(200);

pub(crate) struct Forgets {
    buckets: Collection<InventoryDoc>,
    /// Order ids whose records are to go, per bucket.
    pending: Mutex<HashMap<String, Vec<String>>>,
    flusher: OnceLock<()>,
}

impl Forgets {
    pub(crate) fn new(buckets: Collection<InventoryDoc>) -> Arc<Self> {
        Arc::new(Forgets { buckets, pending: Mutex::new(HashMap::new()), flusher: OnceLock::new() })
    }

    /// Queues the records of an order's takes to be forgotten.
    pub(crate) fn add(self: &Arc<Self>, records: impl IntoIterator<Item = (String, String)>) {
        if let Ok(mut pending) = self.pending.lock() {
            for (bucket, order) in records {
                pending.entry(bucket).or_default().push(order);
            }
        }
        self.flusher.get_or_init(|| {
            let me = Arc::downgrade(self);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(FLUSH_EVERY).await;
                    let Some(me) = me.upgrade() else { break };
                    me.flush().boxed().await;
                }
            });
        });
    }

    /// Takes the records' quantity from `bucket` (`take_price`), carrying the `$unset` of the
    /// records queued for it; when the take is refused or fails they stay queued.
    pub(crate) async fn take(
        &self,
        prices: &Collection<PriceOnly>,
        bucket: &str,
        price_type: PriceType,
        records: &[TakeRecord],
    ) -> mongodb::error::Result<Option<i64>> {
        let forget = self.pending.lock().ok().and_then(|mut p| p.remove(bucket)).unwrap_or_default();
        let taken = take_price(prices, take_and_forget_ops(bucket, price_type, records, &forget)).await;
        if !matches!(taken, Ok(Some(_))) {
            self.put_back(bucket, forget);
        }
        taken
    }

    fn put_back(&self, bucket: &str, orders: Vec<String>) {
        if orders.is_empty() {
            return;
        }
        if let Ok(mut pending) = self.pending.lock() {
            pending.entry(bucket.to_string()).or_default().extend(orders);
        }
    }

    async fn flush(&self) {
        let all: HashMap<String, Vec<String>> = match self.pending.lock() {
            Ok(mut p) if !p.is_empty() => std::mem::take(&mut *p),
            _ => return,
        };
        for (bucket, orders) in all {
            let update = forget_records(orders.iter().map(String::as_str));
            if let Err(err) = self.buckets.update_one(doc! {"_id": &bucket}, update).await {
                // Harmless: the reconciler forgets a record once it sees its order stored.
                tracing::warn!(error = %err, "take records not forgotten; the reconciler will");
            }
        }
    }
}
