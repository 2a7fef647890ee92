//! What an admin sends to create or edit an event, and the rules it must meet.

use super::event::{buckets_for, new_sector_id, Event, EventStatus, Lot, Sector};
use super::event::{
    DEFAULT_HALF_PRICE_SHARE_PERCENT, DEFAULT_TRANSFER_CLOSES_MINUTES_BEFORE, MAX_BUCKETS, MAX_LOTS, MAX_PRICE_CENTS,
    MAX_SECTORS, MAX_SECTOR_CAPACITY, MAX_TRANSFER_CLOSES_MINUTES_BEFORE,
};
use super::ids::EventId;
use super::local_time::{check_time_zone, DEFAULT_TIME_ZONE};
use super::money::Cents;
use super::refusal::Invalid;
use super::text::{check_image_url, check_text, Lines};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The body of `POST /api/v1/admin/events` and `PUT /api/v1/admin/events/{id}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub name: String,
    pub venue: String,
    /// The IANA zone buyers see the event's times in (default `America/Sao_Paulo`).
    #[serde(default)]
    pub time_zone: Option<String>,
    pub starts_at: DateTime<Utc>,
    /// Sales close at this moment (at most the start; they close at the start without it).
    #[serde(default)]
    pub sales_end_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub half_price_share_percent: Option<i64>,
    #[serde(default)]
    pub max_per_order: Option<i64>,
    #[serde(default)]
    pub max_per_buyer: Option<i64>,
    /// Transfers between buyers close this long before the start (default 120).
    #[serde(default)]
    pub transfer_closes_minutes_before: Option<i64>,
    /// Inventory documents per lot (1..=16); chosen from the capacity when absent.
    #[serde(default)]
    pub buckets: Option<u32>,
    pub sectors: Vec<SectorInput>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorInput {
    /// The sector's id when editing an existing sector (so that it can be renamed).
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub price_cents: Cents,
    pub capacity: i64,
    #[serde(default)]
    pub lots: Option<Vec<LotInput>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotInput {
    pub name: String,
    pub price_cents: Cents,
    pub quantity: i64,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
}

pub type NewEvent = EventInput;
pub type NewSector = SectorInput;

fn text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    check_text(field, value, max, Lines::One)
}

fn price(sector: &str, what: &str, cents: Cents) -> Result<Cents, Invalid> {
    if (0..=MAX_PRICE_CENTS).contains(&cents) {
        Ok(cents)
    } else {
        Err(Invalid::new(format!("sector '{sector}': {what} must be between 0 and {MAX_PRICE_CENTS} cents")))
    }
}

/// The event's editable fields, checked.
pub struct CheckedEvent {
    pub name: String,
    pub description: String,
    pub venue: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub sales_end_at: Option<DateTime<Utc>>,
    pub image_url: Option<String>,
    pub half_price_share_percent: i64,
    pub max_per_order: i64,
    pub max_per_buyer: Option<i64>,
    pub transfer_closes_minutes_before: i64,
    pub buckets: Option<u32>,
    /// Sectors with `id` set only when the input named an existing sector.
    pub sectors: Vec<(Option<String>, String, Vec<Lot>)>,
}

impl EventInput {
    pub fn check(self, default_max_per_order: i64) -> Result<CheckedEvent, Invalid> {
        let name = text("name", &self.name, 200)?;
        let venue = text("venue", &self.venue, 200)?;
        let time_zone = match self.time_zone.as_deref() {
            None => DEFAULT_TIME_ZONE.to_string(),
            Some(raw) => check_time_zone(raw)?,
        };
        let description = match self.description.as_deref() {
            None => String::new(),
            Some(d) if d.trim().is_empty() => String::new(),
            Some(d) => check_text("description", d, 5_000, Lines::Many)?,
        };
        let image_url = match self.image_url.as_deref() {
            None => None,
            Some(u) => check_image_url(u)?,
        };
        if self.sales_end_at.is_some_and(|end| end > self.starts_at) {
            return Err(Invalid::new("'sales_end_at' must not be after 'starts_at'"));
        }
        let half_price_share_percent = self.half_price_share_percent.unwrap_or(DEFAULT_HALF_PRICE_SHARE_PERCENT);
        if !(0..=100).contains(&half_price_share_percent) {
            return Err(Invalid::new("'half_price_share_percent' must be between 0 and 100"));
        }
        let max_per_order = self.max_per_order.unwrap_or(default_max_per_order);
        if !(1..=100).contains(&max_per_order) {
            return Err(Invalid::new("'max_per_order' must be between 1 and 100"));
        }
        if let Some(m) = self.max_per_buyer {
            if !(1..=1_000).contains(&m) {
                return Err(Invalid::new("'max_per_buyer' must be between 1 and 1000"));
            }
        }
        let transfer_closes_minutes_before =
            self.transfer_closes_minutes_before.unwrap_or(DEFAULT_TRANSFER_CLOSES_MINUTES_BEFORE);
        if !(0..=MAX_TRANSFER_CLOSES_MINUTES_BEFORE).contains(&transfer_closes_minutes_before) {
            return Err(Invalid::new(format!(
                "'transfer_closes_minutes_before' must be between 0 and {MAX_TRANSFER_CLOSES_MINUTES_BEFORE}"
            )));
        }
        if let Some(b) = self.buckets {
            if !(1..=MAX_BUCKETS).contains(&b) {
                return Err(Invalid::new(format!("'buckets' must be between 1 and {MAX_BUCKETS}")));
            }
        }
        if self.sectors.is_empty() || self.sectors.len() > MAX_SECTORS {
            return Err(Invalid::new(format!("an event needs between 1 and {MAX_SECTORS} sectors")));
        }
        let mut sectors: Vec<(Option<String>, String, Vec<Lot>)> = Vec::new();
        for s in self.sectors {
            let sector_name = text("sectors[].name", &s.name, 80)?;
            if sectors.iter().any(|(_, other, _)| other.eq_ignore_ascii_case(&sector_name)) {
                return Err(Invalid::new(format!("sector '{sector_name}' appears twice")));
            }
            let lots = check_sector(&sector_name, s.price_cents, s.capacity, s.lots)?;
            sectors.push((s.id, sector_name, lots));
        }
        Ok(CheckedEvent {
            name,
            description,
            venue,
            time_zone,
            starts_at: self.starts_at,
            sales_end_at: self.sales_end_at,
            image_url,
            half_price_share_percent,
            max_per_order,
            max_per_buyer: self.max_per_buyer,
            transfer_closes_minutes_before,
            buckets: self.buckets,
            sectors,
        })
    }

    /// A new event from this input.
    pub fn validate(self, id: EventId, now: DateTime<Utc>, default_max_per_order: i64) -> Result<Event, Invalid> {
        let c = self.check(default_max_per_order)?;
        let largest = c.sectors.iter().flat_map(|(_, _, lots)| lots.iter().map(|l| l.quantity)).max().unwrap_or(1);
        let buckets = c.buckets.unwrap_or_else(|| buckets_for(largest));
        Ok(Event {
            id,
            name: c.name,
            description: c.description,
            venue: c.venue,
            time_zone: c.time_zone,
            starts_at: c.starts_at,
            sales_end_at: c.sales_end_at,
            image_url: c.image_url,
            status: EventStatus::Active,
            version: 1,
            half_price_share_percent: c.half_price_share_percent,
            max_per_order: c.max_per_order,
            max_per_buyer: c.max_per_buyer,
            transfer_closes_minutes_before: c.transfer_closes_minutes_before,
            buckets,
            sectors: c
                .sectors
                .into_iter()
                .map(|(_, name, lots)| Sector {
                    id: new_sector_id(),
                    name,
                    // An explicit `buckets` applies to every lot; otherwise each lot gets what
                    // its own size calls for, so a small VIP lot stays in one document.
                    lots: lots
                        .into_iter()
                        .map(|l| {
                            let n = c.buckets.unwrap_or_else(|| buckets_for(l.quantity));
                            l.with_buckets(n)
                        })
                        .collect(),
                })
                .collect(),
            created_at: now,
            updated_at: now,
        })
    }
}

/// A sector's price, capacity and lots (one "Lote único" when none are given).
fn check_sector(
    sector_name: &str,
    price_cents: Cents,
    capacity: i64,
    lots: Option<Vec<LotInput>>,
) -> Result<Vec<Lot>, Invalid> {
    price(sector_name, "price_cents", price_cents)?;
    if !(1..=MAX_SECTOR_CAPACITY).contains(&capacity) {
        return Err(Invalid::new(format!(
            "sector '{sector_name}': capacity must be between 1 and {MAX_SECTOR_CAPACITY}"
        )));
    }
    let Some(lots) = lots else {
        return Ok(vec![Lot {
            name: "Lote único".into(), price_cents, quantity: capacity, ends_at: None, buckets: 1
        }]);
    };
    if lots.is_empty() || lots.len() > MAX_LOTS {
        return Err(Invalid::new(format!("sector '{sector_name}': between 1 and {MAX_LOTS} lots")));
    }
    let mut checked = Vec::with_capacity(lots.len());
    for l in lots {
        let lot_name = text("lots[].name", &l.name, 80)?;
        price(sector_name, "a lot's price_cents", l.price_cents)?;
        if !(1..=MAX_SECTOR_CAPACITY).contains(&l.quantity) {
            return Err(Invalid::new(format!(
                "sector '{sector_name}': a lot's quantity must be between 1 and {MAX_SECTOR_CAPACITY}"
            )));
        }
        checked.push(Lot {
            name: lot_name,
            price_cents: l.price_cents,
            quantity: l.quantity,
            ends_at: l.ends_at,
            buckets: 1,
        });
    }
    let total: i64 = checked.iter().map(|l| l.quantity).sum();
    if total != capacity {
        return Err(Invalid::new(format!(
            "sector '{sector_name}': capacity ({capacity}) must equal the sum of its lots ({total})"
        )));
    }
    if checked[0].price_cents != price_cents {
        return Err(Invalid::new(format!("sector '{sector_name}': price_cents must be the first lot's price")));
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(sectors: Vec<SectorInput>) -> EventInput {
        EventInput {
            name: "Show".into(),
            venue: "Allianz Parque".into(),
            time_zone: None,
            starts_at: Utc::now(),
            sales_end_at: None,
            description: None,
            image_url: None,
            half_price_share_percent: None,
            max_per_order: None,
            max_per_buyer: None,
            transfer_closes_minutes_before: None,
            buckets: None,
            sectors,
        }
    }

    fn sector(name: &str, price_cents: Cents, capacity: i64) -> SectorInput {
        SectorInput { id: None, name: name.into(), price_cents, capacity, lots: None }
    }

    #[test]
    fn an_event_with_sectors_is_valid_and_gets_defaults() {
        let event = input(vec![sector("Pista", 20_000, 100), sector("VIP", 50_000, 10)])
            .validate(EventId::generate(), Utc::now(), 6)
            .expect("valid");
        assert_eq!(event.sectors.len(), 2);
        assert_eq!(event.status, EventStatus::Active);
        assert_eq!(event.half_price_share_percent, 40);
        assert_eq!(event.max_per_order, 6);
        assert_eq!(event.sectors[0].capacity(), 100);
        assert_eq!(event.sectors[0].lots.len(), 1);
        assert_ne!(event.sectors[0].id, event.sectors[1].id);
    }

    #[test]
    fn an_event_without_sectors_is_refused() {
        assert!(input(vec![]).validate(EventId::generate(), Utc::now(), 6).is_err());
    }

    #[test]
    fn duplicate_sector_names_negative_prices_and_zero_capacity_are_refused() {
        for bad in [
            vec![sector("Pista", 1, 1), sector("pista", 1, 1)],
            vec![sector("Pista", -1, 1)],
            vec![sector("Pista", 1, 0)],
        ] {
            assert!(input(bad).validate(EventId::generate(), Utc::now(), 6).is_err());
        }
    }

    #[test]
    fn lots_must_add_up_to_the_capacity_and_start_at_the_sector_price() {
        let lot = |p, q| LotInput { name: format!("{p}"), price_cents: p, quantity: q, ends_at: None };
        let mut s = sector("Pista", 100, 30);
        s.lots = Some(vec![lot(100, 10), lot(150, 20)]);
        assert!(input(vec![s.clone()]).validate(EventId::generate(), Utc::now(), 6).is_ok());
        s.capacity = 31;
        assert!(input(vec![s.clone()]).validate(EventId::generate(), Utc::now(), 6).is_err());
        s.capacity = 30;
        s.price_cents = 150;
        assert!(input(vec![s]).validate(EventId::generate(), Utc::now(), 6).is_err());
    }

    #[test]
    fn the_half_price_cap_is_the_share_of_the_capacity_rounded_down() {
        let event = input(vec![sector("Pista", 100, 101)]).validate(EventId::generate(), Utc::now(), 6).expect("valid");
        assert_eq!(event.half_price_cap(101), 40);
    }

    #[test]
    fn big_sectors_get_more_buckets_small_ones_one() {
        assert_eq!(buckets_for(10), 1);
        assert_eq!(buckets_for(300), 6);
        assert_eq!(buckets_for(1_000_000), MAX_BUCKETS);
    }
}
