//! A QR's modules with the mask the `qrcode` crate would choose, chosen faster.
//!
//! The crate scores its eight candidate masks (ISO/IEC 18004 §7.8.3: runs, 2×2 blocks,
//! finder-like patterns, balance) module by module through a boxed closure per position, and
//! that was a third of the consumer's CPU even with each QR drawn once (perf,
//! docs/benchmarks.md). Here each candidate is masked by the crate itself and scored on a flat
//! grid of booleans, by the crate's own rules, so the winner is the crate's: a test draws many
//! payloads both ways and compares every module.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{bits, ec, Color, EcLevel};

const CANDIDATES: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The dark modules of `text`'s QR at level `ec_level`, row by row, and its width; `None`
/// when it does not fit in a QR.
pub fn modules(text: &[u8], ec_level: EcLevel) -> Option<(Vec<bool>, usize)> {
    let bits = bits::encode_auto(text, ec_level).ok()?;
    let version = bits.version();
    let (data, ec) = ec::construct_codewords(&bits.into_bytes(), version, ec_level).ok()?;
    let mut canvas = Canvas::new(version, ec_level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = usize::try_from(version.width()).ok()?;
    // The first of the lowest scores wins, as in the crate (`min_by_key`).
    CANDIDATES
        .iter()
        .map(|pattern| {
            let mut masked = canvas.clone();
            masked.apply_mask(*pattern);
            let dark: Vec<bool> = masked.into_colors().into_iter().map(|c| c == Color::Dark).collect();
            (penalty(&dark, width), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| (dark, width))
}

/// The crate's penalty for a masked symbol (`Canvas::compute_total_penalty_scores`).
fn penalty(dark: &[bool], width: usize) -> i64 {
    let at = |x: usize, y: usize| dark[y * width + x];
    let across = |line: usize| move |k: usize| at(k, line);
    let down = |line: usize| move |k: usize| at(line, k);
    let mut score = 0;
    for line in 0..width {
        score += runs(across(line), width) + runs(down(line), width);
        score += finder_like(across(line), width) + finder_like(down(line), width);
    }
    // The three finder patterns themselves match three times per direction each.
    score -= 2 * 360;
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let this = at(x, y);
            if this == at(x + 1, y) && this == at(x, y + 1) && this == at(x + 1, y + 1) {
                score += 3;
            }
        }
    }
    let dark_count = dark.iter().filter(|d| **d).count();
    let ratio = dark_count * 200 / dark.len();
    score + ratio.abs_diff(100) as i64
}

/// Runs of five or more alike in one line: 3 points, plus one per module past five.
fn runs(module: impl Fn(usize) -> bool, width: usize) -> i64 {
    let mut score = 0;
    let mut run = 1;
    for k in 1..=width {
        if k < width && module(k) == module(k - 1) {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    score
}

/// Dark-light-dark×3-light-dark in one line with no dark module among the four on either
/// side (the edge counts as light): 40 points each.
fn finder_like(module: impl Fn(usize) -> bool, width: usize) -> i64 {
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    for j in 0..width.saturating_sub(6) {
        if (0..7).any(|k| module(j + k) != PATTERN[k]) {
            continue;
        }
        let dark_before = (j.saturating_sub(4)..j).any(&module);
        let dark_after = (j + 7..(j + 11).min(width)).any(&module);
        if !dark_before || !dark_after {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::QrCode;

    /// Payloads of every length from 1 to 300 bytes, of the ticket's alphabet and of others
    /// (digits, bytes), each drawn here and by the crate: the same modules, every one.
    #[test]
    fn every_payload_gets_the_same_modules_as_the_crate_draws() {
        let alphabets: [&[u8]; 3] = [
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
            b"0123456789",
            b"BLH1.:/ %$*+-abc\xc3\xa9\x00\xff",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut drawn = 0;
        for length in 1..=300 {
            for alphabet in alphabets {
                let text: Vec<u8> = (0..length)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let crate_drawn = QrCode::with_error_correction_level(&text, EcLevel::M).expect("fits");
                let (ours, width) = modules(&text, EcLevel::M).expect("fits");
                assert_eq!(width, crate_drawn.width(), "width for {length} bytes");
                let theirs: Vec<bool> = crate_drawn.to_colors().into_iter().map(|c| c == Color::Dark).collect();
                assert_eq!(ours, theirs, "modules for {:?}", String::from_utf8_lossy(&text));
                drawn += 1;
            }
        }
        assert_eq!(drawn, 900);
    }

    #[test]
    fn too_much_for_a_qr_is_none() {
        assert!(modules(&[b'x'; 3000], EcLevel::M).is_none());
    }
}
