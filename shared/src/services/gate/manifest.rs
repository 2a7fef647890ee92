//! The manifest an offline scanner keeps: every ticket of the event by code with its state,
//! read whole once and then incrementally (`since` a cursor). Entries are states, not
//! events, so applying one twice is harmless: the cursor re-sends a few seconds of overlap
//! to cover writes whose change time was taken a moment before they landed.

use super::keys;
use crate::app::App;
use crate::auth::guard::GateCaller;
use crate::auth::ticket_keys::PublishedKey;
use crate::domain::{EventId, RevokedBecause, StoredTicket};
use crate::error::{AppError, AppResult};
use crate::ports::ManifestCursor;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// At most this many tickets per answer; `more` says to ask again at once.
pub const PAGE: i64 = 5_000;
/// How far back a caught-up cursor points, for writes still landing.
const OVERLAP: Duration = Duration::seconds(5);

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The ticket's code (a code replaced by a transfer is listed as revoked).
    pub id: String,
    pub state: &'static str,
    pub reason: Option<&'static str>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub gate: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct Manifest {
    pub event_id: String,
    pub event_name: String,
    /// Pass it as `since` next time.
    pub cursor: String,
    pub more: bool,
    pub keys: Vec<PublishedKey>,
    pub tickets: Vec<ManifestEntry>,
}

fn encode(cursor: &ManifestCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", cursor.changed_at.timestamp_millis(), cursor.slot))
}

fn decode(raw: &str) -> Option<ManifestCursor> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw.trim()).ok()?).ok()?;
    let (millis, slot) = text.split_once('|')?;
    let changed_at = DateTime::<Utc>::from_timestamp_millis(millis.parse().ok()?)?;
    (slot.len() <= 64).then(|| ManifestCursor { changed_at, slot: slot.to_string() })
}

fn entries(stored: StoredTicket, out: &mut Vec<ManifestEntry>) {
    for old in stored.previous_codes {
        out.push(ManifestEntry {
            id: old,
            state: "revoked",
            reason: Some(RevokedBecause::Transferred.as_str()),
            checked_in_at: None,
            gate: None,
        });
    }
    out.push(ManifestEntry {
        id: stored.ticket.code,
        state: stored.state.as_str(),
        reason: stored.state.reason(),
        checked_in_at: stored.state.entry().map(|e| e.at),
        gate: stored.state.entry().map(|e| e.gate.clone()),
    });
}

/// `GET /gate/events/{id}/manifest[?since=cursor]`.
pub async fn manifest(app: &App, who: &GateCaller, raw_event: &str, since: Option<&str>) -> AppResult<Manifest> {
    let not_found = || AppError::NotFound("no such event".into());
    let event_id = EventId::parse(raw_event).ok_or_else(not_found)?;
    if !who.may_scan(&event_id) {
        return Err(AppError::Forbidden("these gates are not yours".into()));
    }
    let after = match since.filter(|s| !s.trim().is_empty()) {
        Some(raw) => Some(decode(raw).ok_or_else(|| AppError::BadRequest("'since' is not a cursor we gave".into()))?),
        None => None,
    };
    let event = app.events.find(&event_id).await?.ok_or_else(not_found)?;
    let rows = app.tickets.changed_since(&event_id, after.as_ref(), PAGE).await?;
    let more = rows.len() as i64 == PAGE;
    // Caught up, the cursor stays exact for what is older than the overlap (every write of
    // then has landed) and steps back to the overlap's start otherwise: a change is re-sent
    // for at most OVERLAP, never for ever (60,000 tickets revoked at one instant included).
    let landed = app.clock.now() - OVERLAP;
    let next = match rows.last() {
        Some(last) if more || last.changed_at < landed => {
            ManifestCursor { changed_at: last.changed_at, slot: last.slot.clone() }
        }
        Some(_) => ManifestCursor { changed_at: landed, slot: String::new() },
        None => after.unwrap_or(ManifestCursor { changed_at: DateTime::UNIX_EPOCH, slot: String::new() }),
    };
    let mut tickets = Vec::with_capacity(rows.len());
    for row in rows {
        entries(row, &mut tickets);
    }
    Ok(Manifest {
        event_id: event_id.to_string(),
        event_name: event.name,
        cursor: encode(&next),
        more,
        keys: keys(app)?.keys,
        tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_itself_and_garbage_is_no_cursor() {
        let cursor = ManifestCursor {
            changed_at: DateTime::<Utc>::from_timestamp_millis(1_780_000_000_123).expect("time"),
            slot: "65a1b2c3d4e5f60718293a4b/3".into(),
        };
        assert_eq!(decode(&encode(&cursor)), Some(cursor));
        assert_eq!(decode("not a cursor"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("x|y")), None);
    }
}
