//! Documents the box office hands out, rendered in memory with no I/O: a ticket's QR as a
//! PNG (for e-mails) and the tickets of an order as a PDF (to download, print or attach).

pub mod qr;
mod qr_mask;
pub mod ticket_pdf;
mod win_ansi;

pub use ticket_pdf::{tickets_pdf, PdfTicket};
