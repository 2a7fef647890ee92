//! Which function crate serves which function name: the only place the local runner names
//! the function crates, so adding a function is one line here (and one in the route table).

use bilheteria::routes;
use bilheteria::App;
use lambda_http::{Body, Request, Response};

pub async fn invoke(app: &App, function: &str, req: Request) -> Result<Response<Body>, lambda_http::Error> {
    match function {
        routes::AUTH => auth_fn::handle(app, req).await,
        routes::EVENTS => events_fn::handle(app, req).await,
        routes::ADMIN_EVENTS => admin_events_fn::handle(app, req).await,
        routes::ORDERS => orders_fn::handle(app, req).await,
        routes::DASHBOARD => dashboard_fn::handle(app, req).await,
        routes::PAYMENTS_WEBHOOK => payments_webhook_fn::handle(app, req).await,
        routes::GATE => gate_fn::handle(app, req).await,
        routes::QUEUE => queue_fn::handle(app, req).await,
        other => Err(format!("no function named {other}").into()),
    }
}

/// The function names this runner can invoke (checked against the route table in tests).
pub const MOUNTED: &[&str] = &[
    routes::AUTH,
    routes::EVENTS,
    routes::ADMIN_EVENTS,
    routes::ORDERS,
    routes::DASHBOARD,
    routes::PAYMENTS_WEBHOOK,
    routes::GATE,
    routes::QUEUE,
];
