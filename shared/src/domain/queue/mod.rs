//! The waiting room of an event in queue mode (docs/waiting-room.md): who joined, in what
//! order they are served, and how far the serving counter has come. Plain data and rules;
//! the store keeps it, `services::queue` moves it.

pub mod admission;
mod shuffle;

pub use admission::{AdmissionStep, OrderFacts, Tick};
pub use shuffle::shuffled_place;

use crate::domain::EventId;
use chrono::{DateTime, Utc};

/// The most a room may admit per minute (a bound on input, not a target).
pub const MAX_RATE_PER_MINUTE: i64 = 1_000_000;

/// What an admin sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomSettings {
    pub enabled: bool,
    pub opens_at: DateTime<Utc>,
    pub rate_per_minute: i64,
}

/// The draw made at the opening: its secret seed and how many had joined before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    pub seed: Vec<u8>,
    pub early: i64,
    pub at: DateTime<Utc>,
}

/// A joiner's arrival: early arrivals (before the draw) are shuffled at the draw, late ones
/// are served in the order they came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Arrival {
    pub early: bool,
    pub number: i64,
}

#[derive(Clone, Debug)]
pub struct WaitingRoom {
    pub event_id: EventId,
    pub settings: RoomSettings,
    /// Arrivals before the draw (frozen by it) and after it.
    pub early: i64,
    pub late: i64,
    pub draw: Option<Draw>,
    /// Places up to this one are admitted.
    pub serving: i64,
    /// Recent moves of the serving counter, oldest first (admitted per minute, outstanding).
    pub steps: Vec<AdmissionStep>,
    pub last_tick_at: Option<DateTime<Utc>>,
    /// What the last tick found (the admins' view; the status reads live stock).
    pub last_tick: Option<Tick>,
}

impl WaitingRoom {
    /// The place of an arrival: `None` for an early arrival before the draw.
    pub fn place_of(&self, arrival: Arrival) -> Option<i64> {
        let draw = self.draw.as_ref()?;
        if arrival.early {
            shuffled_place(&draw.seed, draw.early, arrival.number)
        } else {
            Some(draw.early + arrival.number)
        }
    }

    /// Places given so far (the queue's length).
    pub fn length(&self) -> i64 {
        self.early + self.late
    }

    /// Whether the draw is due: queue mode on, the opening passed, no draw yet.
    pub fn draw_due(&self, now: DateTime<Utc>) -> bool {
        self.settings.enabled && self.draw.is_none() && now >= self.settings.opens_at
    }

    /// When the serving counter reached `place` (`None`: not yet, or longer ago than the
    /// room keeps its steps — the turn has long passed).
    pub fn reached_at(&self, place: i64) -> Option<DateTime<Utc>> {
        if place > self.serving {
            return None;
        }
        self.steps.iter().find(|s| s.through >= place).map(|s| s.at)
    }

    /// How many the room admitted in the `window` up to `now`.
    pub fn admitted_within(&self, window: chrono::Duration, now: DateTime<Utc>) -> i64 {
        admission::admitted_within(&self.steps, self.serving, window, now)
    }
}

/// Why the waiting room refused a request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueRefusal {
    #[error("this event sells through its waiting room: join the queue first ({queue_url})")]
    AdmissionRequired { queue_url: String },
    #[error("your turn to buy has expired; join the queue again ({queue_url})")]
    AdmissionExpired { queue_url: String },
    #[error("it is not your turn yet: your place is {place}, the queue is serving up to {serving}")]
    NotYourTurn { place: i64, serving: i64 },
    #[error("the draw for the places has not been made yet: it is at the opening")]
    NotDrawnYet,
    #[error("this event has no waiting room: buy directly")]
    QueueOff,
    #[error("that place token is not valid for this event and account")]
    InvalidPlaceToken,
    #[error("everything on sale for this event is sold out")]
    SoldOut,
}

impl QueueRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            QueueRefusal::AdmissionRequired { .. } => "admission_required",
            QueueRefusal::AdmissionExpired { .. } => "admission_expired",
            QueueRefusal::NotYourTurn { .. } | QueueRefusal::NotDrawnYet => "not_your_turn",
            QueueRefusal::QueueOff => "queue_off",
            QueueRefusal::InvalidPlaceToken => "invalid_place_token",
            QueueRefusal::SoldOut => "sold_out",
        }
    }

    /// Where the buyer goes to wait (the site's waiting page).
    pub fn queue_url(event: &EventId) -> String {
        format!("/queue.html?event={event}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(draw: Option<Draw>, early: i64, late: i64) -> WaitingRoom {
        WaitingRoom {
            event_id: EventId::generate(),
            settings: RoomSettings { enabled: true, opens_at: Utc::now(), rate_per_minute: 60 },
            early,
            late,
            draw,
            serving: 0,
            steps: vec![],
            last_tick_at: None,
            last_tick: None,
        }
    }

    #[test]
    fn before_the_draw_early_arrivals_have_no_place_and_after_it_late_ones_follow_the_early() {
        let undrawn = room(None, 5, 0);
        assert_eq!(undrawn.place_of(Arrival { early: true, number: 3 }), None);
        let drawn = room(Some(Draw { seed: vec![1; 32], early: 5, at: Utc::now() }), 5, 3);
        let mut early: Vec<i64> =
            (1..=5).map(|n| drawn.place_of(Arrival { early: true, number: n }).expect("place")).collect();
        early.sort_unstable();
        assert_eq!(early, vec![1, 2, 3, 4, 5]);
        let late: Vec<i64> =
            (1..=3).map(|n| drawn.place_of(Arrival { early: false, number: n }).expect("place")).collect();
        assert_eq!(late, vec![6, 7, 8], "first come, first served after the opening");
        assert_eq!(drawn.length(), 8);
    }
}
