//! `admin-events`: event management, for admins only.

use bilheteria::http::{bearer_caller, json, json_body, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::catalog;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::ADMIN_EVENTS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    // Every admin route: a valid token (401 otherwise) of an admin (403 otherwise).
    bearer_caller(req, &app.tokens)?.require_admin()?;
    match matched.route.id {
        RouteId::CreateEvent => json(
            StatusCode::CREATED,
            &catalog::create(app, json_body(req)?).await?,
        ),
        other => Err(AppError::Internal(format!(
            "route {other:?} is not served by {FUNCTION}"
        ))),
    }
}
