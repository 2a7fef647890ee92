//! Group commit for conditional updates of one document each, on the consumer's path.
//!
//! The consumer settles many orders at once, and each settlement ended in a conditional
//! `findAndModify` of its own order (`payment_pending` → `paid`, "not yet processed" →
//! processed). Each command costs the single-node server a fixed overhead whatever its size,
//! so updates that arrive while another batch is in flight wait for it and go together in
//! one unordered `update` command of many statements, the way `group_insert` groups inserts:
//! a lone update goes out at once, alone; under load the batches grow by themselves.
//!
//! The catch is that an `update` command tells only how many of its statements matched, not
//! which. So every statement also writes a *mark*, a random value of its own, into a field
//! that only that kind of change writes and that the change's filter lets match at most once
//! in a document's life (an order is paid once, processed once). After the command, when
//! fewer matched than were sent, or when a caller wants the document as it now stands, one
//! `find({_id: {$in}})` reads the documents back: a statement matched exactly when its
//! document carries its mark. The read is sent after the update's answer, so it sees it.
//!
//! Cost on the consumer's path: one `update` and at most one `find` per batch, instead of a
//! `findAndModify` per order (docs/benchmarks.md, "The consumer").

use super::batch_queue::{BatchQueue, Job, Submitted};
use crate::domain::ids::new_hex_id;
use futures::{FutureExt, TryStreamExt};
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::ReturnDocument;
use mongodb::Collection;
use std::collections::HashMap;

/// Statements per command: far below the server's 100,000 writes per batch and 48 MB
/// message, and its reply stays small.
const MAX_BATCH: usize = 128;

/// One conditional update of the document `_id: id`.
pub(crate) struct Change {
    pub id: String,
    /// Must include `_id: id`; the rest is the condition.
    pub filter: Document,
    /// Fields to `$set` when the condition holds.
    pub set: Document,
    /// The field this kind of change marks; written only by it, and the filter lets it
    /// match at most once per document.
    pub mark_field: &'static str,
    /// Whether the caller wants the document as it stands after the change.
    pub want_document: bool,
}

/// Why a change was not made.
#[derive(Debug)]
pub(crate) enum UpdateFailure {
    /// The command failed as a whole (no server, a network error): nothing is known.
    Command(mongodb::error::Error),
    /// The server refused this statement; the others stand.
    Refused { code: i32, message: String },
}

/// `Ok(None)`: the condition did not hold (nothing changed). `Ok(Some(doc))`: changed; the
/// document after the change when asked for, else an empty one.
pub(crate) type Outcome = Result<Option<Document>, UpdateFailure>;

pub(crate) struct GroupUpdate {
    collection: Collection<Document>,
    queue: BatchQueue<Change, Outcome>,
}

impl GroupUpdate {
    pub(crate) fn new(collection: Collection<Document>) -> Self {
        let target = collection.clone();
        let queue = BatchQueue::new(MAX_BATCH, move |jobs| serve(target.clone(), jobs).boxed());
        GroupUpdate { collection, queue }
    }

    pub(crate) async fn change(&self, change: Change) -> Outcome {
        match self.queue.submit(change).await {
            Submitted::Answered(outcome) => outcome,
            Submitted::Lost => {
                Err(UpdateFailure::Refused { code: 0, message: "the update task stopped mid-batch".into() })
            }
            Submitted::NotQueued(change) => alone(&self.collection, change).await,
        }
    }
}

/// The mark a statement writes: random, so that no other statement writes the same.
fn marked(change: &Change) -> (Document, String) {
    let mark = new_hex_id();
    let mut set = change.set.clone();
    set.insert(change.mark_field, mark.as_str());
    (doc! {"$set": set}, mark)
}

/// One change alone: a `findAndModify`, which tells its own outcome.
async fn alone(collection: &Collection<Document>, change: Change) -> Outcome {
    let (update, _) = marked(&change);
    let after = collection
        .find_one_and_update(change.filter, update)
        .return_document(ReturnDocument::After)
        .await
        .map_err(UpdateFailure::Command)?;
    Ok(after.map(|document| if change.want_document { document } else { Document::new() }))
}

async fn serve(collection: Collection<Document>, jobs: Vec<Job<Change, Outcome>>) {
    let (changes, replies): (Vec<Change>, Vec<_>) = jobs.into_iter().unzip();
    let outcomes = match <[Change; 1]>::try_from(changes) {
        Ok([one]) => vec![alone(&collection, one).await],
        Err(changes) => update_all(&collection, changes).await,
    };
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // The caller may have gone (its request was dropped); the change stands anyway.
        let _ = reply.send(outcome);
    }
}

/// Sends the changes as one unordered `update` command and tells each one's outcome, in order.
async fn update_all(collection: &Collection<Document>, changes: Vec<Change>) -> Vec<Outcome> {
    let marked: Vec<(Document, String)> = changes.iter().map(marked).collect();
    let statements: Vec<Document> = changes
        .iter()
        .zip(&marked)
        .map(|(change, (update, _))| doc! {"q": change.filter.clone(), "u": update.clone(), "multi": false})
        .collect();
    let command = doc! {"update": collection.name(), "updates": statements, "ordered": false};
    let reply = match collection.client().database(&collection.namespace().db).run_command(command).await {
        Ok(reply) => reply,
        Err(error) => return changes.iter().map(|_| Err(UpdateFailure::Command(error.clone()))).collect(),
    };
    let refused = refusals(&reply);
    let matched = reply.get("n").and_then(count).unwrap_or(0);
    let everyone_matched = matched == changes.len() as i64 && refused.is_empty();
    if everyone_matched && !changes.iter().any(|c| c.want_document) {
        return changes.iter().map(|_| Ok(Some(Document::new()))).collect();
    }
    let ids: Vec<&str> = changes.iter().map(|c| c.id.as_str()).collect();
    let now: HashMap<String, Document> = match read_back(collection, &ids).await {
        Ok(now) => now,
        Err(error) => return changes.iter().map(|_| Err(UpdateFailure::Command(error.clone()))).collect(),
    };
    changes
        .iter()
        .zip(&marked)
        .enumerate()
        .map(|(index, (change, (_, mark)))| {
            if let Some((code, message)) = refused.get(&index) {
                return Err(UpdateFailure::Refused { code: *code, message: message.clone() });
            }
            let document = now.get(&change.id).filter(|d| d.get_str(change.mark_field).ok() == Some(mark.as_str()));
            Ok(document.map(|d| if change.want_document { d.clone() } else { Document::new() }))
        })
        .collect()
}

async fn read_back(
    collection: &Collection<Document>,
    ids: &[&str],
) -> Result<HashMap<String, Document>, mongodb::error::Error> {
    let found: Vec<Document> = collection.find(doc! {"_id": {"$in": ids}}).await?.try_collect().await?;
    Ok(found.into_iter().filter_map(|d| Some((d.get_str("_id").ok()?.to_string(), d))).collect())
}

fn count(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(n) => Some(*n as i64),
        _ => None,
    }
}

/// The statements the server refused, by index, with their code and message.
fn refusals(reply: &Document) -> HashMap<usize, (i32, String)> {
    let Ok(errors) = reply.get_array("writeErrors") else { return HashMap::new() };
    errors
        .iter()
        .filter_map(Bson::as_document)
        .filter_map(|e| {
            let index = usize::try_from(e.get("index").and_then(count)?).ok()?;
            let code = e.get("code").and_then(count).and_then(|c| i32::try_from(c).ok()).unwrap_or(0);
            Some((index, (code, e.get_str("errmsg").unwrap_or_default().to_string())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db;
    use std::sync::Arc;

    fn pay(id: &str) -> Change {
        Change {
            id: id.to_string(),
            filter: doc! {"_id": id, "status": "pending"},
            set: doc! {"status": "paid"},
            mark_field: "paid_by",
            want_document: true,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_changes_of_the_same_orders_have_exactly_one_winner_each_round() {
        let db = test_db::fresh_database("group_update").await;
        let orders = db.collection::<Document>("orders");
        let group = Arc::new(GroupUpdate::new(orders.clone()));
        for round in 0..3 {
            orders.delete_many(doc! {}).await.expect("clear");
            // 150 orders pending, 50 paid before; each order is paid by three racing changes.
            let docs: Vec<Document> = (0..200)
                .map(|i| doc! {"_id": format!("o{i}"), "status": if i < 150 { "pending" } else { "paid" }})
                .collect();
            orders.insert_many(docs).await.expect("seed");
            let changes: Vec<String> = (0..200).flat_map(|i| std::iter::repeat_n(format!("o{i}"), 3)).collect();
            let outcomes = futures::future::join_all(changes.iter().map(|id| {
                let group = group.clone();
                async move { group.change(pay(id)).await }
            }))
            .await;
            let mut winners: HashMap<&str, usize> = HashMap::new();
            for (id, outcome) in changes.iter().zip(outcomes) {
                match outcome {
                    Ok(Some(after)) => {
                        assert_eq!(after.get_str("status").ok(), Some("paid"), "round {round}, {id}: the order after");
                        *winners.entry(id.as_str()).or_default() += 1;
                    }
                    Ok(None) => {}
                    Err(e) => panic!("round {round}, {id}: {e:?}"),
                }
            }
            for i in 0..200 {
                let expected = usize::from(i < 150);
                let won = winners.get(format!("o{i}").as_str()).copied().unwrap_or(0);
                assert_eq!(won, expected, "round {round}: o{i}'s winners");
            }
        }
        db.drop().await.ok();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_statement_fails_alone_and_the_rest_stand() {
        let db = test_db::fresh_database("group_update_refused").await;
        let orders = db.collection::<Document>("orders");
        orders.insert_many((0..3).map(|i| doc! {"_id": format!("o{i}"), "status": "pending"})).await.expect("seed");
        let mut bad = pay("o1");
        bad.set = doc! {"status": "paid", "_id": "elsewhere"}; // `_id` is immutable: refused
        let outcomes = update_all(&orders, vec![pay("o0"), bad, pay("o2")]).await;
        assert!(matches!(outcomes[0], Ok(Some(_))), "o0 paid: {:?}", outcomes[0]);
        assert!(matches!(outcomes[1], Err(UpdateFailure::Refused { .. })), "o1 refused: {:?}", outcomes[1]);
        assert!(matches!(outcomes[2], Ok(Some(_))), "o2 paid: {:?}", outcomes[2]);
        let still_pending = orders.count_documents(doc! {"status": "pending"}).await.expect("count");
        assert_eq!(still_pending, 1, "only the refused order is left pending");
        db.drop().await.ok();
    }
}
