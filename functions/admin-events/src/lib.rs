//! `admin-events`: event management and admin accounts, for admins only.

use bilheteria::http::{
    admin as admin_caller, if_match, json, json_body, json_page, json_versioned, page, query_param, respond,
};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::accounts;
use bilheteria::services::admin::{self, Closing};
use bilheteria::services::catalog::EventView;
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::ADMIN_EVENTS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    // Every route here: a valid, unrevoked token (401 otherwise) of an account that is an
    // admin now (403 otherwise).
    let caller = admin_caller(req, &app.guard).await?;
    let id = matched.param("id");
    match matched.route.id {
        RouteId::AdminListEvents => {
            let (limit, after) = page(req)?;
            let (events, next) = admin::list(app, limit, after).await?;
            json_page(req, &events, limit, next)
        }
        RouteId::CreateEvent => versioned(StatusCode::CREATED, admin::create(app, &caller, json_body(req)?).await?),
        RouteId::UpdateEvent => {
            versioned(StatusCode::OK, admin::update(app, &caller, id, json_body(req)?, if_match(req)?).await?)
        }
        RouteId::SetEventStatus => {
            versioned(StatusCode::OK, admin::set_status(app, &caller, id, json_body(req)?, if_match(req)?).await?)
        }
        RouteId::CancelEvent => closing(admin::cancel(app, &caller, id, if_match(req)?).await?, false),
        RouteId::DeleteEvent => closing(admin::delete(app, &caller, id, if_match(req)?).await?, true),
        RouteId::CreateAdmin => json(StatusCode::CREATED, &admin::create_admin(app, &caller, json_body(req)?).await?),
        RouteId::SetUserRole => {
            json(StatusCode::OK, &accounts::set_role(app, &caller, matched.param("id"), json_body(req)?).await?)
        }
        RouteId::AuditLog => {
            let (event, action) = (query_param(req, "event"), query_param(req, "action"));
            json(StatusCode::OK, &admin::audit_log(app, event.as_deref(), action.as_deref()).await?)
        }
        RouteId::CreateGateStaff => {
            let event =
                bilheteria::domain::EventId::parse(id).ok_or_else(|| AppError::NotFound("no such event".into()))?;
            json(StatusCode::CREATED, &accounts::create_gate_staff(app, &caller, &event, json_body(req)?).await?)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}

fn versioned(status: StatusCode, view: EventView) -> AppResult<Response<Body>> {
    json_versioned(status, &view, view.version)
}

/// A cancel or delete that finished: 200 with the event (204 for a delete); one still
/// sweeping: 202 with the event as it stands (`cancelling` / `deleting`) — call again, or
/// let the scheduled function finish it.
fn closing(outcome: Closing, is_delete: bool) -> AppResult<Response<Body>> {
    match outcome {
        Closing::Done(_) if is_delete => Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Body::Empty)
            .map_err(|e| AppError::internal("building a response", e)),
        Closing::Done(view) => versioned(StatusCode::OK, view),
        Closing::InProgress(view) => versioned(StatusCode::ACCEPTED, view),
    }
}
