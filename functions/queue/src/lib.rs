//! `queue`: the waiting room of an event in queue mode (docs/waiting-room.md). Buyers join
//! and get a place, everyone polls the same status (public for a second, with an `ETag`, so
//! CloudFront answers the crowd), an admitted buyer trades the place for an admission, and
//! admins set the room and watch it.

use bilheteria::http::cacheable::{cacheable, never_store_problems};
use bilheteria::http::{admin, caller, json, json_body, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::queue;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::QUEUE;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(never_store_problems(respond(&req, route(app, &req).await)))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    let id = matched.param("id");
    match matched.route.id {
        RouteId::QueueStatus => cacheable(req, json(StatusCode::OK, &queue::status(app, id).await?)?),
        RouteId::JoinQueue => {
            let who = caller(req, &app.guard).await?;
            json(StatusCode::OK, &queue::join(app, &who, id).await?)
        }
        RouteId::AdmitFromQueue => {
            let who = caller(req, &app.guard).await?;
            json(StatusCode::OK, &queue::admit(app, &who, id, json_body(req)?).await?)
        }
        RouteId::AdminQueue => {
            admin(req, &app.guard).await?;
            json(StatusCode::OK, &queue::admin::show(app, id).await?)
        }
        RouteId::ConfigureQueue => {
            let who = admin(req, &app.guard).await?;
            json(StatusCode::OK, &queue::admin::configure(app, &who, id, json_body(req)?).await?)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
