use super::{db_error, from_bson, to_bson};
use crate::domain::{EventId, NewOrder, Order, OrderId, OrderStatus, PriceType, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::OrderStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct OrderDoc {
    #[serde(rename = "_id")]
    id: String,
    user_id: String,
    event_id: String,
    sector: String,
    price_type: PriceType,
    quantity: i64,
    unit_price_cents: i64,
    total_cents: i64,
    status: OrderStatus,
    created_at: BsonDateTime,
    expires_at: BsonDateTime,
    processed_at: Option<BsonDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<String>,
}

impl From<&Order> for OrderDoc {
    fn from(o: &Order) -> Self {
        OrderDoc {
            id: o.id.to_string(),
            user_id: o.user_id.to_string(),
            event_id: o.event_id.to_string(),
            sector: o.sector.clone(),
            price_type: o.price_type,
            quantity: o.quantity,
            unit_price_cents: o.unit_price_cents,
            total_cents: o.total_cents,
            status: o.status,
            created_at: to_bson(o.created_at),
            expires_at: to_bson(o.expires_at),
            processed_at: o.processed_at.map(to_bson),
            idempotency_key: o.idempotency_key.clone(),
        }
    }
}

impl OrderDoc {
    fn into_domain(self) -> AppResult<Order> {
        let malformed =
            |what: &str| AppError::Internal(format!("order {} has a malformed {what}", self.id));
        Ok(Order {
            id: OrderId::parse(&self.id).ok_or_else(|| malformed("id"))?,
            user_id: UserId::parse(&self.user_id).ok_or_else(|| malformed("user id"))?,
            event_id: EventId::parse(&self.event_id).ok_or_else(|| malformed("event id"))?,
            sector: self.sector,
            price_type: self.price_type,
            quantity: self.quantity,
            unit_price_cents: self.unit_price_cents,
            total_cents: self.total_cents,
            status: self.status,
            created_at: from_bson(self.created_at),
            expires_at: from_bson(self.expires_at),
            processed_at: self.processed_at.map(from_bson),
            idempotency_key: self.idempotency_key,
        })
    }
}

pub struct MongoOrders {
    orders: Collection<OrderDoc>,
}

impl MongoOrders {
    pub fn new(db: &Database) -> Self {
        MongoOrders {
            orders: db.collection("orders"),
        }
    }
}

async fn collect(cursor: mongodb::Cursor<OrderDoc>) -> AppResult<Vec<Order>> {
    let docs: Vec<OrderDoc> = cursor
        .try_collect()
        .await
        .map_err(db_error("reading orders"))?;
    docs.into_iter().map(OrderDoc::into_domain).collect()
}

#[async_trait]
impl OrderStore for MongoOrders {
    async fn insert(&self, order: &NewOrder) -> AppResult<Order> {
        let order = order.clone().into_order();
        self.orders
            .insert_one(OrderDoc::from(&order))
            .await
            .map_err(db_error("storing an order"))?;
        Ok(order)
    }

    async fn find_for_user(&self, user: &UserId, id: &OrderId) -> AppResult<Option<Order>> {
        // The user id in the filter is the authorization check and, on a cluster sharded by
        // user, what routes the query to one shard.
        let found = self
            .orders
            .find_one(doc! {"_id": id.as_str(), "user_id": user.as_str()})
            .await
            .map_err(db_error("finding an order"))?;
        found.map(OrderDoc::into_domain).transpose()
    }

    async fn find(&self, id: &OrderId) -> AppResult<Option<Order>> {
        let found = self
            .orders
            .find_one(doc! {"_id": id.as_str()})
            .await
            .map_err(db_error("finding an order"))?;
        found.map(OrderDoc::into_domain).transpose()
    }

    async fn list_for_user(&self, user: &UserId, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"user_id": user.as_str()})
            .sort(doc! {"created_at": -1, "_id": -1})
            .limit(limit)
            .await
            .map_err(db_error("listing orders"))?;
        collect(cursor).await
    }

    async fn mark_processed(&self, id: &OrderId, at: DateTime<Utc>) -> AppResult<bool> {
        let result = self
            .orders
            .update_one(
                doc! {"_id": id.as_str(), "processed_at": null},
                doc! {"$set": {"processed_at": to_bson(at)}},
            )
            .await
            .map_err(db_error("marking an order processed"))?;
        Ok(result.modified_count == 1)
    }

    async fn unprocessed_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"status": "reserved", "processed_at": null, "created_at": {"$lt": to_bson(before)}})
            .sort(doc! {"created_at": 1})
            .limit(limit)
            .await
            .map_err(db_error("reading the outbox"))?;
        collect(cursor).await
    }
}
