//! The consumer judges each message of a batch on its own: a message naming an unknown
//! order and a body that is not JSON go to the dead-letter queue once, with the reason,
//! while the good messages of the same batch are processed at once — not after the broker
//! has redelivered the whole batch until its delivery limit.

use super::support::id_of;
use crate::helpers::Harness;
use bilheteria::adapters::rabbit;
use bilheteria::domain::{Message, OrderId};
use futures::future::join_all;
use lapin::options::{BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::AMQPValue;
use lapin::{BasicProperties, Channel, Confirmation};
use mongodb::bson::doc;
use reqwest::StatusCode;
use std::time::Duration;

const GARBAGE: &[u8] = b"{this is not json";

async fn publish_raw(channel: &Channel, queue: &str, body: &[u8]) {
    let confirmation = channel
        .basic_publish("".into(), queue.into(), BasicPublishOptions::default(), body, BasicProperties::default())
        .await
        .expect("publish")
        .await
        .expect("confirm");
    assert!(matches!(confirmation, Confirmation::Ack(_)), "the broker took the message");
}

fn reason(properties: &BasicProperties) -> Option<String> {
    let headers = properties.headers().as_ref()?;
    headers.inner().iter().find(|(k, _)| k.as_str() == "x-bilheteria-reason").and_then(|(_, v)| match v {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    })
}

/// Everything in the queue right now: (body, x-bilheteria-reason).
async fn drain(channel: &Channel, queue: &str) -> Vec<(Vec<u8>, Option<String>)> {
    let mut out = Vec::new();
    while let Some(m) = channel.basic_get(queue.into(), BasicGetOptions { no_ack: true }).await.expect("basic.get") {
        out.push((m.delivery.data.clone(), reason(&m.delivery.properties)));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_order_and_a_body_that_is_not_json_are_dead_lettered_once_and_the_rest_of_the_batch_is_processed_at_once(
) {
    for round in 0..3 {
        let h = Harness::start().await;
        let conn = rabbit::connect(&h.config.amqp_url, "integrity-test").await.expect("connect");
        let channel = conn.create_channel().await.expect("channel");
        channel.confirm_select(ConfirmSelectOptions::default()).await.expect("confirms");

        // All in the queue before the consumer starts, so that they arrive in one batch, the
        // bad ones first.
        let unknown = Message::order_reserved(OrderId::generate(), h.app.clock.now());
        h.app.publisher.publish(&unknown).await.expect("publish");
        publish_raw(&channel, &h.config.lane_queue(0), GARBAGE).await;
        let event = h.event(&[("Pista", 10_000, 100)]).await;
        let buyers = join_all((0..5).map(|_| h.buyer())).await;
        let mut orders = Vec::new();
        for b in &buyers {
            let r = h.reserve(b, &event, "Pista", "full", 1).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            orders.push(id_of(&r)); // its order.reserved is published by the reservation
        }
        assert_eq!(h.count("orders", doc! {"processed_at": null}).await, 5, "round {round}: nothing processed yet");

        let h = h.with_consumer();
        let started = tokio::time::Instant::now();
        let all_done = crate::helpers::eventually(5, || async {
            h.count("orders", doc! {"processed_at": {"$ne": null}}).await == 5
                && h.count("emails", doc! {"_id": {"$regex": "^reservation-received:"}}).await == 5
        })
        .await;
        assert!(
            all_done,
            "round {round}: the 5 real orders were not processed within 5 s ({} of 5): the bad messages held their batch",
            h.count("orders", doc! {"processed_at": {"$ne": null}}).await
        );
        for o in &orders {
            assert_eq!(h.count("emails", doc! {"_id": format!("reservation-received:{o}")}).await, 1, "round {round}");
        }
        eprintln!("round {round}: the good messages were processed in {:?}", started.elapsed());

        // The two bad ones reach the dead-letter queue; then nothing more arrives there.
        let dead_queue = h.config.dead_letter_queue();
        let mut dead = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while dead.len() < 2 && tokio::time::Instant::now() < deadline {
            dead.extend(drain(&channel, &dead_queue).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        dead.extend(drain(&channel, &dead_queue).await);
        let bodies: Vec<String> = dead.iter().map(|(b, _)| String::from_utf8_lossy(b).into_owned()).collect();
        assert_eq!(dead.len(), 2, "round {round}: each bad message dead-lettered exactly once: {bodies:?}");
        let garbage = dead.iter().filter(|(b, _)| b.as_slice() == GARBAGE).count();
        let orphan = dead
            .iter()
            .filter(|(b, _)| {
                serde_json::from_slice::<Message>(b).is_ok_and(|m| m.order_id == unknown.order_id && m.id == unknown.id)
            })
            .count();
        assert_eq!((garbage, orphan), (1, 1), "round {round}: the two bad messages, intact: {bodies:?}");
        for (body, why) in &dead {
            assert!(
                why.as_deref().is_some_and(|w| !w.trim().is_empty()),
                "round {round}: {} carries no x-bilheteria-reason",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(h.count("emails", doc! {}).await, 5, "round {round}: nothing done twice");
        let _ = conn.close(0, "done".into()).await;
        h.finish().await;
    }
}

/// Concurrent batches (a broker redelivery racing an outbox republish, each in its own
/// invocation) over the same paid orders, with their messages in different orders and each
/// batch working on its orders at once: every order ends paid once, with its tickets issued
/// once, one "paid" e-mail, and the stock exactly what the orders hold. Several rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_of_the_same_payments_pay_each_order_once() {
    use bilheteria::domain::Delivery;
    use bilheteria::services::processing;
    for round in 0..3 {
        let h = Harness::start_with(|c| c.consumer_concurrency = 8).await;
        let event = h.event(&[("Pista", 10_000, 30)]).await;
        let mut orders = Vec::new();
        for _ in 0..10 {
            let buyer = h.buyer().await;
            let reserved = h.reserve(&buyer, &event, "Pista", "full", 2).await;
            assert_eq!(reserved.status, StatusCode::CREATED, "{}", reserved.body);
            let id = id_of(&reserved);
            let card = serde_json::json!({"method": "card", "card_number": "4111111111111111"});
            let paid = h.post(&format!("/api/v1/orders/{id}/pay"), Some(&buyer), card).await;
            assert!(paid.status.is_success(), "{}", paid.body);
            orders.push(id);
        }
        let delivery = |id: &str, reserved: bool| {
            let order = OrderId::parse(id).expect("id");
            let message = if reserved {
                Message::order_reserved(order, h.app.clock.now())
            } else {
                Message::payment_requested(order, 1, h.app.clock.now())
            };
            Delivery { body: serde_json::to_vec(&message).expect("json"), message: Ok(message) }
        };
        let forwards: Vec<Delivery> = orders.iter().flat_map(|id| [delivery(id, true), delivery(id, false)]).collect();
        let backwards: Vec<Delivery> = orders.iter().rev().map(|id| delivery(id, false)).collect();
        let reports = join_all([
            processing::process_batch(&h.app, &forwards),
            processing::process_batch(&h.app, &backwards),
            processing::process_batch(&h.app, &forwards),
        ])
        .await;
        for report in &reports {
            assert!(report.retry.is_none() && report.poisoned.is_empty(), "round {round}: {report:?}");
        }
        let payments_done: usize = reports.iter().map(|r| r.processed).sum();
        assert!(payments_done >= orders.len(), "round {round}: each order's work done by some batch");
        for id in &orders {
            assert_eq!(h.count("orders", doc! {"_id": id, "status": "paid"}).await, 1, "round {round}: {id} paid");
            assert_eq!(h.count("tickets", doc! {"order_id": id}).await, 2, "round {round}: {id}'s tickets once");
            assert_eq!(h.count("emails", doc! {"_id": format!("paid:{id}")}).await, 1, "round {round}: one e-mail");
        }
        let view = h.get(&format!("/api/v1/events/{event}"), None).await;
        assert_eq!(view.body["sectors"][0]["available"], 10, "round {round}: 20 sold of 30, nothing more");
        h.finish().await;
    }
}
