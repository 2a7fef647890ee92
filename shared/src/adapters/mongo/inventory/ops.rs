//! The inventory document and the conditional updates made on it. Every update that takes
//! stock also records the take for its order (`takes.<order id>`) in the same atomic
//! update; every update that returns a take of an order not stored is conditional on that
//! record and removes it, so a take is returned at most once, whoever returns it.

use crate::adapters::mongo::{from_bson, to_bson};
use crate::domain::{Bucket, OrderId, PriceType, UserId};
use crate::ports::InFlightTake;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, oid::ObjectId, Bson, DateTime as BsonDateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::Collection;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone)]
pub(crate) struct InventoryDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub event_id: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: i32,
    pub bucket: i32,
    pub available: i64,
    pub capacity: i64,
    pub half_available: i64,
    pub half_capacity: i64,
    pub price_cents: i64,
    pub on_sale: bool,
    /// The event version whose status change last set `on_sale` (a later one never loses to
    /// an earlier one that arrives late).
    #[serde(default)]
    pub sale_version: i64,
    /// Tickets held by gathers in flight (taken from `available`, not yet final).
    #[serde(default)]
    pub pending: i64,
    #[serde(default)]
    pub half_pending: i64,
    /// Takes not yet covered by a stored order, by order id (see `TakeRecord`).
    #[serde(default)]
    pub takes: Document,
    /// Keys of the last edits applied here, so an edit's adjustment is applied once.
    #[serde(default)]
    pub edits: Vec<String>,
}

impl InventoryDoc {
    pub(crate) fn from_bucket(event_id: &str, b: &Bucket, sale_version: i64) -> Self {
        InventoryDoc {
            id: b.id.clone(),
            event_id: event_id.to_string(),
            sector_id: b.sector_id.clone(),
            sector: b.sector.clone(),
            lot: b.lot as i32,
            bucket: b.bucket as i32,
            available: b.available,
            capacity: b.capacity,
            half_available: b.half_available,
            half_capacity: b.half_capacity,
            price_cents: b.price_cents,
            on_sale: b.on_sale,
            sale_version,
            pending: b.pending,
            half_pending: b.half_pending,
            takes: Document::new(),
            edits: Vec::new(),
        }
    }

    pub(crate) fn eligible(&self, price_type: PriceType) -> i64 {
        match price_type {
            PriceType::Full => self.available,
            PriceType::Half => self.available.min(self.half_available),
        }
        .max(0)
    }

    /// What would be eligible if every gather in flight gave its holds back.
    pub(crate) fn eligible_at_most(&self, price_type: PriceType) -> i64 {
        let all = self.available + self.pending.max(0);
        match price_type {
            PriceType::Full => all,
            PriceType::Half => all.min(self.half_available + self.half_pending.max(0)),
        }
        .max(0)
    }

    pub(crate) fn in_flight(&self) -> Vec<InFlightTake> {
        self.takes
            .iter()
            .filter_map(|(order, record)| {
                let record = record.as_document()?;
                let signed = record.get_i32("q").ok()?;
                Some(InFlightTake {
                    bucket: self.id.clone(),
                    order_id: OrderId::parse(order)?,
                    user_id: UserId::parse(&record.get_object_id("u").ok()?.to_hex())?,
                    quantity: i64::from(signed.abs()),
                    price_type: if signed < 0 { PriceType::Half } else { PriceType::Full },
                    held: record.get_bool("h").unwrap_or(false),
                    at: from_bson(record.get_datetime("t").ok().copied().unwrap_or(BsonDateTime::MIN)),
                })
            })
            .collect()
    }

    pub(crate) fn into_bucket(self) -> Bucket {
        Bucket {
            id: self.id,
            sector_id: self.sector_id,
            sector: self.sector,
            lot: self.lot.max(0) as usize,
            bucket: self.bucket.max(0) as u32,
            available: self.available,
            capacity: self.capacity,
            half_available: self.half_available,
            half_capacity: self.half_capacity,
            price_cents: self.price_cents,
            on_sale: self.on_sale,
            pending: self.pending,
            half_pending: self.half_pending,
        }
    }
}

/// One order's take, as recorded on the bucket it came from.
#[derive(Clone, Debug)]
pub(crate) struct TakeRecord {
    pub order: String,
    pub user: String,
    pub quantity: i64,
    pub at: DateTime<Utc>,
}

impl TakeRecord {
    pub(crate) fn new(order: &OrderId, user: &UserId, quantity: i64, at: DateTime<Utc>) -> Self {
        TakeRecord { order: order.to_string(), user: user.to_string(), quantity, at }
    }
}

pub(crate) fn record_path(order: &str) -> String {
    format!("takes.{order}")
}

/// A record, kept small because the bucket document carries one per reservation in flight
/// and every take rewrites it: `u` the buyer (12 bytes), `q` the quantity (negative at half
/// price), `t` when, `h: true` only while a gather holds it in `pending`.
fn records(set: &mut Document, records: &[TakeRecord], price_type: PriceType, held: bool) {
    for r in records {
        let user = ObjectId::parse_str(&r.user).unwrap_or_else(|_| ObjectId::from_bytes([0; 12]));
        let q = r.quantity as i32;
        let mut record = doc! {"u": user, "q": if price_type == PriceType::Half { -q } else { q }, "t": to_bson(r.at)};
        if held {
            record.insert("h", true);
        }
        set.insert(record_path(&r.order), record);
    }
}

fn availability_filter(id: &str, quantity: i64, price_type: PriceType) -> Document {
    match price_type {
        PriceType::Full => doc! {"_id": id, "on_sale": true, "available": {"$gte": quantity}},
        PriceType::Half => {
            doc! {"_id": id, "on_sale": true, "available": {"$gte": quantity}, "half_available": {"$gte": quantity}}
        }
    }
}

fn stock_inc(quantity: i64, price_type: PriceType) -> Document {
    match price_type {
        PriceType::Full => doc! {"available": quantity},
        PriceType::Half => doc! {"available": quantity, "half_available": quantity},
    }
}

/// Takes `quantity` (the sum of the records') from one bucket, atomically, recording each
/// record's take.
pub(crate) fn take_ops(id: &str, price_type: PriceType, takes: &[TakeRecord]) -> (Document, Document) {
    take_and_forget_ops(id, price_type, takes, &[])
}

/// `take_ops`, also forgetting the records of `forget` (orders stored since): the clean-up
/// rides on a command that goes to this document anyway.
pub(crate) fn take_and_forget_ops(
    id: &str,
    price_type: PriceType,
    takes: &[TakeRecord],
    forget: &[String],
) -> (Document, Document) {
    let quantity: i64 = takes.iter().map(|t| t.quantity).sum();
    let mut set = Document::new();
    records(&mut set, takes, price_type, false);
    let mut update = doc! {"$inc": stock_inc(-quantity, price_type), "$set": set};
    if !forget.is_empty() {
        update.extend(forget_records(forget.iter().map(String::as_str)));
    }
    (availability_filter(id, quantity, price_type), update)
}

/// Holds the record's quantity of one bucket for a gather (into `pending`), atomically.
pub(crate) fn hold_ops(id: &str, price_type: PriceType, take: &TakeRecord) -> (Document, Document) {
    let q = take.quantity;
    let mut inc = stock_inc(-q, price_type);
    inc.insert("pending", q);
    if price_type == PriceType::Half {
        inc.insert("half_pending", q);
    }
    let mut set = Document::new();
    records(&mut set, std::slice::from_ref(take), price_type, true);
    (availability_filter(id, q, price_type), doc! {"$inc": inc, "$set": set})
}

/// Makes a gather's hold final (its record stays, no longer held), or gives it back (its
/// record goes).
pub(crate) fn settle_ops(
    id: &str,
    order: &str,
    quantity: i64,
    price_type: PriceType,
    release: bool,
) -> (Document, Document) {
    let mut inc = if release { stock_inc(quantity, price_type) } else { Document::new() };
    inc.insert("pending", -quantity);
    if price_type == PriceType::Half {
        inc.insert("half_pending", -quantity);
    }
    let path = record_path(order);
    let filter = doc! {"_id": id, format!("{path}.h"): true};
    let update = if release {
        doc! {"$inc": inc, "$unset": {path: ""}}
    } else {
        doc! {"$inc": inc, "$unset": {format!("{path}.h"): ""}}
    };
    (filter, update)
}

/// Returns a take whose order is not stored, if its record is still there (and still in the
/// state it was read in), removing the record: exactly once.
pub(crate) fn return_take_ops(take: &InFlightTake) -> (Document, Document) {
    return_record_ops(&take.bucket, take.order_id.as_str(), take.quantity, take.price_type, take.held)
}

pub(crate) fn return_record_ops(
    bucket: &str,
    order: &str,
    quantity: i64,
    price_type: PriceType,
    held: bool,
) -> (Document, Document) {
    let path = record_path(order);
    let mut inc = stock_inc(quantity, price_type);
    if held {
        inc.insert("pending", -quantity);
        if price_type == PriceType::Half {
            inc.insert("half_pending", -quantity);
        }
    }
    // Still in the state it was read in: held (`h: true`) or settled (no `h`).
    let state = if held { Bson::Boolean(true) } else { Bson::Document(doc! {"$exists": false}) };
    (
        doc! {"_id": bucket, format!("{path}.q"): {"$exists": true}, format!("{path}.h"): state},
        doc! {"$inc": inc, "$unset": {path: ""}},
    )
}

/// The update that returns `quantity` to a bucket (a stored order ending its hold).
pub(crate) fn return_op(quantity: i64, price_type: PriceType) -> Document {
    doc! {"$inc": stock_inc(quantity, price_type)}
}

#[derive(Deserialize)]
pub(crate) struct PriceOnly {
    price_cents: i64,
}

/// Applies a conditional take (`take_ops`, `hold_ops`) and returns the lot's price in the same
/// trip, or `None` when the filter refused (nothing taken).
pub(crate) async fn take_price(
    prices: &Collection<PriceOnly>,
    (filter, update): (Document, Document),
) -> mongodb::error::Result<Option<i64>> {
    let taken = prices
        .find_one_and_update(filter, update)
        .projection(doc! {"_id": 0, "price_cents": 1})
        .return_document(ReturnDocument::After)
        .await?;
    Ok(taken.map(|p| p.price_cents))
}

/// `$unset` of the records of these orders (absent keys are no-ops).
pub(crate) fn forget_records<'a>(orders: impl Iterator<Item = &'a str>) -> Document {
    let mut unset = Document::new();
    for o in orders {
        unset.insert(record_path(o), Bson::String(String::new()));
    }
    doc! {"$unset": unset}
}

/// Takes `quantity` from one bucket again for an order that had it (a late payment), if it
/// is on sale and there: no take record, since the order's own status change rides in the
/// same transaction.
pub(crate) fn retake_ops(id: &str, quantity: i64, price_type: PriceType) -> (Document, Document) {
    (availability_filter(id, quantity, price_type), doc! {"$inc": stock_inc(-quantity, price_type)})
}
