//! `pix_receipts`: every pix a PSP told us of (and a re-read confirmed), `_id` its
//! `endToEndId`, so a notification delivered twice is one receipt, and an operator can see
//! what became of each payment.

use super::{db_error, from_bson, is_duplicate_key, to_bson};
use crate::domain::OrderId;
use crate::error::{AppError, AppResult};
use crate::ports::{PixReceipts, Receipt, ReceiptOutcome};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ReceiptDoc {
    #[serde(rename = "_id")]
    end_to_end_id: String,
    txid: String,
    order_id: String,
    amount_cents: i64,
    paid_at: BsonDateTime,
    outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settled_at: Option<BsonDateTime>,
}

impl ReceiptDoc {
    fn into_domain(self) -> AppResult<Receipt> {
        Ok(Receipt {
            order_id: OrderId::parse(&self.order_id)
                .ok_or_else(|| AppError::Internal(format!("receipt {} names no order", self.end_to_end_id)))?,
            outcome: ReceiptOutcome::parse(&self.outcome).unwrap_or(ReceiptOutcome::Pending),
            end_to_end_id: self.end_to_end_id,
            txid: self.txid,
            amount_cents: self.amount_cents,
            paid_at: from_bson(self.paid_at),
        })
    }
}

pub struct MongoPixReceipts {
    receipts: Collection<ReceiptDoc>,
}

impl MongoPixReceipts {
    pub fn new(db: &Database) -> Self {
        MongoPixReceipts { receipts: db.collection("pix_receipts") }
    }
}

#[async_trait]
impl PixReceipts for MongoPixReceipts {
    async fn record(&self, r: &Receipt) -> AppResult<bool> {
        let doc = ReceiptDoc {
            end_to_end_id: r.end_to_end_id.clone(),
            txid: r.txid.clone(),
            order_id: r.order_id.to_string(),
            amount_cents: r.amount_cents,
            paid_at: to_bson(r.paid_at),
            outcome: r.outcome.as_str().to_string(),
            settled_at: None,
        };
        match self.receipts.insert_one(doc).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(db_error("recording a pix")(e)),
        }
    }

    async fn find(&self, end_to_end_id: &str) -> AppResult<Option<Receipt>> {
        let found = self.receipts.find_one(doc! {"_id": end_to_end_id}).await.map_err(db_error("reading a pix"))?;
        found.map(ReceiptDoc::into_domain).transpose()
    }

    async fn settle(&self, end_to_end_id: &str, outcome: ReceiptOutcome, at: DateTime<Utc>) -> AppResult<()> {
        self.receipts
            .update_one(
                doc! {"_id": end_to_end_id},
                doc! {"$set": {"outcome": outcome.as_str(), "settled_at": to_bson(at)}},
            )
            .await
            .map_err(db_error("settling a pix"))?;
        Ok(())
    }

    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Receipt>> {
        let docs: Vec<ReceiptDoc> = self
            .receipts
            .find(doc! {"order_id": order.as_str()})
            .sort(doc! {"paid_at": 1})
            .await
            .map_err(db_error("reading an order's pix"))?
            .try_collect()
            .await
            .map_err(db_error("reading an order's pix"))?;
        docs.into_iter().map(ReceiptDoc::into_domain).collect()
    }
}
