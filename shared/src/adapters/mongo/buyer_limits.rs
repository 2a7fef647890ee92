use super::{db_error, is_duplicate_key};
use crate::domain::EventId;
use crate::error::AppResult;
use crate::ports::BuyerLimits;
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::{Collection, Database};

/// Tickets per buyer per event, `_id` `<buyer key>/<event>` (the key is `cpf:<digits>`, or
/// the account id for a caller with no CPF), counted with one conditional upsert.
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
    async fn count(&self, buyer: &str, event: &EventId, quantity: i64, limit: i64) -> AppResult<bool> {
        // A first order larger than the limit: the upsert below would insert it unchecked.
        if quantity > limit {
            return Ok(false);
        }
        let id = format!("{buyer}/{event}");
        let within = doc! {"_id": &id, "tickets": {"$lte": limit - quantity}};
        let add = doc! {"$inc": {"tickets": quantity}};
        // The filter matches only a count that stays within the limit; with no document yet
        // the upsert creates it with `quantity` (≤ limit). When the document exists but is at
        // its limit, the upsert tries to insert a second `_id` and fails with a duplicate key.
        match self.counts.update_one(within.clone(), add.clone()).upsert(true).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => {
                // Either at the limit, or two first orders raced to create the document:
                // the loser counts against the document the winner created.
                let again =
                    self.counts.update_one(within, add).await.map_err(db_error("counting a buyer's tickets"))?;
                Ok(again.modified_count == 1)
            }
            Err(e) => Err(db_error("counting a buyer's tickets")(e)),
        }
    }

    async fn uncount(&self, buyer: &str, event: &EventId, quantity: i64) -> AppResult<()> {
        self.counts
            .update_one(doc! {"_id": format!("{buyer}/{event}")}, doc! {"$inc": {"tickets": -quantity}})
            .await
            .map_err(db_error("uncounting a buyer's tickets"))?;
        Ok(())
    }
}
