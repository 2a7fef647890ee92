//! Group commit for inserts on the reservation path.
//!
//! Each command costs the server a fixed overhead (on the single-node SecantusDB server
//! measured here: ~180 µs of CPU for a one-document `insert`, against ~55 µs per document in
//! an `insert` of eight — docs/benchmarks.md). So inserts that arrive while another is in
//! flight wait for it and then go together in one unordered `insertMany`, the way a database
//! groups commits: a lone insert (one Lambda invocation, a quiet local server) goes out at
//! once, alone, with no added wait; under a peak the batches grow by themselves, up to
//! `MAX_BATCH`, with no timer to tune.
//!
//! The queue and its task are `batch_queue`'s. If the task is gone (its runtime ended),
//! inserts go out one by one.

use super::batch_queue::{BatchQueue, Job, Submitted};
use futures::FutureExt;
use mongodb::error::{ErrorKind, IndexedWriteError, InsertManyError};
use mongodb::Collection;
use serde::Serialize;

/// Large enough for every concurrent reservation of a busy process, small enough that one
/// batch stays far below the 48 MB message limit (an order is under 1 kB).
const MAX_BATCH: usize = 128;

/// Why one document of a batch was not inserted.
#[derive(Debug)]
pub(crate) enum InsertFailure {
    /// The command failed as a whole (no server, a network error).
    Command(mongodb::error::Error),
    /// The server refused this document (e.g. a duplicate `_id`); the others were written.
    Refused { code: i32, message: String },
}

type Outcome = Result<(), InsertFailure>;

pub(crate) struct GroupInsert<T: Send + Sync> {
    collection: Collection<T>,
    queue: BatchQueue<T, Outcome>,
}

impl<T: Serialize + Send + Sync + 'static> GroupInsert<T> {
    pub(crate) fn new(collection: Collection<T>) -> Self {
        let target = collection.clone();
        let queue = BatchQueue::new(MAX_BATCH, move |jobs| serve(target.clone(), jobs).boxed());
        GroupInsert { collection, queue }
    }

    pub(crate) async fn insert(&self, document: T) -> Outcome {
        match self.queue.submit(document).await {
            Submitted::Answered(outcome) => outcome,
            Submitted::Lost => {
                Err(InsertFailure::Refused { code: 0, message: "the insert task stopped mid-batch".into() })
            }
            Submitted::NotQueued(document) => alone(self.collection.insert_one(document).await),
        }
    }
}

/// A lone insert's outcome, told as a batch's would be: a duplicate key is that document
/// refused, whether it went out alone or with others.
fn alone(result: mongodb::error::Result<mongodb::results::InsertOneResult>) -> Outcome {
    match result {
        Ok(_) => Ok(()),
        Err(e) if super::is_duplicate_key(&e) => {
            Err(InsertFailure::Refused { code: DUPLICATE_KEY, message: "duplicate key".into() })
        }
        Err(e) => Err(InsertFailure::Command(e)),
    }
}

pub(crate) const DUPLICATE_KEY: i32 = 11000;

async fn serve<T: Serialize + Send + Sync>(collection: Collection<T>, jobs: Vec<Job<T, Outcome>>) {
    let (documents, replies): (Vec<T>, Vec<_>) = jobs.into_iter().unzip();
    let outcomes = insert_all(&collection, documents).await;
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // The caller may have gone (its request was dropped); the document stands anyway.
        let _ = reply.send(outcome);
    }
}

/// Inserts the documents and tells each one's outcome, in order.
async fn insert_all<T: Serialize + Send + Sync>(collection: &Collection<T>, documents: Vec<T>) -> Vec<Outcome> {
    let count = documents.len();
    if count == 1 {
        return vec![alone(collection.insert_one(&documents[0]).await)];
    }
    let error = match collection.insert_many(documents).ordered(false).await {
        Ok(_) => return (0..count).map(|_| Ok(())).collect(),
        Err(error) => error,
    };
    match refusals(&error) {
        Some(refused) => {
            let mut outcomes: Vec<Outcome> = (0..count).map(|_| Ok(())).collect();
            for r in refused {
                if let Some(slot) = outcomes.get_mut(r.index) {
                    *slot = Err(InsertFailure::Refused { code: r.code, message: r.message.clone() });
                }
            }
            outcomes
        }
        None => (0..count).map(|_| Err(InsertFailure::Command(error.clone()))).collect(),
    }
}

/// The documents an unordered `insertMany` refused one by one, when that is all that went
/// wrong (no write-concern doubt about the rest): the others stand. `None` for any other failure.
pub(crate) fn refusals(error: &mongodb::error::Error) -> Option<&[IndexedWriteError]> {
    match error.kind.as_ref() {
        ErrorKind::InsertMany(InsertManyError { write_errors: Some(refused), write_concern_error: None, .. }) => {
            Some(refused)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db;
    use mongodb::bson::{doc, Document};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_inserts_each_learn_their_own_outcome_and_a_duplicate_fails_alone() {
        let db = test_db::fresh_database("group_insert").await;
        let orders = db.collection::<Document>("orders");
        let group = std::sync::Arc::new(GroupInsert::new(orders.clone()));
        orders.insert_one(doc! {"_id": "taken"}).await.expect("seed");
        let ids: Vec<String> = (0..200).map(|i| if i == 77 { "taken".to_string() } else { format!("o{i}") }).collect();
        let outcomes = futures::future::join_all(ids.iter().map(|id| {
            let group = group.clone();
            let id = id.clone();
            async move { group.insert(doc! {"_id": id}).await }
        }))
        .await;
        for (id, outcome) in ids.iter().zip(&outcomes) {
            match (id.as_str(), outcome) {
                ("taken", Err(InsertFailure::Refused { code: 11000, .. })) => {}
                ("taken", other) => panic!("the duplicate should be refused alone, got {other:?}"),
                (_, Ok(())) => {}
                (id, Err(e)) => panic!("{id} should be stored, got {e:?}"),
            }
        }
        assert_eq!(orders.count_documents(doc! {}).await.expect("count"), 200, "199 new orders and the seed");
        db.drop().await.ok();
    }
}
