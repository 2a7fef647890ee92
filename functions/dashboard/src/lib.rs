//! `dashboard`: the admins' live figures, the stock across shards, and orders as CSV.

use bilheteria::http::{admin, json, query_param, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::dashboard;
use bilheteria::services::dashboard::export::{self, CsvFormat, Export};
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::DASHBOARD;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    admin(req, &app.guard).await?;
    let id = matched.param("id");
    match matched.route.id {
        RouteId::Dashboard => json(StatusCode::OK, &dashboard::dashboard(app).await?),
        RouteId::EventInventory => json(StatusCode::OK, &dashboard::inventory(app, id).await?),
        RouteId::GateReport => json(StatusCode::OK, &bilheteria::services::gate::report(app, id).await?),
        RouteId::EventOrdersCsv => {
            let format = CsvFormat::parse(query_param(req, "format").as_deref())?;
            match export::orders_csv(app, id, format).await? {
                // The file is UTF-8 (BOM included), so it travels as text, not base64.
                Export::Inline { filename, csv } => Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "text/csv; charset=utf-8")
                    .header("content-disposition", format!("attachment; filename=\"{filename}\""))
                    .header("cache-control", "private, no-store")
                    .body(Body::Text(String::from_utf8(csv).map_err(|e| AppError::internal("an export's text", e))?))
                    .map_err(|e| AppError::internal("building a response", e)),
                Export::Link(link) => json(StatusCode::OK, &link),
            }
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
