use super::{db_error, is_duplicate_key};
use crate::domain::{EventId, UserId};
use crate::error::AppResult;
use crate::ports::BuyerLimits;
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::{Collection, Database};

/// Tickets per buyer per event, `_id` `<user>/<event>`, counted with one conditional upsert.
pub struct MongoBuyerLimits {
    counts: Collection<Document>,
}

impl MongoBuyerLimits {
    pub fn new(db: &Database) -> Self {
        MongoBuyerLimits { counts: db.collection("buyer_counts") }
    }
}

#[async_trait]
impl BuyerLimits for MongoBuyerLimits {
    async fn count(&self, user: &UserId, event: &EventId, quantity: i64, limit: i64) -> AppResult<bool> {
        // The filter matches only a count that stays within the limit; when the document
        // exists but is at its limit, the upsert tries to insert a second `_id` and fails:
        // that duplicate-key error is the refusal.
        let result = self
            .counts
            .update_one(
                doc! {"_id": format!("{user}/{event}"), "tickets": {"$lte": limit - quantity}},
                doc! {"$inc": {"tickets": quantity}},
            )
            .upsert(true)
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(db_error("counting a buyer's tickets")(e)),
        }
    }

    async fn uncount(&self, user: &UserId, event: &EventId, quantity: i64) -> AppResult<()> {
        self.counts
            .update_one(doc! {"_id": format!("{user}/{event}")}, doc! {"$inc": {"tickets": -quantity}})
            .await
            .map_err(db_error("uncounting a buyer's tickets"))?;
        Ok(())
    }
}
