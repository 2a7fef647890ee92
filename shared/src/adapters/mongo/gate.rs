//! The gates' records: conflicts (a second entry, or an entry on a revoked ticket, found when
//! offline scans are synced) and the counts the dashboard shows.

use super::tickets::TicketDoc;
use super::{db_error, from_bson, to_bson};
use crate::domain::{CheckIn, EventId};
use crate::error::{AppError, AppResult};
use crate::ports::{Conflict, ConflictKind, GateCounts, GateLog};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime, Document};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct EntryDoc {
    gate: String,
    at: BsonDateTime,
}

#[derive(Serialize, Deserialize)]
struct ConflictDoc {
    /// `<ticket>|<gate>|<millis>` of the second scan: syncing it again keeps one.
    #[serde(rename = "_id")]
    id: String,
    event_id: String,
    ticket_id: String,
    kind: String,
    first: Option<EntryDoc>,
    second: EntryDoc,
}

fn entry_doc(c: &CheckIn) -> EntryDoc {
    EntryDoc { gate: c.gate.clone(), at: to_bson(c.at) }
}

fn check_in(e: EntryDoc) -> CheckIn {
    CheckIn { gate: e.gate, at: from_bson(e.at) }
}

pub struct MongoGate {
    conflicts: Collection<ConflictDoc>,
    tickets: Collection<TicketDoc>,
}

impl MongoGate {
    pub fn new(db: &Database) -> Self {
        MongoGate { conflicts: db.collection("gate_conflicts"), tickets: db.collection("tickets") }
    }

    async fn aggregate(&self, pipeline: Vec<Document>) -> AppResult<Vec<Document>> {
        let cursor = self.tickets.aggregate(pipeline).await.map_err(db_error("counting entries"))?;
        cursor.try_collect().await.map_err(db_error("counting entries"))
    }
}

fn count(d: &Document, k: &str) -> u64 {
    d.get_i64(k).or_else(|_| d.get_i32(k).map(i64::from)).unwrap_or(0).max(0) as u64
}

#[async_trait]
impl GateLog for MongoGate {
    async fn record_conflict(&self, c: &Conflict) -> AppResult<()> {
        let id = format!("{}|{}|{}", c.ticket_id, c.second.gate, c.second.at.timestamp_millis());
        let doc = ConflictDoc {
            id: id.clone(),
            event_id: c.event_id.to_string(),
            ticket_id: c.ticket_id.clone(),
            kind: c.kind.as_str().to_string(),
            first: c.first.as_ref().map(entry_doc),
            second: entry_doc(&c.second),
        };
        let encoded = mongodb::bson::to_document(&doc).map_err(|e| AppError::internal("encoding a conflict", e))?;
        self.conflicts
            .update_one(doc! {"_id": &id}, doc! {"$setOnInsert": encoded})
            .upsert(true)
            .await
            .map_err(db_error("recording a conflict"))?;
        Ok(())
    }

    async fn conflicts(&self, event: &EventId, limit: i64) -> AppResult<Vec<Conflict>> {
        let cursor = self
            .conflicts
            .find(doc! {"event_id": event.as_str()})
            .sort(doc! {"second.at": -1})
            .limit(limit)
            .await
            .map_err(db_error("reading conflicts"))?;
        let docs: Vec<ConflictDoc> = cursor.try_collect().await.map_err(db_error("reading conflicts"))?;
        Ok(docs
            .into_iter()
            .map(|d| Conflict {
                event_id: event.clone(),
                ticket_id: d.ticket_id,
                kind: if d.kind == ConflictKind::RevokedEntry.as_str() {
                    ConflictKind::RevokedEntry
                } else {
                    ConflictKind::DoubleEntry
                },
                first: d.first.map(check_in),
                second: check_in(d.second),
            })
            .collect())
    }

    async fn counts(&self, event: &EventId, minutes_since: DateTime<Utc>) -> AppResult<GateCounts> {
        let event = event.as_str();
        let issued = self
            .tickets
            .count_documents(doc! {"event_id": event, "void": false})
            .await
            .map_err(db_error("counting tickets"))?;
        let checked_in = self
            .tickets
            .count_documents(doc! {"event_id": event, "checked_in": {"$ne": null}})
            .await
            .map_err(db_error("counting entries"))?;
        let per_gate = self
            .aggregate(vec![
                doc! {"$match": {"event_id": event, "checked_in": {"$ne": null}}},
                doc! {"$group": {"_id": "$checked_in.gate", "count": {"$sum": 1}}},
                doc! {"$sort": {"_id": 1}},
            ])
            .await?;
        let per_minute = self
            .aggregate(vec![
                doc! {"$match": {"event_id": event, "checked_in.at": {"$gte": to_bson(minutes_since)}}},
                doc! {"$group": {"_id": {"$dateTrunc": {"date": "$checked_in.at", "unit": "minute"}}, "count": {"$sum": 1}}},
                doc! {"$sort": {"_id": 1}},
            ])
            .await?;
        Ok(GateCounts {
            issued,
            checked_in,
            per_gate: per_gate
                .iter()
                .filter_map(|d| Some((d.get_str("_id").ok()?.to_string(), count(d, "count"))))
                .collect(),
            per_minute: per_minute
                .iter()
                .filter_map(|d| Some((from_bson(*d.get_datetime("_id").ok()?), count(d, "count"))))
                .collect(),
        })
    }
}
