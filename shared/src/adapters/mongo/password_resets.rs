//! `password_resets`: one document per e-mailed reset link, `_id` the SHA-256 of its token
//! (the token is never stored). Using it is one conditional update, so two clicks on the
//! same link change the password once. A TTL index drops it a day after it expired.

use super::{db_error, from_bson, to_bson};
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::ports::{PasswordResetStore, ResetLink};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ResetDoc {
    #[serde(rename = "_id")]
    hash: String,
    user_id: String,
    created_at: BsonDateTime,
    expires_at: BsonDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<BsonDateTime>,
}

pub struct MongoPasswordResets {
    links: Collection<ResetDoc>,
}

impl MongoPasswordResets {
    pub fn new(db: &Database) -> Self {
        MongoPasswordResets { links: db.collection("password_resets") }
    }
}

#[async_trait]
impl PasswordResetStore for MongoPasswordResets {
    async fn store(&self, hash: &str, user: &UserId, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> AppResult<()> {
        let doc = ResetDoc {
            hash: hash.to_string(),
            user_id: user.to_string(),
            created_at: to_bson(now),
            expires_at: to_bson(expires_at),
            used_at: None,
        };
        self.links.insert_one(doc).await.map_err(db_error("storing a password-reset link"))?;
        Ok(())
    }

    async fn inspect(&self, hash: &str, now: DateTime<Utc>) -> AppResult<ResetLink> {
        let found = self.links.find_one(doc! {"_id": hash}).await.map_err(db_error("reading a password-reset link"))?;
        Ok(match found {
            None => ResetLink::Unknown,
            Some(doc) if doc.used_at.is_some() => ResetLink::AlreadyUsed,
            Some(doc) if from_bson(doc.expires_at) <= now => ResetLink::Expired,
            Some(doc) => ResetLink::Live(
                UserId::parse(&doc.user_id)
                    .ok_or_else(|| AppError::Internal("a stored reset link names a malformed user".into()))?,
            ),
        })
    }

    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let live = doc! {"_id": hash, "used_at": {"$exists": false}, "expires_at": {"$gt": to_bson(now)}};
        let r = self
            .links
            .update_one(live, doc! {"$set": {"used_at": to_bson(now)}})
            .await
            .map_err(db_error("using a password-reset link"))?;
        Ok(r.modified_count == 1)
    }

    async fn void_all(&self, user: &UserId, now: DateTime<Utc>) -> AppResult<()> {
        self.links
            .update_many(
                doc! {"user_id": user.as_str(), "used_at": {"$exists": false}},
                doc! {"$set": {"used_at": to_bson(now)}},
            )
            .await
            .map_err(db_error("voiding password-reset links"))?;
        Ok(())
    }
}
