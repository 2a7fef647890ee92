//! For this crate's own unit tests that need a database (the batched adapters): a fresh,
//! empty database of the test's own on the server at `TEST_MONGODB_URI` (or `MONGODB_URI`),
//! the local one by default. Compiled only for `cargo test`; the harness of the integration
//! tests is `bilheteria-testkit`.

const DEFAULT_MONGODB_URI: &str = "mongodb://127.0.0.1:27017/?directConnection=true";

/// A handle on a fresh, empty database named `<prefix>_<random id>`.
pub async fn fresh_database(prefix: &str) -> mongodb::Database {
    let uri = std::env::var("TEST_MONGODB_URI")
        .or_else(|_| std::env::var("MONGODB_URI"))
        .unwrap_or_else(|_| DEFAULT_MONGODB_URI.to_string());
    let client = mongodb::Client::with_uri_str(&uri).await.expect("MongoDB at TEST_MONGODB_URI");
    client.database(&format!("{prefix}_{}", crate::domain::ids::new_hex_id()))
}
