//! `payments-webhook`: the PSP's PIX notifications (API Pix: `POST {webhookUrl}/pix`). In
//! production it sits behind its own custom domain with mutual TLS (only the PSP's
//! certificate gets through); even so, it believes nothing a notification says until the
//! PSP, asked over our own client, confirms it (`services::payments::webhook`).

use bilheteria::http::{json, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::payments::webhook;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::PAYMENTS_WEBHOOK;

/// A notification is a few hundred bytes per pix; a body past this is not one.
const MAX_BODY_BYTES: usize = 256 * 1024;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    match matched.route.id {
        RouteId::PixWebhook | RouteId::PixWebhookPix => {
            let body: &[u8] = match req.body() {
                Body::Text(text) => text.as_bytes(),
                Body::Binary(bytes) => bytes,
                Body::Empty => &[],
                _ => &[],
            };
            if body.len() > MAX_BODY_BYTES {
                return Err(AppError::BadRequest(format!("a notification is at most {MAX_BODY_BYTES} bytes")));
            }
            // 200 once every entry was dealt with (forged ones included: there is nothing to
            // retry); a PSP or broker we could not reach answers 503, and the PSP delivers again.
            json(StatusCode::OK, &webhook::receive(app, body).await?)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
