//! The `processing` Lambda, triggered by the Amazon MQ event-source mapping.

use lambda_runtime::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    // It issues tickets (paid orders, transfers): without the ticket key it fails here.
    app.ticket_keys()?;
    lambda_runtime::run(service_fn(|event| processing_fn::handle(&app, event))).await
}
