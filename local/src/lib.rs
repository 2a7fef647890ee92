//! `bilheteria-local`: the whole box office on one machine. The very handlers the Lambda
//! functions run are mounted behind a router that speaks API Gateway's HTTP API (v2)
//! payload, a consumer loop feeds the consumer handler Amazon MQ-shaped events from a real
//! RabbitMQ, and the static site and API docs are served on the same origin.

pub mod consumer;
pub mod dispatch;
pub mod gateway;
pub mod lambda_bench;
pub mod lambda_emulator;
pub mod scheduler;
pub mod seed;
pub mod server;
pub mod stock_model;

/// One process here serves every function's requests at once (Lambda gives each instance one
/// request at a time), and under a reservation peak glibc's malloc took ~23% of its CPU
/// (perf, docs/benchmarks.md); mimalloc's per-thread heaps cost a fraction of that. Every
/// binary and test linking this crate uses it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
