use super::{db_error, from_bson, is_duplicate_key, to_bson};
use crate::domain::Refusal;
use crate::domain::{Role, User, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::UserStore;
use async_trait::async_trait;
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct UserDoc {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    email: String,
    password_hash: String,
    role: Role,
    created_at: BsonDateTime,
}

impl From<&User> for UserDoc {
    fn from(u: &User) -> Self {
        UserDoc {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role,
            created_at: to_bson(u.created_at),
        }
    }
}

impl UserDoc {
    fn into_domain(self) -> AppResult<User> {
        Ok(User {
            id: UserId::parse(&self.id)
                .ok_or_else(|| AppError::Internal(format!("stored user id {} is malformed", self.id)))?,
            name: self.name,
            email: self.email,
            password_hash: self.password_hash,
            role: self.role,
            created_at: from_bson(self.created_at),
        })
    }
}

pub struct MongoUsers {
    users: Collection<UserDoc>,
}

impl MongoUsers {
    pub fn new(db: &Database) -> Self {
        MongoUsers { users: db.collection("users") }
    }
}

#[async_trait]
impl UserStore for MongoUsers {
    async fn insert(&self, user: &User) -> AppResult<()> {
        match self.users.insert_one(UserDoc::from(user)).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(Refusal::EmailTaken.into()),
            Err(e) => Err(db_error("storing a user")(e)),
        }
    }

    async fn find_by_email(&self, email: &str) -> AppResult<Option<User>> {
        let found = self.users.find_one(doc! {"email": email}).await.map_err(db_error("finding a user"))?;
        found.map(UserDoc::into_domain).transpose()
    }

    async fn find_by_id(&self, id: &UserId) -> AppResult<Option<User>> {
        let found = self.users.find_one(doc! {"_id": id.as_str()}).await.map_err(db_error("finding a user"))?;
        found.map(UserDoc::into_domain).transpose()
    }

    async fn find_many(&self, ids: &[UserId]) -> AppResult<Vec<User>> {
        use futures::TryStreamExt;
        let ids: Vec<&str> = ids.iter().map(UserId::as_str).collect();
        let cursor = self.users.find(doc! {"_id": {"$in": ids}}).await.map_err(db_error("finding users"))?;
        let docs: Vec<UserDoc> = cursor.try_collect().await.map_err(db_error("finding users"))?;
        docs.into_iter().map(UserDoc::into_domain).collect()
    }

    async fn upsert_admin(&self, user: &User) -> AppResult<()> {
        self.users
            .update_one(
                doc! {"email": &user.email},
                doc! {
                    "$set": {"role": "admin", "password_hash": &user.password_hash, "name": &user.name},
                    "$setOnInsert": {"_id": user.id.as_str(), "created_at": to_bson(user.created_at)},
                },
            )
            .upsert(true)
            .await
            .map_err(db_error("storing an admin"))?;
        Ok(())
    }
}
