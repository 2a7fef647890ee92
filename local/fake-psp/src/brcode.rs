//! The dynamic BR Code ("Pix copia e cola"): EMV MPM TLV, each field a 2-digit id, a 2-digit
//! length and the value, closed by a CRC-16/CCITT-FALSE over everything up to and including
//! "6304". Public so tests of the main app can parse what they were given.

use std::fmt;

/// What a dynamic BR Code carries for one charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicBrCode<'a> {
    /// The payload location without its scheme (`host:port/path`), field 26/25.
    pub location: &'a str,
    /// The amount, "123.45", field 54.
    pub amount: &'a str,
    /// The merchant name, field 59 (cut to 25 characters, ASCII).
    pub merchant_name: &'a str,
    /// The merchant city, field 60 (cut to 15 characters, ASCII).
    pub merchant_city: &'a str,
}

impl DynamicBrCode<'_> {
    /// The "copia e cola" string.
    pub fn encode(&self) -> String {
        let account = format!("{}{}", tlv("00", "br.gov.bcb.pix"), tlv("25", self.location));
        let mut out = String::new();
        out.push_str(&tlv("00", "01"));
        out.push_str(&tlv("01", "12"));
        out.push_str(&tlv("26", &account));
        out.push_str(&tlv("52", "0000"));
        out.push_str(&tlv("53", "986"));
        out.push_str(&tlv("54", self.amount));
        out.push_str(&tlv("58", "BR"));
        out.push_str(&tlv("59", &ascii_cut(self.merchant_name, 25)));
        out.push_str(&tlv("60", &ascii_cut(self.merchant_city, 15)));
        out.push_str(&tlv("62", &tlv("05", "***")));
        out.push_str("6304");
        let crc = crc16_ccitt_false(out.as_bytes());
        out.push_str(&format!("{crc:04X}"));
        out
    }
}

fn tlv(id: &str, value: &str) -> String {
    // Values are ASCII here (ascii_cut, our own constants, a location we built), so bytes = chars.
    format!("{id}{:02}{value}", value.len())
}

/// Upper-cases nothing, strips the accents Portuguese names carry and replaces any other non-ASCII
/// character, then cuts to `max` characters: a BR Code's lengths count characters and payer apps
/// expect ASCII in 59/60.
fn ascii_cut(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'A',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => ' ',
        })
        .take(max)
        .collect()
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// One TLV field: its id and its value (a template's value is itself TLV: parse it again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: String,
    pub value: String,
}

/// Why a string is not a well-formed BR Code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A field header or value runs past the end (at this byte offset).
    Truncated(usize),
    /// A field's id or length is not two ASCII digits (at this byte offset).
    BadHeader(usize),
    /// The last field is not a 4-character CRC (id 63).
    NoCrc,
    /// The CRC does not match the content.
    BadCrc { expected: String, found: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(at) => write!(f, "field at byte {at} runs past the end"),
            Self::BadHeader(at) => write!(f, "field at byte {at} has no 2-digit id and length"),
            Self::NoCrc => write!(f, "the last field is not a CRC (63, length 04)"),
            Self::BadCrc { expected, found } => {
                write!(f, "CRC is {found}, the content's is {expected}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Splits one level of TLV (no CRC check): for a template's value.
pub fn parse_fields(s: &str) -> Result<Vec<Field>, ParseError> {
    let bytes = s.as_bytes();
    let mut fields = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if at + 4 > bytes.len() {
            return Err(ParseError::Truncated(at));
        }
        let header = &s.get(at..at + 4).ok_or(ParseError::BadHeader(at))?;
        if !header.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::BadHeader(at));
        }
        let len: usize = header[2..].parse().map_err(|_| ParseError::BadHeader(at))?;
        let end = at + 4 + len;
        let value = s.get(at + 4..end).ok_or(ParseError::Truncated(at))?;
        fields.push(Field { id: header[..2].to_string(), value: value.to_string() });
        at = end;
    }
    Ok(fields)
}

/// Parses a whole BR Code: its top-level fields, after checking that the last is a CRC that
/// matches.
pub fn parse(code: &str) -> Result<Vec<Field>, ParseError> {
    let fields = parse_fields(code)?;
    let last = fields.last().ok_or(ParseError::NoCrc)?;
    if last.id != "63" || last.value.len() != 4 {
        return Err(ParseError::NoCrc);
    }
    let covered = &code[..code.len() - 4];
    let expected = format!("{:04X}", crc16_ccitt_false(covered.as_bytes()));
    if expected != last.value {
        return Err(ParseError::BadCrc { expected, found: last.value.clone() });
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(fields: &'a [Field], id: &str) -> &'a str {
        &fields.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no field {id}")).value
    }

    #[test]
    fn crc_matches_the_ccitt_false_check_value() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
        assert_eq!(crc16_ccitt_false(b""), 0xFFFF);
    }

    #[test]
    fn a_known_static_code_checks() {
        // The BCB manual's static example (key + txid "***"), CRC 1D3D.
        let code = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
        let fields = parse(code).expect("valid");
        assert_eq!(get(&fields, "59"), "Fulano de Tal");
    }

    #[test]
    fn a_dynamic_code_parses_back() {
        let code = DynamicBrCode {
            location: "127.0.0.1:8443/qr/v2/0123456789abcdef0123456789abcdef",
            amount: "123.45",
            merchant_name: "BILHETERIA SÃO JOÃO DAS FESTAS LTDA",
            merchant_city: "SÃO PAULO",
        }
        .encode();
        let fields = parse(&code).expect("valid code");
        let ids: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["00", "01", "26", "52", "53", "54", "58", "59", "60", "62", "63"]);
        assert_eq!(get(&fields, "00"), "01");
        assert_eq!(get(&fields, "01"), "12");
        let account = parse_fields(get(&fields, "26")).expect("template");
        assert_eq!(get(&account, "00"), "br.gov.bcb.pix");
        assert_eq!(get(&account, "25"), "127.0.0.1:8443/qr/v2/0123456789abcdef0123456789abcdef");
        assert_eq!(get(&fields, "52"), "0000");
        assert_eq!(get(&fields, "53"), "986");
        assert_eq!(get(&fields, "54"), "123.45");
        assert_eq!(get(&fields, "58"), "BR");
        assert_eq!(get(&fields, "59"), "BILHETERIA SAO JOAO DAS F");
        assert_eq!(get(&fields, "60"), "SAO PAULO");
        let additional = parse_fields(get(&fields, "62")).expect("template");
        assert_eq!(get(&additional, "05"), "***");
    }

    #[test]
    fn a_changed_character_fails_the_crc() {
        let code =
            DynamicBrCode { location: "localhost/qr/v2/x", amount: "10.00", merchant_name: "A", merchant_city: "B" }
                .encode();
        let tampered = code.replace("10.00", "90.00");
        assert!(matches!(parse(&tampered), Err(ParseError::BadCrc { .. })));
        assert!(matches!(parse(&code[..code.len() - 2]), Err(ParseError::Truncated(_))));
    }
}
