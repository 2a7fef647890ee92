//! Structured logs. In Lambda (AWS_LAMBDA_FUNCTION_NAME set) they are JSON lines carrying
//! the runtime's span, which holds the request id; locally they are human-readable.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let result = if in_lambda || std::env::var("LOG_FORMAT").as_deref() == Ok("json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(true)
            .with_span_list(false)
            .without_time()
            .try_init()
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init()
    };
    // A second init (tests, the local runner mounting several handlers) is harmless.
    let _ = result;
}
