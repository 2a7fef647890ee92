//! An order's tickets as a PDF, in the holder's language, times in the event's zone: what
//! `GET /orders/{id}/tickets.pdf` answers and the "paid" e-mail attaches.

use crate::documents::{tickets_pdf, PdfTicket};
use crate::domain::local_time::format_local;
use crate::domain::{Language, PriceType, Ticket};
use crate::services::event_facts::EventFacts;
use crate::services::notifications::words;

pub fn filename(order_id: &str, language: Language) -> String {
    match language {
        Language::PtBr => format!("ingressos-{order_id}.pdf"),
        Language::En => format!("tickets-{order_id}.pdf"),
    }
}

/// The PDF of `tickets` (those the holder still holds), one page each.
pub fn pdf(tickets: &[&Ticket], event: &EventFacts, language: Language) -> Vec<u8> {
    let pt = language == Language::PtBr;
    let label = |pt_word: &str, en_word: &str| if pt { pt_word.to_string() } else { en_word.to_string() };
    let when = event.event_starts_at.map(|at| format_local(at, &event.event_time_zone, language));
    let pages: Vec<PdfTicket> = tickets
        .iter()
        .map(|t| {
            let mut lines = Vec::new();
            if let Some(when) = &when {
                lines.push((label("Data", "Date"), when.clone()));
            }
            if let Some(venue) = &event.event_venue {
                lines.push((label("Local", "Venue"), venue.clone()));
            }
            lines.push((label("Setor", "Sector"), format!("{} · {}", t.sector, t.lot)));
            lines.push((label("Tipo", "Price"), words::price_type(t.price_type, language).to_string()));
            lines.push((label("Titular", "Holder"), t.holder.name.clone()));
            if let Some(cpf) = t.holder.cpf_masked() {
                lines.push(("CPF".into(), cpf));
            }
            lines.push((label("Ingresso", "Ticket"), words::ticket_of(t.position, tickets.len(), language)));
            lines.push((label("Pedido", "Order"), t.order_id.to_string()));
            PdfTicket {
                headline: t.event_name.clone(),
                lines,
                notice: (t.price_type == PriceType::Half).then(|| words::half_price_notice(t.entitlement, language)),
                qr_payload: t.qr_payload.clone(),
                code: t.code.clone(),
                footer: label(
                    "Apresente este QR na entrada, impresso ou na tela. Cada ingresso entra uma vez.",
                    "Show this QR at the gate, printed or on screen. Each ticket enters once.",
                ),
            }
        })
        .collect();
    let title = tickets.first().map(|t| t.event_name.clone()).unwrap_or_else(|| "Bilheteria".into());
    tickets_pdf(&title, &pages)
}
