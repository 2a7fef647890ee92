//! Status changes: pause and resume, cancel and delete. Each is conditional on the event's
//! version, and sets the buckets' `on_sale` stamped with the new version (so a late write of
//! an older change never undoes a newer one).
//!
//! Cancel and delete close sales first, then *sweep*: end every live order of the event and
//! resolve every take in flight on its buckets, until none is left. Sales are closed on the
//! buckets, and a take is recorded on its bucket until its order is stored, so once a sweep
//! finds no take in flight (read before the orders), no reservation that started before the
//! close can still land. A sweep that runs out of time leaves the event `cancelling` /
//! `deleting`: a retry of the same call, or the scheduled function, finishes it.

use super::{audit, expected_version, managed, stale, view_of};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::Refusal;
use crate::domain::{Event, EventStatus, Order, OrderStatus, RevokedBecause, Transition, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::TransitionChanges;
use crate::services::catalog::EventView;
use crate::services::{notifications, orders, takes};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How long one call sweeps before answering "still closing" (a function's timeout is 25 s).
const SWEEP_BUDGET: Duration = Duration::from_secs(15);
const SWEEP_PAUSE: Duration = Duration::from_millis(50);

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: EventStatus,
}

/// Where a cancel or delete stands after a call.
#[derive(Debug)]
pub enum Closing {
    Done(EventView),
    /// Sales are closed; orders or takes in flight remain (finished by a retry or the
    /// scheduled function).
    InProgress(EventView),
}

/// Pause (new reservations refused; holds may still be paid) or resume.
pub async fn set_status(
    app: &App,
    caller: &Caller,
    raw_id: &str,
    change: StatusChange,
    if_match: Option<i64>,
) -> AppResult<EventView> {
    let event = managed(app, raw_id).await?;
    if !matches!(change.status, EventStatus::Active | EventStatus::Paused) {
        return Err(AppError::Unprocessable("'status' must be 'active' or 'paused'".into()));
    }
    let version = expected_version(&event, if_match)?;
    if !event.status.is_open() {
        return Err(Refusal::NotPausable { status: event.status.as_str() }.into());
    }
    let before = view_of(app, &event).await?;
    let now = app.clock.now();
    let open = [EventStatus::Active, EventStatus::Paused];
    let Some(changed) = app.events.change_status(&event.id, version, &open, change.status, now).await? else {
        return Err(stale(app, &event.id).await);
    };
    let on_sale = change.status == EventStatus::Active;
    app.inventory.set_on_sale(&event.id, on_sale, changed.version).await?;
    app.recent_events.forget(&event.id);
    let after = view_of(app, &changed).await?;
    let action = if on_sale { "event.resume" } else { "event.pause" };
    audit(app, caller, action, changed.id.as_str(), Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Calls an event off: sales close, holds are cancelled, paid orders refunded, buyers told.
/// Calling it again on an event still `cancelling` goes on with the sweep.
pub async fn cancel(app: &App, caller: &Caller, raw_id: &str, if_match: Option<i64>) -> AppResult<Closing> {
    let event = managed(app, raw_id).await?;
    let resumed = event.status == EventStatus::Cancelling;
    let event = match event.status {
        EventStatus::Cancelled => return Err(Refusal::AlreadyCancelled.into()),
        EventStatus::Deleting => return Err(Refusal::BeingDeleted.into()),
        EventStatus::Cancelling => event,
        _ => {
            let version = expected_version(&event, if_match)?;
            let before = view_of(app, &event).await?;
            let open = [EventStatus::Active, EventStatus::Paused];
            let now = app.clock.now();
            let Some(closing) =
                app.events.change_status(&event.id, version, &open, EventStatus::Cancelling, now).await?
            else {
                return Err(stale(app, &event.id).await);
            };
            app.inventory.set_on_sale(&event.id, false, closing.version).await?;
            app.recent_events.forget(&event.id);
            let after = view_of(app, &closing).await?;
            audit(app, caller, "event.cancel", closing.id.as_str(), Some(&before), Some(&after)).await?;
            closing
        }
    };
    finish(app, event, SWEEP_BUDGET, &caller.user_id, resumed).await
}

/// Deletes an event that never sold anything; with sales it must be cancelled instead.
pub async fn delete(app: &App, caller: &Caller, raw_id: &str, if_match: Option<i64>) -> AppResult<Closing> {
    let event = managed(app, raw_id).await?;
    let resumed = event.status == EventStatus::Deleting;
    let event = match event.status {
        EventStatus::Deleting => event,
        EventStatus::Cancelling | EventStatus::Cancelled => return Err(Refusal::CancelledIsKept.into()),
        _ => {
            let version = expected_version(&event, if_match)?;
            let sold = app.orders.by_event(&event.id, &OrderStatus::ALL).await?;
            if !sold.is_empty() {
                return Err(Refusal::HasOrders { orders: sold.len() }.into());
            }
            let before = view_of(app, &event).await?;
            let open = [EventStatus::Active, EventStatus::Paused];
            let now = app.clock.now();
            let Some(closing) = app.events.change_status(&event.id, version, &open, EventStatus::Deleting, now).await?
            else {
                return Err(stale(app, &event.id).await);
            };
            app.inventory.set_on_sale(&event.id, false, closing.version).await?;
            app.recent_events.forget(&event.id);
            audit(app, caller, "event.delete", closing.id.as_str(), Some(&before), None).await?;
            closing
        }
    };
    finish(app, event, SWEEP_BUDGET, &caller.user_id, resumed).await
}

/// The scheduled function's share: finishes every cancel and delete still in progress.
pub async fn finish_closing(app: &App, budget: Duration) -> AppResult<usize> {
    let started = Instant::now();
    let mut finished = 0;
    for event in app.events.list(&[EventStatus::Cancelling, EventStatus::Deleting]).await? {
        let left = budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        if let Closing::Done(_) = finish(app, event, left, &system_actor(), true).await? {
            finished += 1;
        }
    }
    Ok(finished)
}

/// Who the audit log names for what the scheduled function finishes.
fn system_actor() -> UserId {
    UserId::parse("000000000000000000000000").unwrap_or_else(UserId::generate)
}

/// Sweeps a closing event within `budget`, then, if nothing is left, makes it final (and
/// audits that, under `actor`: the admin whose call finished it, or the system).
async fn finish(app: &App, event: Event, budget: Duration, actor: &UserId, resumed: bool) -> AppResult<Closing> {
    let swept = sweep(app, &event, budget, resumed).await?;
    if !swept {
        return Ok(Closing::InProgress(view_of(app, &event).await?));
    }
    let done = match event.status {
        EventStatus::Deleting => {
            app.inventory.remove_event(&event.id).await?;
            EventStatus::Deleted
        }
        _ => EventStatus::Cancelled,
    };
    let now = app.clock.now();
    let changed = app.events.change_status(&event.id, event.version, &[event.status], done, now).await?;
    let changed_here = changed.is_some();
    app.recent_events.forget(&event.id);
    // `None`: a concurrent call finished it first.
    let final_event = match changed {
        Some(e) => e,
        None => app.events.find(&event.id).await?.ok_or_else(|| AppError::NotFound("no such event".into()))?,
    };
    let view = view_of(app, &final_event).await?;
    if changed_here {
        let action = if done == EventStatus::Deleted { "event.deleted" } else { "event.cancelled" };
        let by = Caller::admin_acting(actor.clone(), app.clock.now());
        audit(app, &by, action, event.id.as_str(), None, Some(&view)).await?;
    }
    Ok(Closing::Done(view))
}

/// Until no take is in flight and no order is live, or the budget is spent: resolve the
/// takes (read first), then end the live orders. `true` when nothing is left.
async fn sweep(app: &App, event: &Event, budget: Duration, resumed: bool) -> AppResult<bool> {
    let deadline = Instant::now() + budget;
    // Every ticket of the event stops letting anyone in at once (those that entered stay
    // entered); each paid order's refund then finds its tickets already revoked.
    app.tickets.void_event(&event.id, RevokedBecause::Cancelled).await?;
    // A resumed sweep also settles refunds a dead sweep may have left half done (each step
    // of a refund is idempotent: money back once, tickets voided, the buyer told once). A
    // first sweep has none: its own refunds are settled as it makes them.
    if resumed {
        for order in app.orders.by_event(&event.id, &[OrderStatus::Refunded]).await? {
            orders::settle_refund(app, &order, crate::services::notifications::Why::EventCancelled).await?;
        }
    }
    loop {
        let takes = takes::resolve(app, &event.id).await?;
        let live = app.orders.by_event(&event.id, &OrderStatus::HOLDING_STOCK).await?;
        for order in &live {
            end(app, order).await?;
        }
        if takes.waiting.is_empty() && live.is_empty() {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(SWEEP_PAUSE).await;
    }
}

/// Ends one live order of a closing event: a paid one is refunded, a hold cancelled, a
/// payment in flight ended at its hold's end (so its charge, if it lands, is refunded).
async fn end(app: &App, order: &Order) -> AppResult<()> {
    let now = app.clock.now();
    let (transition, when) = match order.status {
        OrderStatus::Paid => (Transition::Refund, now),
        OrderStatus::Reserved => (Transition::Cancel, now),
        // `Expire` only matches a hold that is up at `when`.
        _ => (Transition::Expire, order.expires_at.max(now)),
    };
    let changes =
        if transition == Transition::Refund { orders::refund_changes(order) } else { TransitionChanges::default() };
    if let Some(done) = app.orders.transition(&order.id, None, transition, changes, when).await? {
        if transition == Transition::Refund {
            orders::settle_refund(app, &done, crate::services::notifications::Why::EventCancelled).await?;
        } else {
            notifications::cancelled(app, &done).await?;
        }
    }
    Ok(())
}
