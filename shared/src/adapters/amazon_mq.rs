//! The Amazon MQ for RabbitMQ event a consumer Lambda receives: `rmqMessagesByQueue` maps
//! `"<queue>::<vhost>"` to messages whose `data` is the base64 of the body. The local
//! consumer loop builds the very same event from `lapin` deliveries.

use crate::domain::Delivery;
use crate::error::AppError;
use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use base64::{engine::general_purpose::STANDARD, Engine};
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

/// Decodes every delivery of an event, in order; a body that is not a message of ours is
/// kept with the reason, so the rest of its batch goes on.
pub fn deliveries_of(event: &RabbitMqEvent) -> Vec<Delivery> {
    let mut out = Vec::new();
    let mut queues: Vec<_> = event.messages_by_queue.iter().collect();
    queues.sort_by(|a, b| a.0.cmp(b.0));
    for (queue, messages) in queues {
        for m in messages {
            let data = m.data.as_deref().unwrap_or("");
            let delivery = match STANDARD.decode(data) {
                Err(e) => Delivery {
                    body: data.as_bytes().to_vec(),
                    message: Err(format!("a message on {queue} is not base64: {e}")),
                },
                Ok(body) => {
                    let message = serde_json::from_slice(&body)
                        .map_err(|e| format!("a message on {queue} is not a Bilheteria message: {e}"));
                    Delivery { body, message }
                }
            };
            out.push(delivery);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Message, OrderId};

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
