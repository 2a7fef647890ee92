//! `attempts`: one counter per key (`login:<email>`, `login-from:<address>`,
//! `register-from:<address>`), `_id` the key, dropped by a TTL index on `forget_at` — and
//! ignored by every read once `forget_at` has passed, since a TTL monitor runs only once a
//! minute.

use super::{db_error, from_bson, is_duplicate_key, to_bson};
use crate::domain::throttle::{Attempts, Policy};
use crate::error::{AppError, AppResult};
use crate::ports::AttemptStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct AttemptDoc {
    #[serde(rename = "_id")]
    key: String,
    count: i64,
    last_at: BsonDateTime,
    forget_at: BsonDateTime,
}

impl AttemptDoc {
    fn attempts(&self) -> Attempts {
        Attempts { count: self.count, last_at: from_bson(self.last_at) }
    }
}

pub struct MongoAttempts {
    attempts: Collection<AttemptDoc>,
}

impl MongoAttempts {
    pub fn new(db: &Database) -> Self {
        MongoAttempts { attempts: db.collection("attempts") }
    }
}

#[async_trait]
impl AttemptStore for MongoAttempts {
    async fn get(&self, key: &str, now: DateTime<Utc>) -> AppResult<Option<Attempts>> {
        let live = doc! {"_id": key, "forget_at": {"$gt": to_bson(now)}};
        let found = self.attempts.find_one(live).await.map_err(db_error("reading attempts"))?;
        Ok(found.map(|d| d.attempts()))
    }

    async fn add(&self, key: &str, policy: &Policy, now: DateTime<Utc>) -> AppResult<Attempts> {
        for _ in 0..3 {
            // A live count: one more, atomically (concurrent failures each count).
            let live = doc! {"_id": key, "forget_at": {"$gt": to_bson(now)}};
            let counted = self
                .attempts
                .find_one_and_update(live, doc! {"$inc": {"count": 1}, "$set": {"last_at": to_bson(now)}})
                .return_document(ReturnDocument::After)
                .await
                .map_err(db_error("counting an attempt"))?;
            if let Some(doc) = counted {
                let attempts = doc.attempts();
                let forget_at = to_bson(policy.forgets_at(&attempts));
                self.attempts
                    .update_one(doc! {"_id": key}, doc! {"$set": {"forget_at": forget_at}})
                    .await
                    .map_err(db_error("counting an attempt"))?;
                return Ok(attempts);
            }
            // None, or one already forgotten: start over at 1. Two instances starting over
            // at once: one inserts, the other meets its `_id` and counts on the live one.
            let first = Attempts { count: 1, last_at: now };
            let forgotten = doc! {"_id": key, "forget_at": {"$lte": to_bson(now)}};
            let fresh = doc! {"$set": {
                "count": 1_i64,
                "last_at": to_bson(now),
                "forget_at": to_bson(policy.forgets_at(&first)),
            }};
            match self.attempts.update_one(forgotten, fresh).upsert(true).await {
                Ok(_) => return Ok(first),
                Err(e) if is_duplicate_key(&e) => continue,
                Err(e) => return Err(db_error("counting an attempt")(e)),
            }
        }
        Err(AppError::Internal(format!("the attempt counter {key} kept changing under three tries")))
    }

    async fn clear(&self, key: &str) -> AppResult<()> {
        self.attempts.delete_one(doc! {"_id": key}).await.map_err(db_error("clearing attempts"))?;
        Ok(())
    }
}
