//! Group commit for reads by key, on the consumer's path.
//!
//! The consumer works on many orders at once, and each one reads its order, its buyer, its
//! event and its tickets by key. Read one by one, those point reads were most of the
//! consumer's commands (7 of its ~13 per order, docs/benchmarks.md). So reads by the same key
//! field that arrive while another is in flight wait for it and then go together as one
//! `find({key: {$in: [...]}})`, the way `group_insert` groups inserts: a lone read goes out at
//! once, alone; under load the batches grow by themselves, with no timer to tune.
//!
//! A read is sent after it is asked for, so it sees every write its caller finished before
//! asking (read-your-writes holds as with `find_one`). Nothing here runs in a transaction:
//! reads inside a session keep their own `find_one`.
//!
//! The documents of a key are put in order here, not by the server, and a caller's filter
//! names no field that another index leads with (the orders' read leaves out `void` ones
//! itself): a sort, or a second index that could serve the filter, has `secantusd-rs` weigh
//! its plans over the collection's first 2,000 documents on every read. Profiled during the
//! drain (docs/benchmarks.md), those two reads took 2–3 ms each and a fifth of its CPU; as
//! plain key reads they take a fraction of a millisecond. (A `hint` does not help there: a
//! hinted `$in` walks the whole index.)

use super::batch_queue::{BatchQueue, Job, Submitted};
use futures::{FutureExt, TryStreamExt};
use mongodb::bson::{doc, Bson, Document};
use mongodb::Collection;
use std::collections::HashMap;

/// Keys per command: far below the 16 MB reply limit even for documents of a few kB.
const MAX_BATCH: usize = 128;

type Found = Result<Vec<Document>, mongodb::error::Error>;

/// A grouped read's document as the caller's stored type.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(document: Document) -> crate::error::AppResult<T> {
    mongodb::bson::from_document(document).map_err(|e| crate::error::AppError::internal("reading a stored document", e))
}

pub(crate) struct GroupFind {
    collection: Collection<Document>,
    key: &'static str,
    filter: Document,
    order_by: Option<&'static str>,
    queue: BatchQueue<String, Found>,
}

impl GroupFind {
    /// Reads of the documents whose `key` is a given string and which match `filter` as
    /// well, answered per key in ascending order of the integer field `order_by` (when
    /// given).
    pub(crate) fn new(
        collection: Collection<Document>,
        key: &'static str,
        filter: Document,
        order_by: Option<&'static str>,
    ) -> Self {
        let (target, common) = (collection.clone(), filter.clone());
        let queue =
            BatchQueue::new(MAX_BATCH, move |jobs| serve(target.clone(), key, common.clone(), order_by, jobs).boxed());
        GroupFind { collection, key, filter, order_by, queue }
    }

    /// Every document under `value`, as raw BSON for the caller's own type.
    pub(crate) async fn all(&self, value: &str) -> Found {
        match self.queue.submit(value.to_string()).await {
            Submitted::Answered(found) => found,
            // The task is gone or stopped mid-batch: a read has no effect, so read alone.
            Submitted::Lost | Submitted::NotQueued(_) => self.alone(value).await,
        }
    }

    /// The one document under `value` (the key is `_id`, or unique).
    pub(crate) async fn one(&self, value: &str) -> Result<Option<Document>, mongodb::error::Error> {
        Ok(self.all(value).await?.into_iter().next())
    }

    async fn alone(&self, value: &str) -> Found {
        let mut filter = self.filter.clone();
        filter.insert(self.key, value);
        let mut found: Vec<Document> = self.collection.find(filter).await?.try_collect().await?;
        if let Some(field) = self.order_by {
            found.sort_by_key(|d| integer(d, field));
        }
        Ok(found)
    }
}

async fn serve(
    collection: Collection<Document>,
    key: &'static str,
    mut filter: Document,
    order_by: Option<&'static str>,
    jobs: Vec<Job<String, Found>>,
) {
    let (values, replies): (Vec<String>, Vec<_>) = jobs.into_iter().unzip();
    let mut distinct = values.clone();
    distinct.sort();
    distinct.dedup();
    filter.insert(key, doc! {"$in": distinct});
    let found: Found = match collection.find(filter).await {
        Ok(cursor) => cursor.try_collect().await,
        Err(e) => Err(e),
    };
    match found {
        Ok(documents) => {
            let mut by_key: HashMap<String, Vec<Document>> = HashMap::new();
            for document in documents {
                if let Some(Bson::String(value)) = document.get(key) {
                    by_key.entry(value.clone()).or_default().push(document);
                }
            }
            if let Some(field) = order_by {
                for documents in by_key.values_mut() {
                    documents.sort_by_key(|d| integer(d, field));
                }
            }
            for (value, reply) in values.iter().zip(replies) {
                // The caller may have gone (its request was dropped): a read leaves nothing behind.
                let _ = reply.send(Ok(by_key.get(value).cloned().unwrap_or_default()));
            }
        }
        Err(error) => {
            for reply in replies {
                let _ = reply.send(Err(error.clone()));
            }
        }
    }
}

/// An integer field as stored (a 32- or 64-bit integer); a document without it sorts first.
fn integer(document: &Document, field: &str) -> i64 {
    match document.get(field) {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        _ => i64::MIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_each_get_their_own_documents_in_order_and_a_missing_key_gets_none() {
        let db = test_db::fresh_database("group_find").await;
        let tickets = db.collection::<Document>("tickets");
        let mut seeded = Vec::new();
        for order in 0..60 {
            for position in (1..=3).rev() {
                seeded.push(doc! {"_id": format!("o{order}/{position}"), "order_id": format!("o{order}"),
                "position": position, "void": position == 2 && order % 7 == 0});
            }
        }
        tickets.insert_many(seeded).await.expect("seed");
        let group = Arc::new(GroupFind::new(tickets.clone(), "order_id", doc! {"void": false}, Some("position")));
        let asked: Vec<String> = (0..80).map(|i| format!("o{}", i % 70)).collect();
        let answers = futures::future::join_all(asked.iter().map(|order| {
            let group = group.clone();
            async move { group.all(order).await.expect("read") }
        }))
        .await;
        for (order, answer) in asked.iter().zip(&answers) {
            let number: usize = order[1..].parse().expect("number");
            let positions: Vec<i32> = answer.iter().map(|d| d.get_i32("position").expect("position")).collect();
            let expected = match number {
                60.. => vec![],
                n if n % 7 == 0 => vec![1, 3],
                _ => vec![1, 2, 3],
            };
            assert_eq!(positions, expected, "{order}");
            assert!(answer.iter().all(|d| d.get_str("order_id") == Ok(order.as_str())), "only {order}'s documents");
        }
        db.drop().await.ok();
    }
}
