use super::group_find::{decode, GroupFind};
use super::{db_error, from_bson, is_duplicate_key, to_bson};
use crate::domain::Refusal;
use crate::domain::{Cpf, EventId, Language, Role, User, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::{CpfChange, UserStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, DateTime as BsonDateTime};
use mongodb::options::ReturnDocument;
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
    /// Absent (not null) until set: the unique index on `cpf` is sparse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cpf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email_verified_at: Option<BsonDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gate_event_id: Option<String>,
    /// Absent on accounts made before languages: Portuguese.
    #[serde(default)]
    language: Language,
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
            cpf: u.cpf.as_ref().map(|c| c.digits().to_string()),
            email_verified_at: u.email_verified_at.map(to_bson),
            gate_event_id: u.gate_event_id.as_ref().map(|e| e.to_string()),
            language: u.language,
        }
    }
}

impl UserDoc {
    fn into_domain(self) -> AppResult<User> {
        let malformed = |what: &str| AppError::Internal(format!("stored user {} has a malformed {what}", self.id));
        Ok(User {
            id: UserId::parse(&self.id).ok_or_else(|| malformed("id"))?,
            cpf: self.cpf.as_deref().map(Cpf::parse).transpose().map_err(|_| malformed("CPF"))?,
            name: self.name,
            email: self.email,
            password_hash: self.password_hash,
            role: self.role,
            created_at: from_bson(self.created_at),
            email_verified_at: self.email_verified_at.map(from_bson),
            gate_event_id: match self.gate_event_id.as_deref() {
                Some(raw) => Some(EventId::parse(raw).ok_or_else(|| malformed("gate event"))?),
                None => None,
            },
            language: self.language,
        })
    }
}

pub struct MongoUsers {
    users: Collection<UserDoc>,
    /// Reads by id share `$in` commands under load (the consumer reads each order's buyer).
    by_id: GroupFind,
}

impl MongoUsers {
    pub fn new(db: &Database) -> Self {
        MongoUsers {
            users: db.collection("users"),
            by_id: GroupFind::new(db.collection("users"), "_id", doc! {}, None),
        }
    }

    /// Which unique field a duplicate-key error was about, told by what is stored now
    /// (the e-mail's owner exists, or else the CPF's).
    async fn taken(&self, email: &str) -> AppResult<Refusal> {
        let by_email = self.users.find_one(doc! {"email": email}).await.map_err(db_error("finding a user"))?;
        Ok(if by_email.is_some() { Refusal::EmailTaken } else { Refusal::CpfTaken })
    }
}

#[async_trait]
impl UserStore for MongoUsers {
    async fn insert(&self, user: &User) -> AppResult<()> {
        match self.users.insert_one(UserDoc::from(user)).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(self.taken(&user.email).await?.into()),
            Err(e) => Err(db_error("storing a user")(e)),
        }
    }

    async fn find_by_email(&self, email: &str) -> AppResult<Option<User>> {
        let found = self.users.find_one(doc! {"email": email}).await.map_err(db_error("finding a user"))?;
        found.map(UserDoc::into_domain).transpose()
    }

    async fn find_by_id(&self, id: &UserId) -> AppResult<Option<User>> {
        let found = self.by_id.one(id.as_str()).await.map_err(db_error("finding a user"))?;
        found.map(|d| decode::<UserDoc>(d)?.into_domain()).transpose()
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

    async fn set_cpf(&self, id: &UserId, cpf: &Cpf) -> AppResult<CpfChange> {
        let unset = doc! {"_id": id.as_str(), "cpf": {"$exists": false}};
        match self.users.update_one(unset, doc! {"$set": {"cpf": cpf.digits()}}).await {
            Ok(r) if r.matched_count == 1 => return Ok(CpfChange::Set),
            Ok(_) => {}
            Err(e) if is_duplicate_key(&e) => return Err(Refusal::CpfTaken.into()),
            Err(e) => return Err(db_error("setting a CPF")(e)),
        }
        Ok(match self.find_by_id(id).await? {
            None => CpfChange::NoAccount,
            Some(u) if u.cpf.as_ref() == Some(cpf) => CpfChange::Set,
            Some(_) => CpfChange::AlreadySet,
        })
    }

    async fn mark_email_verified(&self, id: &UserId, email: &str, at: DateTime<Utc>) -> AppResult<Option<User>> {
        // The first verification's time is kept; a second click changes nothing.
        let unverified = doc! {"_id": id.as_str(), "email": email, "email_verified_at": {"$exists": false}};
        self.users
            .update_one(unverified, doc! {"$set": {"email_verified_at": to_bson(at)}})
            .await
            .map_err(db_error("verifying an e-mail"))?;
        Ok(self.find_by_id(id).await?.filter(|u| u.email == email))
    }

    async fn set_password_hash(&self, id: &UserId, password_hash: &str) -> AppResult<bool> {
        let r = self
            .users
            .update_one(doc! {"_id": id.as_str()}, doc! {"$set": {"password_hash": password_hash}})
            .await
            .map_err(db_error("changing a password"))?;
        Ok(r.matched_count == 1)
    }

    async fn set_language(&self, id: &UserId, language: Language) -> AppResult<bool> {
        let r = self
            .users
            .update_one(doc! {"_id": id.as_str()}, doc! {"$set": {"language": language.as_str()}})
            .await
            .map_err(db_error("setting a language"))?;
        Ok(r.matched_count == 1)
    }

    async fn set_role(&self, id: &UserId, role: Role) -> AppResult<Option<User>> {
        let found = self
            .users
            .find_one_and_update(doc! {"_id": id.as_str()}, doc! {"$set": {"role": role.as_str()}})
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("changing a role"))?;
        found.map(UserDoc::into_domain).transpose()
    }

    async fn delete(&self, id: &UserId) -> AppResult<bool> {
        let r = self.users.delete_one(doc! {"_id": id.as_str()}).await.map_err(db_error("deleting an account"))?;
        Ok(r.deleted_count == 1)
    }
}
