//! The bytes of a ticket's QR payload (format 1, docs/gate.md): what a gate reads without
//! asking anyone. Signing and verifying are `auth::ticket_keys`'; this module only lays the
//! signed body out and reads it back, refusing anything that is not exactly that layout.

use super::ids::EventId;
use super::money::PriceType;
use super::ticket::Entitlement;

pub const PREFIX: &str = "BLH1.";
pub const FORMAT: u8 = 1;
pub const SIGNATURE_BYTES: usize = 64;
/// Names in the payload are cut to this many bytes (at a character boundary).
pub const MAX_NAME_BYTES: usize = 48;
pub const MAX_KEY_ID_BYTES: usize = 16;

/// What a ticket says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketClaims {
    pub key_id: String,
    /// The ticket's code (32 upper-case hex digits).
    pub ticket_id: String,
    pub event_id: EventId,
    /// Unix seconds.
    pub issued_at: u32,
    pub price_type: PriceType,
    pub entitlement: Option<Entitlement>,
    pub sector: String,
    pub lot: String,
    pub holder_name: String,
}

/// Why bytes are not a ticket body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Garbled {
    Prefix,
    Encoding,
    Length,
    Format,
    Field,
}

/// The longest prefix of `text` that fits in `max` bytes without cutting a character.
pub fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn push_name(out: &mut Vec<u8>, text: &str) {
    let text = cut(text, MAX_NAME_BYTES);
    out.push(text.len() as u8);
    out.extend_from_slice(text.as_bytes());
}

impl TicketClaims {
    /// The body to sign. Names longer than `MAX_NAME_BYTES` are cut; the key id must be
    /// 1..=16 ASCII bytes and the ids well formed (the caller's, checked at configuration).
    pub fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        out.push(FORMAT);
        let kid = cut(&self.key_id, MAX_KEY_ID_BYTES);
        out.push(kid.len() as u8);
        out.extend_from_slice(kid.as_bytes());
        let mut id = [0u8; 16];
        let _ = hex::decode_to_slice(&self.ticket_id, &mut id);
        out.extend_from_slice(&id);
        let mut event = [0u8; 12];
        let _ = hex::decode_to_slice(self.event_id.as_str(), &mut event);
        out.extend_from_slice(&event);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.push(match self.price_type {
            PriceType::Full => 0,
            PriceType::Half => 1,
        });
        out.push(self.entitlement.map_or(0, Entitlement::code));
        push_name(&mut out, &self.sector);
        push_name(&mut out, &self.lot);
        push_name(&mut out, &self.holder_name);
        out
    }

    /// Reads a body back; every byte must be accounted for.
    pub fn parse(body: &[u8]) -> Result<TicketClaims, Garbled> {
        let mut reader = Reader { bytes: body, at: 0 };
        if reader.byte()? != FORMAT {
            return Err(Garbled::Format);
        }
        let kid_len = reader.byte()? as usize;
        if kid_len == 0 || kid_len > MAX_KEY_ID_BYTES {
            return Err(Garbled::Field);
        }
        let key_id = reader.text(kid_len)?;
        if !key_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Garbled::Field);
        }
        let ticket_id = hex::encode_upper(reader.take(16)?);
        let event_id = EventId::parse(&hex::encode(reader.take(12)?)).ok_or(Garbled::Field)?;
        let issued_at = u32::from_be_bytes(reader.take(4)?.try_into().map_err(|_| Garbled::Length)?);
        let price_type = match reader.byte()? {
            0 => PriceType::Full,
            1 => PriceType::Half,
            _ => return Err(Garbled::Field),
        };
        let entitlement = match reader.byte()? {
            0 => None,
            code => Some(Entitlement::from_code(code).ok_or(Garbled::Field)?),
        };
        let sector = reader.name()?;
        let lot = reader.name()?;
        let holder_name = reader.name()?;
        if reader.at != body.len() {
            return Err(Garbled::Length);
        }
        Ok(TicketClaims { key_id, ticket_id, event_id, issued_at, price_type, entitlement, sector, lot, holder_name })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Garbled> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.bytes.len()).ok_or(Garbled::Length)?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, Garbled> {
        Ok(self.take(1)?[0])
    }

    fn text(&mut self, n: usize) -> Result<String, Garbled> {
        std::str::from_utf8(self.take(n)?).map(str::to_string).map_err(|_| Garbled::Field)
    }

    fn name(&mut self) -> Result<String, Garbled> {
        let n = self.byte()? as usize;
        if n > MAX_NAME_BYTES {
            return Err(Garbled::Field);
        }
        self.text(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> TicketClaims {
        TicketClaims {
            key_id: "k1".into(),
            ticket_id: "00112233445566778899AABBCCDDEEFF".into(),
            event_id: EventId::parse("65a1b2c3d4e5f60718293a4b").expect("id"),
            issued_at: 1_780_000_000,
            price_type: PriceType::Half,
            entitlement: Some(Entitlement::Student),
            sector: "Pista Prémium".into(),
            lot: "1º lote".into(),
            holder_name: "João da Silva".into(),
        }
    }

    #[test]
    fn a_body_reads_back_as_the_claims_it_was_made_of() {
        assert_eq!(TicketClaims::parse(&claims().body()), Ok(claims()));
    }

    #[test]
    fn a_body_with_a_byte_more_or_less_is_garbled() {
        let body = claims().body();
        assert_eq!(TicketClaims::parse(&body[..body.len() - 1]), Err(Garbled::Length));
        let mut longer = body.clone();
        longer.push(0);
        assert_eq!(TicketClaims::parse(&longer), Err(Garbled::Length));
        assert_eq!(TicketClaims::parse(&[]), Err(Garbled::Length));
    }

    #[test]
    fn a_long_name_is_cut_at_a_character_boundary() {
        let long = "ç".repeat(40);
        let cut_name = cut(&long, MAX_NAME_BYTES);
        assert_eq!(cut_name.len(), 48);
        let mut c = claims();
        c.holder_name = long;
        assert_eq!(TicketClaims::parse(&c.body()).expect("parses").holder_name, "ç".repeat(24));
    }

    #[test]
    fn an_unknown_price_type_or_entitlement_byte_is_garbled() {
        let mut body = claims().body();
        let price_at = 1 + 1 + 2 + 16 + 12 + 4;
        body[price_at] = 7;
        assert_eq!(TicketClaims::parse(&body), Err(Garbled::Field));
        let mut body = claims().body();
        body[price_at + 1] = 9;
        assert_eq!(TicketClaims::parse(&body), Err(Garbled::Field));
    }
}
