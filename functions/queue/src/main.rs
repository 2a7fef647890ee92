//! The `queue` Lambda: builds the clients once per cold start, then serves invocations
//! (several at once where Lambda allows: `bilheteria::http::serve`).

use bilheteria::http::serve::serve;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    // Every route of this function signs or checks the waiting room's tokens: a missing
    // key fails the cold start, naming the variable, not the first buyer.
    app.queue_tokens()?;
    serve(app, |app, req| async move { queue_fn::handle(&app, req).await }).await
}
