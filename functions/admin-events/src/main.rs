//! The `admin-events` Lambda: builds the clients once per cold start, then serves invocations
//! (several at once where Lambda allows: `bilheteria::http::serve`).

use bilheteria::http::serve::serve;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = bilheteria::app::cold_start().await?;
    serve(app, |app, req| async move { admin_events_fn::handle(&app, req).await }).await
}
