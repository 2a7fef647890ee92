//! The CPF (Cadastro de Pessoas Físicas): eleven digits, the last two check digits of the
//! first nine. Accepted written with or without its dots and dash; stored as the digits.

use super::refusal::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpf(String);

impl Cpf {
    /// `123.456.789-09`, `12345678909` and `123456789-09` are the same CPF; anything but
    /// digits and those separators, a wrong length, a repeated digit (`111.111.111-11`
    /// passes the check digits but is no one's) or wrong check digits is refused.
    pub fn parse(raw: &str) -> Result<Cpf, Invalid> {
        let bad = |why: &str| Invalid::coded("invalid_cpf", format!("the CPF {why}"));
        let trimmed = raw.trim();
        if trimmed.chars().any(|c| !(c.is_ascii_digit() || c == '.' || c == '-' || c == ' ')) {
            return Err(bad("may only hold digits, dots and a dash"));
        }
        let digits: Vec<u32> = trimmed.chars().filter_map(|c| c.to_digit(10)).collect();
        if digits.len() != 11 {
            return Err(bad("must have 11 digits"));
        }
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(bad("is not valid"));
        }
        if check_digit(&digits[..9]) != digits[9] || check_digit(&digits[..10]) != digits[10] {
            return Err(bad("has wrong check digits"));
        }
        Ok(Cpf(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()))
    }

    /// The eleven digits, as stored.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// `123.456.789-09`, as people write it.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}.{}.{}-{}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }
}

/// The check digit of `digits` (weights from `len + 1` down to 2; 10 counts as 0).
fn check_digit(digits: &[u32]) -> u32 {
    let weight_of_first = digits.len() as u32 + 1;
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (weight_of_first - i as u32)).sum();
    match (sum * 10) % 11 {
        10 => 0,
        r => r,
    }
}

impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl TryFrom<String> for Cpf {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Cpf::parse(&raw)
    }
}

impl From<Cpf> for String {
    fn from(cpf: Cpf) -> String {
        cpf.0
    }
}

/// A valid CPF from nine digits (tests, seeds, the benchmark's buyers).
pub fn cpf_from_base(base: u32) -> Cpf {
    let mut digits: Vec<u32> = format!("{:09}", base % 1_000_000_000).chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.iter().all(|d| *d == digits[0]) {
        digits[8] = (digits[8] + 1) % 10;
    }
    let first = check_digit(&digits);
    digits.push(first);
    let second = check_digit(&digits);
    digits.push(second);
    Cpf(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_cpf_is_accepted_formatted_or_not_and_stored_as_digits() {
        for raw in ["529.982.247-25", "52998224725", " 529982247-25 ", "529 982 247 25"] {
            let cpf = Cpf::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(cpf.digits(), "52998224725");
            assert_eq!(cpf.formatted(), "529.982.247-25");
        }
    }

    #[test]
    fn wrong_check_digits_are_refused() {
        for raw in ["529.982.247-24", "529.982.247-15", "12345678900"] {
            let err = Cpf::parse(raw).expect_err(raw);
            assert_eq!(err.code, "invalid_cpf");
            assert!(err.detail.contains("check digits"), "{raw}: {}", err.detail);
        }
    }

    #[test]
    fn a_wrong_length_letters_or_a_repeated_digit_are_refused() {
        for raw in ["", "5299822472", "529982247255", "529.982.247-2a", "111.111.111-11", "000.000.000-00"] {
            assert!(Cpf::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn generated_cpfs_pass_their_own_check() {
        for base in [0, 1, 123_456_789, 999_999_999, 52_998_224] {
            let cpf = cpf_from_base(base);
            assert_eq!(Cpf::parse(cpf.digits()), Ok(cpf.clone()), "{base}");
        }
    }
}
