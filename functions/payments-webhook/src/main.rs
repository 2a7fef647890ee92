//! The `payments-webhook` Lambda: builds the clients once per cold start, then serves the
//! PSP's notifications.

use lambda_http::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    lambda_http::run(service_fn(|req| payments_webhook_fn::handle(&app, req))).await
}
