//! The PSP's notifications (`POST …/webhook/pix`, the API Pix's `{"pix": [...]}`). The body
//! is a claim, not a fact: each entry counts only if the charge, read back from the PSP over
//! our own mutual-TLS client, lists that very pix. Then a receipt is kept (once per
//! `endToEndId`) and `payment.confirmed` published for the consumer, which settles it.

use crate::app::App;
use crate::domain::pix::{is_end_to_end_id, Txid};
use crate::domain::Message;
use crate::error::{AppError, AppResult};
use crate::ports::{Receipt, ReceiptOutcome};
use serde::{Deserialize, Serialize};

/// More entries than any PSP batches in one notification: a body past it is not one.
const MAX_ENTRIES: usize = 1_000;

#[derive(Deserialize)]
struct Notification {
    pix: Vec<NotifiedPix>,
}

#[derive(Deserialize)]
struct NotifiedPix {
    #[serde(rename = "endToEndId")]
    end_to_end_id: String,
    #[serde(default)]
    txid: Option<String>,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct WebhookReport {
    /// Confirmed with the PSP and passed to the consumer.
    pub accepted: usize,
    /// Known already (a duplicate notification): nothing done.
    pub known: usize,
    /// Not a pix of ours that the PSP confirms (forged, another system's, malformed).
    pub ignored: usize,
}

pub async fn receive(app: &App, body: &[u8]) -> AppResult<WebhookReport> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| AppError::BadRequest("the body is not JSON".into()))?;
    let notification: Notification = serde_json::from_value(value)
        .map_err(|_| AppError::Unprocessable("expected the API Pix notification {\"pix\": [...]}".into()))?;
    if notification.pix.len() > MAX_ENTRIES {
        return Err(AppError::BadRequest(format!("at most {MAX_ENTRIES} pix per notification")));
    }
    let mut report = WebhookReport::default();
    for entry in &notification.pix {
        match accept(app, entry).await? {
            Verdict::Accepted => report.accepted += 1,
            Verdict::Known => report.known += 1,
            Verdict::Ignored(why) => {
                tracing::warn!(end_to_end_id = %entry.end_to_end_id, txid = ?entry.txid, why, "pix notification ignored");
                report.ignored += 1;
            }
        }
    }
    Ok(report)
}

enum Verdict {
    Accepted,
    Known,
    Ignored(&'static str),
}

async fn accept(app: &App, entry: &NotifiedPix) -> AppResult<Verdict> {
    if !is_end_to_end_id(&entry.end_to_end_id) {
        return Ok(Verdict::Ignored("not an endToEndId"));
    }
    let Some((txid, order_id, _)) = entry.txid.as_deref().and_then(Txid::parse) else {
        return Ok(Verdict::Ignored("not a charge of ours"));
    };
    if let Some(known) = app.pix_receipts.find(&entry.end_to_end_id).await? {
        if known.outcome != ReceiptOutcome::Pending {
            return Ok(Verdict::Known);
        }
    }
    // The re-read: only what the PSP itself lists for this charge is true.
    let Some(charge) = app.pix.charge(&txid).await? else {
        return Ok(Verdict::Ignored("the PSP has no such charge"));
    };
    let Some(pix) = charge.received.iter().find(|p| p.end_to_end_id == entry.end_to_end_id) else {
        return Ok(Verdict::Ignored("the PSP lists no such pix for the charge"));
    };
    if app.orders.find(&order_id).await?.is_none() {
        tracing::error!(alarm = "pix_for_unknown_order", txid = %txid, "a pix for a charge of ours with no order");
        return Ok(Verdict::Ignored("no such order"));
    }
    app.pix_receipts.record(&Receipt::pending(&txid, &order_id, pix)).await?;
    // Published before answering: if the broker is down the PSP gets a 503 and delivers
    // again; nothing is lost between the two.
    let message = Message::payment_confirmed(order_id, txid.as_str(), &pix.end_to_end_id, app.clock.now());
    app.publisher.publish(&message).await?;
    Ok(Verdict::Accepted)
}
