//! The `maintenance` Lambda, triggered on a schedule.

use lambda_runtime::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    lambda_runtime::run(service_fn(|event| maintenance_fn::handle(&app, event))).await
}
