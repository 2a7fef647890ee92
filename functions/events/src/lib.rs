//! `events`: the public catalogue, with live availability. Every answer is public for a
//! second and carries an `ETag` (`bilheteria::http::cacheable`), and the availability is this
//! instance's copy of at most a second ago (`Availability`): at an on-sale the crowd
//! refreshing the event page is served by CloudFront and the instances' memory.

use bilheteria::http::cacheable::{cacheable, never_store_problems};
use bilheteria::http::query_param;
use bilheteria::http::{json, json_page, page, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::catalog;
use bilheteria::services::catalog::quote::{self, QuoteRequest};
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::EVENTS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(never_store_problems(respond(&req, route(app, &req).await)))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    let answer = match matched.route.id {
        RouteId::ListEvents => {
            let (limit, after) = page(req)?;
            let (events, next) = catalog::list(app, limit, after).await?;
            json_page(req, &events, limit, next)
        }
        RouteId::GetEvent => json(StatusCode::OK, &catalog::get(app, matched.param("id")).await?),
        RouteId::QuoteEvent => {
            let param = |name| query_param(req, name);
            let (sector, price_type, quantity) = (param("sector"), param("price_type"), param("quantity"));
            let request = QuoteRequest::parse(sector.as_deref(), price_type.as_deref(), quantity.as_deref())?;
            json(StatusCode::OK, &quote::quote(app, matched.param("id"), request).await?)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }?;
    cacheable(req, answer)
}
