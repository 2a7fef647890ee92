//! The Amazon MQ for RabbitMQ event Lambda's event-source mapping sends a consumer function,
//! built from raw deliveries: the local consumer loop wraps each batch it reads with `lapin`
//! in it, and the tests feed the consumer handler with it. Reading the event is the
//! function's side, in `bilheteria::adapters::amazon_mq`.

use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use base64::{engine::general_purpose::STANDARD, Engine};
use bilheteria::AppError;
use serde_json::json;

/// A delivery as the broker handed it over.
pub struct RawDelivery<'a> {
    pub body: &'a [u8],
    pub redelivered: bool,
    pub message_id: Option<&'a str>,
    pub kind: Option<&'a str>,
}

/// Builds the event Lambda's event-source mapping would send for these deliveries.
pub fn event_for(queue: &str, vhost: &str, deliveries: &[RawDelivery<'_>]) -> Result<RabbitMqEvent, AppError> {
    let messages: Vec<serde_json::Value> = deliveries
        .iter()
        .map(|d| {
            json!({
                "basicProperties": {
                    "contentType": "application/json",
                    "contentEncoding": null,
                    "headers": {},
                    "deliveryMode": 2,
                    "priority": 0,
                    "correlationId": null,
                    "replyTo": null,
                    "expiration": null,
                    "messageId": d.message_id,
                    "timestamp": null,
                    "type": d.kind,
                    "userId": null,
                    "appId": null,
                    "clusterId": null,
                    "bodySize": d.body.len(),
                },
                "redelivered": d.redelivered,
                "data": STANDARD.encode(d.body),
            })
        })
        .collect();
    let event = json!({
        "eventSource": "aws:rmq",
        "eventSourceArn": "arn:aws:mq:local:000000000000:broker:bilheteria-local:b-local",
        "rmqMessagesByQueue": { format!("{queue}::{vhost}"): messages },
    });
    serde_json::from_value(event).map_err(|e| AppError::internal("building a RabbitMQ event", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bilheteria::adapters::amazon_mq::deliveries_of;
    use bilheteria::domain::{Message, OrderId};

    #[test]
    fn a_message_survives_the_trip_through_an_amazon_mq_event() {
        let message = Message::order_reserved(OrderId::generate(), chrono::Utc::now());
        let body = serde_json::to_vec(&message).expect("encode");
        let event = event_for(
            "orders",
            "/",
            &[RawDelivery {
                body: &body,
                redelivered: true,
                message_id: Some(&message.id),
                kind: Some("order.reserved"),
            }],
        )
        .expect("event");
        assert!(event.messages_by_queue.contains_key("orders::/"));
        let decoded: Vec<Message> = deliveries_of(&event).into_iter().filter_map(|d| d.message.ok()).collect();
        assert_eq!(decoded, vec![message]);
    }

    #[test]
    fn a_body_that_is_not_a_message_is_kept_with_the_reason() {
        let event = event_for(
            "orders",
            "/",
            &[RawDelivery { body: b"nonsense", redelivered: false, message_id: None, kind: None }],
        )
        .expect("event");
        let deliveries = deliveries_of(&event);
        assert_eq!(deliveries[0].body, b"nonsense");
        assert!(deliveries[0].message.as_ref().is_err_and(|reason| reason.contains("not a Bilheteria message")));
    }
}
