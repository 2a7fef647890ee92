//! Browsing events (with live availability) and creating them.

use crate::app::App;
use crate::domain::{Event, EventId, EventStatus, NewEvent, PriceType};
use crate::error::{AppError, AppResult};
use crate::ports::StockBySector;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize, Debug)]
pub struct SectorView {
    pub name: String,
    pub price_cents: i64,
    pub half_price_cents: i64,
    pub capacity: i64,
    pub available: i64,
}

#[derive(Serialize, Debug)]
pub struct EventView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub status: EventStatus,
    pub sectors: Vec<SectorView>,
}

fn view(event: &Event, stock: Option<&StockBySector>) -> EventView {
    EventView {
        id: event.id.to_string(),
        name: event.name.clone(),
        description: event.description.clone(),
        venue: event.venue.clone(),
        starts_at: event.starts_at,
        status: event.status,
        sectors: event
            .sectors
            .iter()
            .map(|s| SectorView {
                name: s.name.clone(),
                price_cents: s.price_cents,
                half_price_cents: PriceType::Half.unit_price(s.price_cents),
                capacity: s.capacity,
                available: stock
                    .and_then(|st| st.get(&s.name))
                    .copied()
                    .unwrap_or(0)
                    .max(0),
            })
            .collect(),
    }
}

/// Active and paused events, soonest first, with what is left of each sector.
pub async fn list(app: &App) -> AppResult<Vec<EventView>> {
    let events = app.events.list_visible().await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id.clone()).collect();
    let stock = app.inventory.stock(&ids).await?;
    Ok(events.iter().map(|e| view(e, stock.get(&e.id))).collect())
}

/// One event, unless it does not exist or was deleted (both 404 for buyers).
pub async fn get(app: &App, raw_id: &str) -> AppResult<EventView> {
    let not_found = || AppError::NotFound("no such event".into());
    let id = EventId::parse(raw_id).ok_or_else(not_found)?;
    let event = app
        .events
        .find(&id)
        .await?
        .filter(|e| e.status != EventStatus::Deleted)
        .ok_or_else(not_found)?;
    let stock = app.inventory.stock(std::slice::from_ref(&id)).await?;
    Ok(view(&event, stock.get(&id)))
}

pub async fn create(app: &App, input: NewEvent) -> AppResult<EventView> {
    let event = input.validate(EventId::generate(), app.clock.now())?;
    app.events.create(&event).await?;
    let full_stock: StockBySector = event
        .sectors
        .iter()
        .map(|s| (s.name.clone(), s.capacity))
        .collect();
    Ok(view(&event, Some(&full_stock)))
}
