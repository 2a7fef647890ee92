//! The `processing` handler in-process, fed the Amazon MQ for RabbitMQ event Lambda's
//! event-source mapping sends, against a real `App`.

use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use base64::{engine::general_purpose::STANDARD, Engine};
use bilheteria::domain::{Message, OrderId};
use bilheteria_testkit::amazon_mq::{self, RawDelivery};
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{create_event, reserve_one};
use lambda_runtime::{Context, LambdaEvent};
use processing_fn::{handle, Outcome};
use serde_json::{json, Value};

fn event_of(messages: &[Message]) -> RabbitMqEvent {
    let bodies: Vec<Vec<u8>> = messages.iter().map(|m| serde_json::to_vec(m).expect("encode")).collect();
    let deliveries: Vec<RawDelivery<'_>> = messages
        .iter()
        .zip(&bodies)
        .map(|(m, body)| RawDelivery { body, redelivered: false, message_id: Some(&m.id), kind: Some(m.kind.as_str()) })
        .collect();
    amazon_mq::event_for("orders", "/", &deliveries).expect("an Amazon MQ event")
}

#[tokio::test]
async fn a_reservation_message_is_processed_once_even_when_redelivered() {
    let config = harness::fresh_config("fn_consumer");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 5).await;
    let order_id = reserve_one(&app, &event_id).await;

    let message = Message::order_reserved(order_id.clone(), chrono::Utc::now());
    let outcome = handle(&app, LambdaEvent::new(event_of(std::slice::from_ref(&message)), Context::default()))
        .await
        .expect("batch");
    assert_eq!(outcome, Outcome { processed: 1, already_done: 0, dead_lettered: 0 });

    // Amazon MQ redelivers the whole batch: nothing is done twice.
    let outcome = handle(&app, LambdaEvent::new(event_of(&[message]), Context::default())).await.expect("batch");
    assert_eq!(outcome, Outcome { processed: 0, already_done: 1, dead_lettered: 0 });

    let order = app.orders.find(&order_id).await.expect("read").expect("the order");
    assert!(order.processed_at.is_some());

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn the_shipped_fixture_with_a_real_order_id_is_processed() {
    let config = harness::fresh_config("fn_consumer");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let event_id = create_event(&app, 5).await;
    let order_id = reserve_one(&app, &event_id).await;

    // fixtures/amazon-mq/order-reserved.json, with its order id replaced inside the base64 body.
    let mut fixture: Value =
        serde_json::from_str(include_str!("../../../../fixtures/amazon-mq/order-reserved.json")).expect("fixture");
    let message = &mut fixture["rmqMessagesByQueue"]["orders::/"][0];
    let body = STANDARD.decode(message["data"].as_str().expect("data")).expect("base64");
    let mut body: Value = serde_json::from_slice(&body).expect("a message");
    let old = body["order_id"].as_str().expect("order_id").to_string();
    let new = order_id.to_string();
    body["order_id"] = json!(new);
    body["id"] = json!(body["id"].as_str().expect("id").replace(&old, &new));
    message["data"] = json!(STANDARD.encode(body.to_string()));
    message["basicProperties"]["messageId"] = body["id"].clone();
    let event: RabbitMqEvent = serde_json::from_value(fixture).expect("a RabbitMqEvent");

    let outcome = handle(&app, LambdaEvent::new(event, Context::default())).await.expect("batch");
    assert_eq!(outcome, Outcome { processed: 1, already_done: 0, dead_lettered: 0 });

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn a_poison_message_and_an_unknown_order_are_dead_lettered_alone_and_the_batch_succeeds() {
    let config = harness::fresh_config("fn_consumer");
    bilheteria::adapters::rabbit::ensure_topology(&config).await.expect("queues");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");

    let poison = amazon_mq::event_for(
        "orders",
        "/",
        &[RawDelivery { body: b"not a message", redelivered: true, message_id: None, kind: None }],
    )
    .expect("event");
    let outcome = handle(&app, LambdaEvent::new(poison, Context::default())).await.expect("batch");
    assert_eq!(outcome, Outcome { processed: 0, already_done: 0, dead_lettered: 1 });

    let unknown = Message::order_reserved(OrderId::generate(), chrono::Utc::now());
    let outcome = handle(&app, LambdaEvent::new(event_of(&[unknown]), Context::default())).await.expect("batch");
    assert_eq!(outcome, Outcome { processed: 0, already_done: 0, dead_lettered: 1 });

    harness::cleanup(&config).await;
}
