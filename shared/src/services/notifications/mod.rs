//! The e-mails the box office sends, one per event in an order's life, in the recipient's
//! language (`User::language`) with times in the event's time zone. Each has an id derived
//! from what it is about, so sending one twice (a retry, a redelivery) delivers it once.
//! Content is written once (`Letter`) and sent as text and HTML; the "paid" e-mail carries
//! each ticket's QR inline and the tickets as a PDF.

mod letter;
pub mod words;

pub use letter::{escape, Letter, TicketBlock};
pub use words::Why;

use crate::app::App;
use crate::domain::local_time::{format_local, format_local_time};
use crate::domain::{Language, Order, PriceType, Ticket, User};
use crate::error::AppResult;
use crate::ports::Attachment;
use crate::services::event_facts::EventFacts;
use crate::services::tickets::document;
use chrono::{DateTime, Utc};

/// Who an order's e-mail goes to and what it can say of the event.
struct OrderContext {
    buyer: User,
    event: EventFacts,
}

impl OrderContext {
    fn language(&self) -> Language {
        self.buyer.language
    }

    /// "Festival, 12/12/2026 20:00 (horário de São Paulo), Allianz Parque".
    fn event_line(&self, o: &Order) -> String {
        let mut parts = vec![o.event_name.clone()];
        if let Some(at) = self.event.event_starts_at {
            parts.push(format_local(at, &self.event.event_time_zone, self.language()));
        }
        if let Some(venue) = &self.event.event_venue {
            parts.push(venue.clone());
        }
        parts.join(", ")
    }

    /// A letter to the order's buyer: in their language, greeted by name, signed with the
    /// order; `subject` in Portuguese and in English.
    fn letter(&self, o: &Order, pt_subject: String, en_subject: String) -> Letter {
        let l = self.language();
        Letter::new(l, pick(l, pt_subject, en_subject), words::hello(&self.buyer.name, l)).signed(signature(o, l))
    }

    fn in_zone(&self, at: DateTime<Utc>) -> String {
        format_local_time(at, &self.event.event_time_zone, self.language())
    }
}

async fn context(app: &App, order: &Order) -> AppResult<Option<OrderContext>> {
    let Some(buyer) = app.users.find_by_id(&order.user_id).await? else {
        tracing::warn!(order_id = %order.id, "no buyer to e-mail");
        return Ok(None);
    };
    let event = app.recent_events.find(&order.event_id).await?;
    Ok(Some(OrderContext { buyer, event: event.as_ref().map(EventFacts::of).unwrap_or_default() }))
}

fn order_link(app: &App, o: &Order) -> String {
    format!("{}/order.html?id={}", app.config.public_site_url, o.id)
}

fn signature(o: &Order, language: Language) -> String {
    match language {
        Language::PtBr => format!("Pedido {} · Bilheteria", o.id),
        Language::En => format!("Order {} · Bilheteria", o.id),
    }
}

fn pick(language: Language, pt: String, en: String) -> String {
    match language {
        Language::PtBr => pt,
        Language::En => en,
    }
}

async fn send(app: &App, ctx: &OrderContext, id: String, letter: Letter) -> AppResult<()> {
    app.mailer.send(&letter.into_email(id, ctx.buyer.email.clone())).await
}

pub async fn reservation_received(app: &App, o: &Order) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let kind = words::price_type(o.price_type, l);
    let total = words::money(o.total_cents, l);
    let letter = ctx
        .letter(o, format!("Reserva recebida: {}", o.event_name), format!("Reservation received: {}", o.event_name))
        .paragraph(pick(
            l,
            format!(
                "Recebemos sua reserva de {} ingresso(s) ({}, {kind}) para {}. Total: {total}.",
                o.quantity,
                o.sector,
                ctx.event_line(o)
            ),
            format!(
                "We have your reservation of {} ticket(s) ({}, {kind}) for {}. Total: {total}.",
                o.quantity,
                o.sector,
                ctx.event_line(o)
            ),
        ))
        .paragraph(pick(
            l,
            format!(
                "Pague até {} para garantir seus ingressos; depois disso eles voltam à venda.",
                ctx.in_zone(o.expires_at)
            ),
            format!("Pay by {} to keep your tickets; after that they go back on sale.", ctx.in_zone(o.expires_at)),
        ))
        .action(pick(l, "Pagar agora".into(), "Pay now".into()), order_link(app, o));
    send(app, &ctx, format!("reservation-received:{}", o.id), letter).await
}

pub async fn paid(app: &App, o: &Order, tickets: &[Ticket]) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    // Only those the buyer still holds (a redelivery after a transfer must not mail the
    // recipient's QR to the giver).
    let held: Vec<&Ticket> = tickets.iter().filter(|t| t.user_id == o.user_id).collect();
    let mut letter = ctx.letter(o, format!("Seus ingressos: {}", o.event_name), format!("Your tickets: {}", o.event_name))
    .paragraph(pick(
        l,
        format!(
            "Pagamento confirmado: {}. Seus ingressos para {} estão abaixo e no PDF anexo. Mostre o QR de cada um na entrada.",
            words::money(o.total_cents, l),
            ctx.event_line(o)
        ),
        format!(
            "Payment confirmed: {}. Your tickets for {} are below and in the attached PDF. Show each one's QR at the gate.",
            words::money(o.total_cents, l),
            ctx.event_line(o)
        ),
    ))
    .action(pick(l, "Ver meus ingressos".into(), "See my tickets".into()), order_link(app, o));
    letter.qr_hint = pick(l, "QR (o portão lê este texto)".into(), "QR (the gate reads this text)".into());
    letter.tickets = held
        .iter()
        .map(|t| {
            let mut details = vec![
                pick(l, format!("Titular: {}", t.holder.name), format!("Holder: {}", t.holder.name)),
                pick(l, format!("Código: {}", t.code), format!("Code: {}", t.code)),
            ];
            if t.price_type == PriceType::Half {
                details.insert(1, words::half_price_notice(t.entitlement, l));
            }
            TicketBlock {
                heading: format!("{} · {}, {}", words::ticket_of(t.position, held.len(), l), t.sector, t.lot),
                details,
                qr_payload: t.qr_payload.clone(),
            }
        })
        .collect();
    if !held.is_empty() {
        letter.files.push(Attachment {
            filename: document::filename(o.id.as_str(), l),
            content_type: "application/pdf".into(),
            content: document::pdf(&held, &ctx.event, l),
            inline_id: None,
        });
    }
    send(app, &ctx, format!("paid:{}", o.id), letter).await
}

pub async fn expired(app: &App, o: &Order) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let letter = ctx
        .letter(o, format!("Reserva expirada: {}", o.event_name), format!("Reservation expired: {}", o.event_name))
        .paragraph(pick(
            l,
            format!("Sua reserva para {} expirou sem pagamento, e os ingressos voltaram à venda.", ctx.event_line(o)),
            format!("Your reservation for {} expired unpaid, and the tickets went back on sale.", ctx.event_line(o)),
        ))
        .action(pick(l, "Ver o evento".into(), "See the event".into()), event_link(app, o));
    send(app, &ctx, format!("expired:{}", o.id), letter).await
}

fn event_link(app: &App, o: &Order) -> String {
    format!("{}/event.html?id={}", app.config.public_site_url, o.event_id)
}

pub async fn cancelled(app: &App, o: &Order) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let letter = ctx
        .letter(o, format!("Reserva cancelada: {}", o.event_name), format!("Reservation cancelled: {}", o.event_name))
        .paragraph(pick(
            l,
            format!("Sua reserva para {} foi cancelada; nada foi cobrado.", ctx.event_line(o)),
            format!("Your reservation for {} was cancelled; nothing was charged.", ctx.event_line(o)),
        ))
        .action(pick(l, "Ver o evento".into(), "See the event".into()), event_link(app, o));
    send(app, &ctx, format!("cancelled:{}", o.id), letter).await
}

pub async fn refunded(app: &App, o: &Order, why: Why) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let total = words::money(o.total_cents, l);
    let letter = ctx
        .letter(o, format!("Reembolso: {}", o.event_name), format!("Refund: {}", o.event_name))
        .paragraph(pick(
            l,
            format!("Reembolsamos {total} referentes a {}. {}", ctx.event_line(o), why.say(l)),
            format!("We refunded {total} for {}. {}", ctx.event_line(o), why.say(l)),
        ))
        .action(pick(l, "Ver o pedido".into(), "See the order".into()), order_link(app, o));
    send(app, &ctx, format!("refunded:{}", o.id), letter).await
}

/// A pix returned to its payer (the hold had ended and the tickets were gone, the order was
/// paid already, or the amount was not the order's): one e-mail per pix.
pub async fn pix_returned(app: &App, o: &Order, end_to_end_id: &str, amount_cents: i64, why: Why) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let amount = words::money(amount_cents, l);
    let letter = ctx.letter(o, format!("PIX devolvido: {}", o.event_name), format!("Pix returned: {}", o.event_name))
    .paragraph(pick(
        l,
        format!(
            "Devolvemos o PIX de {amount} que você fez para {} (identificador {end_to_end_id}). {} O valor volta para a conta de onde saiu.",
            o.event_name,
            why.say(l)
        ),
        format!(
            "We returned the pix of {amount} you made for {} (id {end_to_end_id}). {} The money goes back to the account it came from.",
            o.event_name,
            why.say(l)
        ),
    ))
    .action(pick(l, "Ver o pedido".into(), "See the order".into()), order_link(app, o));
    send(app, &ctx, format!("pix-returned:{end_to_end_id}"), letter).await
}

/// A payment that arrived after its hold ended but found its tickets still there.
pub async fn paid_late(app: &App, o: &Order) -> AppResult<()> {
    let Some(ctx) = context(app, o).await? else { return Ok(()) };
    let l = ctx.language();
    let letter = ctx.letter(o, format!("Pagamento confirmado: {}", o.event_name), format!("Payment confirmed: {}", o.event_name))
    .paragraph(pick(
        l,
        format!("Seu PIX chegou depois do fim da reserva para {}, mas os ingressos ainda estavam disponíveis: o pedido está pago.", o.event_name),
        format!("Your pix arrived after the hold for {} ended, but the tickets were still there: the order is paid.", o.event_name),
    ))
    .action(pick(l, "Ver meus ingressos".into(), "See my tickets".into()), order_link(app, o));
    send(app, &ctx, format!("paid-late:{}", o.id), letter).await
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
        let l = sender.language;
        let letter = Letter::new(
            l,
            pick(
                l,
                format!("Ingresso transferido: {}", old.event_name),
                format!("Ticket transferred: {}", old.event_name),
            ),
            words::hello(&sender.name, l),
        )
        .paragraph(pick(
            l,
            format!(
                "Você transferiu seu ingresso ({}, {}) de {} para {to_name}. O código antigo não vale mais.",
                old.sector, old.lot, old.event_name
            ),
            format!(
                "You transferred your ticket ({}, {}) for {} to {to_name}. The old code no longer enters.",
                old.sector, old.lot, old.event_name
            ),
        ));
        app.mailer.send(&letter.into_email(format!("ticket-transferred-out:{}", old.code), sender.email)).await?;
    }
    let recipient = app.users.find_by_email(to_email).await?;
    let l = recipient.as_ref().map(|u| u.language).unwrap_or_default();
    let mut letter = Letter::new(
        l,
        pick(
            l,
            format!("Você recebeu um ingresso: {}", given.event_name),
            format!("You received a ticket: {}", given.event_name),
        ),
        words::hello(to_name, l),
    )
    .paragraph(pick(
        l,
        format!(
            "Você recebeu um ingresso ({}, {}) para {}. Ele está em seu nome, com o QR para a entrada.",
            given.sector, given.lot, given.event_name
        ),
        format!(
            "You received a ticket ({}, {}) for {}. It is in your name, with the QR for the gate.",
            given.sector, given.lot, given.event_name
        ),
    ))
    .action(
        pick(l, "Ver meus ingressos".into(), "See my tickets".into()),
        format!("{}/tickets.html", app.config.public_site_url),
    );
    letter.qr_hint = pick(l, "QR (o portão lê este texto)".into(), "QR (the gate reads this text)".into());
    letter.tickets = vec![TicketBlock {
        heading: format!("{}, {}", given.sector, given.lot),
        details: vec![pick(l, format!("Código: {}", given.code), format!("Code: {}", given.code))],
        qr_payload: given.qr_payload.clone(),
    }];
    app.mailer.send(&letter.into_email(format!("ticket-received:{}", given.code), to_email.to_string())).await
}

/// The e-mail verification link (sent at registration and on request).
pub async fn verify_email(app: &App, user: &User, link: &str, now: DateTime<Utc>) -> AppResult<()> {
    let l = user.language;
    let letter = Letter::new(
        l,
        pick(l, "Confirme seu e-mail".into(), "Confirm your e-mail".into()),
        words::hello(&user.name, l),
    )
    .paragraph(pick(
        l,
        "Para pagar seus ingressos, confirme seu e-mail pelo link abaixo (válido por 48 horas).".into(),
        "To pay for your tickets, confirm your e-mail with the link below (valid for 48 hours).".into(),
    ))
    .action(pick(l, "Confirmar e-mail".into(), "Confirm e-mail".into()), link)
    .paragraph(pick(
        l,
        "Se você não criou uma conta na Bilheteria, ignore esta mensagem.".into(),
        "If you did not create a Bilheteria account, ignore this message.".into(),
    ));
    // One e-mail per link: asking again sends a new one.
    let id = format!("verify-email:{}:{}", user.id, now.timestamp_millis());
    app.mailer.send(&letter.into_email(id, user.email.clone())).await
}

/// The password-reset link ("esqueci minha senha"), valid for an hour, used once.
pub async fn password_reset(app: &App, user: &User, link: &str, now: DateTime<Utc>) -> AppResult<()> {
    let l = user.language;
    let letter = Letter::new(l, pick(l, "Redefina sua senha".into(), "Reset your password".into()), words::hello(&user.name, l))
        .paragraph(pick(
            l,
            "Recebemos um pedido para redefinir a senha da sua conta. O link abaixo vale por 1 hora e pode ser usado uma vez.".into(),
            "We were asked to reset your account's password. The link below is valid for 1 hour and can be used once.".into(),
        ))
        .action(pick(l, "Criar nova senha".into(), "Choose a new password".into()), link)
        .paragraph(pick(
            l,
            "Se não foi você, ignore esta mensagem: sua senha continua a mesma.".into(),
            "If it was not you, ignore this message: your password stays as it is.".into(),
        ));
    let id = format!("password-reset:{}:{}", user.id, now.timestamp_millis());
    app.mailer.send(&letter.into_email(id, user.email.clone())).await
}
