//! A QR code of a ticket's signed payload: the module matrix (drawn by the PDF) and a PNG
//! (inlined in e-mails, where SVG is not shown by most clients).

use super::qr_mask;
use qrcode::EcLevel;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The dark/light modules, row by row, with the standard 4-module quiet zone around them.
pub struct QrMatrix {
    pub size: usize,
    dark: Vec<bool>,
}

pub const QUIET_ZONE: usize = 4;

/// The last matrices drawn, by payload: a paid e-mail draws each ticket's QR twice (the
/// inline PNG and the PDF), and choosing a QR's mask (eight candidates, each scored) was a
/// third of the consumer's CPU (perf, docs/benchmarks.md). Small: the two drawings of one
/// e-mail are microseconds apart.
static RECENT: Mutex<VecDeque<(String, Arc<QrMatrix>)>> = Mutex::new(VecDeque::new());
const RECENT_KEPT: usize = 32;

impl QrMatrix {
    /// The QR of `text`, drawn once for the inline PNG and the PDF of the same e-mail.
    pub fn of(text: &str) -> Option<Arc<QrMatrix>> {
        let recent = |queue: &mut VecDeque<(String, Arc<QrMatrix>)>| {
            queue.iter().find(|(payload, _)| payload == text).map(|(_, qr)| qr.clone())
        };
        if let Some(qr) = RECENT.lock().ok().as_deref_mut().and_then(recent) {
            return Some(qr);
        }
        let qr = Arc::new(QrMatrix::draw(text)?);
        if let Ok(mut queue) = RECENT.lock() {
            if queue.len() == RECENT_KEPT {
                queue.pop_front();
            }
            queue.push_back((text.to_string(), qr.clone()));
        }
        Some(qr)
    }

    /// Level M (15% recovery): a phone screen with a crack or glare still scans. The modules
    /// are the `qrcode` crate's, its mask chosen faster (`qr_mask`).
    fn draw(text: &str) -> Option<QrMatrix> {
        let (modules, width) = qr_mask::modules(text.as_bytes(), EcLevel::M)?;
        let size = width + 2 * QUIET_ZONE;
        let mut dark = vec![false; size * size];
        for (i, is_dark) in modules.into_iter().enumerate() {
            let (x, y) = (i % width, i / width);
            dark[(y + QUIET_ZONE) * size + x + QUIET_ZONE] = is_dark;
        }
        Some(QrMatrix { size, dark })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.size + x]
    }

    /// A black-and-white PNG (one bit a pixel: an eighth of the bytes to compress of
    /// 8-bit grayscale), `scale` pixels per module (at least one).
    pub fn png(&self, scale: usize) -> Vec<u8> {
        let scale = scale.max(1);
        let side = self.size * scale;
        let row_bytes = side.div_ceil(8);
        // A set bit is white; each row starts on a byte, its last byte padded.
        // Each row of modules is drawn once, as one row of pixels, and copied `scale` times.
        let mut pixels = vec![0u8; row_bytes * side];
        for (module_row, band) in pixels.chunks_exact_mut(row_bytes * scale).enumerate() {
            let (first, copies) = band.split_at_mut(row_bytes);
            for module in (0..self.size).filter(|m| !self.is_dark(*m, module_row)) {
                for x in module * scale..(module + 1) * scale {
                    first[x / 8] |= 0x80 >> (x % 8);
                }
            }
            for copy in copies.chunks_exact_mut(row_bytes) {
                copy.copy_from_slice(first);
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
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

    #[test]
    fn the_png_shows_every_module_in_its_colour_and_the_second_drawing_is_the_first() {
        let payload = format!("BLH1.{}", "B".repeat(150));
        let qr = QrMatrix::of(&payload).expect("fits in a QR");
        assert!(Arc::ptr_eq(&qr, &QrMatrix::of(&payload).expect("fits")), "drawn once, kept for the PDF");
        let scale = 3;
        let mut decoder = png::Decoder::new(std::io::Cursor::new(qr.png(scale)));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut pixels).expect("a frame");
        assert_eq!((frame.width as usize, frame.height as usize), (qr.size * scale, qr.size * scale));
        let stride = frame.line_size;
        for y in 0..frame.height as usize {
            for x in 0..frame.width as usize {
                let dark = pixels[y * stride + x] == 0;
                assert_eq!(dark, qr.is_dark(x / scale, y / scale), "pixel ({x}, {y})");
            }
        }
    }
}
