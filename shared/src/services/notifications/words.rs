//! The words of the e-mails and PDF tickets in each language the box office writes in, and
//! the reasons a refund or a returned pix are given for.

use crate::domain::{Entitlement, Language, PriceType};

/// Why money went back to the buyer (said in the refund and returned-pix e-mails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The buyer asked for a refund.
    BuyerAsked,
    /// The organiser cancelled the event.
    EventCancelled,
    /// A card payment confirmed after the hold expired: nothing is kept.
    PaidAfterHold,
    /// This order was already paid by another pix.
    AlreadyPaid,
    /// The order was no longer open (cancelled, refunded) when the pix arrived.
    OrderClosed,
    /// A late pix whose tickets had been sold meanwhile.
    LateAndSoldOut,
    /// A late pix for an event no longer on sale.
    NoLongerOnSale,
    /// A pix of another amount than the order's.
    WrongAmount,
}

impl Why {
    pub fn say(self, language: Language) -> &'static str {
        use Language::*;
        match (self, language) {
            (Why::BuyerAsked, PtBr) => "O valor volta pelo mesmo meio de pagamento.",
            (Why::BuyerAsked, En) => "The money goes back the way it was paid.",
            (Why::EventCancelled, PtBr) => "O evento foi cancelado pelo organizador.",
            (Why::EventCancelled, En) => "The organiser cancelled the event.",
            (Why::PaidAfterHold, PtBr) => "O pagamento chegou depois que a reserva expirou; nada foi cobrado de você.",
            (Why::PaidAfterHold, En) => "The payment arrived after your hold had expired; you were not charged.",
            (Why::AlreadyPaid, PtBr) => "Este pedido já estava pago por outro PIX.",
            (Why::AlreadyPaid, En) => "This order had already been paid by another pix.",
            (Why::OrderClosed, PtBr) => "Este pedido já não estava aberto quando o PIX chegou.",
            (Why::OrderClosed, En) => "This order was no longer open when the pix arrived.",
            (Why::LateAndSoldOut, PtBr) => {
                "O PIX chegou depois do fim da reserva, e os ingressos já tinham sido vendidos."
            }
            (Why::LateAndSoldOut, En) => "The pix arrived after your hold ended, and the tickets had been sold.",
            (Why::NoLongerOnSale, PtBr) => "O evento não está mais à venda.",
            (Why::NoLongerOnSale, En) => "The event is no longer on sale.",
            (Why::WrongAmount, PtBr) => "O valor pago não era o do pedido.",
            (Why::WrongAmount, En) => "The amount paid was not the order's.",
        }
    }
}

/// "R$ 1.234,56" in Portuguese, "R$1,234.56" in English.
pub fn money(cents: i64, language: Language) -> String {
    let (thousands, decimal, space) = match language {
        Language::PtBr => ('.', ',', " "),
        Language::En => (',', '.', ""),
    };
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    let digits = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(thousands);
        }
        grouped.push(c);
    }
    format!("{sign}R${space}{grouped}{decimal}{:02}", cents % 100)
}

pub fn price_type(price: PriceType, language: Language) -> &'static str {
    match (price, language) {
        (PriceType::Full, Language::PtBr) => "inteira",
        (PriceType::Full, Language::En) => "full price",
        (PriceType::Half, Language::PtBr) => "meia-entrada",
        (PriceType::Half, Language::En) => "half price (meia-entrada)",
    }
}

pub fn entitlement(e: Entitlement, language: Language) -> &'static str {
    match (e, language) {
        (Entitlement::Student, Language::PtBr) => "estudante",
        (Entitlement::Student, Language::En) => "student",
        (Entitlement::Senior, Language::PtBr) => "pessoa idosa (60+)",
        (Entitlement::Senior, Language::En) => "senior (60+)",
        (Entitlement::Disability, Language::PtBr) => "pessoa com deficiência",
        (Entitlement::Disability, Language::En) => "person with a disability",
        (Entitlement::LowIncomeYouth, Language::PtBr) => "ID Jovem",
        (Entitlement::LowIncomeYouth, Language::En) => "ID Jovem (low-income youth)",
        (Entitlement::Teacher, Language::PtBr) => "professor(a)",
        (Entitlement::Teacher, Language::En) => "teacher",
    }
}

/// The half-price notice the gate acts on, with the entitlement to check.
pub fn half_price_notice(e: Option<Entitlement>, language: Language) -> String {
    let what = e.map(|e| entitlement(e, language));
    match (language, what) {
        (Language::PtBr, Some(w)) => format!("MEIA — conferir documento ({w})"),
        (Language::PtBr, None) => "MEIA — conferir documento".into(),
        (Language::En, Some(w)) => format!("HALF PRICE — document checked at the gate ({w})"),
        (Language::En, None) => "HALF PRICE — document checked at the gate".into(),
    }
}

pub fn hello(name: &str, language: Language) -> String {
    match language {
        Language::PtBr => format!("Olá, {name}!"),
        Language::En => format!("Hi, {name}!"),
    }
}

/// "Ingresso 1 de 2" / "Ticket 1 of 2".
pub fn ticket_of(position: i64, count: usize, language: Language) -> String {
    match language {
        Language::PtBr => format!("Ingresso {position} de {count}"),
        Language::En => format!("Ticket {position} of {count}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_as_each_language_writes_it() {
        assert_eq!(money(123_456, Language::PtBr), "R$ 1.234,56");
        assert_eq!(money(123_456, Language::En), "R$1,234.56");
        assert_eq!(money(5, Language::PtBr), "R$ 0,05");
        assert_eq!(money(100_000_000, Language::PtBr), "R$ 1.000.000,00");
    }
}
