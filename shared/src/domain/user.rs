use super::cpf::Cpf;
use super::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Buyer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Admin => "admin",
        }
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// One account per CPF; required before the first purchase (per-buyer limits count it).
    pub cpf: Option<Cpf>,
    /// When the owner followed the verification link sent to `email` (required to pay).
    pub email_verified_at: Option<DateTime<Utc>>,
}

impl User {
    /// A new account as registered: a buyer, its e-mail not yet verified.
    pub fn new_buyer(name: String, email: String, password_hash: String, cpf: Option<Cpf>, now: DateTime<Utc>) -> Self {
        User {
            id: UserId::generate(),
            name,
            email,
            password_hash,
            role: Role::Buyer,
            created_at: now,
            cpf,
            email_verified_at: None,
        }
    }
}
