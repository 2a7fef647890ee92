use super::{db_error, to_bson};
use crate::error::AppResult;
use crate::ports::{Clock, Email, Mailer};
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::{Collection, Database};
use std::sync::Arc;

/// The local and test mailer: stores each message in the `emails` collection (an outbox a
/// real provider's adapter would drain). Keyed by the e-mail's id, so sending twice stores once.
pub struct MongoMailer {
    emails: Collection<Document>,
    clock: Arc<dyn Clock>,
}

impl MongoMailer {
    pub fn new(db: &Database, clock: Arc<dyn Clock>) -> Self {
        MongoMailer { emails: db.collection("emails"), clock }
    }
}

#[async_trait]
impl Mailer for MongoMailer {
    async fn send(&self, email: &Email) -> AppResult<()> {
        self.emails
            .update_one(
                doc! {"_id": &email.id},
                doc! {"$setOnInsert": {
                    "to": &email.to,
                    "subject": &email.subject,
                    "body": &email.body,
                    "sent_at": to_bson(self.clock.now()),
                }},
            )
            .upsert(true)
            .await
            .map_err(db_error("storing an e-mail"))?;
        Ok(())
    }
}
