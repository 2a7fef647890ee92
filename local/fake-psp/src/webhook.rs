//! Notifications: `POST {webhookUrl}/pix` with `{"pix": [...]}`, each delivery in its own task,
//! retried on a non-2xx answer or a transport error for about a minute.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::state::{lock, DeliveryRecord, Shared};

/// Waits before the 2nd, 3rd, … attempt: 10 attempts over ≈ 61 s.
const BACKOFF: [Duration; 9] = [
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(15),
    Duration::from_secs(15),
    Duration::from_secs(15),
];

const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The spec's callback is `{$request.body#/webhookUrl}/pix`; a registered URL ending in `/` does
/// not make the path `//pix`.
pub fn target(webhook_url: &str) -> String {
    format!("{}/pix", webhook_url.trim_end_matches('/'))
}

/// Emits one notification (twice under `duplicate_notifications`, logged and not sent under
/// `drop_notifications` or without a webhook). Returns at once.
pub fn notify(shared: &Arc<Shared>, body: Value) {
    let faults = *lock(&shared.faults);
    let url = lock(&shared.store).webhook.as_ref().map(|w| target(&w.url));
    let copies = if faults.duplicate_notifications { 2 } else { 1 };
    for _ in 0..copies {
        let index = {
            let mut log = lock(&shared.deliveries);
            log.push(DeliveryRecord {
                body: body.clone(),
                url: url.clone(),
                attempts: 0,
                delivered: false,
                last_status: None,
                last_error: None,
                dropped: faults.drop_notifications,
            });
            log.len() - 1
        };
        match &url {
            None => tracing::info!(index, "no webhook registered: notification not sent"),
            Some(_) if faults.drop_notifications => {
                tracing::info!(index, "drop_notifications: notification not sent")
            }
            Some(url) => {
                tokio::spawn(deliver(shared.clone(), index, url.clone(), body.clone()));
            }
        }
    }
}

async fn deliver(shared: Arc<Shared>, index: usize, url: String, body: Value) {
    let mut shutdown = shared.shutdown.clone();
    for attempt in 0..=BACKOFF.len() {
        let send = shared.http.post(&url).json(&body).timeout(ATTEMPT_TIMEOUT).send();
        let result = tokio::select! {
            result = send => result,
            _ = shutdown.changed() => return,
        };
        let delivered = {
            let mut log = lock(&shared.deliveries);
            let Some(record) = log.get_mut(index) else {
                return;
            };
            record.attempts += 1;
            match &result {
                Ok(response) => {
                    record.last_status = Some(response.status().as_u16());
                    record.last_error = None;
                    record.delivered = response.status().is_success();
                }
                Err(error) => {
                    record.last_status = None;
                    record.last_error = Some(error_chain(error));
                }
            }
            record.delivered
        };
        if delivered {
            tracing::debug!(index, attempt, %url, "notification delivered");
            return;
        }
        let Some(wait) = BACKOFF.get(attempt) else {
            break;
        };
        tracing::info!(index, attempt, %url, ?wait, "notification not accepted; retrying");
        tokio::select! {
            () = tokio::time::sleep(*wait) => {}
            _ = shutdown.changed() => return,
        }
    }
    tracing::warn!(index, %url, "notification given up");
}

/// reqwest's own message names only the URL; the cause (refused, timed out) is in its sources.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_path_is_appended_once() {
        assert_eq!(target("http://h/webhook"), "http://h/webhook/pix");
        assert_eq!(target("http://h/webhook/"), "http://h/webhook/pix");
        let total: Duration = BACKOFF.iter().sum();
        assert!((55..=65).contains(&total.as_secs()), "{total:?}");
    }
}
