//! An order's tickets as a PDF: one A4 page per ticket with the event, the facts the gate
//! and the holder need (label and value, already in the holder's language and the event's
//! time zone), and the QR drawn as vector rectangles (sharp at any zoom, scannable from paper).
//! Standard Helvetica (no font embedded): ~38 KB a page, most of it the QR's rectangles.

use super::qr::QrMatrix;
use super::win_ansi;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// One ticket, ready to lay out.
pub struct PdfTicket {
    /// The event's name, the page's headline.
    pub headline: String,
    /// Label and value, top to bottom ("Data" → "12/12/2026 20:00 (horário de São Paulo)").
    pub lines: Vec<(String, String)>,
    /// A highlighted notice (the half-price document check), if any.
    pub notice: Option<String>,
    pub qr_payload: String,
    /// Printed under the QR, for a gate that types it in.
    pub code: String,
    pub footer: String,
}

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 48.0;
const QR_SIDE: f32 = 220.0;

/// The PDF of `tickets`, one page each; `title` names the document (its metadata).
pub fn tickets_pdf(title: &str, tickets: &[PdfTicket]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 10;
    let page_ids: Vec<Ref> = (0..tickets.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(tickets.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(pdf_writer::TextStr(title)).producer(pdf_writer::TextStr("Bilheteria"));

    for (ticket, page_id) in tickets.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"R"), regular);
        fonts.pair(Name(b"B"), bold);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &draw(ticket));
    }
    pdf.finish()
}

fn text(content: &mut Content, font: &[u8], size: f32, x: f32, y: f32, value: &str) {
    let bytes = win_ansi::encode(value);
    content.begin_text();
    content.set_font(Name(font), size);
    content.next_line(x, y);
    content.show(Str(&bytes));
    content.end_text();
}

/// Cuts a line that would run off the page (Helvetica averages about half its size a
/// character), at a character boundary.
fn fit(value: &str, size: f32, width: f32) -> String {
    let max = (width / (size * 0.5)) as usize;
    if value.chars().count() <= max {
        return value.to_string();
    }
    let mut cut: String = value.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn draw(ticket: &PdfTicket) -> Vec<u8> {
    let mut c = Content::new();
    let width = A4.0 - 2.0 * MARGIN;
    // The brand band.
    c.set_fill_rgb(0.12, 0.16, 0.45);
    c.rect(0.0, A4.1 - 64.0, A4.0, 64.0);
    c.fill_nonzero();
    c.set_fill_gray(1.0);
    text(&mut c, b"B", 20.0, MARGIN, A4.1 - 42.0, "BILHETERIA");
    c.set_fill_gray(0.0);

    let mut y = A4.1 - 110.0;
    text(&mut c, b"B", 22.0, MARGIN, y, &fit(&ticket.headline, 22.0, width));
    y -= 40.0;
    let column = width - QR_SIDE - 24.0;
    let qr_top = y + 8.0;
    for (label, value) in &ticket.lines {
        c.set_fill_gray(0.35);
        text(&mut c, b"R", 9.0, MARGIN, y, &label.to_uppercase());
        c.set_fill_gray(0.0);
        text(&mut c, b"B", 13.0, MARGIN, y - 16.0, &fit(value, 13.0, column));
        y -= 42.0;
    }
    if let Some(notice) = &ticket.notice {
        c.set_fill_rgb(0.99, 0.93, 0.75);
        c.rect(MARGIN - 6.0, y - 10.0, column + 6.0, 28.0);
        c.fill_nonzero();
        c.set_fill_rgb(0.45, 0.25, 0.0);
        text(&mut c, b"B", 12.0, MARGIN, y, &fit(notice, 12.0, column));
        c.set_fill_gray(0.0);
    }

    if let Some(qr) = QrMatrix::of(&ticket.qr_payload) {
        let module = QR_SIDE / qr.size as f32;
        let left = A4.0 - MARGIN - QR_SIDE;
        let bottom = qr_top - QR_SIDE;
        // One rectangle per run of dark modules in a row, not one per module: half the
        // operators to write, each with four numbers to format (727 rectangles for a ticket
        // QR's 1,426 dark modules), and no hairline seams between neighbours in a row in
        // viewers that anti-alias each rectangle's edges.
        for row in 0..qr.size {
            // PDF's y grows upwards; the QR's rows go down.
            let y = bottom + (qr.size - 1 - row) as f32 * module;
            let mut col = 0;
            while col < qr.size {
                if !qr.is_dark(col, row) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < qr.size && qr.is_dark(col, row) {
                    col += 1;
                }
                c.rect(left + start as f32 * module, y, (col - start) as f32 * module, module);
            }
        }
        c.fill_nonzero();
        text(&mut c, b"R", 8.0, left, bottom - 14.0, &ticket.code);
    }

    c.set_fill_gray(0.3);
    text(&mut c, b"R", 10.0, MARGIN, 60.0, &fit(&ticket.footer, 10.0, width));
    c.finish().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(name: &str) -> PdfTicket {
        PdfTicket {
            headline: name.into(),
            lines: vec![("Data".into(), "12/12/2026 20:00 (horário de São Paulo)".into())],
            notice: Some("MEIA — conferir documento".into()),
            qr_payload: format!("BLH1.{}", "x".repeat(150)),
            code: "3F2A9C0B7D1E4F5A6B8C9D0E1F2A3B4C".into(),
            footer: "Apresente este QR na entrada.".into(),
        }
    }

    #[test]
    fn each_ticket_is_a_page_and_the_text_is_in_the_file() {
        let pdf = tickets_pdf("Ingressos", &[ticket("Festival de Verão"), ticket("Festival de Verão")]);
        assert!(pdf.starts_with(b"%PDF-"));
        let raw = String::from_utf8_lossy(&pdf);
        let pages = raw.matches("/Type /Page").count() - raw.matches("/Type /Pages").count();
        assert_eq!(pages, 2);
        // Content streams are not compressed: the code is there as it is; the headline, with a
        // byte past ASCII, is written as a hex string, its 'ã' as WinAnsi's E3.
        assert!(pdf.windows(32).any(|w| w == b"3F2A9C0B7D1E4F5A6B8C9D0E1F2A3B4C"));
        let hex: String = win_ansi::encode("Festival de Verão").iter().map(|b| format!("{b:02X}")).collect();
        assert!(hex.contains("E3") && (raw.contains(&hex) || raw.contains(&hex.to_lowercase())), "{hex}");
    }

    /// The QR's rectangles, read back from the page's content: each dark module covered
    /// once, no light one covered, and fewer rectangles than dark modules.
    #[test]
    fn the_qr_is_one_rectangle_per_run_of_dark_modules_covering_exactly_the_dark_ones() {
        let ticket = ticket("Festival de Verão");
        let qr = QrMatrix::of(&ticket.qr_payload).expect("fits in a QR");
        let content = String::from_utf8_lossy(&draw(&ticket)).into_owned();
        let tokens: Vec<&str> = content.split_whitespace().collect();
        let (module, left) = (QR_SIDE / qr.size as f32, A4.0 - MARGIN - QR_SIDE);
        let number = |token: &str| token.parse::<f32>().expect("a number before `re`");
        let rects: Vec<[f32; 4]> = tokens
            .windows(5)
            .filter(|w| w[4] == "re")
            .map(|w| [number(w[0]), number(w[1]), number(w[2]), number(w[3])])
            .filter(|[x, _, _, height]| *x >= left - 0.01 && (height - module).abs() < 1e-3)
            .collect();
        // A finder pattern puts dark modules on the symbol's last row, above the quiet zone:
        // the lowest rectangles'.
        let lowest = rects.iter().map(|r| r[1]).fold(f32::INFINITY, f32::min);
        let last_row = qr.size - 1 - crate::documents::qr::QUIET_ZONE;
        let mut covered = vec![0; qr.size * qr.size];
        for [x, y, width, _] in &rects {
            let row = last_row - ((y - lowest) / module).round() as usize;
            let first = ((x - left) / module).round() as usize;
            for col in first..first + (width / module).round() as usize {
                covered[row * qr.size + col] += 1;
            }
        }
        let mut dark = 0;
        for row in 0..qr.size {
            for col in 0..qr.size {
                let expected = usize::from(qr.is_dark(col, row));
                dark += expected;
                assert_eq!(covered[row * qr.size + col], expected, "module ({col}, {row})");
            }
        }
        assert!(rects.len() < dark, "{} rectangles for {dark} dark modules", rects.len());
    }
}
