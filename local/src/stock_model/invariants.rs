//! The invariants checked after every round.

use bilheteria::domain::{Bucket, Event, EventId, EventStatus, Order, OrderStatus, PriceType, TicketState};
use bilheteria::App;
use std::collections::{BTreeMap, HashMap};

/// The invariants (a)–(f) on one event, read from the stores at a quiet moment. Returns the
/// violations, each prefixed with its letter; `Err` when the stores could not be read.
/// `cancel_confirmed`: a call cancelling the event answered 200 (then (c) applies).
pub async fn check(app: &App, event_id: &str, cancel_confirmed: bool) -> Result<Vec<String>, String> {
    let id = EventId::parse(event_id).ok_or_else(|| format!("'{event_id}' is not an event id"))?;
    let event = app.events.find(&id).await.map_err(|e| e.to_string())?.ok_or("the event is gone")?;
    let buckets = app.inventory.buckets(&id).await.map_err(|e| e.to_string())?;
    let holding = app.orders.by_event(&id, &OrderStatus::HOLDING_STOCK).await.map_err(|e| e.to_string())?;
    let mut violations = Vec::new();
    lots_balance(&event, &buckets, &holding, &mut violations);
    half_share_kept(&event, &buckets, &holding, &mut violations);
    cancelled_holds_nothing(&event, &holding, cancel_confirmed, &mut violations);
    paid_orders_have_their_tickets(app, &holding, &mut violations).await?;
    buyer_limit_kept(&event, &holding, &mut violations);
    let ended = [OrderStatus::Cancelled, OrderStatus::Expired, OrderStatus::Refunded];
    let gave_back = app.orders.by_event(&id, &ended).await.map_err(|e| e.to_string())?;
    ended_orders_let_nobody_in(app, &gave_back, &mut violations).await?;
    Ok(violations)
}

/// (f) an order that gave its stock back has no ticket that could still enter (the gate
/// refuses it); one that entered before a cancellation's refund stays entered.
async fn ended_orders_let_nobody_in(app: &App, ended: &[Order], violations: &mut Vec<String>) -> Result<(), String> {
    for o in ended {
        for t in app.tickets.states_for_order(&o.id).await.map_err(|e| e.to_string())? {
            if t.state == TicketState::Valid {
                violations.push(format!(
                    "(f) {} order {} has ticket {} that could still enter",
                    o.status.as_str(),
                    o.id,
                    t.slot
                ));
            }
        }
    }
    Ok(())
}

/// (a) per lot: held + available + pending = capacity.
fn lots_balance(event: &Event, buckets: &[Bucket], holding: &[Order], violations: &mut Vec<String>) {
    let lot_of: HashMap<&str, (&str, usize)> =
        buckets.iter().map(|b| (b.id.as_str(), (b.sector_id.as_str(), b.lot))).collect();
    let mut held_per_lot: BTreeMap<(String, usize), i64> = BTreeMap::new();
    for o in holding {
        let allocated: i64 = o.allocations.iter().map(|a| a.quantity).sum();
        if allocated != o.quantity {
            violations.push(format!(
                "(a) order {} ({}) of {} ticket(s) has allocations adding up to {allocated}: {:?}",
                o.id,
                o.status.as_str(),
                o.quantity,
                o.allocations
            ));
        }
        for a in &o.allocations {
            match lot_of.get(a.bucket.as_str()) {
                Some((sector, lot)) => *held_per_lot.entry((sector.to_string(), *lot)).or_default() += a.quantity,
                None => violations.push(format!(
                    "(a) order {} ({}) holds {} ticket(s) of bucket {}, which the inventory does not have",
                    o.id,
                    o.status.as_str(),
                    a.quantity,
                    a.bucket
                )),
            }
        }
    }
    let mut lots: BTreeMap<(String, usize), (i64, i64, i64)> = BTreeMap::new(); // capacity, available, pending
    for b in buckets {
        let e = lots.entry((b.sector_id.clone(), b.lot)).or_default();
        e.0 += b.capacity;
        e.1 += b.available;
        e.2 += b.pending;
    }
    for ((sector, lot), (capacity, available, pending)) in &lots {
        let held = held_per_lot.get(&(sector.clone(), *lot)).copied().unwrap_or(0);
        if held + available + pending != *capacity {
            let name = event.sector_by_id(sector).map(|s| s.name.as_str()).unwrap_or("?");
            let detail: Vec<String> = buckets
                .iter()
                .filter(|b| b.sector_id == *sector && b.lot == *lot)
                .map(|b| format!("{}: cap {} avail {} pending {}", b.id, b.capacity, b.available, b.pending))
                .collect();
            violations.push(format!(
                "(a) sector {name} ({sector}) lot {lot}: held {held} + available {available} + pending {pending} = {} \
                 ≠ capacity {capacity} [{}]",
                held + available + pending,
                detail.join("; ")
            ));
        }
    }
}

/// (b) per sector: half-price held or sold ≤ the half-price share.
fn half_share_kept(event: &Event, buckets: &[Bucket], holding: &[Order], violations: &mut Vec<String>) {
    let mut half_share: BTreeMap<&str, i64> = BTreeMap::new();
    for b in buckets {
        *half_share.entry(b.sector_id.as_str()).or_default() += b.half_capacity;
    }
    let mut half_held: BTreeMap<&str, i64> = BTreeMap::new();
    for o in holding.iter().filter(|o| o.price_type == PriceType::Half) {
        *half_held.entry(o.sector_id.as_str()).or_default() += o.quantity;
    }
    for (sector, held) in &half_held {
        let share = half_share.get(sector).copied().unwrap_or(0);
        if *held > share {
            let name = event.sector_by_id(sector).map(|s| s.name.as_str()).unwrap_or("?");
            violations.push(format!(
                "(b) sector {name} ({sector}): {held} half-price ticket(s) held or sold > share {share}"
            ));
        }
    }
}

/// (c) a cancelled event holds nothing.
fn cancelled_holds_nothing(event: &Event, holding: &[Order], cancel_confirmed: bool, violations: &mut Vec<String>) {
    let gone = matches!(event.status, EventStatus::Cancelled | EventStatus::Deleted);
    if cancel_confirmed && !gone {
        violations.push(format!("(c) cancelling the event answered 200 but it is {}", event.status.as_str()));
    }
    if cancel_confirmed || gone {
        for o in holding {
            violations.push(format!(
                "(c) order {} is {} ({} ticket(s), buyer {}) on an event that is {}",
                o.id,
                o.status.as_str(),
                o.quantity,
                o.user_id,
                event.status.as_str()
            ));
        }
    }
}

/// (d) a paid order has exactly its tickets.
async fn paid_orders_have_their_tickets(
    app: &App,
    holding: &[Order],
    violations: &mut Vec<String>,
) -> Result<(), String> {
    for o in holding.iter().filter(|o| o.status == OrderStatus::Paid) {
        let tickets = app.tickets.for_order(&o.id).await.map_err(|e| e.to_string())?.len() as i64;
        if tickets != o.quantity {
            violations.push(format!("(d) paid order {} of {} ticket(s) has {tickets} ticket(s)", o.id, o.quantity));
        }
    }
    Ok(())
}

/// (e) no person holds more than the event's limit per buyer: counted by the CPF the
/// reservation was counted under (`Order::counted_as`), whatever the account.
fn buyer_limit_kept(event: &Event, holding: &[Order], violations: &mut Vec<String>) {
    if let Some(limit) = event.max_per_buyer {
        let person = |o: &Order| o.counted_as.clone().unwrap_or_else(|| o.user_id.to_string());
        let mut per_buyer: BTreeMap<String, i64> = BTreeMap::new();
        for o in holding {
            *per_buyer.entry(person(o)).or_default() += o.quantity;
        }
        for (buyer, held) in per_buyer.into_iter().filter(|(_, held)| *held > limit) {
            let theirs: Vec<String> = holding
                .iter()
                .filter(|o| person(o) == buyer)
                .map(|o| format!("{} {}×{}", o.id, o.status.as_str(), o.quantity))
                .collect();
            violations
                .push(format!("(e) buyer {buyer} holds {held} ticket(s) > {limit} per buyer: {}", theirs.join(", ")));
        }
    }
}
