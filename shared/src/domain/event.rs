//! Events and their sectors, and the rules an event must satisfy to be put on sale.

use super::ids::EventId;
use super::money::Cents;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_SECTORS: usize = 20;
pub const MAX_SECTOR_CAPACITY: i64 = 1_000_000;
/// A ceiling on a ticket's price (R$ 1.000.000,00) that keeps every total far from overflow.
pub const MAX_PRICE_CENTS: Cents = 100_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// On sale.
    Active,
    /// Visible, but new reservations are refused until it is resumed.
    Paused,
    /// Gone for buyers; kept for the records.
    Deleted,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Active => "active",
            EventStatus::Paused => "paused",
            EventStatus::Deleted => "deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sector {
    pub name: String,
    pub price_cents: Cents,
    pub capacity: i64,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: EventId,
    pub name: String,
    pub description: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub status: EventStatus,
    pub sectors: Vec<Sector>,
    pub created_at: DateTime<Utc>,
}

impl Event {
    pub fn sector(&self, name: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.name == name)
    }
}

/// The body of `POST /api/v1/admin/events`, as received.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    #[serde(default)]
    pub description: Option<String>,
    pub sectors: Vec<NewSector>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSector {
    pub name: String,
    pub price_cents: Cents,
    pub capacity: i64,
}

fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AppError::Unprocessable(format!(
            "'{field}' must have between 1 and {max} characters"
        )));
    }
    Ok(value.to_string())
}

impl NewEvent {
    /// Checks every rule and returns the event ready to be stored.
    pub fn validate(self, id: EventId, now: DateTime<Utc>) -> Result<Event, AppError> {
        let name = text("name", &self.name, 200)?;
        let venue = text("venue", &self.venue, 200)?;
        let description = match self.description.as_deref().map(str::trim) {
            None | Some("") => String::new(),
            Some(d) => text("description", d, 5_000)?,
        };
        if self.sectors.is_empty() || self.sectors.len() > MAX_SECTORS {
            return Err(AppError::Unprocessable(format!(
                "an event needs between 1 and {MAX_SECTORS} sectors"
            )));
        }
        let mut sectors: Vec<Sector> = Vec::with_capacity(self.sectors.len());
        for s in self.sectors {
            let name = text("sectors[].name", &s.name, 80)?;
            if sectors
                .iter()
                .any(|other| other.name.eq_ignore_ascii_case(&name))
            {
                return Err(AppError::Unprocessable(format!(
                    "sector '{name}' appears twice"
                )));
            }
            if !(0..=MAX_PRICE_CENTS).contains(&s.price_cents) {
                return Err(AppError::Unprocessable(format!(
                    "sector '{name}': price_cents must be between 0 and {MAX_PRICE_CENTS}"
                )));
            }
            if !(1..=MAX_SECTOR_CAPACITY).contains(&s.capacity) {
                return Err(AppError::Unprocessable(format!(
                    "sector '{name}': capacity must be between 1 and {MAX_SECTOR_CAPACITY}"
                )));
            }
            sectors.push(Sector {
                name,
                price_cents: s.price_cents,
                capacity: s.capacity,
            });
        }
        Ok(Event {
            id,
            name,
            description,
            venue,
            starts_at: self.starts_at,
            status: EventStatus::Active,
            sectors,
            created_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_event(sectors: Vec<NewSector>) -> NewEvent {
        NewEvent {
            name: "Show".into(),
            venue: "Allianz Parque".into(),
            starts_at: Utc::now(),
            description: None,
            sectors,
        }
    }

    fn sector(name: &str, price_cents: Cents, capacity: i64) -> NewSector {
        NewSector {
            name: name.into(),
            price_cents,
            capacity,
        }
    }

    #[test]
    fn an_event_with_sectors_is_valid() {
        let event = new_event(vec![
            sector("Pista", 20_000, 100),
            sector("VIP", 50_000, 10),
        ])
        .validate(EventId::generate(), Utc::now())
        .expect("valid");
        assert_eq!(event.sectors.len(), 2);
        assert_eq!(event.status, EventStatus::Active);
    }

    #[test]
    fn an_event_without_sectors_is_refused() {
        assert!(new_event(vec![])
            .validate(EventId::generate(), Utc::now())
            .is_err());
    }

    #[test]
    fn duplicate_sector_names_negative_prices_and_zero_capacity_are_refused() {
        for bad in [
            vec![sector("Pista", 1, 1), sector("pista", 1, 1)],
            vec![sector("Pista", -1, 1)],
            vec![sector("Pista", 1, 0)],
        ] {
            assert!(new_event(bad)
                .validate(EventId::generate(), Utc::now())
                .is_err());
        }
    }
}
