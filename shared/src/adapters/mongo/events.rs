use super::{db_error, from_bson, to_bson};
use crate::domain::{Event, EventId, EventStatus, Lot, Sector};
use crate::error::{AppError, AppResult};
use crate::ports::EventStore;
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct LotDoc {
    name: String,
    price_cents: i64,
    quantity: i64,
    ends_at: Option<BsonDateTime>,
    buckets: i32,
}

#[derive(Serialize, Deserialize)]
struct SectorDoc {
    id: String,
    name: String,
    lots: Vec<LotDoc>,
}

#[derive(Serialize, Deserialize)]
struct EventDoc {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    description: String,
    venue: String,
    starts_at: BsonDateTime,
    image_url: Option<String>,
    status: EventStatus,
    half_price_share_percent: i64,
    max_per_order: i64,
    max_per_buyer: Option<i64>,
    buckets: i32,
    sectors: Vec<SectorDoc>,
    created_at: BsonDateTime,
    updated_at: BsonDateTime,
}

impl From<&Event> for EventDoc {
    fn from(e: &Event) -> Self {
        EventDoc {
            id: e.id.to_string(),
            name: e.name.clone(),
            description: e.description.clone(),
            venue: e.venue.clone(),
            starts_at: to_bson(e.starts_at),
            image_url: e.image_url.clone(),
            status: e.status,
            half_price_share_percent: e.half_price_share_percent,
            max_per_order: e.max_per_order,
            max_per_buyer: e.max_per_buyer,
            buckets: e.buckets as i32,
            sectors: e
                .sectors
                .iter()
                .map(|s| SectorDoc {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    lots: s
                        .lots
                        .iter()
                        .map(|l| LotDoc {
                            name: l.name.clone(),
                            price_cents: l.price_cents,
                            quantity: l.quantity,
                            ends_at: l.ends_at.map(to_bson),
                            buckets: l.buckets as i32,
                        })
                        .collect(),
                })
                .collect(),
            created_at: to_bson(e.created_at),
            updated_at: to_bson(e.updated_at),
        }
    }
}

impl EventDoc {
    fn into_domain(self) -> AppResult<Event> {
        Ok(Event {
            id: EventId::parse(&self.id)
                .ok_or_else(|| AppError::Internal(format!("stored event id {} is malformed", self.id)))?,
            name: self.name,
            description: self.description,
            venue: self.venue,
            starts_at: from_bson(self.starts_at),
            image_url: self.image_url,
            status: self.status,
            half_price_share_percent: self.half_price_share_percent,
            max_per_order: self.max_per_order,
            max_per_buyer: self.max_per_buyer,
            buckets: self.buckets.max(1) as u32,
            sectors: self
                .sectors
                .into_iter()
                .map(|s| Sector {
                    id: s.id,
                    name: s.name,
                    lots: s
                        .lots
                        .into_iter()
                        .map(|l| Lot {
                            name: l.name,
                            price_cents: l.price_cents,
                            quantity: l.quantity,
                            ends_at: l.ends_at.map(from_bson),
                            buckets: l.buckets.max(1) as u32,
                        })
                        .collect(),
                })
                .collect(),
            created_at: from_bson(self.created_at),
            updated_at: from_bson(self.updated_at),
        })
    }
}

pub struct MongoEvents {
    events: Collection<EventDoc>,
}

impl MongoEvents {
    pub fn new(db: &Database) -> Self {
        MongoEvents { events: db.collection("events") }
    }
}

#[async_trait]
impl EventStore for MongoEvents {
    async fn create(&self, event: &Event) -> AppResult<()> {
        self.events.insert_one(EventDoc::from(event)).await.map_err(db_error("storing an event"))?;
        Ok(())
    }

    async fn list(&self, statuses: &[EventStatus]) -> AppResult<Vec<Event>> {
        let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let cursor = self
            .events
            .find(doc! {"status": {"$in": statuses}})
            .sort(doc! {"starts_at": 1, "_id": 1})
            .limit(500)
            .await
            .map_err(db_error("listing events"))?;
        let docs: Vec<EventDoc> = cursor.try_collect().await.map_err(db_error("listing events"))?;
        docs.into_iter().map(EventDoc::into_domain).collect()
    }

    async fn find(&self, id: &EventId) -> AppResult<Option<Event>> {
        let found = self.events.find_one(doc! {"_id": id.as_str()}).await.map_err(db_error("finding an event"))?;
        found.map(EventDoc::into_domain).transpose()
    }

    async fn replace(&self, event: &Event) -> AppResult<()> {
        self.events
            .replace_one(doc! {"_id": event.id.as_str()}, EventDoc::from(event))
            .await
            .map_err(db_error("updating an event"))?;
        Ok(())
    }

    async fn set_status(&self, id: &EventId, status: EventStatus) -> AppResult<bool> {
        let updated = self
            .events
            .update_one(
                doc! {"_id": id.as_str()},
                doc! {"$set": {"status": status.as_str(), "updated_at": to_bson(chrono::Utc::now())}},
            )
            .await
            .map_err(db_error("updating an event"))?;
        Ok(updated.matched_count == 1)
    }
}
