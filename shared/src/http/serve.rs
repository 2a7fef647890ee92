//! How every HTTP function's `main` serves its handler: one `App` per process, shared by
//! every request in flight.
//!
//! `run_concurrent` reads `AWS_LAMBDA_MAX_CONCURRENCY`: on Lambda Managed Instances it is
//! set, and one execution environment serves that many requests at once (so reservations
//! that arrive together share their database commands, as in the local router); on
//! standard Lambda it is unset and the same binary serves one request at a time.

use crate::app::App;
use lambda_http::{service_fn, Body, Error, Request, Response};
use std::future::Future;
use std::sync::Arc;

pub async fn serve<H, F>(app: App, handler: H) -> Result<(), Error>
where
    H: Fn(Arc<App>, Request) -> F + Clone + Send + 'static,
    F: Future<Output = Result<Response<Body>, Error>> + Send + 'static,
{
    let app = Arc::new(app);
    lambda_http::run_concurrent(service_fn(move |req| handler(app.clone(), req))).await
}
