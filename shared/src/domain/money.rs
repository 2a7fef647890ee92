//! Money is integer cents, always. Never floats.

use serde::{Deserialize, Serialize};

pub type Cents = i64;

/// Full price or half price (*meia-entrada*, Brazil's Law 12.933/2013).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceType {
    Full,
    Half,
}

impl PriceType {
    pub fn as_str(self) -> &'static str {
        match self {
            PriceType::Full => "full",
            PriceType::Half => "half",
        }
    }

    /// The unit price for this price type. Half price is half of full, rounded to the
    /// nearest cent (half a cent rounds up, in the box office's favour: 2501 → 1251).
    pub fn unit_price(self, full_price: Cents) -> Cents {
        match self {
            PriceType::Full => full_price,
            PriceType::Half => (full_price + 1) / 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_price_is_half_of_full_rounded_to_the_cent() {
        assert_eq!(PriceType::Half.unit_price(10_000), 5_000);
        assert_eq!(PriceType::Half.unit_price(2_501), 1_251);
        assert_eq!(PriceType::Half.unit_price(1), 1);
        assert_eq!(PriceType::Full.unit_price(2_501), 2_501);
    }
}
