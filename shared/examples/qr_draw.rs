//! How long drawing a ticket's QR takes: the `qrcode` crate choosing its mask, against
//! `QrMatrix::of` (the same modules, the mask chosen by `documents::qr_mask`). Distinct payloads,
//! so the recent-drawings cache never answers. A program, not a test:
//! `cargo run --release -p bilheteria-shared --example qr_draw` (docs/benchmarks.md).

use bilheteria::documents::qr::QrMatrix;
use qrcode::{EcLevel, QrCode};
use std::time::Instant;

fn payloads(count: usize, length: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    (0..count)
        .map(|_| {
            let body: String = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ALPHABET[(seed % ALPHABET.len() as u64) as usize] as char
                })
                .collect();
            format!("BLH1.{body}")
        })
        .collect()
}

fn main() {
    let count = 400;
    for length in [120, 180, 240] {
        let texts = payloads(count, length);
        let started = Instant::now();
        for text in &texts {
            std::hint::black_box(QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).expect("fits"));
        }
        let by_crate = started.elapsed().as_secs_f64() * 1e6 / count as f64;
        let started = Instant::now();
        for text in &texts {
            std::hint::black_box(QrMatrix::of(text).expect("fits"));
        }
        let ours = started.elapsed().as_secs_f64() * 1e6 / count as f64;
        let width = QrCode::with_error_correction_level(texts[0].as_bytes(), EcLevel::M).expect("fits").width();
        println!(
            "payload {:>3} bytes ({width}x{width} modules): crate {by_crate:>7.0} us, QrMatrix::of {ours:>6.0} us per QR ({:.1}x)",
            length + 5,
            by_crate / ours
        );
    }
}
