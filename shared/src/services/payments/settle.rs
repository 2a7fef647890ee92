//! What a received pix does to its order, decided from the order as it is now and the
//! charge as the PSP has it now — never from a notification's word. Every step is
//! idempotent: the status changes are conditional, refunds are keyed by the pix, e-mails by
//! the order or the pix, so settling a pix twice has its effects once.

use crate::app::App;
use crate::domain::pix::Txid;
use crate::domain::{Order, OrderId, OrderStatus, Payment, RevokedBecause, Transition};
use crate::error::{AppError, AppResult};
use crate::ports::{PixCharge, Receipt, ReceiptOutcome, ReceivedPix, TransitionChanges};
use crate::services::notifications::{self, Why};
use crate::services::tickets::issue_tickets;

/// Reads the charge and settles each pix it lists. `Ok(true)` when something changed.
pub async fn settle_charge(app: &App, order_id: &OrderId, txid: &Txid) -> AppResult<bool> {
    match app.pix.charge(txid).await? {
        Some(charge) => settle_received(app, order_id, &charge).await,
        None => Ok(false),
    }
}

/// Settles each pix of a charge just read from the PSP, oldest first.
pub async fn settle_received(app: &App, order_id: &OrderId, charge: &PixCharge) -> AppResult<bool> {
    let mut received: Vec<&ReceivedPix> = charge.received.iter().collect();
    received.sort_by_key(|p| p.paid_at);
    let mut changed = false;
    for pix in received {
        changed |= settle_pix(app, order_id, &charge.txid, pix).await?;
    }
    Ok(changed)
}

/// One pix the PSP confirmed for a charge of this order.
pub async fn settle_pix(app: &App, order_id: &OrderId, txid: &Txid, pix: &ReceivedPix) -> AppResult<bool> {
    if app.pix_receipts.find(&pix.end_to_end_id).await?.is_some_and(|r| r.outcome != ReceiptOutcome::Pending) {
        return Ok(false); // settled before
    }
    app.pix_receipts.record(&Receipt::pending(txid, order_id, pix)).await?;
    // A racing settlement of another pix of this order can move it between the read and the
    // change: a few rounds, each from the order as it is then.
    for round in 0..5 {
        let order = app
            .orders
            .find(order_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no order {order_id} for a pix")))?;
        if round == 0 && pix.amount_cents != order.total_cents {
            return wrong_amount(app, &order, pix).await;
        }
        let outcome = match order.status {
            OrderStatus::PaymentPending => confirm(app, &order, txid, pix).await?,
            OrderStatus::Paid if paid_by(&order, pix) => {
                // A redelivery after a consumer died between confirming and e-mailing.
                let tickets = app.tickets.for_order(&order.id).await?;
                notifications::paid(app, &order, &tickets).await?;
                Some(ReceiptOutcome::Paid)
            }
            OrderStatus::Expired => confirm_late(app, &order, txid, pix).await?,
            // Paid by another pix, refunded, cancelled: this one is not needed.
            _ => {
                let why = match order.status {
                    OrderStatus::Paid => Why::AlreadyPaid,
                    _ => Why::OrderClosed,
                };
                Some(give_back(app, &order, pix, why).await?)
            }
        };
        if let Some(outcome) = outcome {
            app.pix_receipts.settle(&pix.end_to_end_id, outcome, app.clock.now()).await?;
            return Ok(true);
        }
    }
    Err(AppError::Unavailable(format!("order {order_id} kept changing while a pix was settled")))
}

fn paid_by(order: &Order, pix: &ReceivedPix) -> bool {
    order.payment.as_ref().and_then(|p| p.transaction_id.as_deref()) == Some(pix.end_to_end_id.as_str())
}

fn paid_payment(order: &Order, txid: &Txid, pix: &ReceivedPix) -> Payment {
    let base = order.payment.clone().unwrap_or(Payment {
        method: crate::domain::PaymentMethod::Pix,
        pix_code: None,
        card_last4: None,
        declined_reason: None,
        transaction_id: None,
        pix_txid: None,
        refund_pending: false,
        attempt: 1,
    });
    Payment { transaction_id: Some(pix.end_to_end_id.clone()), pix_txid: Some(txid.to_string()), ..base }
}

/// The order still holds its tickets: tickets first, then `paid` (the buyer sees them only
/// once it is paid, and then all of them). `None`: the order moved meanwhile.
async fn confirm(app: &App, order: &Order, txid: &Txid, pix: &ReceivedPix) -> AppResult<Option<ReceiptOutcome>> {
    let tickets = issue_tickets(app, order).await?;
    let changes = TransitionChanges { payment: Some(paid_payment(order, txid, pix)) };
    let now = app.clock.now();
    match app.orders.transition(&order.id, None, Transition::ConfirmPayment, changes, now).await? {
        Some(paid) => {
            notifications::paid(app, &paid, &tickets).await?;
            Ok(Some(ReceiptOutcome::Paid))
        }
        None => Ok(None),
    }
}

/// The hold ended before the money arrived: the same tickets, if they are still there and the
/// event still sells, are taken again and the order is paid; otherwise the pix goes back.
async fn confirm_late(app: &App, order: &Order, txid: &Txid, pix: &ReceivedPix) -> AppResult<Option<ReceiptOutcome>> {
    let event = app.events.find(&order.event_id).await?;
    if !event.as_ref().is_some_and(|e| e.status.is_open()) {
        return Ok(Some(give_back(app, order, pix, Why::NoLongerOnSale).await?));
    }
    // Tickets first, as for any payment; an earlier pix of this order may have been returned
    // and its tickets voided: the same tickets are valid again (void again below if the
    // stock is gone).
    issue_tickets(app, order).await?;
    app.tickets.reinstate(&order.id).await?;
    let tickets = app.tickets.for_order(&order.id).await?;
    let changes = TransitionChanges { payment: Some(paid_payment(order, txid, pix)) };
    let now = app.clock.now();
    if let Some(paid) = app.orders.transition(&order.id, None, Transition::ConfirmLatePayment, changes, now).await? {
        tracing::warn!(order_id = %order.id, end_to_end_id = %pix.end_to_end_id, "a pix after the hold: tickets taken again");
        notifications::paid_late(app, &paid).await?;
        notifications::paid(app, &paid, &tickets).await?;
        return Ok(Some(ReceiptOutcome::PaidLate));
    }
    let now_order = app.orders.find(&order.id).await?;
    if now_order.as_ref().is_some_and(|o| o.status == OrderStatus::Expired) {
        // Still expired: its tickets are no longer there.
        app.tickets.void(&order.id, RevokedBecause::Refunded, None).await?;
        let why = Why::LateAndSoldOut;
        return Ok(Some(give_back(app, order, pix, why).await?));
    }
    Ok(None)
}

async fn give_back(app: &App, order: &Order, pix: &ReceivedPix, why: Why) -> AppResult<ReceiptOutcome> {
    // Tickets issued for this pix before the order moved on (an expiry or a cancellation won
    // the race with `paid`) let nobody in. A paid order's (another pix paid it) stay.
    if order.status != OrderStatus::Paid {
        app.tickets.void(&order.id, RevokedBecause::Refunded, None).await?;
    }
    app.pix.refund(&pix.end_to_end_id, pix.amount_cents).await?;
    tracing::warn!(order_id = %order.id, end_to_end_id = %pix.end_to_end_id, status = order.status.as_str(), "a pix not needed: refunded");
    notifications::pix_returned(app, order, &pix.end_to_end_id, pix.amount_cents, why).await?;
    Ok(ReceiptOutcome::Refunded)
}

/// A charge asks for a fixed amount, so a pix of another amount means a PSP that misbehaves
/// or a charge that is not what we created: never accepted, returned, and an operator
/// alarmed (a metric filter on `alarm`).
async fn wrong_amount(app: &App, order: &Order, pix: &ReceivedPix) -> AppResult<bool> {
    tracing::error!(
        alarm = "pix_amount_mismatch",
        order_id = %order.id,
        end_to_end_id = %pix.end_to_end_id,
        expected_cents = order.total_cents,
        received_cents = pix.amount_cents,
        "a pix whose amount is not the order's: refused"
    );
    let why = Why::WrongAmount;
    app.pix.refund(&pix.end_to_end_id, pix.amount_cents).await?;
    notifications::pix_returned(app, order, &pix.end_to_end_id, pix.amount_cents, why).await?;
    app.pix_receipts.settle(&pix.end_to_end_id, ReceiptOutcome::AmountMismatch, app.clock.now()).await?;
    Ok(true)
}
