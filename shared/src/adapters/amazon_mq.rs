//! The Amazon MQ for RabbitMQ event a consumer Lambda receives: `rmqMessagesByQueue` maps
//! `"<queue>::<vhost>"` to messages whose `data` is the base64 of the body. The local
//! consumer loop builds the very same event from `lapin` deliveries (with
//! `bilheteria_testkit::amazon_mq::event_for`, which no Lambda ships).

use crate::domain::Delivery;
use aws_lambda_events::event::rabbitmq::RabbitMqEvent;
use base64::{engine::general_purpose::STANDARD, Engine};

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
