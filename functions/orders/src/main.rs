//! The `orders` Lambda: builds the clients once per cold start, then serves invocations.

use lambda_http::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    // It issues tickets (paid orders, transfers): without the ticket key it fails here.
    app.ticket_keys()?;
    lambda_http::run(service_fn(|req| orders_fn::handle(&app, req))).await
}
