//! Reserving tickets (the hot path).
//!
//! Round trips on a reservation, each one justified:
//! 1. (only with an `Idempotency-Key`) claim the key: the one write that makes a retry
//!    return the first response instead of reserving again;
//! 2. (only for an event with a per-buyer limit) count the buyer's tickets atomically;
//! 3. take the stock: one conditional `findOneAndUpdate` on one bucket (see the inventory
//!    adapter), which also checks that sales are open, returns the price and records the
//!    take for this order id — shared with the takes on the same lot that arrive at the same
//!    moment (`adapters/mongo/group_take.rs`);
//! 4. insert the order — in one `insertMany` with the orders that arrive with it
//!    (`adapters/mongo/group_insert.rs`);
//! 5. publish `order.reserved` and wait for the broker's confirm (if the broker is down the
//!    order is kept and the outbox sweep publishes it later). The take's record is
//!    forgotten by the next take on its bucket (no command of its own).
//!
//! A take is never lost: if this request dies between 3 and 4, the record names its order,
//! and the reconciler, finding no such order after `TAKE_GRACE_SECONDS`, fences the id
//! (so the order can never be stored late) and returns exactly that take. If step 4 fails
//! or finds the id fenced, this request fences the id itself before giving anything back
//! (`record`): an insert that failed may still have landed.
//!
//! An event in queue mode (docs/waiting-room.md) sells only to buyers the waiting room
//! admitted: the admission token's signature is checked against the room as this instance
//! last read it (at most `AVAILABILITY_CACHE_MS` ago), so that costs no round trip either.
//!
//! The event itself comes from a warm instance's 2-second cache, and the reasons for a
//! refusal (paused, unknown sector, sold out) are looked up only after the stock was refused.

use super::views::OrderView;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::order::{buyer_key, check_idempotency_key, CheckedReservation};
use crate::domain::Refusal;
use crate::domain::{Event, EventId, EventStatus, Message, NewOrder, Order, OrderId, PriceType, ReservationRequest};
use crate::error::{AppError, AppResult};
use crate::ports::{Claim, Fence, Take, TakeRequest};
use crate::services::event_facts::EventFacts;
use chrono::{DateTime, Duration, Utc};

fn fingerprint(r: &CheckedReservation) -> String {
    format!("{}|{}|{}|{}", r.event_id, r.sector, r.price_type.as_str(), r.quantity)
}

/// Reserves tickets for the caller. `Ok((order, replayed))`: `replayed` is true when an
/// earlier request with the same idempotency key had already reserved this order.
pub async fn reserve(
    app: &App,
    caller: &Caller,
    request: ReservationRequest,
    idempotency_key: Option<&str>,
) -> AppResult<(OrderView, bool)> {
    let wanted = request.check()?;
    // Limits count people, not accounts: no purchase before the account names its CPF (the
    // token carries it, so this costs no round trip).
    if caller.cpf.is_none() {
        return Err(Refusal::CpfRequired.into());
    }
    let key = idempotency_key
        .map(|raw| {
            check_idempotency_key(raw).ok_or_else(|| {
                AppError::BadRequest("the Idempotency-Key header must be 1 to 255 visible ASCII characters".into())
            })
        })
        .transpose()?;
    let order_id = OrderId::generate();
    let now = app.clock.now();

    if let Some(key) = &key {
        let claim = app.idempotency.claim(&caller.user_id, key, &order_id, &fingerprint(&wanted), now).await?;
        if let Claim::Existing { order_id: first, request_fingerprint, lapsed } = claim {
            let earlier = Earlier { order_id: first, fingerprint: request_fingerprint, lapsed };
            if let Some(replayed) = existing_claim(app, caller, key, earlier, &wanted, &order_id, now).await? {
                return Ok((replayed, true));
            }
        }
    }

    let recorded = match take(app, caller, &wanted, order_id.clone(), now, key.clone()).await {
        Ok((new_order, event)) => record(app, caller, &wanted, &event, &new_order).await.map(|order| (order, event)),
        // No insert was tried: like a fenced id, nothing can ever be stored for this request.
        Err(err) => Err(Recorded::Undone(err)),
    };
    let (order, event) = match recorded {
        Ok(stored) => stored,
        Err(Recorded::Undone(err)) => {
            if let Some(key) = &key {
                release_key(app, caller, key, &order_id).await;
            }
            return Err(err);
        }
        // Whether the order stands is unknown: the key's claim stays until its lease ends (a
        // retry with it then finds the order, or fences the id), and so does the buyer's count.
        Err(Recorded::Unknown(err)) => return Err(err),
    };

    let message = Message::order_reserved(order.id.clone(), now);
    app.inventory.confirm(&order.id, &order.allocations).await;
    if let Err(err) = app.publisher.publish(&message).await {
        // The order stands; the outbox sweep publishes unprocessed orders later.
        tracing::warn!(order_id = %order.id, error = %err, "order.reserved not published; left to the outbox sweep");
    }
    // The event read for the reservation gives its facts: no second read on the hot path.
    let mut view = OrderView::of(app, &order);
    view.event = EventFacts::of(&event);
    Ok((view, false))
}

/// A key's earlier claim, as the store has it.
struct Earlier {
    order_id: OrderId,
    fingerprint: String,
    lapsed: bool,
}

/// A request whose Idempotency-Key was claimed before: the earlier order (a replay), or —
/// when the earlier request died before storing its order and its lease is over — `None`
/// once that order id is fenced (its take, if any, is then the reconciler's to return) and
/// the key taken over for `order_id`.
async fn existing_claim(
    app: &App,
    caller: &Caller,
    key: &str,
    earlier: Earlier,
    wanted: &CheckedReservation,
    order_id: &OrderId,
    now: DateTime<Utc>,
) -> AppResult<Option<OrderView>> {
    let busy = || AppError::from(Refusal::RequestInProgress);
    let this = fingerprint(wanted);
    if earlier.fingerprint != this {
        return Err(AppError::Unprocessable(
            "this Idempotency-Key was already used for a different reservation".into(),
        ));
    }
    let first = &earlier.order_id;
    if let Some(order) = app.orders.find_for_user(&caller.user_id, first).await? {
        return Ok(Some(OrderView::shown(app, &order).await));
    }
    if !earlier.lapsed {
        return Err(busy());
    }
    match stored_or_fenced(app, caller, first, &wanted.event_id, now).await? {
        Some(order) => Ok(Some(OrderView::shown(app, &order).await)),
        None if app.idempotency.take_over(&caller.user_id, key, first, order_id, &this, now).await? => Ok(None),
        None => Err(busy()),
    }
}

/// Settles for good whether an order id holds an order: fences the id, so that no order can
/// be stored under it from now on, unless one already is — then that order (`Some`), which
/// stands. `None`: the id is fenced and will never hold an order.
async fn stored_or_fenced(
    app: &App,
    caller: &Caller,
    order_id: &OrderId,
    event_id: &EventId,
    now: DateTime<Utc>,
) -> AppResult<Option<Order>> {
    match app.orders.fence(order_id, &caller.user_id, event_id, now).await? {
        Fence::Fenced => Ok(None),
        Fence::Stored => match app.orders.find_for_user(&caller.user_id, order_id).await? {
            Some(order) => Ok(Some(order)),
            None => Err(AppError::Internal("an order found stored under its id vanished".into())),
        },
    }
}

/// The clean-up policy of a failed reservation, for every step (`release_key`, `undo`): the
/// caller gets the failed step's own error; a compensation that fails too is logged with
/// what finishes it instead, never returned (a key's claim lapses with its lease; a take's
/// record is returned by the reconciler; a buyer's count is an upper bound that only
/// under-counts what they may still buy).
///
/// Frees the request's Idempotency-Key, so that a retry may try again.
async fn release_key(app: &App, caller: &Caller, key: &str, order_id: &OrderId) {
    if let Err(err) = app.idempotency.release(&caller.user_id, key, order_id).await {
        tracing::warn!(error = %err.chain(), "idempotency key not released; it lapses with its lease");
    }
}

/// Gives back what the reservation had taken when a later step failed.
async fn undo(
    app: &App,
    event: &Event,
    wanted: &CheckedReservation,
    counted: Option<&str>,
    take: Option<(&OrderId, &[crate::domain::Allocation])>,
) {
    if let Some((order, allocations)) = take {
        if let Err(err) = app.inventory.give_back(order, allocations, wanted.price_type).await {
            tracing::error!(error = %err.chain(), "stock not returned after a failed order insert; the reconciler will");
        }
    }
    if let Some(buyer) = counted {
        if let Err(err) = app.buyer_limits.uncount(buyer, &event.id, wanted.quantity).await {
            tracing::error!(error = %err.chain(), "a buyer's count not returned after a failed reservation");
        }
    }
}

/// Checks the request against the event and takes the stock: the order to store, with what
/// it took. When this fails it has given back what it took, or (a give-back that failed, a
/// take whose reply was lost) left the take's record for the reconciler to return.
async fn take(
    app: &App,
    caller: &Caller,
    wanted: &CheckedReservation,
    order_id: OrderId,
    now: DateTime<Utc>,
    idempotency_key: Option<String>,
) -> AppResult<(NewOrder, Event)> {
    let not_found = || AppError::NotFound("no such event".into());
    let event = app.recent_events.find(&wanted.event_id).await?.ok_or_else(not_found)?;
    if matches!(event.status, EventStatus::Deleted | EventStatus::Deleting) {
        return Err(not_found());
    }
    if now >= event.sales_close_at() {
        return Err(Refusal::SalesClosed.into());
    }
    // An event in queue mode sells to admitted buyers only (from the instance's copy of
    // the room and the token's signature: no round trip).
    crate::services::queue::check_admission(app, caller, &event.id, wanted.admission_token.as_deref()).await?;
    let sector = event
        .sector_named(&wanted.sector)
        .ok_or_else(|| AppError::NotFound(format!("the event has no sector '{}'", wanted.sector)))?;
    if wanted.quantity > event.max_per_order {
        return Err(AppError::Unprocessable(format!(
            "'quantity' must be between 1 and {} tickets per order for this event",
            event.max_per_order
        )));
    }
    let counted = match event.max_per_buyer {
        Some(limit) => {
            let buyer = buyer_key(caller.cpf.as_ref(), &caller.user_id);
            if !app.buyer_limits.count(&buyer, &event.id, wanted.quantity, limit).await? {
                return Err(Refusal::BuyerLimit { limit }.into());
            }
            Some(buyer)
        }
        None => None,
    };
    let taken = take_from_open_lots(app, &event, &sector.id, wanted, &order_id, &caller.user_id, now).await;
    let (lot, full_price_cents, allocations) = match taken {
        Ok(t) => t,
        Err(err) => {
            undo(app, &event, wanted, counted.as_deref(), None).await;
            return Err(err);
        }
    };
    let new_order = NewOrder {
        id: order_id,
        user_id: caller.user_id.clone(),
        event_id: event.id.clone(),
        event_name: event.name.clone(),
        sector_id: sector.id.clone(),
        sector: sector.name.clone(),
        lot: sector.lots.get(lot).map(|l| l.name.clone()).unwrap_or_default(),
        price_type: wanted.price_type,
        entitlement: wanted.entitlement,
        quantity: wanted.quantity,
        unit_price_cents: wanted.price_type.unit_price(full_price_cents),
        allocations,
        counted_as: counted.clone(),
        created_at: now,
        // Nothing is sold after sales close: a hold made just before lasts until then at most.
        expires_at: (now + Duration::minutes(app.config.hold_minutes)).min(event.sales_close_at()),
        idempotency_key,
    };
    Ok((new_order, event))
}

/// Why a taken reservation has no order to show.
enum Recorded {
    /// Not stored, and never will be (the take failed before any insert, or the id is
    /// fenced): what it took is given back (or, if a give-back fails, returned by the
    /// reconciler); the buyer may simply retry.
    Undone(AppError),
    /// Perhaps stored: nothing is given back (the reconciler fences the id and returns the
    /// take after its grace if no order holds it) and the buyer's count stays — for good if
    /// the order never landed: an upper bound, as the clean-up policy allows.
    Unknown(AppError),
}

/// Stores the order for a take. An insert that failed may still have landed (a dropped
/// connection after the write), and one refused for its id may be this very order (a retried
/// insert): the fence tells — it blocks any late landing, or finds the order stored — so the
/// stock goes back only when no order can ever hold it. The return is conditional on the
/// take's record, so it happens once, whoever (this request or the reconciler) is first.
async fn record(
    app: &App,
    caller: &Caller,
    wanted: &CheckedReservation,
    event: &Event,
    new_order: &NewOrder,
) -> Result<Order, Recorded> {
    let failure = match app.orders.insert(new_order).await {
        Ok(Some(order)) => return Ok(order),
        // The id is taken: fenced (by the reconciler, this request having outlived its grace,
        // or by a retry with the same key after the lease) — or this very order, stored by
        // a retried insert. The fence below tells which.
        Ok(None) => AppError::from(Refusal::ReservationUndone),
        Err(err) => err,
    };
    match stored_or_fenced(app, caller, &new_order.id, &event.id, app.clock.now()).await {
        Ok(Some(order)) => Ok(order),
        Ok(None) => {
            let taken = Some((&new_order.id, new_order.allocations.as_slice()));
            undo(app, event, wanted, new_order.counted_as.as_deref(), taken).await;
            Err(Recorded::Undone(failure))
        }
        Err(err) => {
            tracing::warn!(order_id = %new_order.id, error = %err.chain(), "a failed order insert not resolved; the reconciler will");
            Err(Recorded::Unknown(failure))
        }
    }
}

/// Tries the sector's open lots in order; the first that can serve the whole quantity sells it.
async fn take_from_open_lots(
    app: &App,
    event: &Event,
    sector_id: &str,
    wanted: &CheckedReservation,
    order_id: &OrderId,
    user_id: &crate::domain::UserId,
    now: DateTime<Utc>,
) -> AppResult<(usize, i64, Vec<crate::domain::Allocation>)> {
    let sector = event.sector_by_id(sector_id).ok_or_else(|| AppError::NotFound("no such sector".into()))?;
    let mut best_left = 0;
    for (lot, _) in sector.lots_open_at(now) {
        let request = TakeRequest {
            event,
            sector_id,
            lot,
            price_type: wanted.price_type,
            quantity: wanted.quantity,
            order_id,
            user_id,
            at: now,
        };
        match app.inventory.take(&request).await? {
            Take::Taken { full_price_cents, allocations } => {
                let unit_price_cents = wanted.price_type.unit_price(full_price_cents);
                if wanted.expected_unit_price_cents.is_some_and(|seen| seen != unit_price_cents) {
                    // The buyer was shown another price: nothing is sold at this one. The take
                    // goes back at once (exactly once: only while its record is there; if this
                    // fails, the reconciler returns it, as for any take without an order).
                    if let Err(err) = app.inventory.give_back(order_id, &allocations, wanted.price_type).await {
                        tracing::warn!(error = %err.chain(), "a price-changed take not returned; the reconciler will");
                    }
                    let lot = sector.lots.get(lot).map(|l| l.name.clone()).unwrap_or_default();
                    return Err(Refusal::PriceChanged { lot, unit_price_cents, quantity: wanted.quantity }.into());
                }
                return Ok((lot, full_price_cents, allocations));
            }
            Take::Short { left } => best_left = best_left.max(left),
            Take::Closed => return Err(why_closed(app, event).await),
        }
    }
    Err(sold_out(app, event, sector_id, wanted, best_left).await)
}

/// The inventory said sales are closed: find out why from the event itself (not the cache).
async fn why_closed(app: &App, cached: &Event) -> AppError {
    app.recent_events.forget(&cached.id);
    match app.events.find(&cached.id).await {
        Ok(Some(e)) => match e.status {
            EventStatus::Paused => Refusal::SalesPaused.into(),
            EventStatus::Cancelled | EventStatus::Cancelling => Refusal::EventCancelled.into(),
            EventStatus::Deleted | EventStatus::Deleting => AppError::NotFound("no such event".into()),
            EventStatus::Active => Refusal::SalesReopening.into(),
        },
        Ok(None) => AppError::NotFound("no such event".into()),
        Err(err) => err,
    }
}

async fn sold_out(app: &App, event: &Event, sector_id: &str, wanted: &CheckedReservation, left: i64) -> AppError {
    let sector = event.sector_by_id(sector_id).map(|s| s.name.clone()).unwrap_or_default();
    // Only a half-price refusal with nothing left asks whether full price still sells.
    let full_price_left = wanted.price_type == PriceType::Half
        && left == 0
        && app
            .inventory
            .stock(std::slice::from_ref(&event.id))
            .await
            .ok()
            .and_then(|s| s.get(&event.id).and_then(|s| s.get(sector_id)).map(|s| s.available > 0))
            .unwrap_or(false);
    Refusal::shortage(sector, wanted.price_type, left, wanted.quantity, full_price_left).into()
}
