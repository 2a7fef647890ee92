//! A buyer's actions on their order after reserving it: pay, cancel, refund, and tickets.

use super::reserve::{find_mine, OrderView};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::Refusal;
use crate::domain::{Message, Order, OrderStatus, Payment, PaymentMethod, Ticket, Transition};
use crate::error::{AppError, AppResult};
use crate::ports::TransitionChanges;
use crate::services::notifications;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    pub method: PaymentMethod,
    #[serde(default)]
    pub card_number: Option<String>,
}

/// Why a transition was refused, from the order as it is now.
fn refusal(order: &Order, transition: Transition, now: chrono::DateTime<chrono::Utc>) -> AppError {
    let action = transition.name();
    let refusal = match order.status {
        OrderStatus::Reserved if transition == Transition::RequestPayment && order.expires_at <= now => {
            Refusal::HoldExpired
        }
        OrderStatus::PaymentPending => Refusal::PaymentInProgress { action },
        OrderStatus::Expired => Refusal::OrderExpired { action },
        status => Refusal::WrongOrderState { action, status: status.as_str() },
    };
    refusal.into()
}

async fn refused(app: &App, caller: &Caller, order: &Order, transition: Transition) -> AppError {
    match app.orders.find_for_user(&caller.user_id, &order.id).await {
        Ok(Some(now)) => refusal(&now, transition, app.clock.now()),
        Ok(None) => AppError::NotFound("no such order".into()),
        Err(e) => e,
    }
}

fn check_card(number: Option<&str>) -> AppResult<String> {
    let digits: String = number.unwrap_or("").chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if !(12..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::Unprocessable("'card_number' must have 12 to 19 digits".into()));
    }
    Ok(digits[digits.len() - 4..].to_string())
}

/// A PIX "copia e cola" payload for the order (EMV-style; the local gateway's, not a bank's).
fn pix_code(order: &Order) -> String {
    let amount = format!("{}.{:02}", order.total_cents / 100, order.total_cents % 100);
    format!(
        "00020126580014BR.GOV.BCB.PIX0136bilheteria-{}52040000530398654{:02}{amount}5802BR5910BILHETERIA6009SAO PAULO62290525{}6304",
        &order.id.as_str()[..12],
        amount.len(),
        &order.id.as_str()[..24.min(order.id.as_str().len())]
    )
}

pub async fn pay(app: &App, caller: &Caller, raw_id: &str, request: PayRequest) -> AppResult<OrderView> {
    let order = find_mine(app, caller, raw_id).await?;
    // Tickets go to an address that answers: it is where they, the receipt and any refund
    // notice are sent.
    let buyer = crate::services::accounts::account(app, &caller.user_id).await?;
    if buyer.email_verified_at.is_none() {
        return Err(Refusal::EmailUnverified.into());
    }
    // An event being called off sells nothing more (its sweep ends this hold; and should a
    // payment slip through the race, the consumer refuses to charge it, or refunds it).
    let event = app.events.find(&order.event_id).await?;
    if !event.as_ref().is_some_and(|e| e.status.is_open()) {
        return Err(Refusal::CancelledEventUnpayable.into());
    }
    let card_last4 = match request.method {
        PaymentMethod::Card => Some(check_card(request.card_number.as_deref())?),
        PaymentMethod::Pix => None,
    };
    let attempt = order.payment.as_ref().map(|p| p.attempt).unwrap_or(0) + 1;
    let payment = Payment {
        method: request.method,
        pix_code: (request.method == PaymentMethod::Pix).then(|| pix_code(&order)),
        card_last4,
        declined_reason: None,
        transaction_id: None,
        attempt,
    };
    let now = app.clock.now();
    let changes = TransitionChanges { payment: Some(payment) };
    let Some(pending) =
        app.orders.transition(&order.id, Some(&caller.user_id), Transition::RequestPayment, changes, now).await?
    else {
        return Err(refused(app, caller, &order, Transition::RequestPayment).await);
    };
    if let Err(err) = app.publisher.publish(&Message::payment_requested(pending.id.clone(), attempt, now)).await {
        tracing::warn!(order_id = %pending.id, error = %err, "payment.requested not published; left to the outbox sweep");
    }
    Ok(OrderView::from(&pending))
}

pub async fn cancel(app: &App, caller: &Caller, raw_id: &str) -> AppResult<OrderView> {
    let order = find_mine(app, caller, raw_id).await?;
    let now = app.clock.now();
    let Some(cancelled) = app
        .orders
        .transition(&order.id, Some(&caller.user_id), Transition::Cancel, TransitionChanges::default(), now)
        .await?
    else {
        return Err(refused(app, caller, &order, Transition::Cancel).await);
    };
    notifications::cancelled(app, &cancelled).await?;
    Ok(OrderView::from(&cancelled))
}

/// Refunds a paid order before its event starts (buyer) — the stock goes back on sale.
pub async fn refund(app: &App, caller: &Caller, raw_id: &str) -> AppResult<OrderView> {
    let order = find_mine(app, caller, raw_id).await?;
    let event = app.events.find(&order.event_id).await?;
    let now = app.clock.now();
    if event.as_ref().is_some_and(|e| e.starts_at <= now) {
        return Err(Refusal::TooLateToRefund.into());
    }
    let Some(refunded) = app
        .orders
        .transition(&order.id, Some(&caller.user_id), Transition::Refund, TransitionChanges::default(), now)
        .await?
    else {
        return Err(refused(app, caller, &order, Transition::Refund).await);
    };
    settle_refund(app, &refunded, "O valor volta pelo mesmo meio de pagamento.").await?;
    Ok(OrderView::from(&refunded))
}

/// After an order became `refunded`: money back, tickets void, buyer told. Each step is
/// idempotent, so running it again after a crash is harmless.
pub async fn settle_refund(app: &App, order: &Order, why: &str) -> AppResult<()> {
    if let Some(tx) = order.payment.as_ref().and_then(|p| p.transaction_id.as_deref()) {
        app.payments.refund(tx, order.total_cents).await?;
    }
    app.tickets.void(&order.id).await?;
    notifications::refunded(app, order, why).await
}

#[derive(Serialize, Debug)]
pub struct TicketView {
    pub code: String,
    pub order_id: String,
    pub event_id: String,
    pub sector: String,
    pub price_type: crate::domain::PriceType,
    /// Its place within its order (1..quantity); general admission: no seat.
    pub position: i64,
    pub qr_payload: String,
}

impl From<Ticket> for TicketView {
    fn from(t: Ticket) -> Self {
        TicketView {
            code: t.code,
            order_id: t.order_id.to_string(),
            event_id: t.event_id.to_string(),
            sector: t.sector,
            price_type: t.price_type,
            position: t.position,
            qr_payload: t.qr_payload,
        }
    }
}

pub async fn tickets(app: &App, caller: &Caller, raw_id: &str) -> AppResult<Vec<TicketView>> {
    let order = find_mine(app, caller, raw_id).await?;
    if order.status != OrderStatus::Paid {
        return Ok(Vec::new());
    }
    Ok(app.tickets.for_order(&order.id).await?.into_iter().map(TicketView::from).collect())
}
