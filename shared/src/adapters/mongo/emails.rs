use super::group_insert::{GroupInsert, InsertFailure, DUPLICATE_KEY};
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
    /// Claims are inserts keyed by the e-mail's id, so the consumer's many orders at once
    /// share `insertMany` commands (`group_insert`); a duplicate key is a claim made before.
    claims: GroupInsert<Document>,
    clock: Arc<dyn Clock>,
}

impl MongoMailer {
    pub fn new(db: &Database, clock: Arc<dyn Clock>) -> Self {
        MongoMailer { emails: db.collection("emails"), claims: GroupInsert::new(db.collection("emails")), clock }
    }

    /// The messages sent to `to`, newest first (the local mail viewer and tests read them).
    pub async fn inbox(&self, to: &str) -> AppResult<Vec<StoredEmail>> {
        use futures::TryStreamExt;
        let cursor = self
            .emails
            .find(doc! {"to": to})
            .sort(doc! {"sent_at": -1})
            .limit(100)
            .await
            .map_err(db_error("reading a mailbox"))?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(db_error("reading a mailbox"))?;
        Ok(docs
            .into_iter()
            .map(|d| StoredEmail {
                id: d.get_str("_id").unwrap_or_default().to_string(),
                to: d.get_str("to").unwrap_or_default().to_string(),
                subject: d.get_str("subject").unwrap_or_default().to_string(),
                body: d.get_str("body").unwrap_or_default().to_string(),
                sent_at: d.get_datetime("sent_at").map(|t| super::from_bson(*t)).unwrap_or_default(),
            })
            .collect())
    }
}

/// One stored message, as the local mail viewer shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoredEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

impl MongoMailer {
    /// Records the e-mail under its id; `true` only the first time (a redelivery finds it).
    /// The HTML and the attachments' names and sizes are kept for the local mail viewer; the
    /// attachments themselves are not (they are rebuilt from the order when asked for).
    pub async fn claim(&self, email: &Email) -> AppResult<bool> {
        let attachments: Vec<Document> = email
            .attachments
            .iter()
            .map(|a| {
                doc! {"filename": &a.filename, "content_type": &a.content_type, "bytes": a.content.len() as i64,
                "inline": a.inline_id.is_some()}
            })
            .collect();
        let record = doc! {
            "_id": &email.id,
            "to": &email.to,
            "subject": &email.subject,
            "body": &email.body,
            "html": email.html.as_deref(),
            "attachments": attachments,
            "sent_at": to_bson(self.clock.now()),
        };
        match self.claims.insert(record).await {
            Ok(()) => Ok(true),
            Err(InsertFailure::Refused { code: DUPLICATE_KEY, .. }) => Ok(false),
            Err(InsertFailure::Command(e)) => Err(db_error("storing an e-mail")(e)),
            Err(InsertFailure::Refused { message, .. }) => Err(crate::AppError::internal("storing an e-mail", message)),
        }
    }

    /// Gives a claim back (the e-mail could not be sent; the retry may send it).
    pub async fn release(&self, id: &str) -> AppResult<()> {
        self.emails.delete_one(doc! {"_id": id}).await.map_err(db_error("releasing an e-mail"))?;
        Ok(())
    }
}

#[async_trait]
impl Mailer for MongoMailer {
    async fn send(&self, email: &Email) -> AppResult<()> {
        self.claim(email).await.map(|_| ())
    }
}
