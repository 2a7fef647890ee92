//! Event management for admins: create, edit, pause/resume, cancel, delete, and admin
//! accounts. Every action is written to the audit log with the object before and after.

use crate::app::App;
use crate::auth::Caller;
use crate::domain::event::{new_sector_id, split_evenly};
use crate::domain::{Event, EventId, EventInput, EventStatus, Lot, OrderStatus, Sector, Transition};
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, Bucket, TransitionChanges};
use crate::services::accounts::{self, Registration, UserView};
use crate::services::catalog::{self, EventView};
use crate::services::lifecycle;
use serde::Deserialize;

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
    Ok(catalog::views(app, std::slice::from_ref(event)).await?.remove(0))
}

/// An event an admin may manage: anything not deleted.
async fn managed(app: &App, raw_id: &str) -> AppResult<Event> {
    let not_found = || AppError::NotFound("no such event".into());
    let id = EventId::parse(raw_id).ok_or_else(not_found)?;
    app.events.find(&id).await?.filter(|e| e.status != EventStatus::Deleted).ok_or_else(not_found)
}

pub async fn list(app: &App) -> AppResult<Vec<EventView>> {
    let events = app.events.list(&[EventStatus::Active, EventStatus::Paused, EventStatus::Cancelled]).await?;
    catalog::views(app, &events).await
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

/// Edits an event. Capacity changes move stock: raising adds it, lowering takes it back only
/// from what is unsold (409 otherwise, and nothing changes). Renaming a sector keeps its
/// orders linked (they point at the sector's id).
pub async fn update(app: &App, caller: &Caller, raw_id: &str, input: EventInput) -> AppResult<EventView> {
    let current = managed(app, raw_id).await?;
    if current.status == EventStatus::Cancelled {
        return Err(AppError::Conflict("a cancelled event cannot be edited".into()));
    }
    let before = view_of(app, &current).await?;
    let checked = input.check(app.config.max_tickets_per_order)?;
    let buckets = app.inventory.buckets(&current.id).await?;
    let mut sectors: Vec<Sector> = Vec::new();
    // Plan every stock change first, refuse before touching anything.
    let mut plan: Vec<(String, i64, i64)> = Vec::new(); // (bucket, delta, half delta)
    let mut new_buckets: Vec<Bucket> = Vec::new();
    let mut kept_ids: Vec<String> = Vec::new();
    for (id, name, lots) in checked.sectors {
        let existing = id
            .as_deref()
            .and_then(|id| current.sector_by_id(id))
            .or_else(|| current.sector_named(&name))
            .filter(|s| !kept_ids.contains(&s.id));
        let sector_id = existing.map(|s| s.id.clone()).unwrap_or_else(new_sector_id);
        kept_ids.push(sector_id.clone());
        let mut new_lots: Vec<Lot> = Vec::new();
        for (i, lot) in lots.into_iter().enumerate() {
            let old = existing.and_then(|s| s.lots.get(i));
            let lot_buckets: Vec<&Bucket> = buckets.iter().filter(|b| b.sector_id == sector_id && b.lot == i).collect();
            match (old, lot_buckets.is_empty()) {
                (Some(old), false) => {
                    let delta = lot.quantity - old.quantity;
                    if delta != 0 {
                        let left: i64 = lot_buckets.iter().map(|b| b.available).sum();
                        if delta < 0 && left < -delta {
                            return Err(AppError::Conflict(format!(
                                "sector '{name}': cannot lower capacity by {} — only {left} ticket(s) are unsold",
                                -delta
                            )));
                        }
                        spread(&mut plan, &lot_buckets, delta);
                    }
                    new_lots.push(Lot { buckets: old.buckets, ..lot });
                }
                _ => {
                    let lot = lot.with_buckets(current.buckets);
                    for (b, cap) in split_evenly(lot.quantity, lot.buckets).into_iter().enumerate() {
                        new_buckets.push(Bucket {
                            id: format!("{}/{}/{}/{}", current.id, sector_id, i, b),
                            sector_id: sector_id.clone(),
                            sector: name.clone(),
                            lot: i,
                            bucket: b as u32,
                            available: cap,
                            capacity: cap,
                            // The sector's half-price share is handed out below.
                            half_available: 0,
                            half_capacity: 0,
                            price_cents: lot.price_cents,
                            on_sale: current.on_sale(),
                            pending: 0,
                            half_pending: 0,
                        });
                    }
                    new_lots.push(lot);
                }
            }
        }
        // Lots removed from the end of an existing sector give back only unsold stock.
        if let Some(old) = existing {
            for i in new_lots.len()..old.lots.len() {
                let lot_buckets: Vec<&Bucket> =
                    buckets.iter().filter(|b| b.sector_id == sector_id && b.lot == i).collect();
                if lot_buckets.iter().any(|b| b.available != b.capacity) {
                    return Err(AppError::Conflict(format!(
                        "sector '{name}': lot {} has sales and cannot be removed",
                        i + 1
                    )));
                }
                spread(&mut plan, &lot_buckets, -old.lots[i].quantity);
            }
        }
        sectors.push(Sector { id: sector_id, name, lots: new_lots });
    }
    for removed in current.sectors.iter().filter(|s| !kept_ids.contains(&s.id)) {
        let sector_buckets: Vec<&Bucket> = buckets.iter().filter(|b| b.sector_id == removed.id).collect();
        if sector_buckets.iter().any(|b| b.available != b.capacity) {
            return Err(AppError::Conflict(format!("sector '{}' has sales and cannot be removed", removed.name)));
        }
        spread(&mut plan, &sector_buckets, -removed.capacity());
    }
    // The half-price share is the sector's: `share`% of its new capacity (of none for a
    // removed sector), moved over its buckets after the capacity changes above.
    let targets: Vec<(String, i64)> = sectors
        .iter()
        .map(|s| (s.id.clone(), s.capacity() * checked.half_price_share_percent / 100))
        .chain(current.sectors.iter().filter(|s| !kept_ids.contains(&s.id)).map(|s| (s.id.clone(), 0)))
        .collect();
    for (sector_id, target) in targets {
        rebalance_half(&mut plan, &buckets, &mut new_buckets, &sector_id, target);
    }
    // Apply: removals are conditional, so a sale in between makes one fail → undo and 409.
    let mut applied: Vec<(String, i64, i64)> = Vec::new();
    for (bucket, delta, half) in &plan {
        if app.inventory.adjust(bucket, *delta, *half).await? {
            applied.push((bucket.clone(), *delta, *half));
        } else {
            for (b, d, h) in applied {
                app.inventory.adjust(&b, -d, -h).await?;
            }
            return Err(AppError::Conflict(
                "tickets were sold while editing; the capacity could not be lowered".into(),
            ));
        }
    }
    let updated = Event {
        name: checked.name,
        description: checked.description,
        venue: checked.venue,
        starts_at: checked.starts_at,
        image_url: checked.image_url,
        half_price_share_percent: checked.half_price_share_percent,
        max_per_order: checked.max_per_order,
        max_per_buyer: checked.max_per_buyer,
        sectors,
        updated_at: app.clock.now(),
        ..current.clone()
    };
    for b in &new_buckets {
        app.inventory.add_bucket(&updated, b).await?;
    }
    app.events.replace(&updated).await?;
    app.inventory.refresh(&updated).await?;
    app.event_cache.forget(&updated.id);
    let after = view_of(app, &updated).await?;
    audit(app, caller, "event.update", updated.id.as_str(), Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Spreads a capacity change over a lot's buckets: additions evenly, removals from the
/// buckets with the most unsold stock. The half-price share is moved by `rebalance_half`.
fn spread(plan: &mut Vec<(String, i64, i64)>, buckets: &[&Bucket], delta: i64) {
    if buckets.is_empty() || delta == 0 {
        return;
    }
    if delta > 0 {
        for (b, d) in buckets.iter().zip(split_evenly(delta, buckets.len() as u32)) {
            plan.push((b.id.clone(), d, 0));
        }
        return;
    }
    let mut need = -delta;
    let mut sorted: Vec<&&Bucket> = buckets.iter().collect();
    sorted.sort_by_key(|b| std::cmp::Reverse(b.available));
    for b in sorted {
        let take = b.available.min(need);
        if take > 0 {
            plan.push((b.id.clone(), -take, 0));
            need -= take;
        }
    }
}

/// Brings a sector's half-price share (the sum of its buckets' `half_capacity`) to `target`,
/// one ticket at a time, onto the buckets as they will be after `plan`: additions go where
/// the most unsold stock has no half-price share yet, removals come first from a share that
/// no stock backs any more, then from the largest unsold share. Per-bucket proportional
/// floors would lose up to a ticket per bucket (and ignore a changed share percentage).
fn rebalance_half(
    plan: &mut Vec<(String, i64, i64)>,
    buckets: &[Bucket],
    new_buckets: &mut [Bucket],
    sector_id: &str,
    target: i64,
) {
    // (id, capacity, available, half capacity, half available) after the planned changes.
    let mut state: Vec<(String, i64, i64, i64, i64)> = buckets
        .iter()
        .filter(|b| b.sector_id == sector_id)
        .map(|b| {
            let (d, h) =
                plan.iter().filter(|(id, _, _)| *id == b.id).fold((0, 0), |(d, h), (_, pd, ph)| (d + pd, h + ph));
            (b.id.clone(), b.capacity + d, b.available + d, b.half_capacity + h, b.half_available + h)
        })
        .chain(
            new_buckets
                .iter()
                .filter(|b| b.sector_id == sector_id)
                .map(|b| (b.id.clone(), b.capacity, b.available, b.half_capacity, b.half_available)),
        )
        .collect();
    let mut moved = vec![0i64; state.len()];
    let mut have: i64 = state.iter().map(|s| s.3).sum();
    while have != target {
        let pick = if have < target {
            state
                .iter()
                .enumerate()
                .filter(|(_, s)| s.3 < s.1)
                .max_by_key(|(_, s)| (s.2 - s.4, s.1 - s.3))
                .map(|(i, _)| i)
        } else {
            state.iter().enumerate().filter(|(_, s)| s.4 > 0).max_by_key(|(_, s)| (s.4 - s.2, s.4)).map(|(i, _)| i)
        };
        let Some(i) = pick else {
            break; // no room left (or the half-price tickets are already sold)
        };
        let step = if have < target { 1 } else { -1 };
        state[i].3 += step;
        state[i].4 += step;
        moved[i] += step;
        have += step;
    }
    for ((id, ..), half) in state.into_iter().zip(moved) {
        if half == 0 {
            continue;
        }
        match new_buckets.iter_mut().find(|b| b.id == id) {
            Some(b) => {
                b.half_capacity += half;
                b.half_available += half;
            }
            None => plan.push((id, 0, half)),
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: EventStatus,
}

/// Pause (new reservations refused at once; holds may still be paid) or resume.
pub async fn set_status(app: &App, caller: &Caller, raw_id: &str, change: StatusChange) -> AppResult<EventView> {
    let event = managed(app, raw_id).await?;
    if !matches!(change.status, EventStatus::Active | EventStatus::Paused) {
        return Err(AppError::Unprocessable("'status' must be 'active' or 'paused'".into()));
    }
    if event.status == EventStatus::Cancelled {
        return Err(AppError::Conflict("a cancelled event cannot be paused or resumed".into()));
    }
    let before = view_of(app, &event).await?;
    let on_sale = change.status == EventStatus::Active;
    // Pausing closes the stock first (at once); resuming opens it last.
    if !on_sale {
        app.inventory.set_on_sale(&event.id, false).await?;
    }
    app.events.set_status(&event.id, change.status).await?;
    if on_sale {
        app.inventory.set_on_sale(&event.id, true).await?;
    }
    app.event_cache.forget(&event.id);
    let updated = Event { status: change.status, ..event };
    let after = view_of(app, &updated).await?;
    audit(
        app,
        caller,
        if on_sale { "event.resume" } else { "event.pause" },
        updated.id.as_str(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Calls an event off: sales close, holds are cancelled, paid orders refunded, buyers told.
pub async fn cancel(app: &App, caller: &Caller, raw_id: &str) -> AppResult<EventView> {
    let event = managed(app, raw_id).await?;
    if event.status == EventStatus::Cancelled {
        return Err(AppError::Conflict("the event is already cancelled".into()));
    }
    let before = view_of(app, &event).await?;
    app.inventory.set_on_sale(&event.id, false).await?;
    app.events.set_status(&event.id, EventStatus::Cancelled).await?;
    app.event_cache.forget(&event.id);
    let now = app.clock.now();
    let why = "O evento foi cancelado pelo organizador.";
    for order in
        app.orders.by_event(&event.id, &[OrderStatus::Reserved, OrderStatus::PaymentPending, OrderStatus::Paid]).await?
    {
        let (transition, expire_now) = match order.status {
            OrderStatus::Paid => (Transition::Refund, false),
            OrderStatus::Reserved => (Transition::Cancel, false),
            _ => (Transition::Expire, true),
        };
        // `Expire` only matches a hold that is up at `when`: a payment in flight is ended at
        // its hold's end (not `now`, which would not match and leave it to be charged later).
        let when = if expire_now { order.expires_at.max(now) } else { now };
        if let Some(done) =
            app.orders.transition(&order.id, None, transition, TransitionChanges::default(), when).await?
        {
            if transition == Transition::Refund {
                lifecycle::settle_refund(app, &done, why).await?;
            } else {
                crate::services::notifications::cancelled(app, &done).await?;
            }
        }
    }
    let updated = Event { status: EventStatus::Cancelled, ..event };
    let after = view_of(app, &updated).await?;
    audit(app, caller, "event.cancel", updated.id.as_str(), Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Deletes an event that never sold anything; with sales it must be cancelled instead.
pub async fn delete(app: &App, caller: &Caller, raw_id: &str) -> AppResult<()> {
    let event = managed(app, raw_id).await?;
    let sold = app
        .orders
        .by_event(
            &event.id,
            &[OrderStatus::Reserved, OrderStatus::PaymentPending, OrderStatus::Paid, OrderStatus::Refunded],
        )
        .await?;
    if !sold.is_empty() {
        return Err(AppError::Conflict(format!(
            "the event has {} order(s); cancel it instead (paid orders are then refunded)",
            sold.len()
        )));
    }
    let before = view_of(app, &event).await?;
    app.inventory.set_on_sale(&event.id, false).await?;
    app.events.set_status(&event.id, EventStatus::Deleted).await?;
    app.inventory.remove_event(&event.id).await?;
    app.event_cache.forget(&event.id);
    audit(app, caller, "event.delete", event.id.as_str(), Some(&before), None).await
}

/// Another admin creates an admin (buyers never become admins by registering).
pub async fn create_admin(app: &App, caller: &Caller, input: Registration) -> AppResult<UserView> {
    if app.users.find_by_email(&input.email.trim().to_lowercase()).await?.is_some() {
        return Err(AppError::Conflict("an account with this e-mail already exists".into()));
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
pub async fn audit_log(app: &App) -> AppResult<Vec<AuditView>> {
    Ok(app
        .audit
        .recent(AUDIT_PAGE)
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
