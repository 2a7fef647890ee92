use super::{db_error, is_duplicate_key, to_bson};
use crate::domain::Refusal;
use crate::domain::{OrderId, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::{Claim, IdempotencyStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

/// A claimed key, `_id` `<user>:<key>` (keys are per buyer), expired by a TTL index after 24 h.
#[derive(Serialize, Deserialize)]
struct ClaimDoc {
    #[serde(rename = "_id")]
    id: String,
    order_id: String,
    fingerprint: String,
    created_at: BsonDateTime,
    /// Until when the claiming request may still be running; after it, a claim whose order
    /// was never stored belongs to a request that died, and a retry may take it over.
    #[serde(default = "lapsed_already")]
    lapses_at: BsonDateTime,
}

fn lapsed_already() -> BsonDateTime {
    BsonDateTime::MIN
}

/// How long a claim's request may run: longer than any function's timeout (template.yaml:
/// at most 60 s), so a claim never lapses under a request still running.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(90);

pub struct MongoIdempotency {
    claims: Collection<ClaimDoc>,
}

impl MongoIdempotency {
    pub fn new(db: &Database) -> Self {
        MongoIdempotency { claims: db.collection("idempotency") }
    }
}

fn claim_id(user: &UserId, key: &str) -> String {
    format!("{user}:{key}")
}

#[async_trait]
impl IdempotencyStore for MongoIdempotency {
    async fn claim(
        &self,
        user: &UserId,
        key: &str,
        order_id: &OrderId,
        request_fingerprint: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Claim> {
        let id = claim_id(user, key);
        let claim = ClaimDoc {
            id: id.clone(),
            order_id: order_id.to_string(),
            fingerprint: request_fingerprint.to_string(),
            created_at: to_bson(now),
            lapses_at: to_bson(now + CLAIM_LEASE),
        };
        match self.claims.insert_one(claim).await {
            Ok(_) => Ok(Claim::New),
            Err(e) if is_duplicate_key(&e) => {
                let existing = self
                    .claims
                    .find_one(doc! {"_id": &id})
                    .await
                    .map_err(db_error("reading an idempotency key"))?
                    // Released between our insert and this read: treat it as in progress.
                    .ok_or(Refusal::KeyBeingRetried)?;
                let order_id = OrderId::parse(&existing.order_id)
                    .ok_or_else(|| AppError::Internal("a stored idempotency claim is malformed".into()))?;
                let lapsed = existing.lapses_at <= to_bson(now);
                Ok(Claim::Existing { order_id, request_fingerprint: existing.fingerprint, lapsed })
            }
            Err(e) => Err(db_error("claiming an idempotency key")(e)),
        }
    }

    async fn take_over(
        &self,
        user: &UserId,
        key: &str,
        old_order: &OrderId,
        new_order: &OrderId,
        request_fingerprint: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let result = self
            .claims
            .update_one(
                doc! {"_id": claim_id(user, key), "order_id": old_order.as_str()},
                doc! {"$set": {
                    "order_id": new_order.as_str(), "fingerprint": request_fingerprint,
                    "created_at": to_bson(now), "lapses_at": to_bson(now + CLAIM_LEASE),
                }},
            )
            .await
            .map_err(db_error("taking over an idempotency key"))?;
        Ok(result.modified_count == 1)
    }

    async fn release(&self, user: &UserId, key: &str, order_id: &OrderId) -> AppResult<()> {
        self.claims
            .delete_one(doc! {"_id": claim_id(user, key), "order_id": order_id.as_str()})
            .await
            .map_err(db_error("releasing an idempotency key"))?;
        Ok(())
    }
}
