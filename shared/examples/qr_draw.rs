//! How long drawing a ticket's QR takes: the `qrcode` crate choosing its mask, against
//! `QrMatrix::of` (the same modules, the mask chosen by `documents::qr_mask`). Distinct payloads,
//! so the recent-drawings cache never answers. Then the rest of a paid e-mail's documents per
//! ticket: the inline PNG (6 pixels a module) and the PDF's page (its QR drawn already, as
//! in the e-mail, where the PNG drew it first). A program, not a test:
//! `cargo run --release -p bilheteria-shared --example qr_draw` (docs/benchmarks.md).

use bilheteria::documents::qr::QrMatrix;
use bilheteria::documents::{tickets_pdf, PdfTicket};
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
    let texts = payloads(count, 180);
    let drawn: Vec<_> = texts.iter().map(|text| QrMatrix::of(text).expect("fits")).collect();
    let started = Instant::now();
    for qr in &drawn {
        std::hint::black_box(qr.png(6));
    }
    let png = started.elapsed().as_secs_f64() * 1e6 / count as f64;
    let last = texts.last().expect("payloads");
    let ticket = || PdfTicket {
        headline: "Festival de Verão".into(),
        lines: vec![("Data".into(), "12/12/2026 20:00 (horário de São Paulo)".into())],
        notice: None,
        qr_payload: last.clone(),
        code: "3F2A9C0B7D1E4F5A6B8C9D0E1F2A3B4C".into(),
        footer: "Apresente este QR na entrada.".into(),
    };
    let started = Instant::now();
    for _ in 0..count {
        std::hint::black_box(tickets_pdf("Ingressos", &[ticket()]));
    }
    let pdf = started.elapsed().as_secs_f64() * 1e6 / count as f64;
    println!("payload 185 bytes: the inline PNG {png:>4.0} us, the PDF's page {pdf:>4.0} us per ticket");
}
