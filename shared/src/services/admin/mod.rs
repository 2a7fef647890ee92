//! Event management for admins: create, edit (`edit.rs`), pause/resume, cancel and delete
//! (`closing.rs`), and admin accounts. Every action is written to the audit log with the
//! object before and after. Every write after creation is conditional on the event's
//! version: the one the admin's `If-Match` names, or else the one this request read.

mod closing;
mod edit;

pub use closing::{cancel, delete, finish_closing, set_status, Closing, StatusChange};
pub use edit::{apply_edit, update};

use crate::app::App;
use crate::auth::Caller;
use crate::domain::Refusal;
use crate::domain::{Event, EventId, EventInput, EventStatus};
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, EventQuery};
use crate::services::accounts::{self, Registration, UserView};
use crate::services::catalog::{self, Cursor, EventView, Freshness};

async fn audit(
    app: &App,
    caller: &Caller,
    action: &str,
    target: &str,
    before: Option<&EventView>,
    after: Option<&EventView>,
) -> AppResult<()> {
    let json = |v: Option<&EventView>| v.and_then(|v| serde_json::to_value(v).ok());
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: action.to_string(),
            target: target.to_string(),
            before: json(before),
            after: json(after),
            at: app.clock.now(),
        })
        .await
}

async fn view_of(app: &App, event: &Event) -> AppResult<EventView> {
    Ok(catalog::views(app, std::slice::from_ref(event), Freshness::Now).await?.remove(0))
}

/// An event an admin may manage: anything not deleted.
async fn managed(app: &App, raw_id: &str) -> AppResult<Event> {
    let not_found = || AppError::NotFound("no such event".into());
    let id = EventId::parse(raw_id).ok_or_else(not_found)?;
    app.events.find(&id).await?.filter(|e| e.status != EventStatus::Deleted).ok_or_else(not_found)
}

/// The version a write is conditional on: the admin's `If-Match`, which must still be the
/// event's, or else the one just read.
fn expected_version(event: &Event, if_match: Option<i64>) -> AppResult<i64> {
    match if_match {
        Some(v) if v != event.version => Err(AppError::StaleVersion { current_version: event.version }),
        _ => Ok(event.version),
    }
}

/// A conditional write found the event changed since it was read: say what it is now.
async fn stale(app: &App, id: &EventId) -> AppError {
    match app.events.find(id).await {
        Ok(Some(e)) => AppError::StaleVersion { current_version: e.version },
        Ok(None) => AppError::NotFound("no such event".into()),
        Err(err) => err,
    }
}

/// One page of the events an admin manages (all but deleted ones), soonest first.
pub async fn list(app: &App, limit: i64, after: Option<Cursor>) -> AppResult<(Vec<EventView>, Option<Cursor>)> {
    let query = EventQuery {
        statuses: vec![
            EventStatus::Active,
            EventStatus::Paused,
            EventStatus::Cancelling,
            EventStatus::Cancelled,
            EventStatus::Deleting,
        ],
        starting_after: None,
        after: after.map(|c| (c.0, c.1)),
        limit,
    };
    catalog::page_of(app, query, Freshness::Now).await
}

pub async fn create(app: &App, caller: &Caller, input: EventInput) -> AppResult<EventView> {
    let event = input.validate(EventId::generate(), app.clock.now(), app.config.max_tickets_per_order)?;
    // Stock first: an event is never visible without the stock to sell.
    app.inventory.open(&event).await?;
    app.events.create(&event).await?;
    let view = view_of(app, &event).await?;
    audit(app, caller, "event.create", event.id.as_str(), None, Some(&view)).await?;
    Ok(view)
}

/// Another admin creates an admin (buyers never become admins by registering).
pub async fn create_admin(app: &App, caller: &Caller, input: Registration) -> AppResult<UserView> {
    if app.users.find_by_email(&input.email.trim().to_lowercase()).await?.is_some() {
        return Err(Refusal::EmailTaken.into());
    }
    let admin = accounts::ensure_admin(app, &input.name, &input.email, &input.password).await?;
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: "user.create_admin".into(),
            target: admin.id.clone(),
            before: None,
            after: serde_json::to_value(&admin).ok(),
            at: app.clock.now(),
        })
        .await?;
    Ok(admin)
}

#[derive(serde::Serialize, Debug)]
pub struct AuditView {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub const AUDIT_PAGE: i64 = 200;

/// The most recent admin actions, newest first: who did what to which object, when.
/// The newest audit entries, about one event (`?event=`) and/or of one action (`?action=`).
pub async fn audit_log(app: &App, event: Option<&str>, action: Option<&str>) -> AppResult<Vec<AuditView>> {
    let event = match event.map(str::trim).filter(|e| !e.is_empty()) {
        Some(raw) => Some(
            crate::domain::EventId::parse(raw)
                .ok_or_else(|| crate::domain::Invalid::new("'event' must be an event id"))?,
        ),
        None => None,
    };
    let action = match action.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) if a.len() <= 64 && a.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.') => {
            Some(a.to_string())
        }
        Some(_) => {
            return Err(crate::domain::Invalid::new("'action' must be an action name such as event.update").into())
        }
        None => None,
    };
    let filter = crate::ports::AuditFilter { event, action };
    Ok(app
        .audit
        .recent(AUDIT_PAGE, &filter)
        .await?
        .into_iter()
        .map(|e| AuditView {
            actor: e.actor.to_string(),
            action: e.action,
            target: e.target,
            before: e.before,
            after: e.after,
            at: e.at,
        })
        .collect())
}
