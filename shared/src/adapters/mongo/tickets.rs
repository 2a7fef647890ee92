use super::db_error;
use crate::domain::{OrderId, Ticket};
use crate::error::AppResult;
use crate::ports::TicketStore;
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, to_document};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct TicketDoc {
    /// `<order>/<seat number>`: issuing the same order's tickets twice upserts the same
    /// documents, and the first code issued stays.
    #[serde(rename = "_id")]
    id: String,
    #[serde(flatten)]
    ticket: Ticket,
    void: bool,
}

pub struct MongoTickets {
    tickets: Collection<TicketDoc>,
}

impl MongoTickets {
    pub fn new(db: &Database) -> Self {
        MongoTickets { tickets: db.collection("tickets") }
    }
}

#[async_trait]
impl TicketStore for MongoTickets {
    async fn issue(&self, tickets: &[Ticket]) -> AppResult<()> {
        for t in tickets {
            let fields = to_document(t).map_err(|e| crate::AppError::internal("encoding a ticket", e))?;
            let mut on_insert = fields;
            on_insert.insert("void", false);
            self.tickets
                .update_one(doc! {"_id": format!("{}/{}", t.order_id, t.seat_number)}, doc! {"$setOnInsert": on_insert})
                .upsert(true)
                .await
                .map_err(db_error("issuing a ticket"))?;
        }
        Ok(())
    }

    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Ticket>> {
        let cursor = self
            .tickets
            .find(doc! {"order_id": order.as_str(), "void": false})
            .sort(doc! {"seat_number": 1})
            .await
            .map_err(db_error("reading tickets"))?;
        let docs: Vec<TicketDoc> = cursor.try_collect().await.map_err(db_error("reading tickets"))?;
        Ok(docs.into_iter().map(|d| d.ticket).collect())
    }

    async fn void(&self, order: &OrderId) -> AppResult<()> {
        self.tickets
            .update_many(doc! {"order_id": order.as_str()}, doc! {"$set": {"void": true}})
            .await
            .map_err(db_error("voiding tickets"))?;
        Ok(())
    }
}
