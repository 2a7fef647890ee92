//! The control API (plain HTTP, loopback): what a payer, the SPI and an unreliable PSP would do,
//! on a test's command.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids::parse_amount;
use crate::state::{lock, DeliveryRecord, Faults, PayError, PayRequest, Shared};
use crate::webhook;

/// More Pix than this in one call is a test bug, not a scenario.
const MAX_PAYMENTS: u32 = 100;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/control/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/control/charges", get(list_charges))
        .route("/control/charges/{txid}", get(get_charge))
        .route("/control/charges/{txid}/pay", post(pay))
        .route("/control/charges/{txid}/notify", post(notify))
        .route("/control/faults", put(put_faults).get(get_faults))
        .route("/control/notifications", get(notifications))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", None) })
        .with_state(shared)
}

fn error(status: StatusCode, code: &str, detail: Option<String>) -> Response {
    let mut body = json!({ "error": code });
    if let Some(detail) = detail {
        body["detail"] = json!(detail);
    }
    (status, Json(body)).into_response()
}

/// An optional JSON body: empty means all defaults.
fn body_or_default<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
}

fn bad_body(e: serde_json::Error) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", Some(e.to_string()))
}

async fn list_charges(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let now = Utc::now();
    let store = lock(&shared.store);
    let mut charges: Vec<_> = store.charges.values().collect();
    charges.sort_by(|a, b| (a.criacao, &a.txid).cmp(&(b.criacao, &b.txid)));
    Json(Value::Array(charges.iter().map(|c| c.to_control_json(now)).collect()))
}

async fn get_charge(State(shared): State<Arc<Shared>>, Path(txid): Path<String>) -> Response {
    let store = lock(&shared.store);
    match store.charges.get(&txid) {
        Some(charge) => Json(charge.to_control_json(Utc::now())).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", None),
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PayBody {
    /// Pay this instead of the charge's value (a wrong-amount payment).
    amount: Option<String>,
    /// How many Pix to add to the charge.
    payments: u32,
    /// Allow paying a CONCLUIDA charge (a duplicate payment).
    again: bool,
    /// Allow paying past expiry (a PSP's delay or clock skew).
    after_expiry: bool,
    /// Send the webhook notification (one, with all the Pix this call made).
    notify: bool,
    /// The payer's message (`infoPagador`).
    info_pagador: Option<String>,
}

impl Default for PayBody {
    fn default() -> Self {
        Self { amount: None, payments: 1, again: false, after_expiry: false, notify: true, info_pagador: None }
    }
}

async fn pay(State(shared): State<Arc<Shared>>, Path(txid): Path<String>, body: Bytes) -> Response {
    let body: PayBody = match body_or_default(&body) {
        Ok(body) => body,
        Err(e) => return bad_body(e),
    };
    let amount_cents = match body.amount.as_deref().map(parse_amount) {
        None => None,
        Some(Some(cents)) => Some(cents),
        Some(None) => {
            return error(StatusCode::BAD_REQUEST, "bad_request", Some("amount must look like \"12.34\"".into()))
        }
    };
    if !(1..=MAX_PAYMENTS).contains(&body.payments) {
        return error(StatusCode::BAD_REQUEST, "bad_request", Some(format!("payments must be 1..={MAX_PAYMENTS}")));
    }
    let request = PayRequest {
        amount_cents,
        payments: body.payments,
        again: body.again,
        after_expiry: body.after_expiry,
        info_pagador: body.info_pagador,
    };
    let now = Utc::now();
    let (ids, notification) = {
        let mut store = lock(&shared.store);
        let ids = match store.pay(&txid, &request, now) {
            Ok(ids) => ids,
            Err(PayError::NotFound) => return error(StatusCode::NOT_FOUND, "not_found", None),
            Err(PayError::Expired) => return error(StatusCode::CONFLICT, "expired", None),
            Err(PayError::AlreadyPaid) => return error(StatusCode::CONFLICT, "already_paid", None),
            Err(PayError::Removed) => return error(StatusCode::CONFLICT, "removed", None),
        };
        let notification = body.notify.then(|| store.notification(&txid, &ids)).flatten();
        (ids, notification)
    };
    if let Some(notification) = notification {
        webhook::notify(&shared, notification);
    }
    Json(json!({ "end_to_end_ids": ids })).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyBody {
    /// The Pix to put in the one notification, in this order (repeats allowed); absent: all of
    /// the charge's, in payment order.
    end_to_end_ids: Option<Vec<String>>,
}

async fn notify(State(shared): State<Arc<Shared>>, Path(txid): Path<String>, body: Bytes) -> Response {
    let body: NotifyBody = match body_or_default(&body) {
        Ok(body) => body,
        Err(e) => return bad_body(e),
    };
    let notification = {
        let store = lock(&shared.store);
        let Some(charge) = store.charges.get(&txid) else {
            return error(StatusCode::NOT_FOUND, "not_found", None);
        };
        let ids = body.end_to_end_ids.unwrap_or_else(|| charge.pix.iter().map(|p| p.end_to_end_id.clone()).collect());
        match store.notification(&txid, &ids) {
            Some(notification) => notification,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "unknown_end_to_end_id",
                    Some(format!("not all of {ids:?} are Pix of {txid}")),
                )
            }
        }
    };
    webhook::notify(&shared, notification);
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

async fn put_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let faults: Faults = match body_or_default(&body) {
        Ok(faults) => faults,
        Err(e) => return bad_body(e),
    };
    *lock(&shared.faults) = faults;
    tracing::info!(?faults, "faults set");
    Json(faults).into_response()
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Faults> {
    Json(*lock(&shared.faults))
}

async fn notifications(State(shared): State<Arc<Shared>>) -> Json<Vec<DeliveryRecord>> {
    Json(lock(&shared.deliveries).clone())
}
