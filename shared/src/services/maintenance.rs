//! The scheduled work (`expire-holds`, every minute in production, a timer locally):
//! expire due holds, publish what the outbox holds, roll ended lots over, and reconcile the
//! stock with the orders.

use crate::app::App;
use crate::domain::{EventStatus, Message, Transition};
use crate::error::AppResult;
use crate::ports::TransitionChanges;
use crate::services::notifications;
use chrono::Duration;
use serde::Serialize;

pub const BATCH: i64 = 500;
/// How long a message may take to be processed before the outbox sends it again.
pub const OUTBOX_GRACE_SECONDS: i64 = 30;

#[derive(Debug, Default, Serialize, Clone, PartialEq, Eq)]
pub struct MaintenanceReport {
    pub expired: usize,
    pub republished: usize,
    pub publish_failures: usize,
    pub lots_rolled_over: usize,
    pub drifts_seen: usize,
    pub drifts_repaired: usize,
}

pub async fn run(app: &App) -> AppResult<MaintenanceReport> {
    let mut report = MaintenanceReport { expired: expire_due_holds(app).await?, ..Default::default() };
    let (republished, failures) = drain_outbox(app, Duration::seconds(OUTBOX_GRACE_SECONDS)).await?;
    report.republished = republished;
    report.publish_failures = failures;
    report.lots_rolled_over = roll_over_ended_lots(app).await?;
    let (seen, repaired) = reconcile(app).await?;
    report.drifts_seen = seen;
    report.drifts_repaired = repaired;
    tracing::info!(?report, "maintenance done");
    Ok(report)
}

/// Expires every hold whose time is up; each expiry returns its stock exactly once (the
/// transition is conditional, so a racing cancel or payment cannot also win).
pub async fn expire_due_holds(app: &App) -> AppResult<usize> {
    // Batch after batch until none is due, within a time budget that fits a one-minute
    // schedule: after a big on-sale thousands of holds fall due in the same minute.
    let started = std::time::Instant::now();
    let mut expired = 0;
    loop {
        let now = app.clock.now();
        let due = app.orders.due_for_expiry(now, BATCH).await?;
        let full_batch = due.len() as i64 == BATCH;
        let mut progressed = false;
        for order in due {
            if let Some(o) =
                app.orders.transition(&order.id, None, Transition::Expire, TransitionChanges::default(), now).await?
            {
                expired += 1;
                progressed = true;
                notifications::expired(app, &o).await?;
            }
        }
        if !full_batch || !progressed || started.elapsed() > EXPIRY_BUDGET {
            return Ok(expired);
        }
    }
}

/// How long one run may spend expiring holds (the schedule is every minute).
pub const EXPIRY_BUDGET: std::time::Duration = std::time::Duration::from_secs(40);

/// The orders collection is the outbox: reserved orders the consumer has not processed and
/// payments still pending after `grace` get their message published again. A duplicate is
/// harmless (the consumer is idempotent); a missing message is not.
pub async fn drain_outbox(app: &App, grace: Duration) -> AppResult<(usize, usize)> {
    let before = app.clock.now() - grace;
    let mut messages: Vec<Message> = app
        .orders
        .unprocessed_before(before, BATCH)
        .await?
        .into_iter()
        .map(|o| Message::order_reserved(o.id.clone(), o.created_at))
        .collect();
    for o in app.orders.payments_pending_before(before, BATCH).await? {
        let attempt = o.payment.as_ref().map(|p| p.attempt).unwrap_or(1);
        messages.push(Message::payment_requested(o.id.clone(), attempt, o.updated_at));
    }
    let (mut sent, mut failed) = (0, 0);
    for m in messages {
        match app.publisher.publish(&m).await {
            Ok(()) => sent += 1,
            Err(err) => {
                tracing::warn!(message = %m.id, error = %err, "outbox publish failed; the next run retries");
                failed += 1;
                break; // the broker is likely down: stop hammering it this round
            }
        }
    }
    Ok((sent, failed))
}

/// A lot whose end date passed keeps no stock: what it did not sell moves to the next lot.
pub async fn roll_over_ended_lots(app: &App) -> AppResult<usize> {
    let now = app.clock.now();
    let mut moved = 0;
    for event in app.events.list(&[EventStatus::Active, EventStatus::Paused]).await? {
        let buckets = app.inventory.buckets(&event.id).await?;
        for sector in &event.sectors {
            let open: Vec<usize> = sector.lots_open_at(now).map(|(i, _)| i).collect();
            let Some(&target_lot) = open.first() else {
                continue;
            };
            let target = buckets.iter().find(|b| b.sector_id == sector.id && b.lot == target_lot);
            let Some(target) = target else { continue };
            for b in buckets.iter().filter(|b| b.sector_id == sector.id && b.lot < target_lot && b.available > 0) {
                let half = b.half_available.min(b.available).max(0);
                if app.inventory.adjust(&b.id, -b.available, -half).await? {
                    app.inventory.adjust(&target.id, b.available, half).await?;
                    moved += 1;
                }
            }
        }
    }
    Ok(moved)
}

/// Compares every bucket with what the orders say it should hold. A difference seen twice in
/// a row (a run apart, so not a reservation in flight) is repaired: e.g. stock taken by a
/// process that crashed before writing its order.
pub async fn reconcile(app: &App) -> AppResult<(usize, usize)> {
    let (mut seen, mut repaired) = (0, 0);
    for event in app.events.list(&[EventStatus::Active, EventStatus::Paused, EventStatus::Cancelled]).await? {
        let held = app.orders.held_per_bucket(&event.id).await?;
        for b in app.inventory.buckets(&event.id).await? {
            let (held_total, held_half) = held.get(&b.id).copied().unwrap_or((0, 0));
            let drift = (b.capacity - held_total) - b.available;
            let half_drift = (b.half_capacity - held_half) - b.half_available;
            if drift == 0 && half_drift == 0 {
                app.inventory.forget_drift(&b.id).await?;
                continue;
            }
            seen += 1;
            tracing::warn!(bucket = %b.id, drift, half_drift, "stock drift");
            // Missing stock that the bucket still counts as `pending` is a gather's hold whose
            // process died before settling it (a live gather settles in milliseconds, and the
            // drift must be the same a run apart): it leaves `pending` as it returns, as the
            // gather's own release would have done — else refusals on this lot would keep
            // waiting for a gather that will never finish.
            let stale_pending = (drift.clamp(0, b.pending.max(0)), half_drift.clamp(0, b.half_pending.max(0)));
            if app.inventory.remember_drift(&b.id, drift, half_drift).await?
                && app.inventory.correct(&b.id, drift, half_drift, stale_pending).await?
            {
                repaired += 1;
                app.inventory.forget_drift(&b.id).await?;
                tracing::warn!(bucket = %b.id, drift, half_drift, "stock drift repaired");
            }
        }
    }
    Ok((seen, repaired))
}
