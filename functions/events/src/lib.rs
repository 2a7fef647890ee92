//! `events`: the public catalogue, with live availability.

use bilheteria::http::{json, json_page, page, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::catalog;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::EVENTS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    match matched.route.id {
        RouteId::ListEvents => {
            let (limit, after) = page(req)?;
            let (events, next) = catalog::list(app, limit, after).await?;
            json_page(req, &events, limit, next)
        }
        RouteId::GetEvent => json(StatusCode::OK, &catalog::get(app, matched.param("id")).await?),
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
