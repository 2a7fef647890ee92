//! The scheduled work (`maintenance`, every minute in production, a timer locally):
//! expire due holds, publish what the outbox holds, finish edits, cancels and deletes whose
//! process died, roll ended lots over, and reconcile the stock with the orders.

use crate::app::App;
use crate::domain::stock::drift;
use crate::domain::{Adjustment, EventStatus, Message, OrderStatus, PriceType, Transition};
use crate::error::AppResult;
use crate::ports::{Adjusted, InFlightTake, TransitionChanges};
use crate::services::orders as services_orders;
use crate::services::{admin, notifications, payments, takes};
use chrono::Duration;
use serde::Serialize;
use std::collections::HashMap;

pub const BATCH: i64 = 500;
/// How long a message may take to be processed before the outbox sends it again.
pub const OUTBOX_GRACE_SECONDS: i64 = 30;

#[derive(Debug, Default, Serialize, Clone, PartialEq, Eq)]
pub struct MaintenanceReport {
    pub expired: usize,
    pub republished: usize,
    pub publish_failures: usize,
    /// Refunds whose money the provider had not taken back (it was down), returned now.
    pub refunds_returned: usize,
    pub edits_finished: usize,
    pub events_closed: usize,
    pub lots_rolled_over: usize,
    /// Takes provably lost (no order, none possible): returned to the stock, once each.
    pub takes_returned: usize,
    /// Records of takes whose order was stored, forgotten.
    pub takes_confirmed: usize,
    /// Takes younger than the grace with no order yet: left alone.
    pub takes_waiting: usize,
    /// Buckets whose stock differed from what orders and takes account for, the same way on
    /// two runs in a row: reported (logged as errors), never repaired.
    pub drifts_seen: usize,
    /// Buyers the waiting rooms admitted (after the expiries, so returned stock counts).
    pub queue_admitted: i64,
}

/// How long an edit may be in progress before the scheduled function takes it for dead and
/// finishes it (longer than the admin function's timeout).
pub const EDIT_GRACE_SECONDS: i64 = 60;
/// How long one run may spend finishing cancels and deletes.
pub const CLOSING_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn run(app: &App) -> AppResult<MaintenanceReport> {
    let mut report = MaintenanceReport::default();
    let chores = run_chores(app, &mut report).await;
    // The waiting rooms move whatever became of the chores (after the expiries, so returned
    // stock counts): a failing reconcile must not freeze every queue.
    let admitted = crate::services::queue::tick::tick_all(app).await;
    chores?;
    report.queue_admitted = admitted?;
    tracing::info!(?report, "maintenance done");
    Ok(report)
}

async fn run_chores(app: &App, report: &mut MaintenanceReport) -> AppResult<()> {
    report.expired = expire_due_holds(app).await?;
    let (republished, failures) = drain_outbox(app, Duration::seconds(OUTBOX_GRACE_SECONDS)).await?;
    report.republished = republished;
    report.publish_failures = failures;
    report.refunds_returned = return_pending_refunds(app).await;
    report.edits_finished = finish_stale_edits(app).await?;
    report.events_closed = admin::finish_closing(app, CLOSING_BUDGET).await?;
    report.lots_rolled_over = roll_over_ended_lots(app).await?;
    let reconciled = reconcile(app).await?;
    report.takes_returned = reconciled.takes_returned;
    report.takes_confirmed = reconciled.takes_confirmed;
    report.takes_waiting = reconciled.takes_waiting;
    report.drifts_seen = reconciled.drifts_seen;
    Ok(())
}

/// Refunded orders whose money is still owed (the provider was down at the refund): returned
/// now, each once (refunds are idempotent per payment). Stops at the first failure: the
/// provider is likely still down.
pub async fn return_pending_refunds(app: &App) -> usize {
    let pending = match app.orders.refunds_pending(BATCH).await {
        Ok(p) => p,
        Err(err) => {
            tracing::warn!(error = %err.chain(), "pending refunds not read; the next run retries");
            return 0;
        }
    };
    let mut returned = 0;
    for order in pending {
        match services_orders::return_money(app, &order).await {
            Ok(()) => returned += 1,
            Err(err) => {
                tracing::warn!(order_id = %order.id, error = %err.chain(), "a refund still not returned; the next run retries");
                break;
            }
        }
    }
    returned
}

/// Edits whose process died mid-way: finished (or undone, if a removal can no longer be
/// made), each adjustment applied once.
pub async fn finish_stale_edits(app: &App) -> AppResult<usize> {
    let before = app.clock.now() - Duration::seconds(EDIT_GRACE_SECONDS);
    let mut finished = 0;
    for edit in app.events.stale_edits(before).await? {
        tracing::warn!(event_id = %edit.next.id, key = %edit.key, "finishing an edit left in progress");
        admin::apply_edit(app, &edit).await?;
        finished += 1;
    }
    Ok(finished)
}

/// Expires every hold whose time is up; each expiry returns its stock exactly once (the
/// transition is conditional, so a racing cancel or payment cannot also win).
pub async fn expire_due_holds(app: &App) -> AppResult<usize> {
    // Batch after batch until none is due, within a time budget that fits a one-minute
    // schedule: after a big on-sale thousands of holds fall due in the same minute.
    let started = std::time::Instant::now();
    let mut expired = 0;
    let mut psp = PspDuringSweep::default();
    loop {
        let now = app.clock.now();
        let due = app.orders.due_for_expiry(now, BATCH).await?;
        let full_batch = due.len() as i64 == BATCH;
        let mut progressed = false;
        for order in due {
            let charge = payments::pix_charge_of(&order).filter(|_| order.status == OrderStatus::PaymentPending);
            if let Some(txid) = charge.as_ref().filter(|_| !psp.is_down()) {
                // A hold paid before its end whose notification was lost (or is late) is
                // paid, not expired: the charge is read back first.
                if psp.settled(app, &order, txid).await {
                    progressed = true;
                    continue;
                }
            }
            if let Some(o) =
                app.orders.transition(&order.id, None, Transition::Expire, TransitionChanges::default(), now).await?
            {
                expired += 1;
                progressed = true;
                notifications::expired(app, &o).await?;
                if let Some(txid) = charge.as_ref().filter(|_| !psp.is_down()) {
                    // Its charge expires with it at the PSP; removing it also covers a PSP
                    // whose clock runs late. A pix that still lands takes the late path.
                    if let Err(err) = app.pix.remove_charge(txid).await {
                        psp.failed(&err);
                    }
                }
            }
        }
        if !full_batch || !progressed || started.elapsed() > EXPIRY_BUDGET {
            return Ok(expired);
        }
    }
}

/// The PSP as one expiry sweep sees it: after its first failure the sweep stops asking (the
/// holds still expire; a pix that lands after takes the late path).
#[derive(Default)]
struct PspDuringSweep {
    down: bool,
}

impl PspDuringSweep {
    fn is_down(&self) -> bool {
        self.down
    }

    fn failed(&mut self, err: &crate::error::AppError) {
        tracing::warn!(error = %err.chain(), "the PSP failed during the expiry sweep; holds expire unread");
        self.down = true;
    }

    /// `true` when the charge was paid and the order settled by it (not to be expired).
    async fn settled(&mut self, app: &App, order: &crate::domain::Order, txid: &crate::domain::pix::Txid) -> bool {
        match app.pix.charge(txid).await {
            // The charge just read is the one settled: no second read.
            Ok(Some(charge)) if !charge.received.is_empty() => {
                match payments::settle::settle_received(app, &order.id, &charge).await {
                    Ok(_) => true,
                    Err(err) => {
                        self.failed(&err);
                        false
                    }
                }
            }
            Ok(_) => false,
            Err(err) => {
                self.failed(&err);
                false
            }
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
/// The removal goes first and is conditional (a sale in between makes it refused and
/// nothing moves); a crash between the two steps can only leave tickets unsellable, never
/// create any.
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
                let key = format!("rollover:{}", crate::domain::ids::new_hex_id());
                let out = Adjustment { bucket: b.id.clone(), delta: -b.available, half_delta: -half };
                if app.inventory.adjust(&out, &key).await? == Adjusted::Applied {
                    app.inventory.adjust(&Adjustment { bucket: target.id.clone(), ..out.undo() }, &key).await?;
                    moved += 1;
                }
            }
        }
    }
    Ok(moved)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub takes_returned: usize,
    pub takes_confirmed: usize,
    pub takes_waiting: usize,
    pub drifts_seen: usize,
}

/// Returns what is provably lost — takes whose order does not exist and, fenced, never will
/// (`services::takes`) — and nothing else. Then compares every bucket with what its orders
/// and takes in flight account for, and reports a difference seen the same on two runs in a
/// row. It never "repairs" one: two reads made at different moments differ while
/// reservations, cancels and expiries run, and adding stock on such a guess oversold.
pub async fn reconcile(app: &App) -> AppResult<Reconciled> {
    let mut out = Reconciled::default();
    let watched = [EventStatus::Active, EventStatus::Paused, EventStatus::Cancelling, EventStatus::Cancelled];
    for event in app.events.list(&watched).await? {
        let resolved = takes::resolve(app, &event.id).await?;
        out.takes_returned += resolved.returned;
        out.takes_confirmed += resolved.confirmed;
        out.takes_waiting += resolved.waiting.len();
        let buckets = app.inventory.buckets(&event.id).await?;
        let in_flight = per_bucket(&resolved.waiting);
        let held = app.orders.held_per_bucket(&event.id).await?;
        for b in buckets {
            let (held_total, held_half) = held.get(&b.id).copied().unwrap_or((0, 0));
            let (flying, half_flying) = in_flight.get(&b.id).copied().unwrap_or((0, 0));
            let (full, half) = drift(&b, held_total, held_half, flying, half_flying);
            if full == 0 && half == 0 {
                app.inventory.forget_drift(&b.id).await?;
            } else if app.inventory.remember_drift(&b.id, full, half, app.clock.now()).await? {
                out.drifts_seen += 1;
                tracing::error!(bucket = %b.id, drift = full, half_drift = half, "stock drift seen twice; not repaired");
            }
        }
    }
    Ok(out)
}

/// The stock held by takes still in flight, (full, half) per bucket: the orders' share is
/// counted from the orders.
fn per_bucket(waiting: &[InFlightTake]) -> HashMap<String, (i64, i64)> {
    let mut per: HashMap<String, (i64, i64)> = HashMap::new();
    for t in waiting {
        let entry = per.entry(t.bucket.clone()).or_default();
        entry.0 += t.quantity;
        if t.price_type == PriceType::Half {
            entry.1 += t.quantity;
        }
    }
    per
}
