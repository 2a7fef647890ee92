//! Cancelling or deleting an event while buyers reserve and pay: afterwards the event keeps
//! no live order and every ticket is back, whoever was last. A cancellation that stopped
//! halfway (`cancelling`) is finished by the next request or the scheduled run, once.

use super::support::{
    books, cancel, cancel_to_the_end, delete, event_id, live_orders, order_id, reserve_ok, set_stored_status, stock,
    stored_status,
};
use crate::helpers::Harness;
use bilheteria::domain::Message;
use bilheteria::services::{maintenance, processing};
use futures::future::join_all;
use mongodb::bson::{doc, Document};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const ROUNDS: usize = 4;
const BUYERS: usize = 30;

/// Every sector's buckets are whole again: all available, nothing pending, the half-price
/// share whole too.
async fn assert_all_stock_back(h: &Harness, event: &str, what: &str) {
    let buckets = h.app.inventory.buckets(&event_id(event)).await.expect("buckets");
    assert!(!buckets.is_empty(), "{what}: the event's stock exists");
    for b in buckets {
        assert_eq!(
            (b.available, b.pending, b.half_available, b.half_pending),
            (b.capacity, 0, b.half_capacity, 0),
            "{what}: bucket {} is whole again",
            b.id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_buyers_reserving_while_an_admin_cancels_leave_no_live_order_and_all_the_stock() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyers = join_all((0..BUYERS).map(|_| h.buyer())).await;
    let mut landed = 0;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 100), ("VIP", 30_000, 40)]).await;
        // The event cache is warm, so reservations go on believing the event is on sale.
        reserve_ok(&h, &buyers[0], &event, 1).await;
        let reservations = buyers.iter().enumerate().map(|(i, buyer)| {
            let (h, event) = (&h, &event);
            async move {
                tokio::time::sleep(Duration::from_millis((i % 10) as u64 * 2)).await;
                let sector = if i % 3 == 0 { "VIP" } else { "Pista" };
                let price = if i % 2 == 0 { "full" } else { "half" };
                h.reserve(buyer, event, sector, price, 1 + (i % 2) as i64).await
            }
        });
        // Landing at a different moment of the rush each round: before, among, after.
        let cancelling = async {
            tokio::time::sleep(Duration::from_millis(3 * (round % 4) as u64)).await;
            cancel_to_the_end(&h, &admin, &event).await
        };
        let (replies, _) = tokio::join!(join_all(reservations), cancelling);
        for r in &replies {
            assert!(
                [StatusCode::CREATED, StatusCode::CONFLICT].contains(&r.status),
                "round {round}: a reservation answered {} {}",
                r.status,
                r.body
            );
        }
        landed += replies.iter().filter(|r| r.status == StatusCode::CREATED).count();

        let live = live_orders(&h, &event).await;
        assert!(
            live.is_empty(),
            "round {round}: orders still live on the cancelled event: {:?}",
            live.iter().map(|o| (o.id.to_string(), o.status)).collect::<Vec<_>>()
        );
        assert_all_stock_back(&h, &event, &format!("round {round}")).await;
        assert_eq!(stored_status(&h, &event).await, "cancelled", "round {round}");
        let late = h.reserve(&buyers[1], &event, "Pista", "full", 1).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "round {round}: {}", late.body);
    }
    eprintln!("{landed} reservations were accepted while the cancellations ran");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_buyers_reserving_while_an_admin_deletes_leave_no_live_order_on_a_deleted_event() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyers = join_all((0..BUYERS).map(|_| h.buyer())).await;
    let (mut deleted, mut refused) = (0, 0);
    for round in 0..2 * ROUNDS {
        let event = h.event(&[("Pista", 10_000, 100)]).await;
        let reservations = buyers.iter().enumerate().map(|(i, buyer)| {
            let (h, event) = (&h, &event);
            async move {
                tokio::time::sleep(Duration::from_millis((i % 10) as u64 * 2)).await;
                h.reserve(buyer, event, "Pista", "full", 1).await
            }
        });
        // Landing at a different moment of the rush each round: before, among, after.
        let deleting = async {
            tokio::time::sleep(Duration::from_millis(round as u64)).await;
            delete(&h, &admin, &event, None).await
        };
        let (replies, delete_reply) = tokio::join!(join_all(reservations), deleting);
        for r in &replies {
            assert!(
                [StatusCode::CREATED, StatusCode::CONFLICT, StatusCode::NOT_FOUND].contains(&r.status),
                "round {round}: a reservation answered {} {}",
                r.status,
                r.body
            );
        }
        let live = live_orders(&h, &event).await;
        match delete_reply.status {
            StatusCode::NO_CONTENT => {
                deleted += 1;
                assert!(
                    live.is_empty(),
                    "round {round}: orders live on a deleted event: {:?}",
                    live.iter().map(|o| (o.id.to_string(), o.status)).collect::<Vec<_>>()
                );
                assert_eq!(stored_status(&h, &event).await, "deleted", "round {round}");
                assert_eq!(h.get(&format!("/api/v1/events/{event}"), None).await.status, StatusCode::NOT_FOUND);
                let late = h.reserve(&buyers[0], &event, "Pista", "full", 1).await;
                assert_eq!(late.status, StatusCode::NOT_FOUND, "round {round}: {}", late.body);
            }
            StatusCode::CONFLICT => {
                refused += 1;
                assert!(!live.is_empty(), "round {round}: the delete was refused for an order: {}", delete_reply.body);
                assert_ne!(stored_status(&h, &event).await, "deleted", "round {round}");
                for (sector, b) in books(&h, &event).await {
                    assert_eq!(b.held_by_orders + b.in_stock, b.capacity, "round {round}, sector {sector}: {b:?}");
                }
                let still = h.reserve(&buyers[0], &event, "Pista", "full", 1).await;
                assert_eq!(
                    still.status,
                    StatusCode::CREATED,
                    "round {round}: a refused delete closes nothing: {}",
                    still.body
                );
            }
            other => panic!("round {round}: the delete answered {other} {}", delete_reply.body),
        }
    }
    eprintln!("deletes: {deleted} done, {refused} refused for an order");
    h.finish().await;
}

#[tokio::test]
async fn a_reserved_order_of_a_cancelled_event_cannot_be_paid() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;

    // Through the admin API: the cancellation cancels the hold, so paying it is refused.
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let order = reserve_ok(&h, &buyer, &event, 2).await;
    cancel_to_the_end(&h, &admin, &event).await;
    let pay = h.post(&format!("/api/v1/orders/{order}/pay"), Some(&buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::CONFLICT, "{}", pay.body);

    // Paying's own check: an event marked cancelled whose holds have not been ended yet.
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let order = reserve_ok(&h, &buyer, &event, 2).await;
    set_stored_status(&h, &event, "cancelled").await;
    let pay = h.post(&format!("/api/v1/orders/{order}/pay"), Some(&buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::CONFLICT, "paying for a cancelled event: {}", pay.body);
    let now = h.order(&buyer, &order).await;
    assert!(now["status"] != "payment_pending" && now["status"] != "paid", "{now}");
    assert_eq!(h.count("payments", doc! {"order_id": &order}).await, 0, "nothing was charged");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_racing_the_events_cancellation_never_leaves_a_paid_order_on_a_cancelled_event() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for round in 0..5 {
        let event = h.event(&[("Pista", 10_000, 20)]).await;
        let buyers = join_all((0..4).map(|_| h.buyer())).await;
        let mut orders = Vec::new();
        for b in &buyers {
            orders.push(reserve_ok(&h, b, &event, 2).await);
        }
        let paying = buyers.iter().zip(&orders).map(|(b, o)| {
            let h = &h;
            async move { h.post(&format!("/api/v1/orders/{o}/pay"), Some(b), json!({"method": "pix"})).await }
        });
        let (pays, _) = tokio::join!(join_all(paying), cancel_to_the_end(&h, &admin, &event));
        for (o, p) in orders.iter().zip(&pays) {
            assert!(
                [StatusCode::ACCEPTED, StatusCode::CONFLICT].contains(&p.status),
                "round {round}: paying {o} answered {} {}",
                p.status,
                p.body
            );
            // The consumer arrives afterwards, as it would.
            let message = Message::payment_requested(order_id(o), 1, h.app.clock.now());
            processing::process(&h.app, &message).await.expect("process");
        }
        assert!(live_orders(&h, &event).await.is_empty(), "round {round}: a sale survived the cancellation");
        for o in &orders {
            assert_eq!(
                h.count("payments", doc! {"order_id": o, "outcome": "approved", "refunded": false}).await,
                0,
                "round {round}: money kept for {o}"
            );
        }
        assert_all_stock_back(&h, &event, &format!("round {round}")).await;
    }
    h.finish().await;
}

/// An event whose cancellation stopped halfway: sales closed and the event marked
/// `cancelling`, with a paid order and a hold still live. Returns (event, paid, held).
async fn a_half_done_cancellation(h: &Harness) -> (String, String, String) {
    let event = h.event(&[("Pista", 10_000, 20)]).await;
    let (ana, bia) = (h.buyer().await, h.buyer().await);
    let held = reserve_ok(h, &ana, &event, 2).await;
    let paid = reserve_ok(h, &bia, &event, 3).await;
    let pay = h.post(&format!("/api/v1/orders/{paid}/pay"), Some(&bia), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    assert!(h.settle_payment(&paid).await, "the payment was processed");
    assert_eq!(h.order(&bia, &paid).await["status"], "paid");
    h.app
        .stores
        .database()
        .collection::<Document>("inventory")
        .update_many(doc! {"event_id": &event}, doc! {"$set": {"on_sale": false}})
        .await
        .expect("close the sales");
    set_stored_status(h, &event, "cancelling").await;
    (event, paid, held)
}

async fn assert_cancelled_once(h: &Harness, event: &str, paid: &str, held: &str, what: &str) {
    assert_eq!(stored_status(h, event).await, "cancelled", "{what}");
    let paid_now = h.app.orders.find(&order_id(paid)).await.expect("find").expect("order");
    assert_eq!(paid_now.status.as_str(), "refunded", "{what}: the paid order was refunded");
    let held_now = h.app.orders.find(&order_id(held)).await.expect("find").expect("order");
    assert_eq!(held_now.status.as_str(), "cancelled", "{what}: the hold was cancelled");
    assert_eq!(h.count("emails", doc! {"_id": format!("refunded:{paid}")}).await, 1, "{what}");
    assert_eq!(h.count("emails", doc! {"_id": format!("cancelled:{held}")}).await, 1, "{what}");
    assert_eq!(h.count("payments", doc! {"order_id": paid, "refunded": true}).await, 1, "{what}: the money went back");
    assert_eq!(stock(h, event).await, (20, 20), "{what}: each ended order's tickets came back once");
    assert!(live_orders(h, event).await.is_empty(), "{what}");
}

#[tokio::test]
async fn asking_again_finishes_a_cancellation_that_stopped_halfway_refunding_once() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let (event, paid, held) = a_half_done_cancellation(&h).await;
    let done = cancel_to_the_end(&h, &admin, &event).await;
    assert_eq!(done.body["status"], "cancelled");
    assert_cancelled_once(&h, &event, &paid, &held, "after the second request").await;
    let again = cancel(&h, &admin, &event, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "now it is cancelled: {}", again.body);
    assert_cancelled_once(&h, &event, &paid, &held, "after a third request").await;
    h.finish().await;
}

#[tokio::test]
async fn the_scheduled_run_finishes_a_cancellation_that_stopped_halfway() {
    let h = Harness::start().await;
    let (event, paid, held) = a_half_done_cancellation(&h).await;
    h.clock.advance(chrono::Duration::minutes(2)); // the next scheduled runs
    maintenance::run(&h.app).await.expect("maintenance");
    assert_cancelled_once(&h, &event, &paid, &held, "after one run").await;
    maintenance::run(&h.app).await.expect("maintenance");
    assert_cancelled_once(&h, &event, &paid, &held, "after two runs").await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_halfway_cancellation_resumed_from_several_places_at_once_ends_each_order_once() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for round in 0..3 {
        let (event, paid, held) = a_half_done_cancellation(&h).await;
        let requests = join_all((0..3).map(|_| cancel(&h, &admin, &event, None)));
        let runs = join_all((0..2).map(|_| maintenance::run(&h.app)));
        let (replies, reports) = tokio::join!(requests, runs);
        for r in reports {
            r.expect("maintenance");
        }
        for r in &replies {
            assert!(
                [StatusCode::OK, StatusCode::ACCEPTED, StatusCode::CONFLICT].contains(&r.status),
                "round {round}: {} {}",
                r.status,
                r.body
            );
        }
        if stored_status(&h, &event).await != "cancelled" {
            cancel_to_the_end(&h, &admin, &event).await;
        }
        assert_cancelled_once(&h, &event, &paid, &held, &format!("round {round}")).await;
    }
    h.finish().await;
}
