//! What the consumer does with each message, idempotently: a message processed twice
//! (a broker redelivery, an outbox republish) has its effects once, because each effect is
//! either a conditional status change or keyed by the order.

use crate::app::App;
use crate::domain::pix::Txid;
use crate::domain::{Delivery, Message, MessageKind, Order, OrderId, OrderStatus, Payment, RevokedBecause, Transition};
use crate::error::{AppError, AppResult};
use crate::ports::{Charge, TransitionChanges};
use crate::services::tickets::issue_tickets;
use crate::services::{notifications, payments};
use futures::stream::{FuturesUnordered, StreamExt};

#[derive(Debug, Default)]
pub struct BatchReport {
    pub processed: usize,
    pub already_done: usize,
    /// Deliveries that can never succeed (not a message of ours, an unknown order): each
    /// body with its reason, for the dead-letter queue.
    pub poisoned: Vec<(Vec<u8>, String)>,
    /// The first failure that may pass (the database or a gateway unavailable): the batch
    /// is to be delivered again; what it did is recognised and not redone.
    pub retry: Option<AppError>,
}

/// What became of one delivery.
enum Outcome {
    Processed,
    AlreadyDone,
    Poisoned(Vec<u8>, String),
    Retry(AppError),
}

/// Processes every delivery of a batch, each on its own: a poison message does not stop the
/// others, and a transient failure of one does not undo what the others did. Messages of
/// different orders run at once (up to `consumer_concurrency`), since each waits mostly on
/// the database, the PSP or the mail server; the messages of one order run one after the
/// other, in the order they came, as they were published.
pub async fn process_batch(app: &App, deliveries: &[Delivery]) -> BatchReport {
    let mut report = BatchReport::default();
    let mut by_order: Vec<(&OrderId, Vec<(&Delivery, &Message)>)> = Vec::new();
    for delivery in deliveries {
        match &delivery.message {
            Err(reason) => report.poisoned.push((delivery.body.clone(), reason.clone())),
            Ok(message) => match by_order.iter_mut().find(|(order, _)| **order == message.order_id) {
                Some((_, queue)) => queue.push((delivery, message)),
                None => by_order.push((&message.order_id, vec![(delivery, message)])),
            },
        }
    }
    // A hand-fed FuturesUnordered rather than `buffer_unordered` over a closure: the
    // closure's futures borrow, and the compiler then cannot prove the handler's future Send
    // for every lifetime (rust-lang/rust#102211).
    let mut waiting = by_order.into_iter().map(|(_, messages)| messages);
    let mut running = FuturesUnordered::new();
    for messages in waiting.by_ref().take(app.config.consumer_concurrency.max(1)) {
        running.push(process_in_turn(app, messages));
    }
    let mut outcomes = Vec::new();
    while let Some(done) = running.next().await {
        outcomes.extend(done);
        if let Some(messages) = waiting.next() {
            running.push(process_in_turn(app, messages));
        }
    }
    for outcome in outcomes {
        match outcome {
            Outcome::Processed => report.processed += 1,
            Outcome::AlreadyDone => report.already_done += 1,
            Outcome::Poisoned(body, reason) => report.poisoned.push((body, reason)),
            Outcome::Retry(err) => {
                report.retry.get_or_insert(err);
            }
        }
    }
    report
}

/// One order's messages, in turn. After a transient failure the rest wait for the batch's
/// redelivery, so that within a batch a later message never overtakes an earlier one of its
/// order (across batches nothing is promised: a redelivered message may come after a later
/// one, and every handler is guarded by the order's state for that). Each such wait counts
/// as a delivery against the queue's limit: a message stuck behind one that keeps failing
/// is dead-lettered with it, and logged here each time it is held back.
async fn process_in_turn(app: &App, messages: Vec<(&Delivery, &Message)>) -> Vec<Outcome> {
    let messages_len = messages.len();
    let mut outcomes = Vec::with_capacity(messages_len);
    for (delivery, message) in messages {
        let outcome = match process(app, message).await {
            Ok(true) => Outcome::Processed,
            Ok(false) => Outcome::AlreadyDone,
            Err(err) if is_permanent(&err) => Outcome::Poisoned(delivery.body.clone(), err.to_string()),
            Err(err) => {
                tracing::warn!(message = %message.id, error = %err.chain(), "message failed; the batch will be delivered again");
                outcomes.push(Outcome::Retry(err));
                break;
            }
        };
        outcomes.push(outcome);
    }
    let held_back = messages_len.saturating_sub(outcomes.len());
    if held_back > 0 {
        tracing::warn!(held_back, "later messages of the failed message's order wait for the redelivery");
    }
    outcomes
}

/// A failure that no retry can mend: the message itself is wrong.
fn is_permanent(err: &AppError) -> bool {
    matches!(err, AppError::NotFound(_) | AppError::BadRequest(_) | AppError::Unprocessable(_))
}

/// `Ok(true)` when this delivery did the work, `Ok(false)` when it had been done before.
pub async fn process(app: &App, message: &Message) -> AppResult<bool> {
    let order = app
        .orders
        .find(&message.order_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("message {} names an unknown order", message.id)))?;
    match message.kind {
        MessageKind::OrderReserved => reservation_received(app, &order).await,
        MessageKind::PaymentRequested => payment_requested(app, message, order).await,
        MessageKind::PaymentConfirmed => {
            let txid =
                message.txid.as_deref().and_then(Txid::parse).map(|(txid, _, _)| txid).ok_or_else(|| {
                    AppError::Unprocessable(format!("message {} names no charge of ours", message.id))
                })?;
            payments::settle::settle_charge(app, &order.id, &txid).await
        }
    }
}

async fn reservation_received(app: &App, order: &Order) -> AppResult<bool> {
    if order.processed_at.is_some() {
        return Ok(false);
    }
    // The e-mail is keyed by order, so a crash between sending it and marking the order
    // leaves a redelivery that delivers it once and then marks the order.
    notifications::reservation_received(app, order).await?;
    app.orders.mark_processed(&order.id, app.clock.now()).await
}

async fn payment_requested(app: &App, message: &Message, order: Order) -> AppResult<bool> {
    let Some(payment) = order.payment.clone() else {
        return Ok(false);
    };
    if message.attempt != Some(payment.attempt) {
        return Ok(false); // a message of an earlier attempt
    }
    // PIX is paid by the buyer's bank, not charged here: this (the outbox's republish, too)
    // reads the charge back and settles what it lists — a payment whose notification was
    // lost, or one that can no longer be kept (the order ended meanwhile: it is returned).
    if let Some(txid) = payments::pix_charge_of(&order) {
        return payments::settle::settle_charge(app, &order.id, &txid).await;
    }
    match order.status {
        OrderStatus::PaymentPending => {}
        // A redelivery after a consumer died between confirming and e-mailing: the e-mail is
        // keyed by order, so finishing it here sends it once.
        OrderStatus::Paid => {
            let tickets = app.tickets.for_order(&order.id).await?;
            notifications::paid(app, &order, &tickets).await?;
            return Ok(false);
        }
        _ => return Ok(false), // settled already
    }
    let now = app.clock.now();
    // An event being called off is charged nothing more: the payment is declined, and the
    // event's sweep ends the hold.
    let event = app.events.find(&order.event_id).await?;
    if !event.as_ref().is_some_and(|e| e.status.is_open()) {
        let reason = "O evento foi cancelado; nada foi cobrado.".to_string();
        let changes = TransitionChanges { payment: Some(Payment { declined_reason: Some(reason), ..payment }) };
        return Ok(app.orders.transition(&order.id, None, Transition::DeclinePayment, changes, now).await?.is_some());
    }
    // The charge is idempotent per message id: a redelivery gets the first outcome.
    let charge = app.payments.charge(&order, &message.id).await?;
    match charge {
        Charge::Declined { reason } => {
            let changes = TransitionChanges { payment: Some(Payment { declined_reason: Some(reason), ..payment }) };
            Ok(app.orders.transition(&order.id, None, Transition::DeclinePayment, changes, now).await?.is_some())
        }
        Charge::Approved { transaction_id } => {
            let charged = Payment { transaction_id: Some(transaction_id.clone()), ..payment };
            if order.expires_at <= now {
                return late_payment(app, &order, charged).await;
            }
            // Tickets first, then `paid`: the buyer sees them only once the order is paid, and
            // then sees all of them; a consumer that dies in between leaves the order pending,
            // and the redelivery finds the same tickets (issuing is keyed by position in the order).
            let tickets = issue_tickets(app, &order).await?;
            let changes = TransitionChanges { payment: Some(charged.clone()) };
            match app.orders.transition(&order.id, None, Transition::ConfirmPayment, changes, now).await? {
                Some(paid) => {
                    notifications::paid(app, &paid, &tickets).await?;
                    Ok(true)
                }
                None => late_payment(app, &order, charged).await,
            }
        }
    }
}

/// A payment confirmed when the order could no longer take it: the hold was up, or the order
/// left `payment_pending` while it was charged. If a duplicate of this message (an outbox
/// republish meeting the broker's delivery) confirmed it first, there is nothing to undo.
/// Otherwise the order expires (stock back on sale, if the sweep had not done it yet), any
/// tickets written for it are voided, and the money is refunded: never kept.
async fn late_payment(app: &App, order: &Order, charged: Payment) -> AppResult<bool> {
    let now = app.clock.now();
    let changes = TransitionChanges { payment: Some(charged.clone()) };
    let expired = app.orders.transition(&order.id, None, Transition::Expire, changes, now).await?;
    if expired.is_none() && app.orders.find(&order.id).await?.is_some_and(|o| o.status == OrderStatus::Paid) {
        return Ok(false);
    }
    app.tickets.void(&order.id, RevokedBecause::Refunded, None).await?;
    if let Some(tx) = &charged.transaction_id {
        app.payments.refund(tx, order.total_cents).await?;
    }
    notifications::refunded(app, order, notifications::Why::PaidAfterHold).await?;
    tracing::warn!(order_id = %order.id, "payment confirmed after the hold expired: refunded");
    Ok(true)
}
