//! Tickets: one per unit of a paid order, with an unguessable code and a QR payload signed
//! with the ticket key (`ticket_code`), so a gate verifies it offline with public keys only.
//! Sectors are general admission: a ticket has no seat, only its place within its order
//! (`position`, 1..quantity: "ticket 2 of 3").

use super::cpf::Cpf;
use super::ids::{EventId, OrderId, UserId};
use super::money::PriceType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a half-price (meia-entrada) ticket is half price: what its holder shows at the gate
/// (Lei 12.933/2013; teachers where a state law grants it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entitlement {
    Student,
    /// 60 or older.
    Senior,
    Disability,
    /// ID Jovem.
    LowIncomeYouth,
    Teacher,
}

impl Entitlement {
    pub const ALL: [Entitlement; 5] = [
        Entitlement::Student,
        Entitlement::Senior,
        Entitlement::Disability,
        Entitlement::LowIncomeYouth,
        Entitlement::Teacher,
    ];

    /// Its byte in the QR payload (0 is "none").
    pub fn code(self) -> u8 {
        match self {
            Entitlement::Student => 1,
            Entitlement::Senior => 2,
            Entitlement::Disability => 3,
            Entitlement::LowIncomeYouth => 4,
            Entitlement::Teacher => 5,
        }
    }

    pub fn from_code(code: u8) -> Option<Entitlement> {
        Entitlement::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// What the gate shows for a half-price ticket: the holder must prove the entitlement.
pub const HALF_PRICE_NOTICE: &str = "MEIA — conferir documento";

/// The person a ticket lets in: the account that holds it, by name and CPF.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    #[serde(default)]
    pub cpf: Option<Cpf>,
}

impl Holder {
    /// `***.456.789-**`: enough for a gate to compare with a document, not enough to reuse.
    pub fn cpf_masked(&self) -> Option<String> {
        self.cpf.as_ref().map(|cpf| {
            let formatted = cpf.formatted();
            format!("***{}**", &formatted[3..formatted.len() - 2])
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub code: String,
    pub order_id: OrderId,
    /// The account that holds it now (the buyer, or whom it was transferred to).
    pub user_id: UserId,
    pub event_id: EventId,
    pub sector: String,
    pub price_type: PriceType,
    /// This ticket's place within its order (1..quantity); not a seat.
    #[serde(alias = "seat_number")]
    pub position: i64,
    pub qr_payload: String,
    #[serde(default)]
    pub event_name: String,
    #[serde(default)]
    pub lot: String,
    #[serde(default)]
    pub holder: Holder,
    /// A half-price ticket's declared entitlement (`None`: full price, or not declared).
    #[serde(default)]
    pub entitlement: Option<Entitlement>,
    /// The key that signed `qr_payload`.
    #[serde(default)]
    pub key_id: String,
    #[serde(default = "epoch")]
    pub issued_at: DateTime<Utc>,
    /// The code this ticket replaced, when it was transferred to its holder.
    #[serde(default)]
    pub transferred_from: Option<String>,
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// Why a ticket no longer lets anyone in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokedBecause {
    Refunded,
    Cancelled,
    Transferred,
}

impl RevokedBecause {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokedBecause::Refunded => "refunded",
            RevokedBecause::Cancelled => "cancelled",
            RevokedBecause::Transferred => "transferred",
        }
    }
}

/// A ticket's first (and only) entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub at: DateTime<Utc>,
    pub gate: String,
}

/// Where a ticket stands at the gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketState {
    Valid,
    Used(CheckIn),
    Revoked(RevokedBecause),
}

impl TicketState {
    pub fn as_str(&self) -> &'static str {
        match self {
            TicketState::Valid => "valid",
            TicketState::Used(_) => "used",
            TicketState::Revoked(_) => "revoked",
        }
    }

    /// Its entry, once it has one.
    pub fn entry(&self) -> Option<&CheckIn> {
        match self {
            TicketState::Used(entry) => Some(entry),
            _ => None,
        }
    }

    /// Why it was revoked, if it was (`refunded`, `cancelled`, `transferred`).
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            TicketState::Revoked(because) => Some(because.as_str()),
            _ => None,
        }
    }
}

/// A ticket with its state, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTicket {
    /// Which unit of which order it is (`<order>/<position>`): stays through transfers.
    pub slot: String,
    pub ticket: Ticket,
    /// The codes transfers replaced (each now refused as `Transferred`).
    pub previous_codes: Vec<String>,
    pub state: TicketState,
    /// When its state last changed (issue, entry, revocation): the manifest's cursor.
    pub changed_at: DateTime<Utc>,
}

/// A gate's name as typed by its staff ("Norte", "Portão 3"): 1..=40 characters, no control
/// characters.
pub fn gate_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let ok = !name.is_empty() && name.chars().count() <= 40 && !name.chars().any(char::is_control);
    ok.then(|| name.to_string())
}

/// A ticket's code: 32 upper-case hex digits (128 random bits).
pub fn is_ticket_code(raw: &str) -> bool {
    raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_cpf_shows_only_its_middle_digits() {
        let holder = Holder { name: "Ana".into(), cpf: Some(Cpf::parse("529.982.247-25").expect("cpf")) };
        assert_eq!(holder.cpf_masked().as_deref(), Some("***.982.247-**"));
    }

    #[test]
    fn every_entitlement_has_its_own_byte() {
        for e in Entitlement::ALL {
            assert_eq!(Entitlement::from_code(e.code()), Some(e));
        }
        assert_eq!(Entitlement::from_code(0), None);
    }

    #[test]
    fn a_gate_name_is_short_and_printable() {
        assert_eq!(gate_name("  Norte ").as_deref(), Some("Norte"));
        assert!(gate_name("").is_none());
        assert!(gate_name(&"x".repeat(41)).is_none());
        assert!(gate_name("a\u{0007}").is_none());
    }
}
