//! The admins' side of a waiting room: turn queue mode on or off with an opening time, set
//! the admission rate live, and watch the queue (length, admitted per minute, conversion).

use super::event_id;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::queue::{RoomSettings, WaitingRoom, MAX_RATE_PER_MINUTE};
use crate::domain::EventStatus;
use crate::error::{AppError, AppResult};
use crate::ports::AuditEntry;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RoomInput {
    pub enabled: bool,
    pub opens_at: DateTime<Utc>,
    pub rate_per_minute: i64,
}

#[derive(Serialize, Debug, Default)]
pub struct RoomAdminView {
    pub event_id: String,
    pub enabled: bool,
    pub opens_at: Option<DateTime<Utc>>,
    pub rate_per_minute: i64,
    pub length: i64,
    pub serving: i64,
    pub waiting: i64,
    pub drawn: bool,
    pub admitted_last_minute: i64,
    pub admitted_total: i64,
    /// Buyers who ordered since the opening (each once): every order needed an admission.
    pub orders_from_admitted: i64,
    /// The share of admitted buyers who ordered (0..1).
    pub conversion: f64,
    /// What the last tick found: buyers the stock can serve, admitted who have not ordered.
    pub can_serve: i64,
    pub outstanding: i64,
    pub sold_out: bool,
    pub holds_pending: bool,
    pub last_tick_at: Option<DateTime<Utc>>,
}

async fn view(app: &App, room: Option<WaitingRoom>, raw: &str) -> AppResult<RoomAdminView> {
    let now = app.clock.now();
    let Some(room) = room else {
        // Never set: queue mode off, nothing counted.
        return Ok(RoomAdminView { event_id: raw.to_string(), ..RoomAdminView::default() });
    };
    let since_opening = (now - room.settings.opens_at).max(Duration::zero()) + Duration::seconds(1);
    let orders = app.waiting_rooms.order_facts(&room.event_id, now - since_opening).await?.buyers_in_window;
    let tick = room.last_tick;
    Ok(RoomAdminView {
        event_id: room.event_id.to_string(),
        enabled: room.settings.enabled,
        opens_at: Some(room.settings.opens_at),
        rate_per_minute: room.settings.rate_per_minute,
        length: room.length(),
        serving: room.serving,
        waiting: (room.length() - room.serving).max(0),
        drawn: room.draw.is_some(),
        admitted_last_minute: room.admitted_within(Duration::minutes(1), now),
        admitted_total: room.serving,
        orders_from_admitted: orders,
        conversion: if room.serving > 0 { (orders as f64 / room.serving as f64).min(1.0) } else { 0.0 },
        can_serve: tick.map_or(0, |t| t.can_serve),
        outstanding: tick.map_or(0, |t| t.outstanding),
        sold_out: tick.is_some_and(|t| t.sold_out),
        holds_pending: tick.is_some_and(|t| t.holds_pending),
        last_tick_at: room.last_tick_at,
    })
}

pub async fn show(app: &App, raw_event: &str) -> AppResult<RoomAdminView> {
    let event = event_id(raw_event)?;
    app.events.find(&event).await?.ok_or_else(|| AppError::NotFound("no such event".into()))?;
    view(app, app.waiting_rooms.find(&event).await?, raw_event).await
}

/// Turns queue mode on or off, sets the opening and the rate. Takes effect within
/// `AVAILABILITY_CACHE_MS` on every instance (their copies of the room).
pub async fn configure(app: &App, caller: &Caller, raw_event: &str, input: RoomInput) -> AppResult<RoomAdminView> {
    let event_id = event_id(raw_event)?;
    if !(1..=MAX_RATE_PER_MINUTE).contains(&input.rate_per_minute) {
        return Err(AppError::Unprocessable(format!(
            "'rate_per_minute' must be between 1 and {MAX_RATE_PER_MINUTE} buyers per minute"
        )));
    }
    let event = app.events.find(&event_id).await?.ok_or_else(|| AppError::NotFound("no such event".into()))?;
    if matches!(event.status, EventStatus::Deleted | EventStatus::Deleting) {
        return Err(AppError::NotFound("no such event".into()));
    }
    let before = app.waiting_rooms.find(&event_id).await?;
    let settings =
        RoomSettings { enabled: input.enabled, opens_at: input.opens_at, rate_per_minute: input.rate_per_minute };
    let now = app.clock.now();
    let room = app.waiting_rooms.configure(&event_id, &settings, now).await?;
    let json = |s: &RoomSettings| serde_json::json!({"enabled": s.enabled, "opens_at": s.opens_at, "rate_per_minute": s.rate_per_minute});
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: "event.queue".into(),
            target: event_id.to_string(),
            before: before.map(|r| json(&r.settings)),
            after: Some(json(&settings)),
            at: now,
        })
        .await?;
    view(app, Some(room), raw_event).await
}
