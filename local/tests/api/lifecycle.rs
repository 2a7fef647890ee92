//! An order's life after the reservation: pay, tickets, cancel, refund, expiry — every
//! transition and every refused one, through the local router on the real server.

use crate::helpers::{eventually, Harness};
use bilheteria::services::maintenance;
use mongodb::bson::doc;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(h: &Harness, token: &str, path: &str, body: Option<Value>) -> crate::helpers::Reply {
    h.call(Method::POST, path, Some(token), body).await
}

async fn reserve(h: &Harness, token: &str, event: &str, quantity: i64) -> String {
    let r = h.reserve(token, event, "Pista", "full", quantity).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

/// A reserved order whose PIX payment was asked for (202); its message is not yet processed.
async fn reserve_and_ask_to_pay(h: &Harness, token: &str, event: &str, quantity: i64) -> String {
    let order = reserve(h, token, event, quantity).await;
    let pay = post(h, token, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    order
}

#[tokio::test]
async fn paying_with_pix_makes_the_order_paid_with_one_ticket_per_seat() {
    let h = Harness::start().await.with_consumer();
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 3).await;

    let pay = post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    assert_eq!(pay.body["status"], "payment_pending");
    assert!(pay.body["payment"]["pix_code"].as_str().is_some_and(|c| c.starts_with("000201")));

    let paid = eventually(15, || async { h.order(&buyer, &order).await["status"] == "paid" }).await;
    assert!(paid, "the consumer confirmed the payment: {}", h.order(&buyer, &order).await);
    assert!(h.order(&buyer, &order).await["paid_at"].is_string());

    let tickets = h.get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer)).await;
    assert_eq!(tickets.status, StatusCode::OK);
    let tickets = tickets.body.as_array().expect("tickets").clone();
    assert_eq!(tickets.len(), 3);
    let mut codes: Vec<&str> = tickets.iter().map(|t| t["code"].as_str().expect("code")).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 3, "codes are unique");
    assert!(codes.iter().all(|c| c.len() == 32), "128-bit codes");
    // Each QR is signed with the ticket key and names its own ticket.
    let keys = h.app.ticket_keys().expect("ticket keys");
    for t in &tickets {
        let claims = keys.verify(t["qr_payload"].as_str().expect("qr")).expect("a signed ticket");
        assert_eq!(claims.ticket_id, t["code"].as_str().expect("code"));
    }
    assert_eq!(h.count("emails", doc! {"_id": format!("paid:{order}")}).await, 1);
    // The e-mail shows every ticket's signed QR text and links to the ticket page.
    let id = bilheteria::domain::OrderId::parse(&order).expect("id");
    let buyer_id = h.app.orders.find(&id).await.expect("find").expect("order").user_id;
    let email = h.app.users.find_by_id(&buyer_id).await.expect("user").expect("buyer").email;
    let inbox = h.app.stores.mailer(h.app.clock.clone()).inbox(&email).await.expect("inbox");
    let paid_mail = inbox.iter().find(|e| e.id == format!("paid:{order}")).expect("the paid e-mail");
    for t in &tickets {
        assert!(paid_mail.body.contains(t["qr_payload"].as_str().expect("qr")), "{}", paid_mail.body);
    }
    assert!(paid_mail.body.contains(&format!("/order.html?id={order}")), "{}", paid_mail.body);
    assert_eq!(h.available(&event, "Pista").await, 7, "paid tickets stay sold");
    h.finish().await;
}

#[tokio::test]
async fn a_card_ending_in_0002_is_declined_and_the_order_is_reserved_again_with_the_reason() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 1).await;
    let pay = post(
        &h,
        &buyer,
        &format!("/api/v1/orders/{order}/pay"),
        Some(json!({"method": "card", "card_number": "4000 0000 0000 0002"})),
    )
    .await;
    assert_eq!(pay.status, StatusCode::ACCEPTED);
    assert_eq!(pay.body["payment"]["card_last4"], "0002");
    h.settle_payment(&order).await;
    let now = h.order(&buyer, &order).await;
    assert_eq!(now["status"], "reserved");
    assert!(now["payment"]["declined_reason"].as_str().is_some_and(|r| r.contains("declined")));
    assert!(h
        .get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer))
        .await
        .body
        .as_array()
        .expect("t")
        .is_empty());

    let again = post(
        &h,
        &buyer,
        &format!("/api/v1/orders/{order}/pay"),
        Some(json!({"method": "card", "card_number": "4111111111111111"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "a declined order can be paid again");
    h.settle_payment(&order).await;
    assert_eq!(h.order(&buyer, &order).await["status"], "paid");
    h.finish().await;
}

#[tokio::test]
async fn a_card_payment_needs_a_plausible_card_number() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 1).await;
    for bad in [json!({"method": "card"}), json!({"method": "card", "card_number": "12ab"}), json!({"method": "cash"})]
    {
        let r = post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(bad.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(h.order(&buyer, &order).await["status"], "reserved", "nothing changed");
    h.finish().await;
}

#[tokio::test]
async fn cancelling_a_reserved_order_returns_its_stock_once_and_cancelling_twice_is_409() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 4).await;
    assert_eq!(h.available(&event, "Pista").await, 6);
    let cancel = post(&h, &buyer, &format!("/api/v1/orders/{order}/cancel"), None).await;
    assert_eq!(cancel.status, StatusCode::OK);
    assert_eq!(cancel.body["status"], "cancelled");
    assert_eq!(h.available(&event, "Pista").await, 10);
    let twice = post(&h, &buyer, &format!("/api/v1/orders/{order}/cancel"), None).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(h.available(&event, "Pista").await, 10, "stock came back exactly once");
    let pay = post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    assert_eq!(pay.status, StatusCode::CONFLICT, "a cancelled order cannot be paid");
    assert_eq!(h.count("emails", doc! {"_id": format!("cancelled:{order}")}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_paid_order_cannot_be_cancelled_but_can_be_refunded_once_before_the_event() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 2).await;
    post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    h.settle_payment(&order).await;
    assert_eq!(h.order(&buyer, &order).await["status"], "paid");

    assert_eq!(post(&h, &buyer, &format!("/api/v1/orders/{order}/cancel"), None).await.status, StatusCode::CONFLICT);
    let refund = post(&h, &buyer, &format!("/api/v1/orders/{order}/refund"), None).await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(refund.body["status"], "refunded");
    assert_eq!(h.available(&event, "Pista").await, 10);
    assert!(h
        .get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer))
        .await
        .body
        .as_array()
        .expect("t")
        .is_empty());
    assert_eq!(post(&h, &buyer, &format!("/api/v1/orders/{order}/refund"), None).await.status, StatusCode::CONFLICT);
    assert_eq!(h.available(&event, "Pista").await, 10, "refunded stock came back exactly once");
    assert_eq!(h.count("payments", doc! {"order_id": &order, "refunded": true}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn refunding_a_reserved_order_or_after_the_event_started_is_409() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let created = h
        .post("/api/v1/admin/events", Some(&admin), json!({"name": "Hoje", "venue": "Bar", "starts_at": soon, "sectors": [{"name": "Pista", "price_cents": 5_000, "capacity": 5}]}))
        .await;
    let event = created.body["id"].as_str().expect("id").to_string();
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 1).await;
    assert_eq!(post(&h, &buyer, &format!("/api/v1/orders/{order}/refund"), None).await.status, StatusCode::CONFLICT);
    post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    h.settle_payment(&order).await;
    h.clock.advance(chrono::Duration::hours(2));
    let late = post(&h, &buyer, &format!("/api/v1/orders/{order}/refund"), None).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body["detail"].as_str().expect("detail").contains("started"));
    assert_eq!(h.order(&buyer, &order).await["status"], "paid");
    h.finish().await;
}

#[tokio::test]
async fn another_buyers_order_is_404_for_every_action() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let (owner, intruder) = (h.buyer().await, h.buyer().await);
    let order = reserve(&h, &owner, &event, 1).await;
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/orders/{order}"), None),
        (Method::POST, format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))),
        (Method::POST, format!("/api/v1/orders/{order}/cancel"), None),
        (Method::POST, format!("/api/v1/orders/{order}/refund"), None),
        (Method::GET, format!("/api/v1/orders/{order}/tickets"), None),
    ] {
        let r = h.call(method, &path, Some(&intruder), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(h.order(&owner, &order).await["status"], "reserved", "the intruder changed nothing");
    h.finish().await;
}

#[tokio::test]
async fn a_hold_expires_after_hold_minutes_returning_its_stock_once_and_cannot_be_paid() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 3).await;
    h.clock.advance(chrono::Duration::minutes(9));
    assert_eq!(maintenance::expire_due_holds(&h.app).await.expect("run"), 0, "not due yet");
    h.clock.advance(chrono::Duration::minutes(2));
    let pay = post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(json!({"method": "pix"}))).await;
    assert_eq!(pay.status, StatusCode::CONFLICT, "a hold that is up cannot be paid");
    assert!(pay.body["detail"].as_str().expect("detail").contains("expired"));
    assert_eq!(maintenance::expire_due_holds(&h.app).await.expect("run"), 1);
    assert_eq!(maintenance::expire_due_holds(&h.app).await.expect("run"), 0, "expiring is done once");
    let now = h.order(&buyer, &order).await;
    assert_eq!(now["status"], "expired");
    assert_eq!(h.available(&event, "Pista").await, 10);
    assert_eq!(h.count("emails", doc! {"_id": format!("expired:{order}")}).await, 1);
    assert_eq!(post(&h, &buyer, &format!("/api/v1/orders/{order}/cancel"), None).await.status, StatusCode::CONFLICT);
    h.finish().await;
}

#[tokio::test]
async fn a_card_payment_confirmed_after_the_hold_expired_is_refunded_not_kept() {
    // (A PIX that lands after its hold takes the late path of `pix::`: its tickets again if
    // they are there.)
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = reserve(&h, &buyer, &event, 2).await;
    let card = json!({"method": "card", "card_number": "4111111111111111"});
    assert_eq!(post(&h, &buyer, &format!("/api/v1/orders/{order}/pay"), Some(card)).await.status, StatusCode::ACCEPTED);
    h.clock.advance(chrono::Duration::minutes(11));
    h.settle_payment(&order).await; // the gateway approves, but the hold is up
    let now = h.order(&buyer, &order).await;
    assert_eq!(now["status"], "expired");
    assert_eq!(h.count("payments", doc! {"order_id": &order, "refunded": true}).await, 1, "the money went back");
    assert_eq!(h.available(&event, "Pista").await, 10);
    assert_eq!(maintenance::expire_due_holds(&h.app).await.expect("run"), 0);
    assert_eq!(h.available(&event, "Pista").await, 10, "and the stock came back once");
    h.finish().await;
}

/// Many orders, each fought over by a cancel, an expiry and a payment at once: every order
/// ends in one status, and its stock is returned exactly once or not at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_expiry_and_payment_racing_on_the_same_order_leave_one_status_and_exact_stock() {
    let h = Harness::start().await;
    let capacity = 200;
    let event = h.event(&[("Pista", 10_000, capacity)]).await;
    let buyer = h.buyer().await;
    let mut orders = Vec::new();
    for _ in 0..40 {
        orders.push(reserve(&h, &buyer, &event, 2).await);
    }
    // Half the orders race while their hold still runs (expiry must refuse), half once it is up
    // (payment must refuse).
    let (early, late) = orders.split_at(20);
    let race = |ids: Vec<String>| {
        let h = &h;
        let buyer = buyer.clone();
        async move {
            let tasks = ids.iter().map(|order| {
                let buyer = buyer.clone();
                async move {
                    let (cancel_path, pay_path) =
                        (format!("/api/v1/orders/{order}/cancel"), format!("/api/v1/orders/{order}/pay"));
                    let cancel = post(h, &buyer, &cancel_path, None);
                    let pay = post(h, &buyer, &pay_path, Some(json!({"method": "pix"})));
                    let expire = maintenance::expire_due_holds(&h.app);
                    let (c, p, _) = tokio::join!(cancel, pay, expire);
                    assert!(
                        !(c.status == StatusCode::OK && p.status == StatusCode::ACCEPTED),
                        "cancel and pay both won {order}"
                    );
                }
            });
            futures::future::join_all(tasks).await;
        }
    };
    race(early.to_vec()).await;
    h.clock.advance(chrono::Duration::minutes(11));
    race(late.to_vec()).await;
    maintenance::expire_due_holds(&h.app).await.expect("expire the rest");

    let mut holding = 0;
    for order in &orders {
        let o = h.order(&buyer, order).await;
        let status = o["status"].as_str().expect("status");
        assert!(["cancelled", "expired", "payment_pending", "paid"].contains(&status), "{order}: {status}");
        if status == "payment_pending" || status == "paid" {
            holding += 2;
        }
    }
    // Everything the late round left pending expired — or was paid: the test gateway's PIX
    // charge is paid as it is made, and the expiry sweep reads a pending charge before
    // expiring its hold; what the early round left pending holds.
    assert_eq!(h.available(&event, "Pista").await, capacity - holding, "stock returned exactly once per ended order");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_message_processed_several_times_at_once_pays_once_and_refunds_nothing() {
    // An outbox republish and the broker's delivery of the same payment can meet in two
    // consumers at once; the one that loses the race must not take the order for a late payment.
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let buyer = h.buyer().await;
    for _ in 0..10 {
        let order = reserve_and_ask_to_pay(&h, &buyer, &event, 2).await;
        // Each copy is processed without error (settle_payment fails the test otherwise).
        futures::future::join_all((0..6).map(|_| h.settle_payment(&order))).await;

        assert_eq!(h.order(&buyer, &order).await["status"], "paid");
        assert_eq!(
            h.get(&format!("/api/v1/orders/{order}/tickets"), Some(&buyer)).await.body.as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(h.count("payments", doc! {"refunded": true}).await, 0, "no paid order's money went back");
        assert_eq!(h.count("emails", doc! {"_id": format!("paid:{order}")}).await, 1);
        assert_eq!(h.count("emails", doc! {"_id": format!("refunded:{order}")}).await, 0);
    }
    assert_eq!(h.available(&event, "Pista").await, 80, "paid tickets stay sold");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_seen_paid_already_has_all_its_tickets() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 200)]).await;
    let buyer = h.buyer().await;
    let mut orders = Vec::new();
    for _ in 0..20 {
        orders.push(reserve_and_ask_to_pay(&h, &buyer, &event, 4).await);
    }
    // The buyer's page polls while the consumer works: the moment it reads `paid`, it shows
    // the tickets, and it must never show fewer than were bought.
    let watchers = orders.iter().map(|order| {
        let (h, buyer) = (&h, &buyer);
        async move {
            loop {
                let tickets = h.get(&format!("/api/v1/orders/{order}/tickets"), Some(buyer)).await;
                let seen = tickets.body.as_array().map(Vec::len).unwrap_or(0);
                if seen > 0 {
                    return seen;
                }
                tokio::task::yield_now().await;
            }
        }
    });
    let payers = orders.iter().map(|order| h.settle_payment(order));
    let (seen, _) = tokio::join!(futures::future::join_all(watchers), futures::future::join_all(payers));
    assert!(seen.iter().all(|&n| n == 4), "tickets seen the moment each order was paid: {seen:?}");
    h.finish().await;
}
