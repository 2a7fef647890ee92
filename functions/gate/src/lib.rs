//! `gate`: the stadium's side of a ticket. The public keys that verify tickets, the online
//! check-in (exactly once), and for offline scanners the event's manifest and the sync of
//! the scans they made while offline (`services::gate`).

use bilheteria::http::{gate, json, json_body, query_param, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::gate as service;
use bilheteria::{error::AppResult, App, AppError};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::GATE;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    if matched.route.id == RouteId::GateKeys {
        // Public, and the same for everyone: a CDN and the scanners may keep it a while
        // (a new key is published a deploy before it signs anything).
        let mut response = json(StatusCode::OK, &service::keys(app)?)?;
        response.headers_mut().insert("cache-control", HeaderValue::from_static("public, max-age=300"));
        return Ok(response);
    }
    let who = gate(req, &app.guard).await?;
    let id = matched.param("id");
    match matched.route.id {
        RouteId::CheckIn => json(StatusCode::OK, &service::check_in(app, &who, json_body(req)?).await?),
        RouteId::GateManifest => {
            let since = query_param(req, "since");
            json(StatusCode::OK, &service::manifest(app, &who, id, since.as_deref()).await?)
        }
        RouteId::GateScans => json(StatusCode::OK, &service::sync(app, &who, id, json_body(req)?).await?),
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
