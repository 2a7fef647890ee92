//! Offline scans, synced. Each scan is offered to the ticket as an entry at its own scan
//! time and gate: the first to reach us enters it; the same scan sent again is a duplicate
//! (a retried sync changes nothing); any other scan of an entered ticket is a double entry,
//! and a scan of a revoked ticket an entry that should not have happened — both kept as
//! conflicts for the admins.

use super::checked_gate;
use crate::app::App;
use crate::auth::guard::GateCaller;
use crate::domain::{CheckIn, EventId, TicketState};
use crate::error::{AppError, AppResult};
use crate::ports::{Conflict, ConflictKind, Entry};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_SCANS_PER_SYNC: usize = 1_000;
/// A scanner's clock may run this far ahead of ours.
const CLOCK_LEEWAY: Duration = Duration::minutes(5);

/// A scan as an offline scanner kept it: the signed QR it read (a bare code is not believed:
/// a stolen gate token must not be able to use up tickets it never saw) and when.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct OfflineScan {
    pub qr: String,
    pub scanned_at: DateTime<Utc>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ScanBatch {
    pub gate: String,
    pub scans: Vec<OfflineScan>,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    CheckedIn,
    Duplicate,
    Conflict,
    Revoked,
    /// Not a ticket of this event (another event's, or one we have no record of).
    Unknown,
    /// Not a signed ticket, or a scan time ahead of our clock: nothing done.
    Invalid,
}

#[derive(Serialize, Debug)]
pub struct ScanResult {
    pub ticket_id: String,
    pub outcome: Outcome,
}

#[derive(Serialize, Debug)]
pub struct SyncReport {
    pub results: Vec<ScanResult>,
    /// How many of these scans were conflicts (double entries and revoked entries).
    pub conflicts: usize,
}

/// `POST /gate/events/{id}/scans`.
pub async fn sync(app: &App, who: &GateCaller, raw_event: &str, batch: ScanBatch) -> AppResult<SyncReport> {
    let event = EventId::parse(raw_event).ok_or_else(|| AppError::NotFound("no such event".into()))?;
    if !who.may_scan(&event) {
        return Err(AppError::Forbidden("these gates are not yours".into()));
    }
    let gate = checked_gate(&batch.gate)?;
    if batch.scans.len() > MAX_SCANS_PER_SYNC {
        return Err(AppError::Unprocessable(format!("at most {MAX_SCANS_PER_SYNC} scans per sync")));
    }
    let now = app.clock.now();
    let keys = app.ticket_keys()?;
    let mut results = Vec::with_capacity(batch.scans.len());
    let mut conflicts = 0;
    for scan in batch.scans {
        let Ok(claims) = keys.verify(&scan.qr) else {
            results.push(ScanResult { ticket_id: String::new(), outcome: Outcome::Invalid });
            continue;
        };
        // One scanner whose clock runs ahead spoils only its own scans, not the batch.
        let outcome = if scan.scanned_at > now + CLOCK_LEEWAY {
            Outcome::Invalid
        } else if claims.event_id != event {
            Outcome::Unknown
        } else {
            let entry = CheckIn { at: scan.scanned_at.trunc_subsecs(3), gate: gate.clone() };
            offer(app, &event, &claims.ticket_id, entry, now).await?
        };
        if matches!(outcome, Outcome::Conflict | Outcome::Revoked) {
            conflicts += 1;
        }
        results.push(ScanResult { ticket_id: claims.ticket_id, outcome });
    }
    Ok(SyncReport { results, conflicts })
}

async fn offer(app: &App, event: &EventId, code: &str, entry: CheckIn, now: DateTime<Utc>) -> AppResult<Outcome> {
    let found = match app.tickets.check_in(code, event, &entry, now).await? {
        Entry::Admitted(_) => return Ok(Outcome::CheckedIn),
        Entry::Unknown => return Ok(Outcome::Unknown),
        Entry::Refused(found) if found.ticket.ticket.event_id != *event => return Ok(Outcome::Unknown),
        Entry::Refused(found) => found,
    };
    let conflict = |kind, first| Conflict {
        event_id: event.clone(),
        ticket_id: code.to_string(),
        kind,
        first,
        second: entry.clone(),
    };
    let (outcome, conflict) = match (&found.ticket.state, found.current) {
        (TicketState::Used(first), true) if *first == entry => return Ok(Outcome::Duplicate),
        (TicketState::Used(first), true) => {
            (Outcome::Conflict, conflict(ConflictKind::DoubleEntry, Some(first.clone())))
        }
        // Revoked, or a code a transfer replaced.
        _ => (Outcome::Revoked, conflict(ConflictKind::RevokedEntry, None)),
    };
    app.gate_log.record_conflict(&conflict).await?;
    Ok(outcome)
}
