use super::cpf::Cpf;
use super::ids::{EventId, UserId};
use super::local_time::Language;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Buyer,
    Admin,
    /// Gate staff: scans one event's tickets (`User::gate_event_id`), nothing else.
    Gate,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Admin => "admin",
            Role::Gate => "gate",
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
    /// The event a gate account scans for (only `Role::Gate` has one).
    pub gate_event_id: Option<EventId>,
    /// The language the box office writes to them in (e-mails, PDF tickets).
    pub language: Language,
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
            gate_event_id: None,
            language: Language::default(),
        }
    }
}
