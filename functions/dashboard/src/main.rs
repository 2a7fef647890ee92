//! The `dashboard` Lambda: builds the clients once per cold start, then serves invocations.

use lambda_http::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    lambda_http::run(service_fn(|req| dashboard_fn::handle(&app, req))).await
}
