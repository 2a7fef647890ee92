//! Forgetting the records of takes whose orders are stored, batched: the confirms that
//! arrive together (a peak in one process) go as one `updateMany` over their buckets, each
//! `$unset` naming one order's record (absent on the other buckets: a no-op there). A lone
//! confirm (one Lambda invocation) goes out at once, alone, while the reservation's publish
//! is in flight, so it adds no latency.

use super::ops::{forget_records, InventoryDoc};
use crate::adapters::mongo::batch_queue::{BatchQueue, Job, Submitted};
use futures::FutureExt;
use mongodb::bson::doc;
use mongodb::Collection;

const MAX_BATCH: usize = 512;

/// (bucket, order id)
type Forget = (String, String);

pub(crate) struct GroupConfirm {
    buckets: Collection<InventoryDoc>,
    queue: BatchQueue<Vec<Forget>, ()>,
}

impl GroupConfirm {
    pub(crate) fn new(buckets: Collection<InventoryDoc>) -> Self {
        let target = buckets.clone();
        let queue = BatchQueue::new(MAX_BATCH, move |jobs| forget(target.clone(), jobs).boxed());
        GroupConfirm { buckets, queue }
    }

    pub(crate) async fn confirm(&self, records: Vec<Forget>) {
        if let Submitted::NotQueued(records) = self.queue.submit(records).await {
            send(&self.buckets, records).await;
        }
    }
}

async fn forget(buckets: Collection<InventoryDoc>, jobs: Vec<Job<Vec<Forget>, ()>>) {
    let mut all = Vec::new();
    let mut replies = Vec::new();
    for (records, reply) in jobs {
        all.extend(records);
        replies.push(reply);
    }
    send(&buckets, all).await;
    for reply in replies {
        let _ = reply.send(());
    }
}

async fn send(buckets: &Collection<InventoryDoc>, records: Vec<Forget>) {
    if records.is_empty() {
        return;
    }
    let mut ids: Vec<&str> = records.iter().map(|(b, _)| b.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let update = forget_records(records.iter().map(|(_, o)| o.as_str()));
    if let Err(err) = buckets.update_many(doc! {"_id": {"$in": ids}}, update).await {
        // Harmless: the reconciler forgets a record once it sees its order stored.
        tracing::warn!(error = %err, "take records not forgotten; the reconciler will");
    }
}
