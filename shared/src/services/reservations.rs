//! Reserving tickets (the hot path) and reading one's own orders.
//!
//! Round trips on a reservation, each one justified:
//! 1. (only with an `Idempotency-Key`) claim the key: the one write that makes a retry
//!    return the first response instead of reserving again;
//! 2. take the stock: one conditional `findOneAndUpdate` whose filter demands that the event
//!    is on sale and the sector has enough left; it returns the price in the same trip;
//! 3. insert the order;
//! 4. publish `order.reserved` and wait for the broker's confirm (if the broker is down the
//!    order is kept and the outbox sweep republishes it later).
//!
//! Nothing is read before the stock is taken: the reasons for a refusal (unknown event,
//! paused, sold out) are looked up only after the conditional update has missed.

use crate::app::App;
use crate::auth::Caller;
use crate::domain::order::{check_idempotency_key, CheckedReservation};
use crate::domain::{
    EventStatus, Message, NewOrder, Order, OrderId, OrderStatus, PriceType, ReservationRequest,
};
use crate::error::{AppError, AppResult};
use crate::ports::{Claim, Take};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Serialize, Debug, Clone)]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    pub event_id: String,
    pub sector: String,
    pub price_type: PriceType,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        OrderView {
            id: o.id.to_string(),
            status: o.status,
            event_id: o.event_id.to_string(),
            sector: o.sector.clone(),
            price_type: o.price_type,
            quantity: o.quantity,
            unit_price_cents: o.unit_price_cents,
            total_cents: o.total_cents,
            created_at: o.created_at,
            expires_at: o.expires_at,
        }
    }
}

fn fingerprint(r: &CheckedReservation) -> String {
    format!(
        "{}|{}|{}|{}",
        r.event_id,
        r.sector,
        r.price_type.as_str(),
        r.quantity
    )
}

/// Reserves tickets for the caller. `Ok((order, replayed))`: `replayed` is true when an
/// earlier request with the same idempotency key had already reserved this order.
pub async fn reserve(
    app: &App,
    caller: &Caller,
    request: ReservationRequest,
    idempotency_key: Option<&str>,
) -> AppResult<(OrderView, bool)> {
    let wanted = request.check(app.config.max_tickets_per_order)?;
    let key = idempotency_key.map(check_idempotency_key).transpose()?;
    let order_id = OrderId::generate();
    let now = app.clock.now();

    if let Some(key) = &key {
        let claim = app
            .idempotency
            .claim(&caller.user_id, key, &order_id, &fingerprint(&wanted), now)
            .await?;
        if let Claim::Existing {
            order_id,
            request_fingerprint,
        } = claim
        {
            return replay(
                app,
                caller,
                &order_id,
                &request_fingerprint,
                &fingerprint(&wanted),
            )
            .await;
        }
    }

    let outcome = take_and_record(app, caller, &wanted, order_id, now, key.clone()).await;
    if outcome.is_err() {
        if let Some(key) = &key {
            // The request failed: free the key so that a retry may try again.
            app.idempotency.release(&caller.user_id, key).await?;
        }
    }
    let order = outcome?;

    let message = Message::order_reserved(order.id.clone(), now);
    if let Err(err) = app.publisher.publish(&message).await {
        // The order stands; the outbox sweep republishes unprocessed orders later.
        tracing::warn!(order_id = %order.id, error = %err, "order.reserved not published; left to the outbox sweep");
    }
    Ok((OrderView::from(&order), false))
}

async fn take_and_record(
    app: &App,
    caller: &Caller,
    wanted: &CheckedReservation,
    order_id: OrderId,
    now: DateTime<Utc>,
    idempotency_key: Option<String>,
) -> AppResult<Order> {
    let full_price_cents = match app
        .inventory
        .take(&wanted.event_id, &wanted.sector, wanted.quantity)
        .await?
    {
        Take::Taken { full_price_cents } => full_price_cents,
        Take::Refused => return Err(why_refused(app, wanted).await),
    };
    let new_order = NewOrder {
        id: order_id,
        user_id: caller.user_id.clone(),
        event_id: wanted.event_id.clone(),
        sector: wanted.sector.clone(),
        price_type: wanted.price_type,
        quantity: wanted.quantity,
        unit_price_cents: wanted.price_type.unit_price(full_price_cents),
        created_at: now,
        expires_at: now + Duration::minutes(app.config.hold_minutes),
        idempotency_key,
    };
    match app.orders.insert(&new_order).await {
        Ok(order) => Ok(order),
        Err(err) => {
            // The stock was taken but no order holds it: give it back before failing.
            if let Err(back) = app
                .inventory
                .give_back(&wanted.event_id, &wanted.sector, wanted.quantity)
                .await
            {
                tracing::error!(error = %back, "stock not returned after a failed order insert; the reconciler will");
            }
            Err(err)
        }
    }
}

/// The conditional update missed: find out why, to answer precisely.
async fn why_refused(app: &App, wanted: &CheckedReservation) -> AppError {
    let event = match app.events.find(&wanted.event_id).await {
        Ok(event) => event,
        Err(err) => return err,
    };
    let Some(event) = event.filter(|e| e.status != EventStatus::Deleted) else {
        return AppError::NotFound("no such event".into());
    };
    if event.sector(&wanted.sector).is_none() {
        return AppError::NotFound(format!("the event has no sector '{}'", wanted.sector));
    }
    if event.status == EventStatus::Paused {
        return AppError::Conflict("sales for this event are paused".into());
    }
    let left = app
        .inventory
        .stock(std::slice::from_ref(&event.id))
        .await
        .ok()
        .and_then(|s| {
            s.get(&event.id)
                .and_then(|by| by.get(&wanted.sector))
                .copied()
        })
        .unwrap_or(0);
    if left == 0 {
        AppError::Conflict(format!("sector '{}' is sold out", wanted.sector))
    } else {
        AppError::Conflict(format!(
            "only {left} ticket(s) left in sector '{}', fewer than the {} asked for",
            wanted.sector, wanted.quantity
        ))
    }
}

async fn replay(
    app: &App,
    caller: &Caller,
    order_id: &OrderId,
    first_fingerprint: &str,
    this_fingerprint: &str,
) -> AppResult<(OrderView, bool)> {
    if first_fingerprint != this_fingerprint {
        return Err(AppError::Unprocessable(
            "this Idempotency-Key was already used for a different reservation".into(),
        ));
    }
    match app.orders.find_for_user(&caller.user_id, order_id).await? {
        Some(order) => Ok((OrderView::from(&order), true)),
        None => Err(AppError::Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly".into(),
        )),
    }
}

pub const ORDERS_PAGE: i64 = 100;

pub async fn list_mine(app: &App, caller: &Caller) -> AppResult<Vec<OrderView>> {
    let orders = app
        .orders
        .list_for_user(&caller.user_id, ORDERS_PAGE)
        .await?;
    Ok(orders.iter().map(OrderView::from).collect())
}

/// One of the caller's orders; another buyer's order is indistinguishable from none.
pub async fn get_mine(app: &App, caller: &Caller, raw_id: &str) -> AppResult<OrderView> {
    let not_found = || AppError::NotFound("no such order".into());
    let id = OrderId::parse(raw_id).ok_or_else(not_found)?;
    let order = app
        .orders
        .find_for_user(&caller.user_id, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(OrderView::from(&order))
}
