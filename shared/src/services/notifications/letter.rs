//! One e-mail's content, written once and rendered twice: plain text (every client reads
//! it) and HTML (escaped everywhere; QR codes as inline PNG images, `cid:`, since most
//! clients block `data:` URLs and SVG).

use crate::documents::qr::QrMatrix;
use crate::domain::Language;
use crate::ports::{Attachment, Email};

/// A ticket as an e-mail shows it.
pub struct TicketBlock {
    pub heading: String,
    pub details: Vec<String>,
    pub qr_payload: String,
}

pub struct Letter {
    pub language: Language,
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// The one thing to do next: its label and its link.
    pub action: Option<(String, String)>,
    pub tickets: Vec<TicketBlock>,
    /// Under the ticket list in the text part: what the QR text is for.
    pub qr_hint: String,
    pub signature: String,
    pub files: Vec<Attachment>,
}

impl Letter {
    pub fn new(language: Language, subject: String, greeting: String) -> Self {
        Letter {
            language,
            subject,
            greeting,
            paragraphs: Vec::new(),
            action: None,
            tickets: Vec::new(),
            qr_hint: String::new(),
            signature: "Bilheteria".into(),
            files: Vec::new(),
        }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    pub fn action(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.action = Some((label.into(), url.into()));
        self
    }

    pub fn signed(mut self, signature: impl Into<String>) -> Self {
        self.signature = signature.into();
        self
    }

    pub fn into_email(self, id: String, to: String) -> Email {
        let body = self.text();
        let html = self.html();
        let mut attachments: Vec<Attachment> = self
            .tickets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                QrMatrix::of(&t.qr_payload).map(|qr| Attachment {
                    filename: format!("qr-{}.png", i + 1),
                    content_type: "image/png".into(),
                    content: qr.png(6),
                    inline_id: Some(format!("qr-{}", i + 1)),
                })
            })
            .collect();
        attachments.extend(self.files);
        Email { id, to, subject: self.subject, body, html: Some(html), attachments }
    }

    fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.greeting);
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        for t in &self.tickets {
            out.push_str(&format!("  • {}\n", t.heading));
            for d in &t.details {
                out.push_str(&format!("    {d}\n"));
            }
            out.push_str(&format!("    {}: {}\n\n", self.qr_hint, t.qr_payload));
        }
        out.push_str(&self.signature);
        out.push('\n');
        out
    }

    fn html(&self) -> String {
        let mut body = format!("<p style=\"font-size:16px\">{}</p>", escape(&self.greeting));
        for p in &self.paragraphs {
            body.push_str(&format!("<p style=\"font-size:15px;line-height:1.5\">{}</p>", escape(p)));
        }
        if let Some((label, url)) = &self.action {
            body.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#1e3a8a;color:#ffffff;padding:12px 20px;\
                 border-radius:6px;text-decoration:none;font-weight:bold\">{}</a></p>",
                escape(url),
                escape(label)
            ));
        }
        for (i, t) in self.tickets.iter().enumerate() {
            body.push_str(
                "<table role=\"presentation\" style=\"border:1px solid #d1d5db;border-radius:8px;margin:16px 0;width:100%\"><tr>",
            );
            body.push_str(&format!(
                "<td style=\"padding:16px;vertical-align:top\"><p style=\"font-weight:bold;font-size:16px;margin:0 0 8px\">{}</p>",
                escape(&t.heading)
            ));
            for d in &t.details {
                body.push_str(&format!("<p style=\"margin:2px 0;color:#374151\">{}</p>", escape(d)));
            }
            body.push_str(&format!(
                "</td><td style=\"padding:16px;width:200px\"><img src=\"cid:qr-{}\" width=\"200\" height=\"200\" alt=\"QR\"></td></tr></table>",
                i + 1
            ));
        }
        body.push_str(&format!("<p style=\"color:#4b5563;font-size:13px\">{}</p>", escape(&self.signature)));
        format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:Arial,Helvetica,sans-serif;color:#111827;max-width:640px;margin:0 auto;padding:16px\">\
             <div style=\"background:#1e3a8a;color:#ffffff;padding:12px 16px;font-weight:bold;font-size:18px\">Bilheteria</div>{}</body></html>",
            self.language.as_str(),
            escape(&self.subject),
            body
        )
    }
}

/// Everything a person typed (names, events, venues) is escaped before it meets HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_an_event_name_is_shown_as_text_in_the_html_part() {
        let letter = Letter::new(Language::En, "<b>Show</b>".into(), "Hi, <script>x</script>!".into())
            .paragraph("a & b")
            .action("See", "https://example.com/order.html?id=1&x=\"2\"");
        let email = letter.into_email("id".into(), "to@example.com".into());
        let html = email.html.unwrap();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("a &amp; b") && html.contains("lang=\"en\""));
        assert!(email.body.contains("See: https://example.com/order.html?id=1&x=\"2\""));
    }
}
