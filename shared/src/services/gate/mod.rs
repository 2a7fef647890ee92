//! The gate: a ticket enters once. Online, a scan is one conditional write on the ticket
//! (valid and not yet entered → entered), so of any number of simultaneous scans of one
//! ticket exactly one is let in. Offline, scanners verify signatures with the public keys
//! and check the manifest, then sync their scans (`scans`); a second entry found then is a
//! conflict, kept for the admins (`report`).

mod manifest;
mod report;
mod scans;

pub use manifest::{manifest, Manifest};
pub use report::{report, GateReport};
pub use scans::{sync, ScanBatch};

use crate::app::App;
use crate::auth::guard::GateCaller;
use crate::auth::ticket_keys::PublishedKey;
use crate::domain::refusal::TicketRefusal;
use crate::domain::ticket::{gate_name, HALF_PRICE_NOTICE};
use crate::domain::{CheckIn, Entitlement, PriceType, RevokedBecause, StoredTicket, TicketState};
use crate::error::{AppError, AppResult};
use crate::ports::{Entry, Found};
use crate::services::tickets::HolderView;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Debug)]
pub struct Keys {
    pub keys: Vec<PublishedKey>,
}

/// The public keys gates verify tickets with (the signing one and those still honoured).
pub fn keys(app: &App) -> AppResult<Keys> {
    Ok(Keys { keys: app.ticket_keys()?.published() })
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Scan {
    /// The QR payload as read.
    pub qr: String,
    /// The gate's name ("Norte").
    pub gate: String,
}

/// What the gate shows on an entry.
#[derive(Serialize, Debug)]
pub struct Admitted {
    pub ticket_id: String,
    pub event_id: String,
    pub event_name: String,
    pub sector: String,
    pub lot: String,
    pub price_type: PriceType,
    pub entitlement: Option<Entitlement>,
    pub half_price_notice: Option<&'static str>,
    pub holder: HolderView,
    pub checked_in_at: DateTime<Utc>,
    pub gate: String,
}

impl Admitted {
    fn of(stored: StoredTicket, entry: CheckIn) -> Admitted {
        let t = stored.ticket;
        Admitted {
            half_price_notice: (t.price_type == PriceType::Half).then_some(HALF_PRICE_NOTICE),
            holder: HolderView::of(t.holder),
            ticket_id: t.code,
            event_id: t.event_id.to_string(),
            event_name: t.event_name,
            sector: t.sector,
            lot: t.lot,
            price_type: t.price_type,
            entitlement: t.entitlement,
            checked_in_at: entry.at,
            gate: entry.gate,
        }
    }
}

/// Why a found ticket did not enter.
pub(crate) fn refusal_of(found: &Found) -> AppError {
    if !found.current {
        return TicketRefusal::Revoked { because: RevokedBecause::Transferred }.into();
    }
    match &found.ticket.state {
        TicketState::Used(entry) => TicketRefusal::AlreadyUsed { at: entry.at, gate: entry.gate.clone() }.into(),
        TicketState::Revoked(because) => TicketRefusal::Revoked { because: *because }.into(),
        // Valid now but refused a moment ago: it was reinstated in between; scan again.
        TicketState::Valid => AppError::Unavailable("the ticket changed while it was scanned; scan it again".into()),
    }
}

pub(crate) fn checked_gate(raw: &str) -> AppResult<String> {
    gate_name(raw).ok_or_else(|| AppError::Unprocessable("'gate' must be 1 to 40 printable characters".into()))
}

/// `POST /gate/checkins`: the ticket's entry, exactly once.
pub async fn check_in(app: &App, who: &GateCaller, scan: Scan) -> AppResult<Admitted> {
    let gate = checked_gate(&scan.gate)?;
    let claims = app.ticket_keys()?.verify(&scan.qr).map_err(|_| TicketRefusal::InvalidTicket)?;
    if !who.may_scan(&claims.event_id) {
        return Err(TicketRefusal::WrongEvent.into());
    }
    let now = app.clock.now();
    let entry = CheckIn { at: now, gate };
    match app.tickets.check_in(&claims.ticket_id, &claims.event_id, &entry, now).await? {
        Entry::Admitted(stored) => Ok(Admitted::of(stored, entry)),
        Entry::Refused(found) => Err(refusal_of(&found)),
        // Signed with our key but never stored: not a ticket of this box office's records.
        Entry::Unknown => Err(TicketRefusal::InvalidTicket.into()),
    }
}
