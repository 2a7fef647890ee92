//! What a buyer and an admin take away: the tickets as a PDF, and an event's orders as a
//! spreadsheet (pt-BR Excel, or raw for programs) — a large one through a short-lived link.

use crate::helpers::Harness;
use mongodb::bson::{doc, Document};
use reqwest::StatusCode;
use serde_json::json;

async fn paid_order(h: &Harness, buyer: &str, event: &str, price_type: &str, quantity: i64) -> String {
    let order = h.reserve(buyer, event, "Pista", price_type, quantity).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let id = order.body["id"].as_str().expect("id").to_string();
    let pay = h.post(&format!("/api/v1/orders/{id}/pay"), Some(buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    h.settle_payment(&id).await;
    id
}

async fn raw(h: &Harness, path: &str, token: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = h.http.get(format!("{}{path}", h.base)).bearer_auth(token).send().await.expect("request");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.bytes().await.expect("body").to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Text in a PDF string: written literally, or in hex when the string has a byte outside
/// printable ASCII (an accent, a dash).
fn shows(pdf: &[u8], text: &str) -> bool {
    let hex: String = text.bytes().map(|b| format!("{b:02X}")).collect();
    contains(pdf, text.as_bytes()) || contains(pdf, hex.as_bytes()) || contains(pdf, hex.to_lowercase().as_bytes())
}

#[tokio::test]
async fn a_paid_orders_tickets_download_as_a_pdf_page_each_in_the_buyers_language() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 20)]).await;
    let buyer = h.buyer().await;
    let order = paid_order(&h, &buyer, &event, "half", 2).await;
    let (status, headers, pdf) = raw(&h, &format!("/api/v1/orders/{order}/tickets.pdf"), &buyer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().expect("ascii").contains(&format!("ingressos-{order}.pdf")));
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert_eq!(text.matches("/Type /Page").count() - text.matches("/Type /Pages").count(), 2, "one page per ticket");
    assert!(shows(&pdf, "INGRESSO") && shows(&pdf, "MEIA"), "Portuguese labels and the half-price notice");
    let tickets = h.get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer)).await;
    for t in tickets.body.as_array().expect("tickets") {
        assert!(contains(&pdf, t["code"].as_str().expect("code").as_bytes()), "every ticket's code is printed");
    }
    let (_, _, english) = raw(&h, &format!("/api/v1/orders/{order}/tickets.pdf?lang=en"), &buyer).await;
    assert!(shows(&english, "TICKET") && shows(&english, "HALF PRICE"), "English on request");

    let unpaid = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
    assert_eq!(raw(&h, &format!("/api/v1/orders/{unpaid}/tickets.pdf"), &buyer).await.0, StatusCode::CONFLICT);
    let stranger = h.buyer().await;
    assert_eq!(raw(&h, &format!("/api/v1/orders/{order}/tickets.pdf"), &stranger).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        raw(&h, &format!("/api/v1/orders/{order}/tickets.pdf?lang=fr"), &buyer).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    h.finish().await;
}

#[tokio::test]
async fn the_spreadsheet_export_is_for_a_portuguese_excel_and_the_raw_one_for_programs() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 12_345, 20)]).await;
    let buyer = h.buyer().await;
    let paid = paid_order(&h, &buyer, &event, "half", 1).await;
    let (status, headers, excel) = raw(&h, &format!("/api/v1/admin/events/{event}/orders.csv"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().expect("ascii").starts_with("text/csv"));
    let text = String::from_utf8(excel).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "a BOM, so Excel reads UTF-8");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("Pedido;Situação;"), "{}", lines[0]);
    let row = lines.iter().find(|l| l.contains(&paid)).expect("the order's row");
    let cells: Vec<&str> = row.split(';').collect();
    assert_eq!(cells[1], "\"Pago\"");
    assert_eq!(cells[6], "\"Meia-entrada\"");
    assert_eq!((cells[8], cells[9]), ("61,73", "61,73"), "reais with a decimal comma (half of R$ 123,45 rounds up)");
    assert!(cells[10].contains('/') && !cells[10].contains('T'), "a local date, not RFC 3339: {}", cells[10]);

    let (_, _, machine) = raw(&h, &format!("/api/v1/admin/events/{event}/orders.csv?format=raw"), &admin).await;
    let machine = String::from_utf8(machine).expect("UTF-8");
    assert!(machine.starts_with("order_id,status,"), "{machine}");
    let row = machine.lines().find(|l| l.contains(&paid)).expect("row");
    assert!(row.contains("\"paid\"") && row.contains(",6173,6173,"), "{row}");
    assert_eq!(
        raw(&h, &format!("/api/v1/admin/events/{event}/orders.csv?format=xls"), &admin).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    h.finish().await;
}

#[tokio::test]
async fn a_two_hundred_thousand_order_export_is_answered_with_a_link_that_downloads_it() {
    const ORDERS: usize = 200_000;
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 20)]).await;
    let buyer = h.buyer().await;
    let first = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
    // The rest are copies of a real order under new ids, written straight to the store: the
    // export, not the reservation path, is under test (and 200,000 reservations take minutes).
    let orders = h.app.stores.database().collection::<Document>("orders");
    let template = orders.find_one(doc! {"_id": &first}).await.expect("read").expect("the order");
    for chunk in 0..(ORDERS - 1).div_ceil(10_000) {
        let docs: Vec<Document> = (0..10_000)
            .map(|i| chunk * 10_000 + i)
            .filter(|n| *n < ORDERS - 1)
            .map(|n| {
                let mut d = template.clone();
                d.insert("_id", format!("ffff{n:020x}"));
                d.remove("idempotency_key");
                d
            })
            .collect();
        orders.insert_many(docs).await.expect("insert");
    }
    let answer = h.get(&format!("/api/v1/admin/events/{event}/orders.csv"), Some(&admin)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["rows"].as_u64(), Some(ORDERS as u64), "{}", answer.body);
    let url = answer.body["url"].as_str().expect("a link").to_string();
    let file = h.http.get(&url).send().await.expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    let bytes = file.bytes().await.expect("body");
    assert_eq!(bytes.len() as u64, answer.body["bytes"].as_u64().expect("bytes"));
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    assert_eq!(text.lines().count(), ORDERS + 1, "a header and every order");
    // The link is the one capability: changed or expired, it downloads nothing.
    let forged = url.replace("signature=", "signature=0");
    assert_eq!(h.http.get(&forged).send().await.expect("forged").status(), StatusCode::FORBIDDEN);
    h.finish().await;
}
