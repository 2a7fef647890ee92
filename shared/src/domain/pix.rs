//! PIX as the Central Bank's API Pix sees it: charge ids (txid) derived from the order, so
//! that a retry finds the charge it created instead of making a second one, and amounts in
//! reais written and read by integer arithmetic (never a float).

use super::ids::OrderId;
use super::money::Cents;
use std::fmt;

const TXID_PREFIX: &str = "BLH";

/// An immediate charge's id: `BLH` + the order's 24 hex digits + `A` + the payment attempt,
/// three digits — 31 characters of `[a-zA-Z0-9]`, inside the API's 26–35.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Txid(String);

impl Txid {
    pub fn for_attempt(order: &OrderId, attempt: i32) -> Txid {
        Txid(format!("{TXID_PREFIX}{}A{:03}", order.as_str(), attempt.clamp(0, 999)))
    }

    /// The order and attempt a txid of ours names; `None` for anything else (another
    /// system's charge on the same key, or a forged notification).
    pub fn parse(raw: &str) -> Option<(Txid, OrderId, i32)> {
        let rest = raw.strip_prefix(TXID_PREFIX)?;
        let (order, attempt) = rest.split_once('A')?;
        let order = OrderId::parse(order).filter(|o| o.as_str() == order)?;
        if attempt.len() != 3 || !attempt.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let attempt: i32 = attempt.parse().ok()?;
        Some((Txid(raw.to_string()), order, attempt))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Txid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The refund of a whole payment: one per `endToEndId` (`D` + its 32 characters), so a
/// retried refund is the same refund and never a second one.
pub fn refund_id(end_to_end_id: &str) -> String {
    let clean: String = end_to_end_id.chars().filter(|c| c.is_ascii_alphanumeric()).take(34).collect();
    format!("D{clean}")
}

/// An `endToEndId` as the API writes them: 32 letters and digits. Anything else is not
/// looked at.
pub fn is_end_to_end_id(raw: &str) -> bool {
    raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Cents as the API's `valor`: reais with two decimals ("1234.50").
pub fn reais(cents: Cents) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The API's `valor` back into cents: digits, a point and exactly two decimals; `None` for
/// anything else (a negative, a comma, a float's exponent, a third decimal).
pub fn cents_from_reais(raw: &str) -> Option<Cents> {
    let (whole, fraction) = raw.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || whole.len() > 13 || fraction.len() != 2 || !digits(fraction) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = fraction.parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// A charge's status (`status` of a `cob`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargeStatus {
    /// Open: can be paid until it expires.
    Active,
    /// Paid: its `pix` list holds the payment(s).
    Completed,
    /// Removed by us or by the PSP (expired): can no longer be paid.
    Removed,
}

impl ChargeStatus {
    pub fn from_api(raw: &str) -> ChargeStatus {
        match raw {
            "ATIVA" => ChargeStatus::Active,
            "CONCLUIDA" => ChargeStatus::Completed,
            _ => ChargeStatus::Removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_txid_names_its_order_and_attempt_and_fits_the_api() {
        let order = OrderId::generate();
        let txid = Txid::for_attempt(&order, 7);
        assert_eq!(txid.as_str().len(), 31);
        assert!(txid.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        let (parsed, back, attempt) = Txid::parse(txid.as_str()).expect("ours");
        assert_eq!((parsed, back, attempt), (txid, order, 7));
    }

    #[test]
    fn a_txid_not_of_ours_names_no_order() {
        for raw in [
            "",
            "BLH",
            "XYZ0123456789abcdef01234567A001",
            "BLH0123456789abcdef0123456A01",
            "BLHzz23456789abcdef012345A001",
        ] {
            assert!(Txid::parse(raw).is_none(), "{raw}");
        }
        // The order ids we store are lower case: an upper-case twin is not one of ours.
        assert!(Txid::parse("BLH0123456789ABCDEF01234567A001").is_none());
        assert!(Txid::parse("BLH0123456789abcdef01234567A001").is_some());
    }

    #[test]
    fn reais_are_written_and_read_without_floats() {
        assert_eq!(reais(123_450), "1234.50");
        assert_eq!(reais(5), "0.05");
        assert_eq!(cents_from_reais("1234.50"), Some(123_450));
        assert_eq!(cents_from_reais("0.05"), Some(5));
        for bad in ["1234.5", "1234", "-1.00", "1,00", "1e2.00", "1.005", ".50", "12.3a"] {
            assert_eq!(cents_from_reais(bad), None, "{bad}");
        }
        // What a float would get wrong.
        assert_eq!(cents_from_reais("0.29"), Some(29));
        assert_eq!(cents_from_reais("1.15"), Some(115));
    }

    #[test]
    fn a_refund_id_is_the_payment_s_own_and_fits_the_api() {
        let e2e = "E12345678202612011200abcdefghijk";
        assert!(is_end_to_end_id(e2e));
        let id = refund_id(e2e);
        assert!(id.len() <= 35 && id.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(id, refund_id(e2e));
    }
}
