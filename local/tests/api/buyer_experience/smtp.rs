//! E-mail over a real SMTP server (aiosmtpd, started here on a free port, its Maildir in a
//! temporary directory): each buyer reads their language, the event's local time, a link to
//! the order, every ticket's QR inline and the tickets as a PDF; a redelivered message sends
//! nothing twice.

use crate::helpers::Harness;
use bilheteria::config::MailTransport;
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A Python with aiosmtpd: `SMTP_TEST_PYTHON`, else the suite's cached venv (local/test.sh
/// installs it there), else the system's.
fn python_with_aiosmtpd() -> String {
    let venv = std::env::var("HOME").map(|h| format!("{h}/.cache/bilheteria/venv/bin/python")).unwrap_or_default();
    let candidates = [std::env::var("SMTP_TEST_PYTHON").unwrap_or_default(), venv, "python3".to_string()];
    for python in candidates.iter().filter(|p| !p.is_empty()) {
        let ok = std::process::Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return python.clone();
        }
    }
    panic!("no Python with aiosmtpd: run through local/test.sh, or `pip install aiosmtpd` and set SMTP_TEST_PYTHON");
}

struct SmtpServer {
    port: u16,
    maildir: PathBuf,
    _process: tokio::process::Child,
}

async fn start_smtp_server() -> SmtpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
    let maildir = std::env::temp_dir().join(bilheteria_testkit::harness::unique_name("maildir"));
    let process = tokio::process::Command::new(python_with_aiosmtpd())
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("aiosmtpd starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return SmtpServer { port, maildir, _process: process };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not listen on {port}");
}

/// Every message delivered so far, raw.
fn delivered(maildir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.filter_map(|e| e.ok()).filter_map(|e| std::fs::read(e.path()).ok()).collect()
}

async fn wait_for(maildir: &Path, count: usize) -> Vec<Vec<u8>> {
    for _ in 0..100 {
        let mail = delivered(maildir);
        if mail.len() >= count {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    delivered(maildir)
}

#[tokio::test]
async fn the_paid_email_arrives_in_the_buyers_language_with_local_time_link_qr_and_pdf() {
    let smtp = start_smtp_server().await;
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let h = Harness::start_with(|c| {
        c.mail = MailTransport::Smtp { url, from: "Bilheteria <ingressos@bilheteria.test>".into() };
    })
    .await;
    let admin = h.admin().await;
    let event = h
        .post(
            "/api/v1/admin/events",
            Some(&admin),
            json!({"name": "Ópera no Teatro", "venue": "Teatro Amazonas", "starts_at": "2035-03-01T23:30:00Z",
                   "time_zone": "America/Manaus", "sectors": [{"name": "Plateia", "price_cents": 15_000, "capacity": 10}]}),
        )
        .await;
    let event = event.body["id"].as_str().expect("event").to_string();
    let english = h.buyer().await;
    let set =
        h.call(reqwest::Method::PUT, "/api/v1/me/language", Some(&english), Some(json!({"language": "en"}))).await;
    assert_eq!((set.status, set.body["language"].as_str()), (StatusCode::OK, Some("en")), "{}", set.body);
    let portuguese = h.buyer().await;

    let mut orders = Vec::new();
    for buyer in [&english, &portuguese] {
        let order = h.reserve(buyer, &event, "Plateia", "half", 2).await;
        let id = order.body["id"].as_str().expect("order").to_string();
        assert_eq!(
            h.post(&format!("/api/v1/orders/{id}/pay"), Some(buyer), json!({"method": "pix"})).await.status,
            StatusCode::ACCEPTED
        );
        assert!(h.settle_payment(&id).await, "paid now");
        orders.push(id);
    }
    let mail = wait_for(&smtp.maildir, 2).await;
    assert_eq!(mail.len(), 2, "one 'paid' e-mail per order");
    let parsed: Vec<_> =
        mail.iter().map(|raw| mail_parser::MessageParser::default().parse(raw).expect("a MIME message")).collect();
    for (order, lang) in orders.iter().zip(["en", "pt"]) {
        let message = parsed
            .iter()
            .find(|m| m.body_text(0).is_some_and(|t| t.contains(order.as_str())))
            .unwrap_or_else(|| panic!("the e-mail of order {order}"));
        let subject = message.subject().unwrap_or_default();
        let text = message.body_text(0).expect("a text part");
        let html = message.body_html(0).expect("an HTML part");
        // 23:30 UTC is 19:30 in Manaus: the event's zone, never UTC.
        if lang == "en" {
            assert_eq!(subject, "Your tickets: Ópera no Teatro");
            assert!(text.contains("Mar 1, 2035, 7:30 PM (Manaus time)"), "{text}");
            assert!(text.contains("HALF PRICE"), "{text}");
        } else {
            assert_eq!(subject, "Seus ingressos: Ópera no Teatro");
            assert!(text.contains("01/03/2035 19:30 (horário de Manaus)"), "{text}");
            assert!(text.contains("MEIA — conferir documento (estudante)"), "{text}");
        }
        assert!(!text.contains("UTC"), "{text}");
        assert!(html.contains(&format!("/order.html?id={order}")), "a link to the order");
        let images = message.attachments().filter(|a| a.content_type().is_some_and(|c| c.ctype() == "image")).count();
        assert_eq!(images, 2, "each ticket's QR inline");
        assert_eq!(html.matches("cid:qr-").count(), 2);
        let pdf = message
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
            .expect("the tickets' PDF");
        assert!(pdf.contents().starts_with(b"%PDF-"));
        let expected = if lang == "en" { format!("tickets-{order}.pdf") } else { format!("ingressos-{order}.pdf") };
        assert_eq!(pdf.attachment_name(), Some(expected.as_str()));
    }

    // A redelivered payment message finds its e-mail sent: nothing goes twice.
    let order = h
        .app
        .orders
        .find(&bilheteria::domain::OrderId::parse(&orders[0]).expect("id"))
        .await
        .expect("read")
        .expect("order");
    let tickets = h.app.tickets.for_order(&order.id).await.expect("tickets");
    bilheteria::services::notifications::paid(&h.app, &order, &tickets).await.expect("sent again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(delivered(&smtp.maildir).len(), 2);
    h.finish().await;
    let _ = std::fs::remove_dir_all(&smtp.maildir);
}

#[tokio::test]
async fn an_smtp_server_that_is_down_leaves_the_email_to_the_retry() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let url = format!("smtp://127.0.0.1:{port}");
    let h = Harness::start_with(|c| c.mail = MailTransport::Smtp { url, from: "Bilheteria <a@b.test>".into() }).await;
    let email = bilheteria::ports::Email::text("test:down".into(), "x@example.com".into(), "s".into(), "b".into());
    let failed = h.app.mailer.send(&email).await;
    assert!(matches!(failed, Err(bilheteria::AppError::Unavailable(_))), "{failed:?}");
    assert_eq!(h.count("emails", mongodb::bson::doc! {"_id": "test:down"}).await, 0, "the claim was given back");
    h.finish().await;
}
