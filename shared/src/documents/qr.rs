//! A QR code of a ticket's signed payload: the module matrix (drawn by the PDF) and a PNG
//! (inlined in e-mails, where SVG is not shown by most clients).

use qrcode::{Color, EcLevel, QrCode};

/// The dark/light modules, row by row, with the standard 4-module quiet zone around them.
pub struct QrMatrix {
    pub size: usize,
    dark: Vec<bool>,
}

pub const QUIET_ZONE: usize = 4;

impl QrMatrix {
    /// Level M (15% recovery): a phone screen with a crack or glare still scans.
    pub fn of(text: &str) -> Option<QrMatrix> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        let width = code.width();
        let size = width + 2 * QUIET_ZONE;
        let mut dark = vec![false; size * size];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            let (x, y) = (i % width, i / width);
            dark[(y + QUIET_ZONE) * size + x + QUIET_ZONE] = color == Color::Dark;
        }
        Some(QrMatrix { size, dark })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.size + x]
    }

    /// A grayscale PNG, `scale` pixels per module.
    pub fn png(&self, scale: usize) -> Vec<u8> {
        let side = self.size * scale;
        let mut pixels = Vec::with_capacity(side * side);
        for y in 0..side {
            for x in 0..side {
                pixels.push(if self.is_dark(x / scale, y / scale) { 0u8 } else { 255u8 });
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        // Writing to a Vec cannot fail but for a header/data mismatch, which is ours above.
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&pixels);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_payload_becomes_a_png_with_a_quiet_zone() {
        let payload = format!("BLH1.{}", "A".repeat(180));
        let qr = QrMatrix::of(&payload).expect("fits in a QR");
        assert!(!qr.is_dark(0, 0) && !qr.is_dark(QUIET_ZONE - 1, QUIET_ZONE - 1));
        // The finder pattern's corner is dark.
        assert!(qr.is_dark(QUIET_ZONE, QUIET_ZONE));
        let png = qr.png(4);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
