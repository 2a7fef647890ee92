//! Identifiers and amounts as API Pix writes them.

use chrono::{DateTime, Utc};
use rand::distr::Alphanumeric;
use rand::Rng;

/// The ISPB (8 digits) this fake PSP signs its end-to-end and return ids with.
pub const FAKE_ISPB: &str = "12345678";

/// `^[a-zA-Z0-9]{26,35}$` (TxId).
pub fn is_txid(s: &str) -> bool {
    (26..=35).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `^[a-zA-Z0-9]{1,35}$` (DevolucaoId).
pub fn is_refund_id(s: &str) -> bool {
    (1..=35).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `^[a-zA-Z0-9]{32}$` (EndToEndId).
pub fn is_end_to_end_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub fn random_alphanumeric(n: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(n).map(char::from).collect()
}

/// `E` (end-to-end) or `D` (return) + ISPB + `yyyyMMddHHmm` (UTC) + 11 random alphanumerics:
/// 32 characters. 62^11 ≈ 5·10^19 per minute: a collision is not a test's concern, and the store
/// checks anyway.
pub fn spi_id(prefix: char, at: DateTime<Utc>) -> String {
    format!("{prefix}{FAKE_ISPB}{}{}", at.format("%Y%m%d%H%M"), random_alphanumeric(11))
}

/// A monetary value "123.45" (`^\d{1,10}\.\d{2}$`) as cents.
pub fn parse_amount(s: &str) -> Option<u64> {
    let (units, cents) = s.split_once('.')?;
    if !(1..=10).contains(&units.len())
        || cents.len() != 2
        || !units.bytes().all(|b| b.is_ascii_digit())
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(units.parse::<u64>().ok()? * 100 + cents.parse::<u64>().ok()?)
}

pub fn format_amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_pattern() {
        assert_eq!(parse_amount("123.45"), Some(12345));
        assert_eq!(parse_amount("0.01"), Some(1));
        assert_eq!(parse_amount("9999999999.99"), Some(999_999_999_999));
        for bad in ["", "1", "1.1", "1.123", ".12", "12345678901.00", "-1.00", "1,00", "1.0a", " 1.00"] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
        assert_eq!(format_amount(12345), "123.45");
        assert_eq!(format_amount(5), "0.05");
    }

    #[test]
    fn end_to_end_ids_have_the_spi_shape() {
        let at = chrono::DateTime::parse_from_rfc3339("2024-03-05T14:07:00Z").expect("date").with_timezone(&Utc);
        let id = spi_id('E', at);
        assert_eq!(id.len(), 32);
        assert!(id.starts_with("E12345678202403051407"));
        assert!(is_end_to_end_id(&id));
        assert_ne!(spi_id('E', at), id);
    }

    #[test]
    fn txid_and_refund_id_patterns() {
        assert!(is_txid(&"a".repeat(26)));
        assert!(is_txid(&"Z9".repeat(17)));
        assert!(!is_txid(&"a".repeat(25)));
        assert!(!is_txid(&"a".repeat(36)));
        assert!(!is_txid(&format!("{}-", "a".repeat(26))));
        assert!(is_refund_id("1"));
        assert!(!is_refund_id(""));
        assert!(!is_refund_id("a_b"));
    }
}
