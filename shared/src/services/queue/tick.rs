//! The admission tick: for every room in queue mode, make the opening's draw when it is due
//! and move the serving counter at the admins' rate, never past what the stock can serve
//! (`domain::queue::admission`). Run by the `maintenance` schedule in AWS and by a
//! `QUEUE_TICK_MS` loop locally; two ticks at once admit once (the move is conditional on
//! where the counter stood).

use super::drawn_if_due;
use crate::app::App;
use crate::domain::queue::admission::{allowance, next_tick, time_spent};
use crate::domain::queue::{AdmissionStep, OrderFacts, RoomSettings, Tick, WaitingRoom};
use crate::error::AppResult;
use chrono::Duration;

/// Ticks every room in queue mode; returns how many buyers were admitted in all.
pub async fn tick_all(app: &App) -> AppResult<i64> {
    let mut admitted = 0;
    for room in app.waiting_rooms.enabled().await? {
        let event = room.event_id.clone();
        match tick_room(app, room).await {
            Ok(n) => admitted += n,
            // One room's failure does not stop the others; the next tick retries it.
            Err(err) => tracing::warn!(event_id = %event, error = %err.chain(), "a waiting room's tick failed"),
        }
    }
    Ok(admitted)
}

/// One room's tick; returns how many were admitted.
pub async fn tick_room(app: &App, room: WaitingRoom) -> AppResult<i64> {
    let now = app.clock.now();
    if now < room.settings.opens_at {
        return Ok(0);
    }
    // A room whose event was called off or deleted has nobody left to admit: it is closed
    // (its settings kept, for the record).
    let event = app.recent_events.find(&room.event_id).await?;
    if !event.is_some_and(|e| e.status.is_open()) {
        let closed = RoomSettings { enabled: false, ..room.settings.clone() };
        app.waiting_rooms.configure(&room.event_id, &closed, now).await?;
        return Ok(0);
    }
    let room = drawn_if_due(app, room, now).await?;
    let window = Duration::seconds(app.config.admission_ttl_seconds);
    // Buyers who ordered within the window, and since the opening: orders from before the
    // queue (or its changeover) are nobody's admission.
    let window_start = (now - window).max(room.settings.opens_at);
    let mut facts: OrderFacts = app.waiting_rooms.order_facts(&room.event_id, window_start).await?;
    let stock = app.inventory.stock(std::slice::from_ref(&room.event_id)).await?;
    facts.available = stock.get(&room.event_id).map_or(0, |sectors| sectors.values().map(|s| s.available).sum());
    // The rate has been spent up to `spent_until`: from the opening at first, and never
    // more than a minute back (no burst after a pause).
    let spent_until =
        room.last_tick_at.unwrap_or(room.settings.opens_at).max(room.settings.opens_at).max(now - Duration::minutes(1));
    let elapsed = now - spent_until;
    let tick: Tick = next_tick(
        room.serving,
        room.length(),
        room.settings.rate_per_minute,
        elapsed,
        room.admitted_within(window, now),
        &facts,
    );
    let admitted = tick.serving - room.serving;
    let rate_bound = admitted == allowance(room.settings.rate_per_minute, elapsed);
    if rate_bound && admitted == 0 && room.last_tick == Some(tick) {
        // Too soon for a whole buyer and nothing else changed: nothing to write.
        return Ok(0);
    }
    // Held back by the rate: the time not spent on a whole buyer is kept. Held back by the
    // stock or by an empty queue: the time is gone (no burst when stock comes back).
    let spent_until = if rate_bound { spent_until + time_spent(room.settings.rate_per_minute, admitted) } else { now };
    let step = (admitted > 0).then_some(AdmissionStep { at: now, through: tick.serving });
    let moved = app.waiting_rooms.advance(&room.event_id, room.serving, &tick, step, spent_until).await?;
    Ok(if moved { admitted } else { 0 })
}
