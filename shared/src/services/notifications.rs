//! The e-mails the box office sends, one per event in an order's life. Each has an id derived
//! from the order, so sending one twice (a retry, a redelivery) delivers it once.

use crate::app::App;
use crate::domain::{Order, Ticket};
use crate::error::AppResult;
use crate::ports::Email;

fn brl(cents: i64) -> String {
    let reais = cents / 100;
    let mut digits = reais.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(".{tail}{grouped}");
    }
    format!("R$ {digits}{grouped},{:02}", cents % 100)
}

async fn send(app: &App, order: &Order, kind: &str, subject: String, body: String) -> AppResult<()> {
    send_as(app, order, format!("{kind}:{}", order.id), subject, body).await
}

/// `send`, with an id of the caller's (an e-mail about one payment among an order's).
async fn send_as(app: &App, order: &Order, id: String, subject: String, body: String) -> AppResult<()> {
    let Some(user) = app.users.find_by_id(&order.user_id).await? else {
        tracing::warn!(order_id = %order.id, "no buyer to e-mail");
        return Ok(());
    };
    let email = Email {
        id,
        to: user.email,
        subject,
        body: format!("Olá, {}!\n\n{body}\n\nPedido {} · Bilheteria", user.name, order.id),
    };
    app.mailer.send(&email).await
}

pub async fn reservation_received(app: &App, o: &Order) -> AppResult<()> {
    let body = format!(
        "Recebemos sua reserva de {} ingresso(s) ({}, {}) para {}. Total: {}. Pague até {} (UTC) para garantir seus ingressos.",
        o.quantity,
        o.sector,
        if o.price_type.as_str() == "half" { "meia-entrada" } else { "inteira" },
        o.event_name,
        brl(o.total_cents),
        o.expires_at.format("%d/%m/%Y %H:%M"),
    );
    send(app, o, "reservation-received", format!("Reserva recebida: {}", o.event_name), body).await
}

pub async fn paid(app: &App, o: &Order, tickets: &[Ticket]) -> AppResult<()> {
    // Only those the buyer still holds (a redelivery after a transfer must not mail the
    // recipient's QR to the giver).
    let tickets: Vec<&Ticket> = tickets.iter().filter(|t| t.user_id == o.user_id).collect();
    let lines: Vec<String> = tickets
        .iter()
        .map(|t| {
            let meia = if t.price_type.as_str() == "half" { " · MEIA — conferir documento" } else { "" };
            format!(
                "  • Ingresso {} de {} · {}, {} · titular {}{meia}\n    código {}\n    QR (o portão lê este texto): {}",
                t.position,
                tickets.len(),
                t.sector,
                t.lot,
                t.holder.name,
                t.code,
                t.qr_payload
            )
        })
        .collect();
    let body = format!(
        "Pagamento confirmado: {}. Seus ingressos para {} ({}):\n{}\n\nO QR de cada ingresso está em {}/order.html?id={} — mostre-o na entrada.",
        brl(o.total_cents),
        o.event_name,
        o.sector,
        lines.join("\n"),
        app.config.public_site_url,
        o.id
    );
    send(app, o, "paid", format!("Seus ingressos: {}", o.event_name), body).await
}

pub async fn expired(app: &App, o: &Order) -> AppResult<()> {
    let body = format!("Sua reserva para {} expirou e os ingressos voltaram à venda.", o.event_name);
    send(app, o, "expired", format!("Reserva expirada: {}", o.event_name), body).await
}

pub async fn cancelled(app: &App, o: &Order) -> AppResult<()> {
    let body = format!("Sua reserva para {} foi cancelada.", o.event_name);
    send(app, o, "cancelled", format!("Reserva cancelada: {}", o.event_name), body).await
}

pub async fn refunded(app: &App, o: &Order, why: &str) -> AppResult<()> {
    let body = format!("Reembolsamos {} referentes a {}. {why}", brl(o.total_cents), o.event_name);
    send(app, o, "refunded", format!("Reembolso: {}", o.event_name), body).await
}

/// A pix returned to its payer (the hold had ended and the tickets were gone, the order was
/// paid already, or the amount was not the order's): one e-mail per pix.
pub async fn pix_returned(app: &App, o: &Order, end_to_end_id: &str, amount_cents: i64, why: &str) -> AppResult<()> {
    let body = format!(
        "Devolvemos o PIX de {} que você fez para {} (identificador {end_to_end_id}). {why} O valor volta para a conta de onde saiu.",
        brl(amount_cents),
        o.event_name,
    );
    let subject = format!("PIX devolvido: {}", o.event_name);
    send_as(app, o, format!("pix-returned:{end_to_end_id}"), subject, body).await
}

/// A payment that arrived after its hold ended but found its tickets still there.
pub async fn paid_late(app: &App, o: &Order) -> AppResult<()> {
    let body = format!(
        "Seu PIX chegou depois do fim da reserva para {}, mas os ingressos ainda estavam disponíveis: o pedido está pago.",
        o.event_name
    );
    send(app, o, "paid-late", format!("Pagamento confirmado: {}", o.event_name), body).await
}

/// A transfer: the giver is told the old code no longer enters, the recipient where the new
/// ticket is (each e-mail keyed by its code, so it goes once).
pub async fn ticket_transferred(
    app: &App,
    old: &Ticket,
    given: &Ticket,
    to_email: &str,
    to_name: &str,
) -> AppResult<()> {
    if let Some(sender) = app.users.find_by_id(&old.user_id).await? {
        app.mailer
            .send(&Email {
                id: format!("ticket-transferred-out:{}", old.code),
                to: sender.email,
                subject: format!("Ingresso transferido: {}", old.event_name),
                body: format!(
                    "Olá, {}!\n\nVocê transferiu seu ingresso ({}, {}) de {} para {}. O código antigo não vale mais.\n\nBilheteria",
                    sender.name, old.sector, old.lot, old.event_name, to_name
                ),
            })
            .await?;
    }
    app.mailer
        .send(&Email {
            id: format!("ticket-received:{}", given.code),
            to: to_email.to_string(),
            subject: format!("Você recebeu um ingresso: {}", given.event_name),
            body: format!(
                "Olá, {to_name}!\n\nVocê recebeu um ingresso ({}, {}) para {}. Ele está em seu nome em {}/tickets.html, com o QR para a entrada.\n\nCódigo {}\nQR (o portão lê este texto): {}\n\nBilheteria",
                given.sector, given.lot, given.event_name, app.config.public_site_url, given.code, given.qr_payload
            ),
        })
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_is_written_the_brazilian_way() {
        assert_eq!(super::brl(123_456), "R$ 1.234,56");
        assert_eq!(super::brl(5), "R$ 0,05");
        assert_eq!(super::brl(100_000_000), "R$ 1.000.000,00");
    }
}
