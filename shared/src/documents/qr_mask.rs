//! A QR's modules with the mask the `qrcode` crate would choose, chosen faster.
//!
//! The crate scores its eight candidate masks (ISO/IEC 18004 §7.8.3: runs, 2×2 blocks,
//! finder-like patterns, balance) module by module through a boxed closure per position, and
//! that was a third of the consumer's CPU even with each QR drawn once (perf,
//! docs/benchmarks.md). Here each candidate is masked by the crate itself and scored by the
//! crate's own rules on its lines as bit sets — each row and each column one `u128`, so a
//! rule is a few shifts and a population count per line instead of a test per module. The
//! winner is the crate's: a test draws many payloads both ways and compares every module.
//! A symbol wider than 128 modules (version 28 and up: over a kilobyte of payload at level M,
//! the tickets' level, whose payloads are ~200 bytes) is left to the crate.

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

/// The widest symbol whose lines fit in a `u128`.
const WIDEST_AS_BITS: usize = 128;

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
    let dark = |colors: Vec<Color>| colors.into_iter().map(|c| c == Color::Dark).collect();
    if width > WIDEST_AS_BITS {
        return Some((dark(canvas.apply_best_mask().into_colors()), width));
    }
    // The first of the lowest scores wins, as in the crate (`min_by_key`).
    CANDIDATES
        .iter()
        .map(|pattern| {
            let mut masked = canvas.clone();
            masked.apply_mask(*pattern);
            let colors = masked.into_colors();
            (penalty(&Lines::of(&colors, width)), colors)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, colors)| (dark(colors), width))
}

/// A symbol's rows and columns, bit `k` of a line set when its `k`th module is dark.
struct Lines {
    rows: Vec<u128>,
    columns: Vec<u128>,
    width: usize,
}

impl Lines {
    fn of(colors: &[Color], width: usize) -> Lines {
        let mut rows = vec![0u128; width];
        let mut columns = vec![0u128; width];
        for (y, row) in colors.chunks_exact(width).enumerate() {
            for (x, color) in row.iter().enumerate() {
                if *color == Color::Dark {
                    rows[y] |= 1 << x;
                    columns[x] |= 1 << y;
                }
            }
        }
        Lines { rows, columns, width }
    }
}

/// The lowest `n` bits set.
fn low_bits(n: usize) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

/// The crate's penalty for a masked symbol (`Canvas::compute_total_penalty_scores`).
fn penalty(lines: &Lines) -> i64 {
    let width = lines.width;
    let mut score = 0;
    for line in lines.rows.iter().chain(&lines.columns) {
        score += runs(*line, width) + finder_like(*line, width);
    }
    // The three finder patterns themselves match three times per direction each.
    score -= 2 * 360;
    // 2×2 blocks of one colour: 3 points each.
    let pairs = low_bits(width - 1);
    for rows in lines.rows.windows(2) {
        let (top, bottom) = (rows[0], rows[1]);
        let alike_across = !(top ^ (top >> 1)) & !(bottom ^ (bottom >> 1));
        let alike_down = !(top ^ bottom);
        score += 3 * i64::from((alike_across & alike_down & pairs).count_ones());
    }
    let dark_count: u32 = lines.rows.iter().map(|r| r.count_ones()).sum();
    let ratio = dark_count as usize * 200 / (width * width);
    score + ratio.abs_diff(100) as i64
}

/// Runs of five or more alike in one line: 3 points, plus one per module past five. A run
/// of `n` holds `n - 4` windows of five alike, and one of them starts it: `n - 2` is the
/// windows plus two per run.
fn runs(line: u128, width: usize) -> i64 {
    let alike_next = !(line ^ (line >> 1)) & low_bits(width - 1);
    let five_alike = alike_next & (alike_next >> 1) & (alike_next >> 2) & (alike_next >> 3);
    let run_starts = five_alike & !(five_alike << 1);
    i64::from(five_alike.count_ones()) + 2 * i64::from(run_starts.count_ones())
}

/// Dark-light-dark×3-light-dark in one line with no dark module among the four on either
/// side (the edge counts as light): 40 points each.
fn finder_like(line: u128, width: usize) -> i64 {
    let light = !line & low_bits(width);
    let pattern = line
        & (light >> 1)
        & (line >> 2)
        & (line >> 3)
        & (line >> 4)
        & (light >> 5)
        & (line >> 6)
        & low_bits(width.saturating_sub(6));
    // Bit `j`: a dark module among the four before `j`, or among the four after `j + 6`.
    let dark_before = (line << 1) | (line << 2) | (line << 3) | (line << 4);
    let dark_after = (line >> 7) | (line >> 8) | (line >> 9) | (line >> 10);
    40 * i64::from((pattern & !(dark_before & dark_after)).count_ones())
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

    /// Over 128 modules wide the crate chooses the mask itself: still the crate's modules.
    #[test]
    fn a_symbol_too_wide_for_the_bit_lines_gets_the_crates_modules_too() {
        for length in [1_400, 1_800, 2_200] {
            let text: Vec<u8> = (0..length).map(|i| b"0123456789ABCDEFabcdef-_."[i % 25]).collect();
            let crate_drawn = QrCode::with_error_correction_level(&text, EcLevel::M).expect("fits");
            assert!(crate_drawn.width() > WIDEST_AS_BITS, "{length} bytes make a symbol wider than the bit lines");
            let (ours, width) = modules(&text, EcLevel::M).expect("fits");
            assert_eq!(width, crate_drawn.width());
            let theirs: Vec<bool> = crate_drawn.to_colors().into_iter().map(|c| c == Color::Dark).collect();
            assert_eq!(ours, theirs, "modules for {length} bytes");
        }
    }

    #[test]
    fn too_much_for_a_qr_is_none() {
        assert!(modules(&[b'x'; 3000], EcLevel::M).is_none());
    }
}
