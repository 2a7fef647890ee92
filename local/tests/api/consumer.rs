//! The consumer through the real RabbitMQ: a reservation's message is processed once, a
//! redelivery changes nothing, and the event Lambda would receive is the one processed.

use crate::helpers::{eventually, Harness};
use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use bilheteria::domain::{Message, OrderId};
use bilheteria_testkit::amazon_mq;
use lambda_runtime::{Context, LambdaEvent};
use mongodb::bson::doc;
use reqwest::StatusCode;

#[tokio::test]
async fn a_reservations_message_arrives_through_rabbitmq_and_is_processed_once() {
    let h = Harness::start().await.with_consumer();
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let r = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let order = r.body["id"].as_str().expect("id").to_string();
    let processed =
        eventually(10, || async { h.count("orders", doc! {"_id": &order, "processed_at": {"$ne": null}}).await == 1 })
            .await;
    assert!(processed, "the consumer marked the order processed");
    assert_eq!(h.count("emails", doc! {"_id": format!("reservation-received:{order}")}).await, 1);
    let first =
        h.app.orders.find(&OrderId::parse(&order).expect("id")).await.expect("find").expect("order").processed_at;

    // The broker delivers the same message again (a redelivery, an outbox republish).
    let again = Message::order_reserved(OrderId::parse(&order).expect("id"), chrono::Utc::now());
    h.app.publisher.publish(&again).await.expect("publish");
    h.app.publisher.publish(&again).await.expect("publish");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(h.count("emails", doc! {"to": {"$exists": true}}).await, 1, "no second e-mail");
    let after =
        h.app.orders.find(&OrderId::parse(&order).expect("id")).await.expect("find").expect("order").processed_at;
    assert_eq!(first, after, "processed_at unchanged by the redelivery");
    h.finish().await;
}

#[tokio::test]
async fn the_consumer_handler_takes_an_amazon_mq_event_and_a_redelivered_one_changes_nothing() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = h.reserve(&buyer, &event, "Pista", "half", 2).await.body["id"].as_str().expect("id").to_string();
    let message = Message::order_reserved(OrderId::parse(&order).expect("id"), chrono::Utc::now());
    let body = serde_json::to_vec(&message).expect("json");
    let delivery = |redelivered| amazon_mq::RawDelivery {
        body: &body,
        redelivered,
        message_id: Some(&message.id),
        kind: Some("order.reserved"),
    };
    let first: RabbitMqEvent = amazon_mq::event_for(&h.config.orders_queue, "/", &[delivery(false)]).expect("event");
    let outcome = processing_fn::handle(&h.app, LambdaEvent::new(first, Context::default())).await.expect("ok");
    assert_eq!((outcome.processed, outcome.already_done), (1, 0));
    let redelivery =
        amazon_mq::event_for(&h.config.orders_queue, "/", &[delivery(true), delivery(true)]).expect("event");
    let outcome = processing_fn::handle(&h.app, LambdaEvent::new(redelivery, Context::default())).await.expect("ok");
    assert_eq!((outcome.processed, outcome.already_done), (0, 2));
    assert_eq!(h.count("emails", doc! {}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn an_unreadable_message_is_dead_lettered_alone_and_the_rest_of_its_batch_is_processed() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let order = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
    let good = serde_json::to_vec(&Message::order_reserved(OrderId::parse(&order).expect("id"), chrono::Utc::now()))
        .expect("json");
    let batch = amazon_mq::event_for(
        &h.config.orders_queue,
        "/",
        &[
            amazon_mq::RawDelivery { body: b"{\"not\":\"ours\"}", redelivered: false, message_id: None, kind: None },
            amazon_mq::RawDelivery { body: &good, redelivered: false, message_id: None, kind: None },
        ],
    )
    .expect("event");
    let outcome = processing_fn::handle(&h.app, LambdaEvent::new(batch, Context::default())).await.expect("ok");
    assert_eq!((outcome.processed, outcome.dead_lettered), (1, 1), "{outcome:?}");
    assert_eq!(h.count("emails", doc! {}).await, 1, "the good message was processed in the same batch");
    h.finish().await;
}

#[tokio::test]
async fn messages_spread_over_the_lanes_by_order_and_every_lane_is_consumed() {
    let h = Harness::start_with(|c| c.order_lanes = 4).await.with_consumer();
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let buyer = h.buyer().await;
    let mut orders = Vec::new();
    for _ in 0..24 {
        let r = h.reserve(&buyer, &event, "Pista", "full", 1).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        orders.push(r.body["id"].as_str().expect("id").to_string());
    }
    let lanes: std::collections::BTreeSet<u16> =
        orders.iter().map(|o| bilheteria::adapters::rabbit::lane_of(o, 4)).collect();
    assert!(lanes.len() > 1, "24 orders all in one lane of four: {lanes:?}");
    let processed =
        eventually(15, || async { h.count("orders", doc! {"processed_at": {"$ne": null}}).await == 24 }).await;
    assert!(processed, "every lane's consumer processed its orders");
    assert_eq!(h.count("emails", doc! {}).await, 24);
    h.finish().await;
}

#[tokio::test]
async fn one_batch_of_many_orders_is_processed_at_once_each_message_with_its_own_outcome() {
    let h = Harness::start_with(|c| c.consumer_concurrency = 8).await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let buyer = h.buyer().await;
    let mut bodies = Vec::new();
    for _ in 0..30 {
        let order = h.reserve(&buyer, &event, "Pista", "full", 1).await.body["id"].as_str().expect("id").to_string();
        let message = Message::order_reserved(OrderId::parse(&order).expect("id"), chrono::Utc::now());
        bodies.push(serde_json::to_vec(&message).expect("json"));
    }
    // Each order's message twice (the second finds it done), and one that is not ours.
    let mut deliveries: Vec<amazon_mq::RawDelivery<'_>> = bodies
        .iter()
        .chain(bodies.iter())
        .map(|body| amazon_mq::RawDelivery { body, redelivered: false, message_id: None, kind: None })
        .collect();
    deliveries.push(amazon_mq::RawDelivery { body: b"garbage", redelivered: false, message_id: None, kind: None });
    let batch = amazon_mq::event_for(&h.config.orders_queue, "/", &deliveries).expect("event");
    let outcome = processing_fn::handle(&h.app, LambdaEvent::new(batch, Context::default())).await.expect("ok");
    assert_eq!((outcome.processed, outcome.already_done, outcome.dead_lettered), (30, 30, 1), "{outcome:?}");
    assert_eq!(h.count("emails", doc! {}).await, 30, "one e-mail per order");
    h.finish().await;
}
