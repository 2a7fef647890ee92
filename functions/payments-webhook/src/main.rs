//! The `payments-webhook` Lambda: builds the clients once per cold start, then serves the
//! PSP's notifications.

use bilheteria::http::serve::serve;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    serve(app, |app, req| async move { payments_webhook_fn::handle(&app, req).await }).await
}
