//! A buyer's actions on their order after reserving it: pay, cancel, refund, and tickets.

use super::views::{find_mine, OrderView};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::refusal::TicketRefusal;
use crate::domain::{Invalid, Refusal, RevokedBecause, TicketState};
use crate::domain::{Message, Order, OrderStatus, Payment, PaymentMethod, Transition};
use crate::error::{AppError, AppResult};
use crate::ports::TransitionChanges;
use crate::services::tickets::TicketView;
use crate::services::{notifications, payments};
use serde::Deserialize;

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
    if order.status != OrderStatus::Reserved {
        return Err(refusal(&order, Transition::RequestPayment, app.clock.now()));
    }
    let attempt = order.payment.as_ref().map(|p| p.attempt).unwrap_or(0) + 1;
    let payment = match request.method {
        PaymentMethod::Card if !app.config.payments.offers_cards() => {
            return Err(AppError::Invalid(Invalid::coded(
                "card_unavailable",
                "card payments are not offered; pay by PIX",
            )));
        }
        PaymentMethod::Card => Payment {
            method: PaymentMethod::Card,
            pix_code: None,
            card_last4: Some(check_card(request.card_number.as_deref())?),
            declined_reason: None,
            transaction_id: None,
            pix_txid: None,
            refund_pending: false,
            attempt,
        },
        // The charge first: if the PSP cannot make it, the order stays as it was and the
        // buyer may try again (the same attempt finds the same charge).
        PaymentMethod::Pix => payments::open_charge(app, &order, &buyer, attempt).await?,
    };
    let now = app.clock.now();
    let payment_copy = payment.clone();
    let changes = TransitionChanges { payment: Some(payment) };
    let Some(pending) =
        app.orders.transition(&order.id, Some(&caller.user_id), Transition::RequestPayment, changes, now).await?
    else {
        if let Some(txid) = payment_txid(&payment_copy) {
            remove_unused_charge(app, &order.id, &txid).await;
        }
        return Err(refused(app, caller, &order, Transition::RequestPayment).await);
    };
    if let Err(err) = app.publisher.publish(&Message::payment_requested(pending.id.clone(), attempt, now)).await {
        tracing::warn!(order_id = %pending.id, error = %err, "payment.requested not published; left to the outbox sweep");
    }
    Ok(OrderView::shown(app, &pending).await)
}

/// The order moved on while its charge was made (expired, cancelled): that charge must not
/// stay payable — unless the order now waits on that very charge (a second click of the same
/// attempt, in another tab, won the race and shows it).
async fn remove_unused_charge(app: &App, order: &crate::domain::OrderId, txid: &crate::domain::pix::Txid) {
    let now = app.orders.find(order).await.ok().flatten();
    if now.as_ref().and_then(|o| o.payment.as_ref()).and_then(|p| p.pix_txid.as_deref()) == Some(txid.as_str()) {
        return;
    }
    if let Err(err) = app.pix.remove_charge(txid).await {
        tracing::warn!(%txid, error = %err.chain(), "an unused charge not removed; it expires with the hold");
    }
}

fn payment_txid(payment: &Payment) -> Option<crate::domain::pix::Txid> {
    payment.pix_txid.as_deref().and_then(crate::domain::pix::Txid::parse).map(|(txid, _, _)| txid)
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
    Ok(OrderView::shown(app, &cancelled).await)
}

/// Refunds a paid order before its event starts (buyer) — the stock goes back on sale.
pub async fn refund(app: &App, caller: &Caller, raw_id: &str) -> AppResult<OrderView> {
    let order = find_mine(app, caller, raw_id).await?;
    let event = app.events.find(&order.event_id).await?;
    let now = app.clock.now();
    if event.as_ref().is_some_and(|e| e.starts_at <= now) {
        return Err(Refusal::TooLateToRefund.into());
    }
    // The buyer's tickets are revoked first, each one unless it has entered (one conditional
    // write per ticket, racing the gate's and a transfer's): a ticket scanned or transferred
    // from now on is refused. One that entered first, or that the buyer gave to someone
    // else, stops the refund — the buyer's tickets are then made valid again.
    if order.status == OrderStatus::Paid {
        let standing = app.tickets.void(&order.id, RevokedBecause::Refunded, Some(&order.user_id)).await?;
        if standing > 0 {
            let entered =
                app.tickets.states_for_order(&order.id).await?.iter().any(|t| matches!(t.state, TicketState::Used(_)));
            app.tickets.reinstate(&order.id).await?;
            return Err(
                if entered { TicketRefusal::UsedCannotRefund } else { TicketRefusal::TransferredCannotRefund }.into()
            );
        }
    }
    let Some(refunded) = app
        .orders
        .transition(&order.id, Some(&caller.user_id), Transition::Refund, refund_changes(&order), now)
        .await?
    else {
        if app.orders.find(&order.id).await?.is_some_and(|o| o.status == OrderStatus::Paid) {
            app.tickets.reinstate(&order.id).await?;
        }
        return Err(refused(app, caller, &order, Transition::Refund).await);
    };
    settle_refund(app, &refunded, notifications::Why::BuyerAsked).await?;
    Ok(OrderView::shown(app, &refunded).await)
}

/// The `Refund` transition's changes: a paid order's money is owed back until the provider
/// says it is returned (`refund_pending`, in the same update as the status).
pub fn refund_changes(order: &Order) -> TransitionChanges {
    let payment = order.payment.clone().filter(|p| p.transaction_id.is_some());
    TransitionChanges { payment: payment.map(|p| Payment { refund_pending: true, ..p }) }
}

/// The money of a refunded order back at its provider, then marked so. A provider that is
/// down leaves it pending for the scheduled function's retry: the buyer's refund stands.
pub async fn return_money(app: &App, order: &Order) -> AppResult<()> {
    let Some(payment) = order.payment.as_ref().filter(|p| p.refund_pending) else {
        return Ok(());
    };
    match (payment.method, payment.transaction_id.as_deref()) {
        (PaymentMethod::Pix, Some(end_to_end_id)) => app.pix.refund(end_to_end_id, order.total_cents).await?,
        (PaymentMethod::Card, Some(tx)) => app.payments.refund(tx, order.total_cents).await?,
        (_, None) => {}
    }
    app.orders.refund_returned(&order.id).await
}

/// After an order became `refunded`: money back (or left for the retry), tickets void, buyer
/// told. Each step is idempotent, so running it again after a crash is harmless.
pub async fn settle_refund(app: &App, order: &Order, why: notifications::Why) -> AppResult<()> {
    if let Err(err) = return_money(app, order).await {
        tracing::warn!(order_id = %order.id, error = %err.chain(), "refund not returned yet; the scheduled function retries it");
    }
    app.tickets.void(&order.id, RevokedBecause::Refunded, None).await?;
    notifications::refunded(app, order, why).await
}

pub async fn tickets(app: &App, caller: &Caller, raw_id: &str) -> AppResult<Vec<TicketView>> {
    let order = find_mine(app, caller, raw_id).await?;
    crate::services::tickets::for_my_order(app, caller, &order).await
}

/// The caller's tickets of a paid order as a PDF, in `language` (the page's, else the
/// account's), with the file name to save it under.
pub async fn tickets_pdf(
    app: &App,
    caller: &Caller,
    raw_id: &str,
    language: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    let order = find_mine(app, caller, raw_id).await?;
    if order.status != OrderStatus::Paid {
        return Err(
            Refusal::WrongOrderState { action: "download the tickets of", status: order.status.as_str() }.into()
        );
    }
    let language = match language {
        Some(raw) => crate::domain::Language::parse(raw)?,
        None => app.users.find_by_id(&caller.user_id).await?.map(|u| u.language).unwrap_or_default(),
    };
    let stored = app.tickets.states_for_order(&order.id).await?;
    let held: Vec<&crate::domain::Ticket> = stored
        .iter()
        .filter(|s| crate::services::tickets::still_held_by(s, &caller.user_id))
        .map(|s| &s.ticket)
        .collect();
    let event = app.recent_events.find(&order.event_id).await?;
    let facts = event.as_ref().map(crate::services::event_facts::EventFacts::of).unwrap_or_default();
    let document = crate::services::tickets::document::pdf(&held, &facts, language);
    Ok((crate::services::tickets::document::filename(order.id.as_str(), language), document))
}
