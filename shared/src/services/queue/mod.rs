//! The waiting room (docs/waiting-room.md): joining, the status everyone polls, and the
//! admission that lets a buyer reserve. The admins' side and the tick are in `admin` and
//! `tick`.

pub mod admin;
pub mod tick;

use crate::app::App;
use crate::auth::queue_tokens::AdmissionProblem;
use crate::auth::Caller;
use crate::domain::order::buyer_key;
use crate::domain::queue::{QueueRefusal, WaitingRoom};
use crate::domain::{EventId, EventStatus, Refusal};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Debug)]
pub struct PlaceView {
    pub event_id: String,
    /// `None` until the draw, for those who joined before the opening.
    pub place: Option<i64>,
    /// The order of arrival among everyone (early arrivals first).
    pub arrival: i64,
    pub drawn: bool,
    pub opens_at: DateTime<Utc>,
    /// The place token, for `/queue/admission`.
    pub token: String,
}

#[derive(Serialize, Debug)]
pub struct SectorAvailability {
    pub id: String,
    pub name: String,
    pub available: bool,
}

#[derive(Serialize, Debug)]
pub struct StatusView {
    pub event_id: String,
    /// `queue` while queue mode is on; `off` otherwise (buy directly).
    pub mode: &'static str,
    pub opens_at: Option<DateTime<Utc>>,
    pub opened: bool,
    pub serving: i64,
    pub length: i64,
    pub rate_per_minute: i64,
    pub admitting_per_minute: i64,
    pub estimated_wait_seconds: i64,
    pub sold_out: bool,
    pub holds_pending: bool,
    pub can_serve: bool,
    pub sectors: Vec<SectorAvailability>,
}

#[derive(Serialize, Debug)]
pub struct AdmissionView {
    pub admission_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AdmissionRequest {
    pub token: String,
}

fn event_id(raw: &str) -> AppResult<EventId> {
    EventId::parse(raw).ok_or_else(|| AppError::NotFound("no such event".into()))
}

/// The event's room, which must be in queue mode.
async fn room_in_queue_mode(app: &App, event: &EventId) -> AppResult<WaitingRoom> {
    match app.waiting_rooms.find(event).await? {
        Some(room) if room.settings.enabled => Ok(room),
        _ => Err(QueueRefusal::QueueOff.into()),
    }
}

/// Makes the opening's draw if it is due, and returns the room as it is after it.
pub(crate) async fn drawn_if_due(app: &App, room: WaitingRoom, now: DateTime<Utc>) -> AppResult<WaitingRoom> {
    if !room.draw_due(now) {
        return Ok(room);
    }
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    app.waiting_rooms.draw(&room.event_id, &seed, now).await?;
    app.waiting_rooms.find(&room.event_id).await?.ok_or_else(|| AppError::Internal("a room vanished".into()))
}

/// Joins the event's queue, or gives back the place the person has (one per person: the
/// CPF the account names, as purchase limits count).
pub async fn join(app: &App, caller: &Caller, raw_event: &str) -> AppResult<PlaceView> {
    let event = event_id(raw_event)?;
    if caller.cpf.is_none() {
        return Err(Refusal::CpfRequired.into());
    }
    let tokens = app.queue_tokens()?;
    let now = app.clock.now();
    let on_sale = app.recent_events.find(&event).await?;
    if !on_sale.is_some_and(|e| !matches!(e.status, EventStatus::Deleted | EventStatus::Deleting)) {
        return Err(AppError::NotFound("no such event".into()));
    }
    let mut room = drawn_if_due(app, room_in_queue_mode(app, &event).await?, now).await?;
    let buyer = buyer_key(caller.cpf.as_ref(), &caller.user_id);
    let mut arrival = app.waiting_rooms.join(&event, &buyer, &caller.user_id, now).await?;
    if room.place_of(arrival).is_none() && room.draw.is_none() {
        // Someone else made the draw between our read and the join: read it.
        room = app.waiting_rooms.find(&event).await?.unwrap_or(room);
    }
    if turn_passed(app, &room, room.place_of(arrival), now) {
        // Their turn came and went unused: a new place at the end of the queue, as a
        // buyer who comes back expects (the old one is not kept to be reused).
        app.waiting_rooms.leave(&event, &buyer, arrival).await?;
        arrival = app.waiting_rooms.join(&event, &buyer, &caller.user_id, now).await?;
        room = app.waiting_rooms.find(&event).await?.unwrap_or(room);
    }
    let place = room.place_of(arrival);
    let early_count = room.draw.as_ref().map_or(0, |d| d.early);
    Ok(PlaceView {
        event_id: event.to_string(),
        place,
        arrival: if arrival.early { arrival.number } else { early_count + arrival.number },
        drawn: place.is_some(),
        opens_at: room.settings.opens_at,
        token: tokens.place(&event, &caller.user_id, arrival),
    })
}

/// When a reached place's turn ends: `ADMISSION_TTL_SECONDS` after the counter reached it.
fn turn_ends(app: &App, room: &WaitingRoom, place: i64) -> Option<DateTime<Utc>> {
    room.reached_at(place).map(|at| at + Duration::seconds(app.config.admission_ttl_seconds))
}

/// Whether the counter passed `place` longer ago than a turn lasts.
fn turn_passed(app: &App, room: &WaitingRoom, place: Option<i64>, now: DateTime<Utc>) -> bool {
    match place {
        Some(place) if place <= room.serving => turn_ends(app, room, place).is_none_or(|end| end <= now),
        _ => false,
    }
}

/// What everyone waiting sees: the same answer for all, from this instance's copy of the
/// room and of the stock (each at most `AVAILABILITY_CACHE_MS` old). It carries no clock
/// reading, so its `ETag` changes only when something in it does (a 304 otherwise).
pub async fn status(app: &App, raw_event: &str) -> AppResult<StatusView> {
    let event_id = event_id(raw_event)?;
    let now = app.clock.now();
    let event = app
        .recent_events
        .find(&event_id)
        .await?
        .filter(|e| !matches!(e.status, EventStatus::Deleted | EventStatus::Deleting))
        .ok_or_else(|| AppError::NotFound("no such event".into()))?;
    let room = app.recent_rooms.find(&event_id).await?.filter(|r| r.settings.enabled);
    let stock = app.availability.stock(std::slice::from_ref(&event_id)).await?.remove(&event_id).unwrap_or_default();
    let sectors: Vec<SectorAvailability> = event
        .sectors
        .iter()
        .map(|s| SectorAvailability {
            id: s.id.clone(),
            name: s.name.clone(),
            available: stock.get(&s.id).is_some_and(|st| st.available > 0),
        })
        .collect();
    let sold_out = !sectors.iter().any(|s| s.available);
    // Without a room in queue mode: buy directly.
    let mut view = StatusView {
        event_id: event_id.to_string(),
        mode: "off",
        opens_at: None,
        opened: true,
        serving: 0,
        length: 0,
        rate_per_minute: 0,
        admitting_per_minute: 0,
        estimated_wait_seconds: 0,
        sold_out,
        holds_pending: false,
        can_serve: !sold_out,
        sectors,
    };
    if let Some(room) = room {
        let admitted_last_minute = room.admitted_within(Duration::minutes(1), now);
        // Before anyone is admitted, the set rate is the best estimate of the pace.
        let admitting_per_minute =
            if admitted_last_minute > 0 { admitted_last_minute } else { room.settings.rate_per_minute };
        let waiting = (room.length() - room.serving).max(0);
        view.mode = "queue";
        view.opens_at = Some(room.settings.opens_at);
        view.opened = now >= room.settings.opens_at;
        view.serving = room.serving;
        view.length = room.length();
        view.rate_per_minute = room.settings.rate_per_minute;
        view.admitting_per_minute = admitting_per_minute;
        view.estimated_wait_seconds = waiting * 60 / admitting_per_minute.max(1);
        view.holds_pending = room.last_tick.is_some_and(|t| t.holds_pending);
    }
    Ok(view)
}

/// Turns a place the queue has reached into an admission: a token that lets this account
/// reserve this event's tickets for `ADMISSION_TTL_SECONDS`.
pub async fn admit(app: &App, caller: &Caller, raw_event: &str, request: AdmissionRequest) -> AppResult<AdmissionView> {
    let event = event_id(raw_event)?;
    let tokens = app.queue_tokens()?;
    let arrival = tokens.arrival_in(&request.token, &event, &caller.user_id).ok_or(QueueRefusal::InvalidPlaceToken)?;
    let now = app.clock.now();
    let room = drawn_if_due(app, room_in_queue_mode(app, &event).await?, now).await?;
    let place = room.place_of(arrival).ok_or(QueueRefusal::NotDrawnYet)?;
    if place > room.serving {
        if room.last_tick.is_some_and(|t| t.sold_out && !t.holds_pending) {
            return Err(QueueRefusal::SoldOut.into());
        }
        return Err(QueueRefusal::NotYourTurn { place, serving: room.serving }.into());
    }
    // The turn lasts `ADMISSION_TTL_SECONDS` from when the counter reached the place, however
    // often the admission is asked for: a turn cannot be kept alive by asking again.
    match turn_ends(app, &room, place) {
        Some(expires_at) if expires_at > now => {
            Ok(AdmissionView { admission_token: tokens.admission(&event, &caller.user_id, expires_at), expires_at })
        }
        _ => Err(QueueRefusal::AdmissionExpired { queue_url: QueueRefusal::queue_url(&event) }.into()),
    }
}

/// The reservation's gate: while the event is in queue mode, only an admitted account
/// reserves, with its unexpired admission for this event. Costs no round trip: the room
/// comes from this instance's copy and the token is checked by its signature.
pub async fn check_admission(app: &App, caller: &Caller, event: &EventId, token: Option<&str>) -> AppResult<()> {
    let in_queue_mode = app.recent_rooms.find(event).await?.is_some_and(|r| r.settings.enabled);
    if !in_queue_mode {
        return Ok(());
    }
    let queue_url = QueueRefusal::queue_url(event);
    match app.queue_tokens()?.check_admission(token, event, &caller.user_id, app.clock.now()) {
        Ok(()) => Ok(()),
        Err(AdmissionProblem::Missing) => Err(QueueRefusal::AdmissionRequired { queue_url }.into()),
        Err(AdmissionProblem::Expired) => Err(QueueRefusal::AdmissionExpired { queue_url }.into()),
    }
}
