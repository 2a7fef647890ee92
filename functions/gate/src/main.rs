//! The `gate` Lambda: builds the clients and reads the ticket keys once per cold start
//! (a gate without them fails here, not at the first scan), then serves the gates.

use bilheteria::http::serve::serve;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    app.ticket_keys()?;
    serve(app, |app, req| async move { gate_fn::handle(&app, req).await }).await
}
