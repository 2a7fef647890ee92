//! `refresh_tokens`: one document per refresh token, `_id` its SHA-256 (the token itself is
//! never stored), dropped by a TTL index on `expires_at`. `revocations`: the newest
//! revocation time per user, dropped once every access token it voids has expired.

use super::{db_error, from_bson, to_bson};
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::ports::{RefreshRecord, RevocationStore, SessionStore, Spent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct RefreshDoc {
    #[serde(rename = "_id")]
    hash: String,
    family: String,
    user_id: String,
    issued_at: BsonDateTime,
    expires_at: BsonDateTime,
    family_started_at: BsonDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spent_at: Option<BsonDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revoked_at: Option<BsonDateTime>,
}

impl RefreshDoc {
    fn into_record(self) -> AppResult<RefreshRecord> {
        Ok(RefreshRecord {
            user_id: UserId::parse(&self.user_id)
                .ok_or_else(|| AppError::Internal("a stored refresh token names a malformed user".into()))?,
            hash: self.hash,
            family: self.family,
            issued_at: from_bson(self.issued_at),
            expires_at: from_bson(self.expires_at),
            family_started_at: from_bson(self.family_started_at),
        })
    }
}

pub struct MongoSessions {
    tokens: Collection<RefreshDoc>,
}

impl MongoSessions {
    pub fn new(db: &Database) -> Self {
        MongoSessions { tokens: db.collection("refresh_tokens") }
    }
}

#[async_trait]
impl SessionStore for MongoSessions {
    async fn store(&self, r: &RefreshRecord) -> AppResult<()> {
        let doc = RefreshDoc {
            hash: r.hash.clone(),
            family: r.family.clone(),
            user_id: r.user_id.to_string(),
            issued_at: to_bson(r.issued_at),
            expires_at: to_bson(r.expires_at),
            family_started_at: to_bson(r.family_started_at),
            spent_at: None,
            revoked_at: None,
        };
        self.tokens.insert_one(doc).await.map_err(db_error("storing a refresh token"))?;
        Ok(())
    }

    async fn spend(&self, hash: &str, now: DateTime<Utc>) -> AppResult<Spent> {
        let live = doc! {
            "_id": hash,
            "spent_at": {"$exists": false},
            "revoked_at": {"$exists": false},
            "expires_at": {"$gt": to_bson(now)},
        };
        let spent = self
            .tokens
            .find_one_and_update(live, doc! {"$set": {"spent_at": to_bson(now)}})
            .return_document(ReturnDocument::Before)
            .await
            .map_err(db_error("spending a refresh token"))?;
        if let Some(doc) = spent {
            return Ok(Spent::Fresh(doc.into_record()?));
        }
        let seen = self.tokens.find_one(doc! {"_id": hash}).await.map_err(db_error("reading a refresh token"))?;
        Ok(match seen {
            Some(doc) if doc.spent_at.is_some() || doc.revoked_at.is_some() => Spent::Replayed(doc.into_record()?),
            _ => Spent::Unknown,
        })
    }

    async fn rotate(&self, next: &RefreshRecord, spent: &str, now: DateTime<Utc>) -> AppResult<bool> {
        self.store(next).await?;
        // A revocation of the family that ran before the store above marked the spent token
        // (it existed then); one that runs after it marks the successor itself.
        let revoked = self
            .tokens
            .find_one(doc! {"_id": spent, "revoked_at": {"$exists": true}})
            .await
            .map_err(db_error("reading a refresh token"))?;
        if revoked.is_some() {
            self.revoke_family(&next.family, now).await?;
            return Ok(false);
        }
        Ok(true)
    }

    async fn revoke_family(&self, family: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.tokens
            .update_many(
                doc! {"family": family, "revoked_at": {"$exists": false}},
                doc! {"$set": {"revoked_at": to_bson(now)}},
            )
            .await
            .map_err(db_error("revoking a session"))?;
        Ok(())
    }

    async fn revoke_user(&self, user: &UserId, now: DateTime<Utc>) -> AppResult<()> {
        self.tokens
            .update_many(
                doc! {"user_id": user.as_str(), "revoked_at": {"$exists": false}},
                doc! {"$set": {"revoked_at": to_bson(now)}},
            )
            .await
            .map_err(db_error("revoking a user's sessions"))?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct RevocationDoc {
    #[serde(rename = "_id")]
    user_id: String,
    at: BsonDateTime,
    keep_until: BsonDateTime,
}

pub struct MongoRevocations {
    revocations: Collection<RevocationDoc>,
}

impl MongoRevocations {
    pub fn new(db: &Database) -> Self {
        MongoRevocations { revocations: db.collection("revocations") }
    }
}

#[async_trait]
impl RevocationStore for MongoRevocations {
    async fn revoke(&self, user: &UserId, at: DateTime<Utc>, keep_until: DateTime<Utc>) -> AppResult<()> {
        // The newest revocation wins: one written late never moves the time back.
        let older = doc! {"_id": user.as_str(), "at": {"$lt": to_bson(at)}};
        let set = doc! {"$set": {"at": to_bson(at), "keep_until": to_bson(keep_until)}};
        match self.revocations.update_one(older, set).upsert(true).await {
            Ok(_) => Ok(()),
            // A newer revocation is already stored (the upsert met its `_id`): nothing to do.
            Err(e) if super::is_duplicate_key(&e) => Ok(()),
            Err(e) => Err(db_error("revoking access tokens")(e)),
        }
    }

    async fn since(&self, since: DateTime<Utc>) -> AppResult<Vec<(UserId, DateTime<Utc>)>> {
        let cursor = self
            .revocations
            .find(doc! {"at": {"$gte": to_bson(since)}})
            .await
            .map_err(db_error("reading revocations"))?;
        let docs: Vec<RevocationDoc> = cursor.try_collect().await.map_err(db_error("reading revocations"))?;
        Ok(docs.into_iter().filter_map(|d| UserId::parse(&d.user_id).map(|u| (u, from_bson(d.at)))).collect())
    }
}
