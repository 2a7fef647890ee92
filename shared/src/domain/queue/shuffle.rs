//! The draw at the opening: a keyed pseudo-random permutation of `1..=count`.
//!
//! Everyone who joined before the opening holds an arrival number `1..=count`; the draw
//! turns it into a place with a permutation keyed by a seed drawn at the opening, so the
//! order of arrival says nothing about the place, and no pass over the waiting people is
//! needed (a place is computed when it is asked for). The permutation is a balanced
//! four-round Feistel network over HMAC-SHA256 on the smallest even-bit domain that holds
//! `count`, with cycle walking to stay inside `0..count`. A Feistel network is a bijection
//! whatever its round function, so every place is given exactly once.

use hmac::{Hmac, Mac};
use sha2::Sha256;

const ROUNDS: u8 = 4;

/// The place of arrival `arrival` (1-based) among `count` early arrivals under `seed`.
/// `None` when `arrival` is not in `1..=count`.
pub fn shuffled_place(seed: &[u8], count: i64, arrival: i64) -> Option<i64> {
    if count < 1 || !(1..=count).contains(&arrival) {
        return None;
    }
    let count = count as u64;
    let half_bits = half_bits_for(count);
    let mut x = (arrival - 1) as u64;
    // Cycle walking: the domain is at most 4 × count, so this ends after ~4 steps on average.
    loop {
        x = feistel(seed, half_bits, x);
        if x < count {
            return Some(x as i64 + 1);
        }
    }
}

/// Half the bits of the smallest even-bit power of two ≥ count (at least 1 bit per half).
fn half_bits_for(count: u64) -> u32 {
    let bits = (64 - (count - 1).leading_zeros()).max(2);
    bits.div_ceil(2)
}

fn feistel(seed: &[u8], half_bits: u32, x: u64) -> u64 {
    let mask = (1u64 << half_bits) - 1;
    let (mut left, mut right) = (x >> half_bits, x & mask);
    for round in 0..ROUNDS {
        let next = left ^ (round_value(seed, round, right) & mask);
        left = right;
        right = next;
    }
    (left << half_bits) | right
}

fn round_value(seed: &[u8], round: u8, half: u64) -> u64 {
    let mut mac = Hmac::<Sha256>::new_from_slice(seed).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(&[round]);
    mac.update(&half.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_early_arrival_gets_exactly_one_place_and_every_place_is_given() {
        for count in [1i64, 2, 3, 4, 5, 7, 16, 17, 100, 1000, 4097] {
            let mut places: Vec<i64> =
                (1..=count).map(|n| shuffled_place(b"seed", count, n).expect("in range")).collect();
            places.sort_unstable();
            assert_eq!(places, (1..=count).collect::<Vec<_>>(), "a permutation of 1..={count}");
        }
    }

    #[test]
    fn arrivals_outside_the_draw_have_no_shuffled_place() {
        assert_eq!(shuffled_place(b"seed", 10, 0), None);
        assert_eq!(shuffled_place(b"seed", 10, 11), None);
        assert_eq!(shuffled_place(b"seed", 0, 1), None);
    }

    #[test]
    fn another_seed_gives_another_order() {
        let a: Vec<i64> = (1..=50).map(|n| shuffled_place(b"one", 50, n).expect("place")).collect();
        let b: Vec<i64> = (1..=50).map(|n| shuffled_place(b"two", 50, n).expect("place")).collect();
        assert_ne!(a, b);
    }

    /// Spearman's rank correlation between arrival and place over 10,000 early joins, for
    /// several seeds: for a random permutation it is ~N(0, 1/√9999) ≈ ±0.01, so |ρ| < 0.04
    /// is four standard deviations. The first to click is not ahead.
    #[test]
    fn arrival_order_says_nothing_about_the_place_over_ten_thousand_joins() {
        let n = 10_000i64;
        for seed in [b"opening-1".as_slice(), b"opening-2", b"opening-3"] {
            let places: Vec<i64> = (1..=n).map(|a| shuffled_place(seed, n, a).expect("place")).collect();
            let rho = spearman(&places);
            assert!(rho.abs() < 0.04, "rank correlation {rho} for seed {seed:?}");
            let first_hundred_mean = places[..100].iter().sum::<i64>() as f64 / 100.0;
            // The first hundred clicks' mean place: ~5,000 ± 289 (4 σ).
            assert!((first_hundred_mean - 5000.5).abs() < 1160.0, "the first 100 average place {first_hundred_mean}");
        }
    }

    /// Ranks are 1..=n on both sides, so ρ = 1 − 6 Σd² / (n(n² − 1)).
    fn spearman(places: &[i64]) -> f64 {
        let n = places.len() as f64;
        let d2: f64 = places.iter().enumerate().map(|(i, p)| ((i as i64 + 1 - p) as f64).powi(2)).sum();
        1.0 - 6.0 * d2 / (n * (n * n - 1.0))
    }
}
