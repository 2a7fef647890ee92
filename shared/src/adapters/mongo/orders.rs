use super::group_find::{decode, GroupFind};
use super::group_insert::{GroupInsert, InsertFailure};
use super::group_update::{Change, GroupUpdate, UpdateFailure};
use super::order_transitions::Transitions;
use super::{db_error, from_bson, is_duplicate_key, refused, to_bson};
use crate::domain::{
    Allocation, Entitlement, EventId, NewOrder, Order, OrderId, OrderStatus, Payment, PriceType, Transition, UserId,
};
use crate::error::{AppError, AppResult};
use crate::ports::{Fence, OrderStore, TransitionChanges};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, to_bson as bson_of, DateTime as BsonDateTime, Document};
use mongodb::{Client, Collection, Database};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const DUPLICATE_KEY: i32 = 11000;

#[derive(Serialize, Deserialize, Clone)]
pub(super) struct OrderDoc {
    #[serde(rename = "_id")]
    id: String,
    user_id: String,
    event_id: String,
    event_name: String,
    sector_id: String,
    sector: String,
    lot: String,
    price_type: PriceType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entitlement: Option<Entitlement>,
    quantity: i64,
    unit_price_cents: i64,
    total_cents: i64,
    status: OrderStatus,
    allocations: Vec<Allocation>,
    /// Orders stored before per-CPF limits say only whether their account was counted.
    #[serde(default)]
    counted_for_buyer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    counted_as: Option<String>,
    payment: Option<Payment>,
    created_at: BsonDateTime,
    updated_at: BsonDateTime,
    expires_at: BsonDateTime,
    processed_at: Option<BsonDateTime>,
    /// Absent until paid, so the sparse `paid_at` index holds only paid orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paid_at: Option<BsonDateTime>,
    cancelled_at: Option<BsonDateTime>,
    expired_at: Option<BsonDateTime>,
    refunded_at: Option<BsonDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<String>,
}

impl From<&Order> for OrderDoc {
    fn from(o: &Order) -> Self {
        OrderDoc {
            id: o.id.to_string(),
            user_id: o.user_id.to_string(),
            event_id: o.event_id.to_string(),
            event_name: o.event_name.clone(),
            sector_id: o.sector_id.clone(),
            sector: o.sector.clone(),
            lot: o.lot.clone(),
            price_type: o.price_type,
            entitlement: o.entitlement,
            quantity: o.quantity,
            unit_price_cents: o.unit_price_cents,
            total_cents: o.total_cents,
            status: o.status,
            allocations: o.allocations.clone(),
            counted_for_buyer: o.counted_as.is_some(),
            counted_as: o.counted_as.clone(),
            payment: o.payment.clone(),
            created_at: to_bson(o.created_at),
            updated_at: to_bson(o.updated_at),
            expires_at: to_bson(o.expires_at),
            processed_at: o.processed_at.map(to_bson),
            paid_at: o.paid_at.map(to_bson),
            cancelled_at: o.cancelled_at.map(to_bson),
            expired_at: o.expired_at.map(to_bson),
            refunded_at: o.refunded_at.map(to_bson),
            idempotency_key: o.idempotency_key.clone(),
        }
    }
}

impl OrderDoc {
    pub(super) fn into_domain(self) -> AppResult<Order> {
        let malformed = |what: &str| AppError::Internal(format!("order {} has a malformed {what}", self.id));
        Ok(Order {
            id: OrderId::parse(&self.id).ok_or_else(|| malformed("id"))?,
            user_id: UserId::parse(&self.user_id).ok_or_else(|| malformed("user id"))?,
            event_id: EventId::parse(&self.event_id).ok_or_else(|| malformed("event id"))?,
            event_name: self.event_name,
            sector_id: self.sector_id,
            sector: self.sector,
            lot: self.lot,
            price_type: self.price_type,
            entitlement: self.entitlement,
            quantity: self.quantity,
            unit_price_cents: self.unit_price_cents,
            total_cents: self.total_cents,
            status: self.status,
            allocations: self.allocations,
            counted_as: self.counted_as.or_else(|| self.counted_for_buyer.then(|| self.user_id.clone())),
            payment: self.payment,
            created_at: from_bson(self.created_at),
            updated_at: from_bson(self.updated_at),
            expires_at: from_bson(self.expires_at),
            processed_at: self.processed_at.map(from_bson),
            paid_at: self.paid_at.map(from_bson),
            cancelled_at: self.cancelled_at.map(from_bson),
            expired_at: self.expired_at.map(from_bson),
            refunded_at: self.refunded_at.map(from_bson),
            idempotency_key: self.idempotency_key,
        })
    }
}

pub struct MongoOrders {
    orders: Collection<OrderDoc>,
    /// New orders go in through group commit (see `group_insert`): a peak's reservations
    /// share `insertMany` commands instead of paying one command each.
    new_orders: GroupInsert<OrderDoc>,
    /// Reads by id share `$in` commands under load (the consumer's many orders at once).
    by_id: GroupFind,
    /// The consumer's per-order marks (processed, paid) share `update` commands under load.
    marks: GroupUpdate,
    transitions: Transitions,
}

impl MongoOrders {
    pub fn new(client: &Client, db: &Database) -> Self {
        MongoOrders {
            orders: db.collection("orders"),
            new_orders: GroupInsert::new(db.collection("orders")),
            // By `_id` alone: a fence is left out below (a `status` in the filter would have
            // the server weigh the `{status, expires_at}` index on every read; group_find.rs).
            by_id: GroupFind::new(db.collection("orders"), "_id", doc! {}, None),
            marks: GroupUpdate::new(db.collection("orders")),
            transitions: Transitions::new(client, db),
        }
    }
}

/// A grouped update's failure as the store's error, classified as `db_error` does.
fn update_failure(context: &'static str) -> impl Fn(UpdateFailure) -> AppError {
    move |failure| match failure {
        UpdateFailure::Command(e) => db_error(context)(e),
        UpdateFailure::Refused { code, message } => refused(context, code, &message),
    }
}

/// The status of the marker that fences an order id (see `OrderStore::fence`): never a
/// status of a real order, and excluded by every read that returns orders.
const VOID: &str = "void";

async fn collect(cursor: mongodb::Cursor<OrderDoc>) -> AppResult<Vec<Order>> {
    let docs: Vec<OrderDoc> = cursor.try_collect().await.map_err(db_error("reading orders"))?;
    docs.into_iter().map(OrderDoc::into_domain).collect()
}

fn statuses(list: &[OrderStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

/// The filter and update of a transition: one conditional update on the current status.
fn transition_ops(
    id: &OrderId,
    owner: Option<&UserId>,
    t: Transition,
    changes: &TransitionChanges,
    now: DateTime<Utc>,
) -> AppResult<(Document, Document)> {
    let mut filter = doc! {"_id": id.as_str(), "status": {"$in": statuses(t.from())}};
    if let Some(user) = owner {
        filter.insert("user_id", user.as_str());
    }
    match t {
        // A hold can be paid only while it lasts, and expires only once it is up.
        Transition::RequestPayment => {
            filter.insert("expires_at", doc! {"$gt": to_bson(now)});
        }
        Transition::Expire => {
            filter.insert("expires_at", doc! {"$lte": to_bson(now)});
        }
        _ => {}
    }
    let mut set = doc! {"status": t.to().as_str(), "updated_at": to_bson(now)};
    let stamp = match t {
        Transition::ConfirmPayment | Transition::ConfirmLatePayment => Some("paid_at"),
        Transition::Cancel => Some("cancelled_at"),
        Transition::Expire => Some("expired_at"),
        Transition::Refund => Some("refunded_at"),
        _ => None,
    };
    if let Some(field) = stamp {
        set.insert(field, to_bson(now));
    }
    if let Some(payment) = &changes.payment {
        set.insert("payment", bson_of(payment).map_err(|e| AppError::internal("encoding a payment", e))?);
    }
    Ok((filter, doc! {"$set": set}))
}

#[async_trait]
impl OrderStore for MongoOrders {
    async fn insert(&self, order: &NewOrder) -> AppResult<Option<Order>> {
        let order = order.clone().into_order();
        match self.new_orders.insert(OrderDoc::from(&order)).await {
            Ok(()) => Ok(Some(order)),
            Err(InsertFailure::Command(e)) if is_duplicate_key(&e) => Ok(None),
            Err(InsertFailure::Command(e)) => Err(db_error("storing an order")(e)),
            // `_id` is the only unique key of orders: its id was fenced.
            Err(InsertFailure::Refused { code: DUPLICATE_KEY, .. }) => Ok(None),
            Err(InsertFailure::Refused { code, message }) => Err(refused("storing an order", code, &message)),
        }
    }

    async fn fence(&self, id: &OrderId, user: &UserId, event: &EventId, now: DateTime<Utc>) -> AppResult<Fence> {
        let marker = doc! {
            "_id": id.as_str(), "user_id": user.as_str(), "event_id": event.as_str(), "status": VOID,
            "created_at": to_bson(now), "updated_at": to_bson(now),
        };
        match self.orders.clone_with_type::<Document>().insert_one(marker).await {
            Ok(_) => Ok(Fence::Fenced),
            Err(e) if is_duplicate_key(&e) => {
                let existing = self
                    .orders
                    .clone_with_type::<Document>()
                    .find_one(doc! {"_id": id.as_str()})
                    .projection(doc! {"status": 1})
                    .await
                    .map_err(db_error("fencing an order id"))?;
                Ok(match existing.as_ref().and_then(|d| d.get_str("status").ok()) {
                    Some(VOID) => Fence::Fenced,
                    _ => Fence::Stored,
                })
            }
            Err(e) => Err(db_error("fencing an order id")(e)),
        }
    }

    async fn find_for_user(&self, user: &UserId, id: &OrderId) -> AppResult<Option<Order>> {
        // The user id in the filter is the authorization check and, on a cluster sharded by
        // user, what routes the query to one shard.
        let found = self
            .orders
            .find_one(doc! {"_id": id.as_str(), "user_id": user.as_str(), "status": {"$ne": VOID}})
            .await
            .map_err(db_error("finding an order"))?;
        found.map(OrderDoc::into_domain).transpose()
    }

    async fn find(&self, id: &OrderId) -> AppResult<Option<Order>> {
        let found = self.by_id.one(id.as_str()).await.map_err(db_error("finding an order"))?;
        found.filter(|d| d.get_str("status") != Ok(VOID)).map(|d| decode::<OrderDoc>(d)?.into_domain()).transpose()
    }

    async fn list_for_user(&self, user: &UserId, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"user_id": user.as_str(), "status": {"$ne": VOID}})
            .sort(doc! {"created_at": -1, "_id": -1})
            .limit(limit)
            .await
            .map_err(db_error("listing orders"))?;
        collect(cursor).await
    }

    async fn transition(
        &self,
        id: &OrderId,
        owner: Option<&UserId>,
        transition: Transition,
        changes: TransitionChanges,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Order>> {
        let (filter, update) = transition_ops(id, owner, transition, &changes, now)?;
        if transition == Transition::ConfirmPayment {
            // The consumer's hot transition, grouped; it happens once in an order's life,
            // so its mark tells which of a batch's statements matched (`group_update`).
            let set = update.get_document("$set").cloned().unwrap_or_default();
            let change = Change { id: id.to_string(), filter, set, mark_field: "confirmed_by", want_document: true };
            let after = self.marks.change(change).await.map_err(update_failure("confirming a payment"))?;
            return after.map(decode::<OrderDoc>).transpose()?.map(OrderDoc::into_domain).transpose();
        }
        if transition.returns_stock() {
            self.transitions.with_return(filter, update).await
        } else if transition.takes_stock() {
            self.transitions.with_take(filter, update).await
        } else {
            self.transitions.change(filter, update).await
        }
    }

    async fn refunds_pending(&self, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"status": "refunded", "payment.refund_pending": true})
            .limit(limit)
            .await
            .map_err(db_error("reading pending refunds"))?;
        collect(cursor).await
    }

    async fn refund_returned(&self, id: &OrderId) -> AppResult<()> {
        self.orders
            .update_one(
                doc! {"_id": id.as_str(), "status": "refunded"},
                doc! {"$set": {"payment.refund_pending": false}},
            )
            .await
            .map_err(db_error("marking a refund returned"))?;
        Ok(())
    }

    async fn mark_processed(&self, id: &OrderId, at: DateTime<Utc>) -> AppResult<bool> {
        let change = Change {
            id: id.to_string(),
            filter: doc! {"_id": id.as_str(), "processed_at": null},
            set: doc! {"processed_at": to_bson(at)},
            mark_field: "processed_by",
            want_document: false,
        };
        let marked = self.marks.change(change).await.map_err(update_failure("marking an order processed"))?;
        Ok(marked.is_some())
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

    async fn payments_pending_before(&self, before: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"status": "payment_pending", "updated_at": {"$lt": to_bson(before)}})
            .sort(doc! {"updated_at": 1})
            .limit(limit)
            .await
            .map_err(db_error("reading pending payments"))?;
        collect(cursor).await
    }

    async fn due_for_expiry(&self, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"status": {"$in": ["reserved", "payment_pending"]}, "expires_at": {"$lte": to_bson(now)}})
            .sort(doc! {"expires_at": 1})
            .limit(limit)
            .await
            .map_err(db_error("reading due holds"))?;
        collect(cursor).await
    }

    async fn by_event(&self, event: &EventId, wanted: &[OrderStatus]) -> AppResult<Vec<Order>> {
        let cursor = self
            .orders
            .find(doc! {"event_id": event.as_str(), "status": {"$in": statuses(wanted)}})
            .sort(doc! {"created_at": 1, "_id": 1})
            .await
            .map_err(db_error("reading an event's orders"))?;
        collect(cursor).await
    }

    async fn page_by_event(&self, event: &EventId, after: Option<&OrderId>, limit: i64) -> AppResult<Vec<Order>> {
        let mut filter = doc! {"event_id": event.as_str()};
        if let Some(after) = after {
            filter.insert("_id", doc! {"$gt": after.as_str()});
        }
        let cursor = self
            .orders
            .find(filter)
            .sort(doc! {"_id": 1})
            .limit(limit)
            .await
            .map_err(db_error("reading a page of an event's orders"))?;
        collect(cursor).await
    }

    async fn held_per_bucket(&self, event: &EventId) -> AppResult<HashMap<String, (i64, i64)>> {
        let pipeline = vec![
            doc! {"$match": {"event_id": event.as_str(), "status": {"$in": statuses(&OrderStatus::HOLDING_STOCK)}}},
            doc! {"$unwind": "$allocations"},
            doc! {"$group": {
                "_id": "$allocations.bucket",
                "held": {"$sum": "$allocations.quantity"},
                "half": {"$sum": {"$cond": [{"$eq": ["$price_type", "half"]}, "$allocations.quantity", 0]}},
            }},
        ];
        let cursor = self.orders.aggregate(pipeline).await.map_err(db_error("counting held stock"))?;
        let rows: Vec<Document> = cursor.try_collect().await.map_err(db_error("counting held stock"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let bucket = r.get_str("_id").ok()?.to_string();
                let num = |k: &str| r.get_i64(k).or_else(|_| r.get_i32(k).map(i64::from)).unwrap_or(0);
                Some((bucket, (num("held"), num("half"))))
            })
            .collect())
    }
}
