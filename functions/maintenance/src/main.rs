//! The `maintenance` Lambda, triggered on a schedule.

use lambda_runtime::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    // It issues tickets (paid orders, transfers): without the ticket key it fails here.
    app.ticket_keys()?;
    lambda_runtime::run(service_fn(|event| maintenance_fn::handle(&app, event))).await
}
