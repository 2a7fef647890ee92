//! Browsing events, with live availability per sector, lot and price type, and what a
//! purchase would cost now (`quote`).

pub mod quote;

use crate::app::App;
use crate::domain::{Event, EventId, EventStatus, PriceType};
use crate::error::{AppError, AppResult};
use crate::ports::{EventQuery, StockBySector};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize, Debug)]
pub struct LotView {
    pub name: String,
    pub price_cents: i64,
    pub quantity: i64,
    pub ends_at: Option<DateTime<Utc>>,
    /// `on_sale`, `sold_out`, `upcoming` or `ended`.
    pub status: &'static str,
}

#[derive(Serialize, Debug)]
pub struct SectorView {
    pub id: String,
    pub name: String,
    /// The full price of the lot on sale now.
    pub price_cents: i64,
    pub half_price_cents: i64,
    pub capacity: i64,
    pub available: i64,
    /// Half-price tickets still sellable (the half-price share is a cap).
    pub half_available: i64,
    pub current_lot: Option<String>,
    pub lots: Vec<LotView>,
}

#[derive(Serialize, Debug)]
pub struct EventView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub venue: String,
    /// The IANA zone the event's times are shown in.
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub sales_end_at: Option<DateTime<Utc>>,
    /// Whether a reservation could be made now (active, before sales close).
    pub sales_open: bool,
    /// Whether the event has started.
    pub past: bool,
    pub image_url: Option<String>,
    pub status: EventStatus,
    /// For `If-Match` on the admin API (every write is conditional on it).
    pub version: i64,
    pub half_price_share_percent: i64,
    pub max_per_order: i64,
    pub max_per_buyer: Option<i64>,
    pub transfer_closes_minutes_before: i64,
    pub sectors: Vec<SectorView>,
}

/// The lot a reservation would buy from now: the first open lot with stock left.
pub fn current_lot(
    event: &Event,
    sector_index: usize,
    stock: Option<&StockBySector>,
    now: DateTime<Utc>,
) -> Option<usize> {
    let sector = &event.sectors[sector_index];
    let left = |lot: usize| stock.and_then(|s| s.get(&sector.id)).and_then(|s| s.lots.get(&lot)).copied().unwrap_or(0);
    sector.lots_open_at(now).map(|(i, _)| i).find(|i| left(*i) > 0)
}

pub fn view(event: &Event, stock: Option<&StockBySector>, now: DateTime<Utc>) -> EventView {
    let sectors = event
        .sectors
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let sector_stock = stock.and_then(|st| st.get(&s.id)).cloned().unwrap_or_default();
            let current = current_lot(event, index, stock, now);
            let open: Vec<usize> = s.lots_open_at(now).map(|(i, _)| i).collect();
            let price = current
                .map(|i| s.lots[i].price_cents)
                .unwrap_or_else(|| open.last().map(|i| s.lots[*i].price_cents).unwrap_or_else(|| s.base_price()));
            let lots = s
                .lots
                .iter()
                .enumerate()
                .map(|(i, l)| LotView {
                    name: l.name.clone(),
                    price_cents: l.price_cents,
                    quantity: l.quantity,
                    ends_at: l.ends_at,
                    status: if Some(i) == current {
                        "on_sale"
                    } else if sector_stock.lots.get(&i).copied().unwrap_or(0) == 0 && (current.is_none_or(|c| i < c)) {
                        "sold_out"
                    } else if !open.contains(&i) {
                        "ended"
                    } else {
                        "upcoming"
                    },
                })
                .collect();
            SectorView {
                id: s.id.clone(),
                name: s.name.clone(),
                price_cents: price,
                half_price_cents: PriceType::Half.unit_price(price),
                capacity: s.capacity(),
                available: sector_stock.available.max(0),
                half_available: sector_stock.half_available.max(0),
                current_lot: current.map(|i| s.lots[i].name.clone()),
                lots,
            }
        })
        .collect();
    EventView {
        id: event.id.to_string(),
        name: event.name.clone(),
        description: event.description.clone(),
        venue: event.venue.clone(),
        time_zone: event.time_zone.clone(),
        starts_at: event.starts_at,
        sales_end_at: event.sales_end_at,
        sales_open: event.sales_open_at(now),
        past: event.starts_at <= now,
        image_url: event.image_url.clone(),
        status: event.status,
        version: event.version,
        half_price_share_percent: event.half_price_share_percent,
        max_per_order: event.max_per_order,
        max_per_buyer: event.max_per_buyer,
        transfer_closes_minutes_before: event.transfer_closes_minutes_before,
        sectors,
    }
}

/// How current the shown availability must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// As it is now (admins, who just changed it).
    Now,
    /// As read at most a moment ago by this instance (`Availability`): the public
    /// catalogue, which crowds refresh.
    Recent,
}

pub async fn views(app: &App, events: &[Event], freshness: Freshness) -> AppResult<Vec<EventView>> {
    let ids: Vec<EventId> = events.iter().map(|e| e.id.clone()).collect();
    let stock = match freshness {
        Freshness::Now => app.inventory.stock(&ids).await?,
        Freshness::Recent => app.availability.stock(&ids).await?,
    };
    let now = app.clock.now();
    Ok(events.iter().map(|e| view(e, stock.get(&e.id), now)).collect())
}

/// How long after its start an event stays in the catalogue (marked `past`).
pub const PAST_EVENTS_LISTED_FOR: chrono::Duration = chrono::Duration::days(1);
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 100;

/// Where a page starts: after the event with this start and id (`<start ms>.<id>`, opaque
/// to clients: they follow the `next` link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(pub DateTime<Utc>, pub EventId);

impl Cursor {
    pub fn parse(raw: &str) -> Option<Cursor> {
        let (millis, id) = raw.split_once('.')?;
        let at = DateTime::<Utc>::from_timestamp_millis(millis.parse().ok()?)?;
        Some(Cursor(at, EventId::parse(id)?))
    }

    pub fn of(event: &EventView) -> Option<Cursor> {
        Some(Cursor(event.starts_at, EventId::parse(&event.id)?))
    }

    pub fn encode(&self) -> String {
        format!("{}.{}", self.0.timestamp_millis(), self.1)
    }
}

/// One page: at most `limit` events, and the cursor of the next page when there is one.
pub async fn page_of(
    app: &App,
    mut query: EventQuery,
    freshness: Freshness,
) -> AppResult<(Vec<EventView>, Option<Cursor>)> {
    let limit = query.limit;
    query.limit = limit + 1;
    let events = app.events.page(&query).await?;
    let more = events.len() as i64 > limit;
    let shown: Vec<Event> = events.into_iter().take(limit as usize).collect();
    let views = views(app, &shown, freshness).await?;
    let next = if more { views.last().and_then(Cursor::of) } else { None };
    Ok((views, next))
}

/// Active and paused events, soonest first, with what is left of each sector: those that
/// started up to a day ago (marked `past`), then the coming ones, a page at a time.
pub async fn list(app: &App, limit: i64, after: Option<Cursor>) -> AppResult<(Vec<EventView>, Option<Cursor>)> {
    let query = EventQuery {
        statuses: vec![EventStatus::Active, EventStatus::Paused],
        starting_after: Some(app.clock.now() - PAST_EVENTS_LISTED_FOR),
        after: after.map(|c| (c.0, c.1)),
        limit,
    };
    page_of(app, query, Freshness::Recent).await
}

/// One event as buyers see it. A cancelled event is still shown (its page says so, and its
/// buyers' orders link to it); a deleted one is 404.
pub async fn get(app: &App, raw_id: &str) -> AppResult<EventView> {
    let event = find_visible(app, raw_id).await?;
    Ok(views(app, std::slice::from_ref(&event), Freshness::Recent).await?.remove(0))
}

/// An event buyers may look at: on sale, paused, being or been cancelled. Deleted ones (and
/// ids that are not ids) are indistinguishable from none. Read through this instance's copy
/// of the events (`recent_events`, a couple of seconds at most), as the reservation reads
/// it: a crowd on an event page costs no event read per request.
pub(crate) async fn find_visible(app: &App, raw_id: &str) -> AppResult<Event> {
    let not_found = || AppError::NotFound("no such event".into());
    let id = EventId::parse(raw_id).ok_or_else(not_found)?;
    app.recent_events
        .find(&id)
        .await?
        .filter(|e| {
            matches!(
                e.status,
                EventStatus::Active | EventStatus::Paused | EventStatus::Cancelling | EventStatus::Cancelled
            )
        })
        .ok_or_else(not_found)
}
