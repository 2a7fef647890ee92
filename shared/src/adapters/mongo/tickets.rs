use super::db_error;
use super::group_insert::refusals;
use crate::domain::{OrderId, Ticket};
use crate::error::AppResult;
use crate::ports::TicketStore;
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::doc;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct TicketDoc {
    /// `<order>/<position>`: issuing the same order's tickets twice upserts the same
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
    /// One unordered insert for the order's tickets. A ticket already issued (a redelivery, a
    /// duplicate message at the same time) is refused alone with a duplicate key, and its
    /// first code stays.
    async fn issue(&self, tickets: &[Ticket]) -> AppResult<()> {
        if tickets.is_empty() {
            return Ok(());
        }
        let docs: Vec<TicketDoc> = tickets
            .iter()
            .map(|t| TicketDoc { id: format!("{}/{}", t.order_id, t.position), ticket: t.clone(), void: false })
            .collect();
        match self.tickets.insert_many(docs).ordered(false).await {
            Ok(_) => Ok(()),
            // Every refused ticket was issued before, and nothing else went wrong.
            Err(e) if refusals(&e).is_some_and(|refused| refused.iter().all(|w| w.code == 11000)) => Ok(()),
            Err(e) => Err(db_error("issuing tickets")(e)),
        }
    }

    async fn for_order(&self, order: &OrderId) -> AppResult<Vec<Ticket>> {
        let cursor = self
            .tickets
            .find(doc! {"order_id": order.as_str(), "void": false})
            .sort(doc! {"position": 1})
            .await
            .map_err(db_error("reading tickets"))?;
        let docs: Vec<TicketDoc> = cursor.try_collect().await.map_err(db_error("reading tickets"))?;
        Ok(docs.into_iter().map(|d| d.ticket).collect())
    }

    async fn reinstate(&self, order: &OrderId) -> AppResult<()> {
        self.tickets
            .update_many(doc! {"order_id": order.as_str(), "void": true}, doc! {"$set": {"void": false}})
            .await
            .map_err(db_error("reinstating tickets"))?;
        Ok(())
    }

    async fn void(&self, order: &OrderId) -> AppResult<()> {
        self.tickets
            .update_many(doc! {"order_id": order.as_str()}, doc! {"$set": {"void": true}})
            .await
            .map_err(db_error("voiding tickets"))?;
        Ok(())
    }
}
