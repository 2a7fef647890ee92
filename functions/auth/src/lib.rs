//! `auth`: register, log in, and who am I.

use bilheteria::http::{bearer_caller, json, json_body, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::accounts;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::AUTH;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    match matched.route.id {
        RouteId::Register => json(StatusCode::CREATED, &accounts::register(app, json_body(req)?).await?),
        RouteId::Login => json(StatusCode::OK, &accounts::login(app, json_body(req)?).await?),
        RouteId::Me => {
            let caller = bearer_caller(req, &app.tokens)?;
            json(StatusCode::OK, &accounts::me(app, &caller.user_id).await?)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
