//! What an order or a ticket says about its event beyond its name: when, where, in which
//! time zone, and whether it still happens. Orders and tickets keep only the event's name
//! (denormalised at sale); these facts are read from the events cache when a buyer looks,
//! so an edited date or venue shows as it is now.

use crate::app::App;
use crate::domain::local_time::DEFAULT_TIME_ZONE;
use crate::domain::{Event, EventId, EventStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize, Debug, Clone)]
pub struct EventFacts {
    /// Null only when the event is no longer stored.
    pub event_starts_at: Option<DateTime<Utc>>,
    pub event_venue: Option<String>,
    /// The IANA zone the event's times are shown in.
    pub event_time_zone: String,
    pub event_status: Option<EventStatus>,
}

impl Default for EventFacts {
    fn default() -> Self {
        EventFacts {
            event_starts_at: None,
            event_venue: None,
            event_time_zone: DEFAULT_TIME_ZONE.into(),
            event_status: None,
        }
    }
}

impl EventFacts {
    pub fn of(event: &Event) -> Self {
        EventFacts {
            event_starts_at: Some(event.starts_at),
            event_venue: Some(event.venue.clone()),
            event_time_zone: event.time_zone.clone(),
            event_status: Some(event.status),
        }
    }
}

/// A view that names its event and can carry these facts.
pub trait AboutAnEvent {
    fn event_id(&self) -> &str;
    fn set_event_facts(&mut self, facts: EventFacts);
}

/// Fills each view's facts, one (cached) read per distinct event. The facts are a courtesy:
/// an events store that cannot be read leaves them unknown (null) rather than failing an
/// answer whose work is done (a reservation made, an order paid or refunded).
pub async fn fill<V: AboutAnEvent>(app: &App, views: &mut [V]) {
    let mut known: HashMap<String, EventFacts> = HashMap::new();
    for view in views.iter_mut() {
        let id = view.event_id().to_string();
        if !known.contains_key(&id) {
            let event = match EventId::parse(&id) {
                Some(event_id) => app.recent_events.find(&event_id).await.unwrap_or_else(|err| {
                    tracing::warn!(error = %err.chain(), "an event's facts not read; shown as unknown");
                    None
                }),
                None => None,
            };
            known.insert(id.clone(), event.as_ref().map(EventFacts::of).unwrap_or_default());
        }
        view.set_event_facts(known[&id].clone());
    }
}

/// `fill` for one view.
pub async fn filled<V: AboutAnEvent>(app: &App, view: V) -> V {
    let mut one = [view];
    fill(app, &mut one).await;
    let [view] = one;
    view
}
