//! Tickets, one document per unit of an order (`<order>/<position>`). A document keeps its
//! state beside the ticket: `void` (+ why), the entry (`checked_in`), the codes a transfer
//! replaced (`previous_codes`) and when any of it last changed (`changed_at`, the gate
//! manifest's cursor). Every change is one conditional update of that one document.

use super::group_find::{decode, GroupFind};
use super::group_insert::{GroupInsert, InsertFailure, DUPLICATE_KEY};
use super::{db_error, from_bson, to_bson};
use crate::domain::{CheckIn, EventId, OrderId, RevokedBecause, StoredTicket, Ticket, TicketState, UserId};
use crate::error::AppResult;
use crate::ports::{Entry, Found, Handover, ManifestCursor, TicketStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, to_bson as bson_of, DateTime as BsonDateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub(super) struct EntryDoc {
    pub at: BsonDateTime,
    pub gate: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub(super) struct TicketDoc {
    /// `<order>/<position>`: issuing the same order's tickets twice upserts the same
    /// documents, and the first code issued stays.
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(flatten)]
    pub ticket: Ticket,
    pub void: bool,
    #[serde(default)]
    pub void_reason: Option<RevokedBecause>,
    #[serde(default)]
    pub checked_in: Option<EntryDoc>,
    #[serde(default)]
    pub previous_codes: Vec<String>,
    /// Documents stored before the gate have none: the epoch (the first manifest has them).
    #[serde(default = "epoch")]
    pub changed_at: BsonDateTime,
}

fn epoch() -> BsonDateTime {
    BsonDateTime::from_millis(0)
}

impl TicketDoc {
    pub fn state(&self) -> TicketState {
        match (&self.checked_in, self.void) {
            (Some(entry), _) => TicketState::Used(CheckIn { at: from_bson(entry.at), gate: entry.gate.clone() }),
            (None, true) => TicketState::Revoked(self.void_reason.unwrap_or(RevokedBecause::Refunded)),
            (None, false) => TicketState::Valid,
        }
    }

    pub fn stored(self) -> StoredTicket {
        StoredTicket {
            state: self.state(),
            changed_at: from_bson(self.changed_at),
            slot: self.id,
            previous_codes: self.previous_codes,
            ticket: self.ticket,
        }
    }

    /// The ticket as found by `code`: its current code, or one a transfer replaced.
    pub fn found(self, code: &str) -> Found {
        let current = self.ticket.code == code;
        Found { ticket: self.stored(), current }
    }
}

pub struct MongoTickets {
    pub(super) tickets: Collection<TicketDoc>,
    /// The consumer issues and reads many orders' tickets at once: under load those share
    /// `insertMany` and `$in` commands (`group_insert`, `group_find`).
    new_tickets: GroupInsert<TicketDoc>,
    valid_by_order: GroupFind,
}

impl MongoTickets {
    pub fn new(db: &Database) -> Self {
        MongoTickets {
            tickets: db.collection("tickets"),
            new_tickets: GroupInsert::new(db.collection("tickets")),
            valid_by_order: GroupFind::new(
                db.collection("tickets"),
                "order_id",
                doc! {"void": false},
                Some("position"),
            ),
        }
    }

    async fn many(&self, filter: Document, sort: Document) -> AppResult<Vec<TicketDoc>> {
        let cursor = self.tickets.find(filter).sort(sort).await.map_err(db_error("reading tickets"))?;
        cursor.try_collect().await.map_err(db_error("reading tickets"))
    }
}

/// The ticket that has `code` now, or had it before a transfer.
fn by_code(code: &str) -> Document {
    doc! {"$or": [{"code": code}, {"previous_codes": code}]}
}

#[async_trait]
impl TicketStore for MongoTickets {
    /// Unordered inserts, shared under load with other orders' tickets. A ticket already issued
    /// (a redelivery, a duplicate message at the same time) is refused alone with a duplicate
    /// key, and its first code stays.
    async fn issue(&self, tickets: &[Ticket]) -> AppResult<()> {
        if tickets.is_empty() {
            return Ok(());
        }
        let now = BsonDateTime::now();
        let docs: Vec<TicketDoc> = tickets
            .iter()
            .map(|t| TicketDoc {
                id: format!("{}/{}", t.order_id, t.position),
                ticket: t.clone(),
                void: false,
                void_reason: None,
                checked_in: None,
                previous_codes: Vec::new(),
                changed_at: now,
            })
            .collect();
        // Each ticket joins whatever insert is going out; one refused as a duplicate was
        // issued before, and its first code stays.
        let outcomes = futures::future::join_all(docs.into_iter().map(|d| self.new_tickets.insert(d))).await;
        for outcome in outcomes {
            match outcome {
                Ok(()) | Err(InsertFailure::Refused { code: DUPLICATE_KEY, .. }) => {}
                Err(InsertFailure::Command(e)) => return Err(db_error("issuing tickets")(e)),
                Err(InsertFailure::Refused { message, .. }) => {
                    return Err(crate::AppError::internal("issuing tickets", message))
                }
            }
        }
        Ok(())
    }

    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Ticket>> {
        let docs = self.valid_by_order.all(order.as_str()).await.map_err(db_error("reading tickets"))?;
        docs.into_iter().map(|d| Ok(decode::<TicketDoc>(d)?.ticket)).collect()
    }

    async fn states_for_order(&self, order: &OrderId) -> AppResult<Vec<StoredTicket>> {
        let docs = self.many(doc! {"order_id": order.as_str()}, doc! {"position": 1}).await?;
        Ok(docs.into_iter().map(TicketDoc::stored).collect())
    }

    async fn held_by(&self, user: &UserId) -> AppResult<Vec<StoredTicket>> {
        let docs = self.many(doc! {"user_id": user.as_str()}, doc! {"changed_at": -1}).await?;
        Ok(docs.into_iter().map(TicketDoc::stored).collect())
    }

    async fn void(&self, order: &OrderId, because: RevokedBecause, holder: Option<&UserId>) -> AppResult<u64> {
        let reason = bson_of(&because).map_err(|e| crate::AppError::internal("encoding a reason", e))?;
        let mut filter = doc! {"order_id": order.as_str(), "void": false, "checked_in": null};
        if let Some(holder) = holder {
            filter.insert("user_id", holder.as_str());
        }
        self.tickets
            .update_many(
                filter,
                doc! {"$set": {"void": true, "void_reason": reason, "changed_at": BsonDateTime::now()}},
            )
            .await
            .map_err(db_error("voiding tickets"))?;
        self.tickets
            .count_documents(doc! {"order_id": order.as_str(), "void": false})
            .await
            .map_err(db_error("counting the tickets that stand"))
    }

    async fn reinstate(&self, order: &OrderId) -> AppResult<()> {
        self.tickets
            .update_many(
                doc! {"order_id": order.as_str(), "void": true, "void_reason": {"$in": [null, "refunded"]}},
                doc! {"$set": {"void": false, "void_reason": null, "changed_at": BsonDateTime::now()}},
            )
            .await
            .map_err(db_error("reinstating tickets"))?;
        Ok(())
    }

    async fn void_event(&self, event: &EventId, because: RevokedBecause) -> AppResult<u64> {
        let reason = bson_of(&because).map_err(|e| crate::AppError::internal("encoding a reason", e))?;
        let stamped = BsonDateTime::now();
        let result = self
            .tickets
            .update_many(
                doc! {"event_id": event.as_str(), "checked_in": null},
                doc! {"$set": {"void": true, "void_reason": &reason, "changed_at": stamped}},
            )
            .await
            .map_err(db_error("voiding an event's tickets"))?;
        // A long update's documents carry its start time; a manifest read while it ran may
        // have moved past that time (on newer check-ins). Stamped again now it is done, they
        // reach every manifest's next read.
        self.tickets
            .update_many(
                doc! {"event_id": event.as_str(), "changed_at": stamped, "void_reason": &reason},
                doc! {"$set": {"changed_at": BsonDateTime::now()}},
            )
            .await
            .map_err(db_error("voiding an event's tickets"))?;
        Ok(result.modified_count)
    }

    async fn find(&self, code: &str) -> AppResult<Option<Found>> {
        let found = self.tickets.find_one(by_code(code)).await.map_err(db_error("reading a ticket"))?;
        Ok(found.map(|d| d.found(code)))
    }

    async fn check_in(&self, code: &str, event: &EventId, entry: &CheckIn, now: DateTime<Utc>) -> AppResult<Entry> {
        let admitted = self
            .tickets
            .find_one_and_update(
                doc! {"code": code, "event_id": event.as_str(), "void": false, "checked_in": null},
                doc! {"$set": {
                    "checked_in": {"at": to_bson(entry.at), "gate": &entry.gate},
                    "changed_at": to_bson(now),
                }},
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("checking a ticket in"))?;
        if let Some(doc) = admitted {
            return Ok(Entry::Admitted(doc.stored()));
        }
        Ok(match self.find(code).await? {
            Some(found) => Entry::Refused(found),
            None => Entry::Unknown,
        })
    }

    async fn transfer(&self, handover: &Handover) -> AppResult<Result<StoredTicket, Option<Found>>> {
        let to = &handover.to;
        let holder = bson_of(&to.holder).map_err(|e| crate::AppError::internal("encoding a holder", e))?;
        let entitlement = bson_of(&to.entitlement).map_err(|e| crate::AppError::internal("encoding", e))?;
        let moved = self
            .tickets
            .find_one_and_update(
                doc! {
                    "code": &handover.from_code,
                    "user_id": handover.from_user.as_str(),
                    "void": false,
                    "checked_in": null,
                },
                doc! {
                    "$set": {
                        "code": &to.code,
                        "user_id": to.user_id.as_str(),
                        "holder": holder,
                        "entitlement": entitlement,
                        "qr_payload": &to.qr_payload,
                        "key_id": &to.key_id,
                        "issued_at": to.issued_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        "transferred_from": &handover.from_code,
                        "changed_at": to_bson(handover.at),
                    },
                    "$push": {"previous_codes": &handover.from_code},
                },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("transferring a ticket"))?;
        match moved {
            Some(doc) => Ok(Ok(doc.stored())),
            None => Ok(Err(self.find(&handover.from_code).await?)),
        }
    }

    async fn changed_since(
        &self,
        event: &EventId,
        after: Option<&ManifestCursor>,
        limit: i64,
    ) -> AppResult<Vec<StoredTicket>> {
        let mut filter = doc! {"event_id": event.as_str()};
        if let Some(after) = after {
            let at = to_bson(after.changed_at);
            filter.insert(
                "$or",
                vec![doc! {"changed_at": {"$gt": at}}, doc! {"changed_at": at, "_id": {"$gt": &after.slot}}],
            );
        }
        let cursor = self
            .tickets
            .find(filter)
            .sort(doc! {"changed_at": 1, "_id": 1})
            .limit(limit)
            .await
            .map_err(db_error("reading the manifest"))?;
        let docs: Vec<TicketDoc> = cursor.try_collect().await.map_err(db_error("reading the manifest"))?;
        Ok(docs.into_iter().map(TicketDoc::stored).collect())
    }
}
