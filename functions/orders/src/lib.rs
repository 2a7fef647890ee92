//! `orders`: reserve tickets (the hot path), and a buyer's own orders: read, pay, cancel,
//! refund, tickets; the tickets a buyer holds, and transferring one.

use bilheteria::domain::Role;
use bilheteria::http::{caller, header, json, json_body, query_param, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::{orders, tickets};
use bilheteria::{error::AppResult, App, AppError};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::ORDERS;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    let caller = caller(req, &app.guard).await?;
    if caller.role == Role::Gate {
        return Err(AppError::Forbidden("gate accounts scan tickets; they cannot buy or hold any".into()));
    }
    let id = matched.param("id");
    match matched.route.id {
        RouteId::ReserveOrder => {
            let (order, replayed) =
                orders::reserve(app, &caller, json_body(req)?, header(req, "idempotency-key")).await?;
            let mut response = json(StatusCode::CREATED, &order)?;
            if replayed {
                response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            Ok(response)
        }
        RouteId::ListOrders => json(StatusCode::OK, &orders::list_mine(app, &caller).await?),
        RouteId::GetOrder => json(StatusCode::OK, &orders::get_mine(app, &caller, id).await?),
        RouteId::PayOrder => json(StatusCode::ACCEPTED, &orders::pay(app, &caller, id, json_body(req)?).await?),
        RouteId::CancelOrder => json(StatusCode::OK, &orders::cancel(app, &caller, id).await?),
        RouteId::RefundOrder => json(StatusCode::OK, &orders::refund(app, &caller, id).await?),
        RouteId::OrderTickets => json(StatusCode::OK, &orders::tickets(app, &caller, id).await?),
        RouteId::OrderTicketsPdf => {
            let language = query_param(req, "lang");
            let (filename, pdf) = orders::tickets_pdf(app, &caller, id, language.as_deref()).await?;
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/pdf")
                .header("content-disposition", format!("attachment; filename=\"{filename}\""))
                .header("cache-control", "private, no-store")
                .body(Body::Binary(pdf))
                .map_err(|e| AppError::internal("building the PDF response", e))
        }
        RouteId::MyTickets => json(StatusCode::OK, &tickets::mine(app, &caller).await?),
        RouteId::TransferTicket => {
            let ticket = tickets::transfer(app, &caller, matched.param("code"), json_body(req)?).await?;
            json(StatusCode::OK, &serde_json::json!({ "ticket": ticket }))
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}
