use super::{db_error, from_bson, to_bson};
use crate::domain::UserId;
use crate::error::AppResult;
use crate::ports::{AuditEntry, AuditFilter, AuditLog};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::{Collection, Database};

/// Who did what to which object, when, with the object before and after.
pub struct MongoAudit {
    log: Collection<Document>,
}

impl MongoAudit {
    pub fn new(db: &Database) -> Self {
        MongoAudit { log: db.collection("audit_log") }
    }
}

fn to_bson_value(v: &Option<serde_json::Value>) -> Bson {
    v.as_ref().and_then(|v| mongodb::bson::to_bson(v).ok()).unwrap_or(Bson::Null)
}

#[async_trait]
impl AuditLog for MongoAudit {
    async fn record(&self, e: AuditEntry) -> AppResult<()> {
        self.log
            .insert_one(doc! {
                "actor": e.actor.as_str(),
                "action": &e.action,
                "target": &e.target,
                "before": to_bson_value(&e.before),
                "after": to_bson_value(&e.after),
                "at": to_bson(e.at),
            })
            .await
            .map_err(db_error("writing the audit log"))?;
        Ok(())
    }

    async fn recent(&self, limit: i64, filter: &AuditFilter) -> AppResult<Vec<AuditEntry>> {
        let mut query = doc! {};
        if let Some(event) = &filter.event {
            let id = event.as_str();
            // An event's own entries name it as target; others name it inside what changed.
            query.insert(
                "$or",
                vec![
                    doc! {"target": id},
                    doc! {"after.event_id": id},
                    doc! {"after.gate_event_id": id},
                    doc! {"before.event_id": id},
                ],
            );
        }
        if let Some(action) = &filter.action {
            query.insert("action", action.as_str());
        }
        let cursor =
            self.log.find(query).sort(doc! {"at": -1}).limit(limit).await.map_err(db_error("reading the audit log"))?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(db_error("reading the audit log"))?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                let json =
                    |k: &str| d.get(k).filter(|b| !matches!(b, Bson::Null)).map(|b| b.clone().into_relaxed_extjson());
                Some(AuditEntry {
                    actor: UserId::parse(d.get_str("actor").ok()?)?,
                    action: d.get_str("action").ok()?.to_string(),
                    target: d.get_str("target").ok()?.to_string(),
                    before: json("before"),
                    after: json("after"),
                    at: from_bson(*d.get_datetime("at").ok()?),
                })
            })
            .collect())
    }
}
