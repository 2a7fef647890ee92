//! PIX through a PSP, end to end over real HTTP and mutual TLS: the box office's API Pix
//! adapter against the fake PSP (`local/fake-psp`), whose notifications reach this router's
//! webhook and, through the real broker, the consumer.

use crate::helpers::{eventually, Harness};
use bilheteria::domain::OrderId;
use bilheteria::services::maintenance;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const PRICE: i64 = 12_345;

async fn paid_with_tickets(h: &Harness, token: &str, order: &str, seconds: u64) -> bool {
    eventually(seconds, || async {
        h.status_of(token, order).await == "paid"
            && h.get(&format!("/api/v1/orders/{order}/tickets"), Some(token))
                .await
                .body
                .as_array()
                .is_some_and(|t| !t.is_empty())
    })
    .await
}

/// Lets the hold run out (the server's clock) and runs the expiry sweep.
async fn hold_runs_out(h: &Harness) -> usize {
    h.clock.advance(chrono::Duration::minutes(h.config.hold_minutes) + chrono::Duration::seconds(1));
    maintenance::expire_due_holds(&h.app).await.expect("the expiry sweep")
}

async fn emails_about(h: &Harness, order: &str, kind: &str) -> usize {
    let id = OrderId::parse(order).expect("id");
    let buyer = h.app.orders.find(&id).await.expect("find").expect("order").user_id;
    let email = h.app.users.find_by_id(&buyer).await.expect("user").expect("buyer").email;
    let inbox = h.app.stores.mailer(h.app.clock.clone()).inbox(&email).await.expect("inbox");
    inbox.iter().filter(|e| e.id.starts_with(kind)).count()
}

#[tokio::test]
async fn a_pix_paid_at_the_psp_pays_the_order_through_the_webhook() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 10)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 2).await;

    let view = h.order(&buyer, &order).await;
    assert_eq!(view["status"], "payment_pending");
    assert_eq!(view["payment_methods"], json!(["pix"]));
    let code = view["payment"]["pix_code"].as_str().expect("copia e cola");
    assert!(code.starts_with("000201") && code.to_lowercase().contains("br.gov.bcb.pix"), "{code}");
    // The charge asks for the order's total, in reais, and can be paid only while the hold lasts.
    let charge = h.psp().charge(&txid).await;
    assert_eq!(charge["valor"], "246.90", "{charge}");
    let expiracao = charge["expiracao"].as_i64().expect("expiracao");
    assert!((h.config.hold_minutes * 60 - 5..=h.config.hold_minutes * 60).contains(&expiracao), "{expiracao}");

    h.psp().pay(&txid, json!({})).await;
    assert!(paid_with_tickets(&h, &buyer, &order, 20).await, "paid with tickets after the notification");
    assert_eq!(h.available(&event, "Pista").await, 8);
    assert_eq!(h.count("pix_receipts", mongodb::bson::doc! {"outcome": "paid"}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn two_clicks_on_pay_at_once_make_one_charge_that_stays_payable() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 10)]).await;
    for round in 0..3 {
        let buyer = h.buyer().await;
        let order = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
        let path = format!("/api/v1/orders/{order}/pay");
        let pay = || h.post(&path, Some(&buyer), json!({"method": "pix"}));
        let (a, b) = tokio::join!(pay(), pay());
        let accepted: Vec<_> = [&a, &b].into_iter().filter(|r| r.status == StatusCode::ACCEPTED).collect();
        assert!(!accepted.is_empty(), "round {round}: {} {}", a.status, b.status);
        let txid = accepted[0].body["payment"]["pix_txid"].as_str().expect("txid");
        assert_eq!(h.psp().charge(txid).await["status"], "ATIVA", "round {round}: the loser left the charge payable");
    }
    let charges: Value = h
        .http
        .get(format!("{}/control/charges", h.psp.as_ref().expect("psp").control_url))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(charges.as_array().map(Vec::len), Some(3), "one charge per order: {charges}");
    h.finish().await;
}

#[tokio::test]
async fn an_unpaid_charge_ends_with_its_hold_and_the_stock_comes_back_once() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 3).await;
    assert_eq!(h.available(&event, "Pista").await, 2);

    assert_eq!(hold_runs_out(&h).await, 1);
    assert_eq!(hold_runs_out(&h).await, 0, "expired once");
    assert_eq!(h.status_of(&buyer, &order).await, "expired");
    assert_eq!(h.available(&event, "Pista").await, 5, "the stock back, once");
    // The charge ended with the hold: no bank app can pay it now.
    assert_ne!(h.psp().charge(&txid).await["status"], "ATIVA");
    assert_eq!(h.psp().pay_refused(&txid, json!({})).await, StatusCode::CONFLICT);
    h.finish().await;
}

#[tokio::test]
async fn a_pix_paid_in_time_whose_notification_was_lost_is_paid_not_expired() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    h.psp().pay(&txid, json!({"notify": false})).await;

    assert_eq!(hold_runs_out(&h).await, 0, "the sweep reads the charge first");
    assert_eq!(h.status_of(&buyer, &order).await, "paid");
    assert_eq!(h.available(&event, "Pista").await, 4);
    h.finish().await;
}

/// The pix is made before the hold ends, but the PSP is down when the sweep runs and its
/// notification comes only after: the order had expired.
async fn late_pix(h: &Harness, buyer: &str, event: &str) -> (String, String) {
    let (order, txid) = h.pix_order(buyer, event, 1).await;
    h.psp().pay(&txid, json!({"notify": false})).await;
    h.psp().faults(json!({"unavailable": true})).await;
    assert!(hold_runs_out(h).await >= 1, "the hold expires, the charge unread");
    h.psp().faults(json!({})).await;
    assert_eq!(h.status_of(buyer, &order).await, "expired");
    (order, txid)
}

#[tokio::test]
async fn a_late_pix_takes_the_tickets_again_when_they_are_still_there() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 3)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = late_pix(&h, &buyer, &event).await;
    assert_eq!(h.available(&event, "Pista").await, 3);

    let e2e = h.psp().charge(&txid).await["pix"][0]["endToEndId"].as_str().expect("e2e").to_string();
    h.psp().notify(&txid, &[&e2e]).await;
    assert!(paid_with_tickets(&h, &buyer, &order, 20).await, "the late pix pays the order");
    assert_eq!(h.available(&event, "Pista").await, 2, "its ticket taken again");
    assert_eq!(h.psp().refunds(&txid).await, 0);
    assert_eq!(emails_about(&h, &order, "paid-late").await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_late_pix_whose_tickets_were_sold_meanwhile_is_refunded() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 1)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = late_pix(&h, &buyer, &event).await;
    let other = h.buyer().await;
    assert_eq!(h.reserve(&other, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);

    let e2e = h.psp().charge(&txid).await["pix"][0]["endToEndId"].as_str().expect("e2e").to_string();
    h.psp().notify(&txid, &[&e2e]).await;
    assert!(eventually(20, || async { h.psp().refunds(&txid).await == 1 }).await, "the pix returned");
    assert_eq!(h.status_of(&buyer, &order).await, "expired");
    assert_eq!(h.available(&event, "Pista").await, 0, "the other buyer keeps the ticket");
    assert!(eventually(5, || async { emails_about(&h, &order, "pix-returned").await == 1 }).await);
    h.finish().await;
}

#[tokio::test]
async fn duplicated_and_out_of_order_notifications_pay_once_and_return_the_second_pix() {
    let h = Harness::with_psp().await.with_consumer();
    h.psp().faults(json!({"duplicate_notifications": true})).await;
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    // Paid twice (two bank apps), each notified twice; then both again, newest first.
    let first = h.psp().pay(&txid, json!({})).await;
    let second = h.psp().pay(&txid, json!({"again": true})).await;
    h.psp().notify(&txid, &[&second[0], &first[0]]).await;

    assert!(paid_with_tickets(&h, &buyer, &order, 20).await);
    assert!(eventually(20, || async { h.psp().refunds(&txid).await == 1 }).await, "one of the two returned");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(h.psp().refunds(&txid).await, 1, "and only one, whatever the redeliveries");
    let paid_by = h.order(&buyer, &order).await;
    assert_eq!(paid_by["status"], "paid");
    assert_eq!(h.available(&event, "Pista").await, 4);
    assert_eq!(h.count("pix_receipts", mongodb::bson::doc! {}).await, 2);
    assert_eq!(h.count("tickets", mongodb::bson::doc! {}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_forged_notification_changes_nothing() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    let forged = json!({"pix": [
        {"endToEndId": "E00000000202612011200forged00001", "txid": txid, "valor": "123.45", "horario": "2026-12-01T12:00:00Z"},
        {"endToEndId": "E00000000202612011200forged00002", "txid": "BLH0123456789abcdef01234567A001", "valor": "123.45", "horario": "2026-12-01T12:00:00Z"},
        {"endToEndId": "not-an-id", "txid": txid, "valor": "123.45"},
    ]});
    let reply = h.post("/api/v1/payments/pix/webhook/pix", None, forged).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, json!({"accepted": 0, "known": 0, "ignored": 3}));
    assert_eq!(
        h.post("/api/v1/payments/pix/webhook", None, json!({"nope": 1})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(h.status_of(&buyer, &order).await, "payment_pending");
    assert_eq!(h.count("pix_receipts", mongodb::bson::doc! {}).await, 0);
    assert_eq!(h.count("tickets", mongodb::bson::doc! {}).await, 0);
    h.finish().await;
}

#[tokio::test]
async fn a_pix_of_another_amount_is_refused_and_returned() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    h.psp().pay(&txid, json!({"amount": "1.00"})).await;

    assert!(eventually(20, || async { h.psp().refunds(&txid).await == 1 }).await, "returned");
    assert_eq!(h.status_of(&buyer, &order).await, "payment_pending", "not paid by it");
    assert_eq!(h.count("pix_receipts", mongodb::bson::doc! {"outcome": "amount_mismatch"}).await, 1);
    assert_eq!(h.count("tickets", mongodb::bson::doc! {}).await, 0);
    h.finish().await;
}

#[tokio::test]
async fn cards_are_refused_where_only_pix_is_offered() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let order = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
    let reply = h
        .post(
            &format!("/api/v1/orders/{order}/pay"),
            Some(&buyer),
            json!({"method": "card", "card_number": "4111111111111111"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["code"], "card_unavailable");
    assert_eq!(h.status_of(&buyer, &order).await, "reserved");
    h.finish().await;
}

#[tokio::test]
async fn the_psp_down_for_a_minute_during_payments_loses_nothing() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 40)]).await;
    let buyers: Vec<String> = futures::future::join_all((0..8).map(|_| h.buyer())).await;
    // Half the buyers have their charge when the PSP goes down; the other half try to pay
    // during the outage.
    let mut charged = Vec::new();
    for buyer in &buyers[..4] {
        charged.push(h.pix_order(buyer, &event, 1).await);
    }
    let mut waiting = Vec::new();
    for buyer in &buyers[4..] {
        let reply = h.reserve(buyer, &event, "Pista", "full", 1).await;
        waiting.push(reply.body["id"].as_str().expect("id").to_string());
    }
    h.psp().faults(json!({"unavailable": true})).await;
    let outage = tokio::time::Instant::now();
    for (buyer, order) in buyers[4..].iter().zip(&waiting) {
        let reply = h.post(&format!("/api/v1/orders/{order}/pay"), Some(buyer), json!({"method": "pix"})).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        assert_eq!(reply.body["code"], "psp_unavailable");
        assert_eq!(h.status_of(buyer, order).await, "reserved", "nothing changed");
    }
    // Their banks pay the charges made before: the notifications reach a webhook that
    // cannot confirm them with the PSP, and are refused (503) for the PSP to deliver again.
    for (_, txid) in &charged {
        h.psp().pay(txid, json!({})).await;
    }
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(outage.elapsed())).await;
    for (buyer, (order, _)) in buyers[..4].iter().zip(&charged) {
        assert_eq!(h.status_of(buyer, order).await, "payment_pending", "not confirmed while the PSP is down");
    }
    h.psp().faults(json!({})).await;

    // Back: the buyers who could not pay pay now; the notifications are delivered again
    // (and the outbox's re-read covers any the PSP gave up on).
    let mut retried = Vec::new();
    for (buyer, order) in buyers[4..].iter().zip(&waiting) {
        let reply = h.post(&format!("/api/v1/orders/{order}/pay"), Some(buyer), json!({"method": "pix"})).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        let txid = reply.body["payment"]["pix_txid"].as_str().expect("txid").to_string();
        h.psp().pay(&txid, json!({})).await;
        retried.push(txid);
    }
    maintenance::drain_outbox(&h.app, chrono::Duration::zero()).await.expect("the outbox");
    for (buyer, order) in
        buyers[..4].iter().zip(&charged).map(|(b, (o, _))| (b, o)).chain(buyers[4..].iter().zip(&waiting))
    {
        assert!(paid_with_tickets(&h, buyer, order, 40).await, "order {order} settled after the outage");
    }
    assert_eq!(h.available(&event, "Pista").await, 32);
    assert_eq!(h.count("pix_receipts", mongodb::bson::doc! {"outcome": "paid"}).await, 8);
    h.finish().await;
}

/// The charge and its pix as the PSP lists them, read through our own adapter.
async fn received(h: &Harness, txid: &str) -> Vec<bilheteria::ports::ReceivedPix> {
    let (txid, _, _) = bilheteria::domain::pix::Txid::parse(txid).expect("ours");
    h.app.pix.charge(&txid).await.expect("read").expect("charge").received
}

#[tokio::test]
async fn two_pix_of_one_order_settled_at_once_pay_it_once_and_return_the_other() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 10)]).await;
    for round in 0..3 {
        let buyer = h.buyer().await;
        let (order, txid) = h.pix_order(&buyer, &event, 1).await;
        h.psp().pay(&txid, json!({"notify": false})).await;
        h.psp().pay(&txid, json!({"notify": false, "again": true})).await;
        let pix = received(&h, &txid).await;
        let (id, (parsed, _, _)) =
            (OrderId::parse(&order).expect("id"), bilheteria::domain::pix::Txid::parse(&txid).expect("t"));
        use bilheteria::services::payments::settle::settle_pix;
        let (a, b) = tokio::join!(settle_pix(&h.app, &id, &parsed, &pix[0]), settle_pix(&h.app, &id, &parsed, &pix[1]));
        a.expect("first settles");
        b.expect("second settles");
        assert_eq!(h.status_of(&buyer, &order).await, "paid", "round {round}");
        assert_eq!(h.psp().refunds(&txid).await, 1, "round {round}: exactly one returned");
        let paid_by = h.order(&buyer, &order).await;
        assert!(paid_by["payment"].is_object(), "round {round}");
    }
    assert_eq!(h.available(&event, "Pista").await, 7, "one ticket per order, whatever the pix");
    h.finish().await;
}

#[tokio::test]
async fn a_late_pix_and_a_new_reservation_racing_for_the_last_ticket_never_both_get_it() {
    let h = Harness::with_psp().await;
    for round in 0..3 {
        let event = h.event(&[("Pista", PRICE, 1)]).await;
        let buyer = h.buyer().await;
        let (order, txid) = late_pix(&h, &buyer, &event).await;
        let pix = received(&h, &txid).await;
        let other = h.buyer().await;
        let id = OrderId::parse(&order).expect("id");
        let (parsed, _, _) = bilheteria::domain::pix::Txid::parse(&txid).expect("ours");
        let (settled, reserved) = tokio::join!(
            bilheteria::services::payments::settle::settle_pix(&h.app, &id, &parsed, &pix[0]),
            h.reserve(&other, &event, "Pista", "full", 1)
        );
        settled.expect("settles");
        let late_paid = h.status_of(&buyer, &order).await == "paid";
        let reservation_won = reserved.status == StatusCode::CREATED;
        assert!(
            late_paid != reservation_won,
            "round {round}: exactly one gets the ticket ({late_paid}, {})",
            reserved.status
        );
        assert_eq!(h.psp().refunds(&txid).await, usize::from(!late_paid), "round {round}: refunded iff not paid");
        assert_eq!(h.available(&event, "Pista").await, 0, "round {round}: never below zero, never leaked");
    }
    h.finish().await;
}

#[tokio::test]
async fn a_buyer_s_refund_while_the_psp_is_down_stands_and_the_money_follows_once_it_is_back() {
    let h = Harness::with_psp().await.with_consumer();
    let event = h.event(&[("Pista", PRICE, 5)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    h.psp().pay(&txid, json!({})).await;
    assert!(paid_with_tickets(&h, &buyer, &order, 20).await);

    h.psp().faults(json!({"unavailable": true})).await;
    let refund = h.post(&format!("/api/v1/orders/{order}/refund"), Some(&buyer), json!({})).await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(h.status_of(&buyer, &order).await, "refunded");
    assert_eq!(h.available(&event, "Pista").await, 5, "the ticket back on sale at once");
    assert_eq!(maintenance::return_pending_refunds(&h.app).await, 0, "the PSP still down");
    assert_eq!(h.psp().refunds(&txid).await, 0);

    h.psp().faults(json!({})).await;
    assert_eq!(maintenance::return_pending_refunds(&h.app).await, 1);
    assert_eq!(maintenance::return_pending_refunds(&h.app).await, 0, "returned once");
    assert_eq!(h.psp().refunds(&txid).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_second_late_pix_after_the_first_was_returned_pays_with_valid_tickets_once_the_stock_is_back() {
    let h = Harness::with_psp().await;
    let event = h.event(&[("Pista", PRICE, 1)]).await;
    let buyer = h.buyer().await;
    let (order, txid) = h.pix_order(&buyer, &event, 1).await;
    h.psp().pay(&txid, json!({"notify": false})).await;
    h.psp().pay(&txid, json!({"notify": false, "again": true})).await;
    h.psp().faults(json!({"unavailable": true})).await;
    assert!(hold_runs_out(&h).await >= 1);
    h.psp().faults(json!({})).await;
    let other = h.buyer().await;
    let taken = h.reserve(&other, &event, "Pista", "full", 1).await;
    assert_eq!(taken.status, StatusCode::CREATED);

    let pix = received(&h, &txid).await;
    let id = OrderId::parse(&order).expect("id");
    let (parsed, _, _) = bilheteria::domain::pix::Txid::parse(&txid).expect("ours");
    use bilheteria::services::payments::settle::settle_pix;
    settle_pix(&h.app, &id, &parsed, &pix[0]).await.expect("the first settles");
    assert_eq!(h.status_of(&buyer, &order).await, "expired", "the stock was gone: returned");
    assert_eq!(h.psp().refunds(&txid).await, 1);

    let other_order = taken.body["id"].as_str().expect("id");
    assert_eq!(
        h.post(&format!("/api/v1/orders/{other_order}/cancel"), Some(&other), json!({})).await.status,
        StatusCode::OK
    );
    settle_pix(&h.app, &id, &parsed, &pix[1]).await.expect("the second settles");
    assert!(paid_with_tickets(&h, &buyer, &order, 5).await, "paid, with its ticket valid again");
    assert_eq!(h.psp().refunds(&txid).await, 1, "the second pix kept");
    assert_eq!(h.available(&event, "Pista").await, 0);
    h.finish().await;
}
