//! The `orders` Lambda: builds the clients once per cold start, then serves invocations
//! (several at once where Lambda allows: `bilheteria::http::serve`).

use bilheteria::http::serve::serve;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    // It issues tickets (paid orders, transfers): without the ticket key it fails here.
    app.ticket_keys()?;
    // It checks the waiting room's admissions (an event in queue mode): likewise.
    app.queue_tokens()?;
    serve(app, |app, req| async move { orders_fn::handle(&app, req).await }).await
}
