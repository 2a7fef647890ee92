//! Bilheteria's shared library: the box office's domain, the ports it needs from the
//! outside world, the adapters that implement them (MongoDB, RabbitMQ), and the HTTP
//! plumbing every Lambda function shares.
//!
//! Dependency rule: `domain` knows nothing of AWS, MongoDB or RabbitMQ; `ports` speak only
//! domain types; `adapters` translate; `services` hold the use cases; `http` maps requests
//! and errors at the edge.

pub mod adapters;
pub mod app;
pub mod auth;
pub mod config;
pub mod documents;
pub mod domain;
pub mod error;
pub mod http;
pub mod ports;
pub mod routes;
pub mod services;
pub mod telemetry;

#[cfg(test)]
mod test_db;

/// Every binary of the product links this library, so this is their allocator: the Lambda
/// functions (which, on Managed Instances, serve `AWS_LAMBDA_MAX_CONCURRENCY` requests at
/// once), the local router and the programs under `local/`. Under a reservation peak glibc's
/// malloc took ~23% of the local router's CPU and ~21% of a function's with 32 requests in
/// flight (perf, docs/benchmarks.md); mimalloc's per-thread heaps cost a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use app::App;
pub use config::Config;
pub use error::AppError;
