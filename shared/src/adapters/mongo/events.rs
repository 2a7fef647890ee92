//! Events. Every write after creation is conditional on the version the writer read (and,
//! for an edit, records the edit on the event in the same update), so two admins writing
//! from the same view never both win. The edit record's shape is in `event_edit.rs`.

use super::event_edit::EditDoc;
use super::group_find::{decode, GroupFind};
use super::{db_error, from_bson, to_bson};
use crate::domain::{Event, EventId, EventStatus, Lot, Sector};
use crate::error::{AppError, AppResult};
use crate::ports::{EventEdit, EventQuery, EventStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, to_document, DateTime as BsonDateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone)]
pub(super) struct LotDoc {
    name: String,
    price_cents: i64,
    quantity: i64,
    ends_at: Option<BsonDateTime>,
    buckets: i32,
}

#[derive(Serialize, Deserialize, Clone)]
pub(super) struct SectorDoc {
    id: String,
    name: String,
    lots: Vec<LotDoc>,
}

#[derive(Serialize, Deserialize, Clone)]
pub(super) struct EventDoc {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    description: String,
    venue: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    starts_at: BsonDateTime,
    #[serde(default)]
    sales_end_at: Option<BsonDateTime>,
    image_url: Option<String>,
    status: EventStatus,
    /// Events stored before versions existed read as version 0.
    #[serde(default)]
    version: i64,
    half_price_share_percent: i64,
    max_per_order: i64,
    max_per_buyer: Option<i64>,
    #[serde(default = "default_transfer_window")]
    transfer_closes_minutes_before: i64,
    buckets: i32,
    sectors: Vec<SectorDoc>,
    created_at: BsonDateTime,
    updated_at: BsonDateTime,
    /// The edit in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending_edit: Option<EditDoc>,
}

impl From<&Event> for EventDoc {
    fn from(e: &Event) -> Self {
        let lot = |l: &Lot| LotDoc {
            name: l.name.clone(),
            price_cents: l.price_cents,
            quantity: l.quantity,
            ends_at: l.ends_at.map(to_bson),
            buckets: l.buckets as i32,
        };
        EventDoc {
            id: e.id.to_string(),
            name: e.name.clone(),
            description: e.description.clone(),
            venue: e.venue.clone(),
            time_zone: e.time_zone.clone(),
            starts_at: to_bson(e.starts_at),
            sales_end_at: e.sales_end_at.map(to_bson),
            image_url: e.image_url.clone(),
            status: e.status,
            version: e.version,
            half_price_share_percent: e.half_price_share_percent,
            max_per_order: e.max_per_order,
            max_per_buyer: e.max_per_buyer,
            transfer_closes_minutes_before: e.transfer_closes_minutes_before,
            buckets: e.buckets as i32,
            sectors: e
                .sectors
                .iter()
                .map(|s| SectorDoc { id: s.id.clone(), name: s.name.clone(), lots: s.lots.iter().map(lot).collect() })
                .collect(),
            created_at: to_bson(e.created_at),
            updated_at: to_bson(e.updated_at),
            pending_edit: None,
        }
    }
}

impl EventDoc {
    pub(super) fn into_domain(self) -> AppResult<Event> {
        let lot = |l: LotDoc| Lot {
            name: l.name,
            price_cents: l.price_cents,
            quantity: l.quantity,
            ends_at: l.ends_at.map(from_bson),
            buckets: l.buckets.max(1) as u32,
        };
        Ok(Event {
            id: EventId::parse(&self.id)
                .ok_or_else(|| AppError::Internal(format!("stored event id {} is malformed", self.id)))?,
            name: self.name,
            description: self.description,
            venue: self.venue,
            time_zone: self.time_zone,
            starts_at: from_bson(self.starts_at),
            sales_end_at: self.sales_end_at.map(from_bson),
            image_url: self.image_url,
            status: self.status,
            version: self.version,
            half_price_share_percent: self.half_price_share_percent,
            max_per_order: self.max_per_order,
            max_per_buyer: self.max_per_buyer,
            transfer_closes_minutes_before: self.transfer_closes_minutes_before,
            buckets: self.buckets.max(1) as u32,
            sectors: self
                .sectors
                .into_iter()
                .map(|s| Sector { id: s.id, name: s.name, lots: s.lots.into_iter().map(lot).collect() })
                .collect(),
            created_at: from_bson(self.created_at),
            updated_at: from_bson(self.updated_at),
        })
    }
}

fn statuses(list: &[EventStatus]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

const OPEN: [EventStatus; 2] = [EventStatus::Active, EventStatus::Paused];

pub struct MongoEvents {
    events: Collection<EventDoc>,
    /// Reads by id share `$in` commands under load (the consumer reads each order's event).
    by_id: GroupFind,
}

impl MongoEvents {
    pub fn new(db: &Database) -> Self {
        MongoEvents {
            events: db.collection("events"),
            by_id: GroupFind::new(db.collection("events"), "_id", doc! {}, None),
        }
    }

    async fn all(&self, filter: Document, limit: Option<i64>) -> AppResult<Vec<Event>> {
        let mut find = self.events.find(filter).sort(doc! {"starts_at": 1, "_id": 1});
        if let Some(limit) = limit {
            find = find.limit(limit);
        }
        let docs: Vec<EventDoc> =
            find.await.map_err(db_error("listing events"))?.try_collect().await.map_err(db_error("listing events"))?;
        docs.into_iter().map(EventDoc::into_domain).collect()
    }
}

#[async_trait]
impl EventStore for MongoEvents {
    async fn create(&self, event: &Event) -> AppResult<()> {
        self.events.insert_one(EventDoc::from(event)).await.map_err(db_error("storing an event"))?;
        Ok(())
    }

    async fn list(&self, wanted: &[EventStatus]) -> AppResult<Vec<Event>> {
        self.all(doc! {"status": {"$in": statuses(wanted)}}, None).await
    }

    async fn page(&self, q: &EventQuery) -> AppResult<Vec<Event>> {
        let mut filter = doc! {"status": {"$in": statuses(&q.statuses)}};
        let mut range = Document::new();
        if let Some(t) = q.starting_after {
            range.insert("$gt", to_bson(t));
        }
        if let Some((starts_at, id)) = &q.after {
            // After the previous page's last event in (starts_at, _id) order.
            filter.insert(
                "$or",
                vec![
                    doc! {"starts_at": {"$gt": to_bson(*starts_at)}},
                    doc! {"starts_at": to_bson(*starts_at), "_id": {"$gt": id.as_str()}},
                ],
            );
        }
        if !range.is_empty() {
            filter.insert("starts_at", range);
        }
        self.all(filter, Some(q.limit)).await
    }

    async fn find(&self, id: &EventId) -> AppResult<Option<Event>> {
        let found = self.by_id.one(id.as_str()).await.map_err(db_error("finding an event"))?;
        found.map(|d| decode::<EventDoc>(d)?.into_domain()).transpose()
    }

    async fn begin_edit(&self, edit: &EventEdit) -> AppResult<bool> {
        let record = to_document(&EditDoc::from(edit)).map_err(|e| AppError::internal("encoding an edit", e))?;
        let result = self
            .events
            .update_one(
                doc! {
                    "_id": edit.next.id.as_str(), "version": edit.base_version,
                    "status": {"$in": statuses(&OPEN)}, "pending_edit": {"$exists": false},
                },
                doc! {"$set": {"pending_edit": record, "version": edit.base_version + 1}},
            )
            .await
            .map_err(db_error("starting an edit"))?;
        Ok(result.modified_count == 1)
    }

    async fn finish_edit(&self, edit: &EventEdit) -> AppResult<bool> {
        let next = EventDoc::from(&edit.next);
        let result = self
            .events
            .replace_one(doc! {"_id": edit.next.id.as_str(), "pending_edit.key": &edit.key}, next)
            .await
            .map_err(db_error("finishing an edit"))?;
        Ok(result.modified_count == 1)
    }

    async fn abort_edit(&self, id: &EventId, key: &str) -> AppResult<bool> {
        let result = self
            .events
            .update_one(doc! {"_id": id.as_str(), "pending_edit.key": key}, doc! {"$unset": {"pending_edit": ""}})
            .await
            .map_err(db_error("undoing an edit"))?;
        Ok(result.modified_count == 1)
    }

    async fn stale_edits(&self, before: DateTime<Utc>) -> AppResult<Vec<EventEdit>> {
        let cursor = self
            .events
            .find(doc! {"pending_edit.started_at": {"$lt": to_bson(before)}})
            .await
            .map_err(db_error("reading edits in progress"))?;
        let docs: Vec<EventDoc> = cursor.try_collect().await.map_err(db_error("reading edits in progress"))?;
        docs.into_iter().filter_map(|d| d.pending_edit.map(EditDoc::into_domain)).collect()
    }

    async fn change_status(
        &self,
        id: &EventId,
        expected_version: i64,
        from: &[EventStatus],
        to: EventStatus,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Event>> {
        let changed = self
            .events
            .find_one_and_update(
                doc! {
                    "_id": id.as_str(), "version": expected_version,
                    "status": {"$in": statuses(from)}, "pending_edit": {"$exists": false},
                },
                doc! {"$set": {"status": to.as_str(), "updated_at": to_bson(now)}, "$inc": {"version": 1}},
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("changing an event's status"))?;
        changed.map(EventDoc::into_domain).transpose()
    }
}

/// Events stored before transfers had a window close at the default.
fn default_time_zone() -> String {
    crate::domain::local_time::DEFAULT_TIME_ZONE.to_string()
}

fn default_transfer_window() -> i64 {
    crate::domain::event::DEFAULT_TRANSFER_CLOSES_MINUTES_BEFORE
}
