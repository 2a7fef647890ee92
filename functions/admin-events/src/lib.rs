//! `admin-events`: event management and admin accounts, for admins only.

use bilheteria::http::{bearer_caller, json, json_body, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::admin;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::ADMIN_EVENTS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    // Every route here: a valid token (401 otherwise) of an admin (403 otherwise).
    let caller = bearer_caller(req, &app.tokens)?;
    caller.require_admin()?;
    let id = matched.param("id");
    match matched.route.id {
        RouteId::AdminListEvents => json(StatusCode::OK, &admin::list(app).await?),
        RouteId::CreateEvent => json(StatusCode::CREATED, &admin::create(app, &caller, json_body(req)?).await?),
        RouteId::UpdateEvent => json(StatusCode::OK, &admin::update(app, &caller, id, json_body(req)?).await?),
        RouteId::SetEventStatus => json(StatusCode::OK, &admin::set_status(app, &caller, id, json_body(req)?).await?),
        RouteId::CancelEvent => json(StatusCode::OK, &admin::cancel(app, &caller, id).await?),
        RouteId::DeleteEvent => {
            admin::delete(app, &caller, id).await?;
            Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(Body::Empty)
                .map_err(|e| AppError::internal("building a response", e))
        }
        RouteId::CreateAdmin => json(StatusCode::CREATED, &admin::create_admin(app, &caller, json_body(req)?).await?),
        RouteId::AuditLog => json(StatusCode::OK, &admin::audit_log(app).await?),
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
