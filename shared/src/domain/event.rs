//! Events, their sectors and lots (*lotes*), and the rules an event must satisfy.

use super::ids::EventId;
use super::money::Cents;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::event_input::{CheckedEvent, EventInput, LotInput, NewEvent, NewSector, SectorInput};

pub const MAX_SECTORS: usize = 20;
pub const MAX_LOTS: usize = 20;
pub const MAX_SECTOR_CAPACITY: i64 = 1_000_000;
/// A ceiling on a ticket's price (R$ 1.000.000,00) that keeps every total far from overflow.
pub const MAX_PRICE_CENTS: Cents = 100_000_000;
/// Brazil's Law 12.933/2013: at least 40% of the tickets at half price.
pub const DEFAULT_HALF_PRICE_SHARE_PERCENT: i64 = 40;
/// Transfers close two hours before the start unless the admin says otherwise: the gates'
/// manifests are synced by then.
pub const DEFAULT_TRANSFER_CLOSES_MINUTES_BEFORE: i64 = 120;
pub const MAX_TRANSFER_CLOSES_MINUTES_BEFORE: i64 = 7 * 24 * 60;
/// Buckets a sector's stock is split into, at most (see `buckets_for`).
pub const MAX_BUCKETS: u32 = 16;
/// A bucket should hold at least this many tickets, so that small sectors stay in one.
pub const MIN_TICKETS_PER_BUCKET: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// On sale.
    Active,
    /// Visible, but new reservations are refused until it is resumed; holds may be paid.
    Paused,
    /// Being called off: sales are closed and the orders are being ended (refunds, notices);
    /// finished by a retry of the cancel or by the scheduled function.
    Cancelling,
    /// Called off by an admin: paid orders refunded, visible to nobody for sale.
    Cancelled,
    /// Being deleted: sales are closed and the reservations in flight are being swept.
    Deleting,
    /// Gone for buyers; kept for the records.
    Deleted,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Active => "active",
            EventStatus::Paused => "paused",
            EventStatus::Cancelling => "cancelling",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Deleting => "deleting",
            EventStatus::Deleted => "deleted",
        }
    }

    /// Whether an admin may still edit it, pause it or resume it.
    pub fn is_open(self) -> bool {
        matches!(self, EventStatus::Active | EventStatus::Paused)
    }
}

/// A price tier of a sector: the first lot sells first; the next opens when it sells out or
/// when its end date passes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    pub name: String,
    pub price_cents: Cents,
    pub quantity: i64,
    pub ends_at: Option<DateTime<Utc>>,
    /// How many inventory documents ("buckets") hold this lot's stock; fixed when the lot is
    /// opened, so that reservations can name a bucket without reading anything.
    #[serde(default = "one")]
    pub buckets: u32,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sector {
    /// Stable across renames: inventory and orders are linked by it, not by the name.
    pub id: String,
    pub name: String,
    pub lots: Vec<Lot>,
}

impl Sector {
    pub fn capacity(&self) -> i64 {
        self.lots.iter().map(|l| l.quantity).sum()
    }

    /// The first lot that has not ended (by date) at `now`; sell-outs are the inventory's to
    /// tell. `None` when every dated lot has ended (the last lot never ends by date).
    pub fn lots_open_at(&self, now: DateTime<Utc>) -> impl Iterator<Item = (usize, &Lot)> {
        let last = self.lots.len().saturating_sub(1);
        self.lots.iter().enumerate().filter(move |(i, l)| *i == last || l.ends_at.is_none_or(|end| end > now))
    }

    pub fn base_price(&self) -> Cents {
        self.lots.first().map(|l| l.price_cents).unwrap_or(0)
    }
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: EventId,
    pub name: String,
    pub description: String,
    pub venue: String,
    /// The IANA zone the event's times are shown in (`America/Sao_Paulo` by default).
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    /// When sales close, if before the start (they always close at the start).
    pub sales_end_at: Option<DateTime<Utc>>,
    pub image_url: Option<String>,
    pub status: EventStatus,
    /// Raised by every edit and status change, each conditional on the version it read, so
    /// that of two admins writing from the same view exactly one wins.
    pub version: i64,
    pub half_price_share_percent: i64,
    pub max_per_order: i64,
    pub max_per_buyer: Option<i64>,
    /// Transfers between buyers close this many minutes before `starts_at`.
    pub transfer_closes_minutes_before: i64,
    /// How many inventory documents each lot of each sector is split into.
    pub buckets: u32,
    pub sectors: Vec<Sector>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Event {
    pub fn sector_named(&self, name: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.name == name)
    }

    pub fn sector_by_id(&self, id: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.id == id)
    }

    /// How many of a sector's tickets may be sold at half price.
    pub fn half_price_cap(&self, capacity: i64) -> i64 {
        capacity * self.half_price_share_percent / 100
    }

    pub fn on_sale(&self) -> bool {
        self.status == EventStatus::Active
    }

    /// When sales close: `sales_end_at` if set, else the start. Nothing is sold after it.
    pub fn sales_close_at(&self) -> DateTime<Utc> {
        self.sales_end_at.map_or(self.starts_at, |end| end.min(self.starts_at))
    }

    pub fn sales_open_at(&self, now: DateTime<Utc>) -> bool {
        self.on_sale() && now < self.sales_close_at()
    }
}

pub use super::stock::split_evenly;

/// A short random id for a sector, unique within its event.
pub fn new_sector_id() -> String {
    super::ids::new_hex_id()[12..].to_string()
}

impl Lot {
    /// The lot split into up to `buckets` documents (never more than it has tickets).
    pub fn with_buckets(mut self, buckets: u32) -> Self {
        self.buckets = buckets.clamp(1, self.quantity.clamp(1, MAX_BUCKETS as i64) as u32);
        self
    }
}

/// Buckets for a sector of this capacity: one per `MIN_TICKETS_PER_BUCKET`, at most
/// `MAX_BUCKETS`. More buckets let more reservations proceed in parallel on a hot sector.
pub fn buckets_for(capacity: i64) -> u32 {
    ((capacity / MIN_TICKETS_PER_BUCKET).clamp(1, MAX_BUCKETS as i64)) as u32
}
