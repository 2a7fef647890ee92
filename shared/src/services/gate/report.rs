//! The gates of one event, for the admins: entries, per gate and per minute, who has not
//! come yet, and the conflicts offline scanners brought back.

use crate::app::App;
use crate::domain::{CheckIn, EventId};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;

/// The per-minute series covers the last hour, every minute present (empty ones as 0).
const SERIES_MINUTES: i64 = 60;
const CONFLICTS_SHOWN: i64 = 200;

#[derive(Serialize, Debug)]
pub struct MinuteCount {
    pub minute: DateTime<Utc>,
    pub count: u64,
}

#[derive(Serialize, Debug)]
pub struct GateCount {
    pub gate: String,
    pub count: u64,
}

#[derive(Serialize, Debug)]
pub struct EntryView {
    pub gate: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, Debug)]
pub struct ConflictView {
    pub ticket_id: String,
    /// `double_entry` or `revoked_entry`.
    pub kind: &'static str,
    pub first: Option<EntryView>,
    pub second: EntryView,
}

#[derive(Serialize, Debug)]
pub struct GateReport {
    pub event_id: String,
    /// Tickets that may enter or have entered.
    pub issued: u64,
    pub checked_in: u64,
    /// Valid tickets that have not entered (yet).
    pub no_shows: u64,
    pub per_minute: Vec<MinuteCount>,
    pub per_gate: Vec<GateCount>,
    pub conflicts: Vec<ConflictView>,
}

fn view(entry: CheckIn) -> EntryView {
    EntryView { gate: entry.gate, at: entry.at }
}

/// `GET /admin/events/{id}/gate` (admins).
pub async fn report(app: &App, raw_event: &str) -> AppResult<GateReport> {
    let not_found = || AppError::NotFound("no such event".into());
    let event = EventId::parse(raw_event).ok_or_else(not_found)?;
    app.events.find(&event).await?.ok_or_else(not_found)?;
    let now = app.clock.now().duration_trunc(Duration::minutes(1)).unwrap_or_else(|_| app.clock.now());
    let since = now - Duration::minutes(SERIES_MINUTES - 1);
    let counts = app.gate_log.counts(&event, since).await?;
    let conflicts = app.gate_log.conflicts(&event, CONFLICTS_SHOWN).await?;
    let per_minute = (0..SERIES_MINUTES)
        .map(|i| {
            let minute = since + Duration::minutes(i);
            let count = counts.per_minute.iter().find(|(m, _)| *m == minute).map_or(0, |(_, c)| *c);
            MinuteCount { minute, count }
        })
        .collect();
    Ok(GateReport {
        event_id: event.to_string(),
        no_shows: counts.issued.saturating_sub(counts.checked_in),
        issued: counts.issued,
        checked_in: counts.checked_in,
        per_minute,
        per_gate: counts.per_gate.into_iter().map(|(gate, count)| GateCount { gate, count }).collect(),
        conflicts: conflicts
            .into_iter()
            .map(|c| ConflictView {
                ticket_id: c.ticket_id,
                kind: c.kind.as_str(),
                first: c.first.map(view),
                second: view(c.second),
            })
            .collect(),
    })
}
