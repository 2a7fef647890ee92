use super::inventory::{bucket_id, InventoryDoc};
use super::{db_error, from_bson, to_bson};
use crate::domain::{Event, EventId, EventStatus, Sector};
use crate::error::{AppError, AppResult};
use crate::ports::EventStore;
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct SectorDoc {
    name: String,
    price_cents: i64,
    capacity: i64,
}

#[derive(Serialize, Deserialize)]
struct EventDoc {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    description: String,
    venue: String,
    starts_at: BsonDateTime,
    status: EventStatus,
    sectors: Vec<SectorDoc>,
    created_at: BsonDateTime,
}

impl From<&Event> for EventDoc {
    fn from(e: &Event) -> Self {
        EventDoc {
            id: e.id.to_string(),
            name: e.name.clone(),
            description: e.description.clone(),
            venue: e.venue.clone(),
            starts_at: to_bson(e.starts_at),
            status: e.status,
            sectors: e
                .sectors
                .iter()
                .map(|s| SectorDoc {
                    name: s.name.clone(),
                    price_cents: s.price_cents,
                    capacity: s.capacity,
                })
                .collect(),
            created_at: to_bson(e.created_at),
        }
    }
}

impl EventDoc {
    fn into_domain(self) -> AppResult<Event> {
        Ok(Event {
            id: EventId::parse(&self.id).ok_or_else(|| {
                AppError::Internal(format!("stored event id {} is malformed", self.id))
            })?,
            name: self.name,
            description: self.description,
            venue: self.venue,
            starts_at: from_bson(self.starts_at),
            status: self.status,
            sectors: self
                .sectors
                .into_iter()
                .map(|s| Sector {
                    name: s.name,
                    price_cents: s.price_cents,
                    capacity: s.capacity,
                })
                .collect(),
            created_at: from_bson(self.created_at),
        })
    }
}

pub struct MongoEvents {
    events: Collection<EventDoc>,
    inventory: Collection<InventoryDoc>,
}

impl MongoEvents {
    pub fn new(db: &Database) -> Self {
        MongoEvents {
            events: db.collection("events"),
            inventory: db.collection("inventory"),
        }
    }
}

#[async_trait]
impl EventStore for MongoEvents {
    async fn create(&self, event: &Event) -> AppResult<()> {
        // Inventory first: an event is never visible without the stock to sell.
        let buckets: Vec<InventoryDoc> = event
            .sectors
            .iter()
            .map(|s| InventoryDoc {
                id: bucket_id(&event.id, 0, &s.name),
                event_id: event.id.to_string(),
                sector: s.name.clone(),
                bucket: 0,
                available: s.capacity,
                capacity: s.capacity,
                price_cents: s.price_cents,
                on_sale: event.status == EventStatus::Active,
            })
            .collect();
        self.inventory
            .insert_many(buckets)
            .await
            .map_err(db_error("opening the inventory"))?;
        self.events
            .insert_one(EventDoc::from(event))
            .await
            .map_err(db_error("storing an event"))?;
        Ok(())
    }

    async fn list_visible(&self) -> AppResult<Vec<Event>> {
        let cursor = self
            .events
            .find(doc! {"status": {"$in": ["active", "paused"]}})
            .sort(doc! {"starts_at": 1})
            .limit(500)
            .await
            .map_err(db_error("listing events"))?;
        let docs: Vec<EventDoc> = cursor
            .try_collect()
            .await
            .map_err(db_error("listing events"))?;
        docs.into_iter().map(EventDoc::into_domain).collect()
    }

    async fn find(&self, id: &EventId) -> AppResult<Option<Event>> {
        let found = self
            .events
            .find_one(doc! {"_id": id.as_str()})
            .await
            .map_err(db_error("finding an event"))?;
        found.map(EventDoc::into_domain).transpose()
    }

    async fn set_status(&self, id: &EventId, status: EventStatus) -> AppResult<bool> {
        let on_sale = status == EventStatus::Active;
        // Stop sales first when pausing (at once), start them last when resuming.
        if !on_sale {
            self.inventory
                .update_many(
                    doc! {"event_id": id.as_str()},
                    doc! {"$set": {"on_sale": false}},
                )
                .await
                .map_err(db_error("pausing sales"))?;
        }
        let updated = self
            .events
            .update_one(
                doc! {"_id": id.as_str()},
                doc! {"$set": {"status": status.as_str()}},
            )
            .await
            .map_err(db_error("updating an event"))?;
        if on_sale {
            self.inventory
                .update_many(
                    doc! {"event_id": id.as_str()},
                    doc! {"$set": {"on_sale": true}},
                )
                .await
                .map_err(db_error("resuming sales"))?;
        }
        Ok(updated.matched_count == 1)
    }
}
