//! What the consumer does with each message, idempotently: a message processed twice
//! (a broker redelivery, an outbox republish) has its effects once.

use crate::app::App;
use crate::domain::{Message, MessageKind, Order};
use crate::error::{AppError, AppResult};
use crate::ports::Email;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    pub processed: usize,
    pub already_done: usize,
}

/// Processes every message of a batch. The first failure fails the batch (Amazon MQ has no
/// partial-batch responses): the broker redelivers it, and what was done is not redone.
pub async fn process_batch(app: &App, messages: &[Message]) -> AppResult<BatchReport> {
    let mut report = BatchReport::default();
    for message in messages {
        if process(app, message).await? {
            report.processed += 1;
        } else {
            report.already_done += 1;
        }
    }
    Ok(report)
}

/// `Ok(true)` when this delivery did the work, `Ok(false)` when it had been done before.
pub async fn process(app: &App, message: &Message) -> AppResult<bool> {
    match message.kind {
        MessageKind::OrderReserved => reservation_received(app, message).await,
    }
}

async fn reservation_received(app: &App, message: &Message) -> AppResult<bool> {
    let order = app.orders.find(&message.order_id).await?.ok_or_else(|| {
        AppError::NotFound(format!("message {} names an unknown order", message.id))
    })?;
    if order.processed_at.is_some() {
        return Ok(false);
    }
    // The e-mail is keyed by order, so a crash between sending it and marking the order
    // leaves a redelivery that stores it once and then marks the order.
    app.mailer
        .send(&reservation_email(app, &order).await?)
        .await?;
    app.orders.mark_processed(&order.id, app.clock.now()).await
}

async fn reservation_email(app: &App, order: &Order) -> AppResult<Email> {
    let user = app
        .users
        .find_by_id(&order.user_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("order {} has no buyer", order.id)))?;
    let event_name = app
        .events
        .find(&order.event_id)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    Ok(Email {
        id: format!("reservation-received:{}", order.id),
        to: user.email,
        subject: format!("Reserva recebida: {event_name}"),
        body: format!(
            "Olá, {}! Recebemos sua reserva de {} ingresso(s) ({}, {}) para {event_name}. \
             Total: R$ {},{:02}. Pague até {} (UTC) para garantir seus ingressos. Pedido {}.",
            user.name,
            order.quantity,
            order.sector,
            if order.price_type.as_str() == "half" {
                "meia-entrada"
            } else {
                "inteira"
            },
            order.total_cents / 100,
            order.total_cents % 100,
            order.expires_at.format("%d/%m/%Y %H:%M"),
            order.id
        ),
    })
}
