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
