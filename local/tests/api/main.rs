//! The integration tests, as ONE test binary (each file under `tests/` would be a binary of
//! its own, each linking the whole box office): every module below is what used to be a
//! file of `local/tests/` or a function's `tests/handler.rs`. Run one group with
//! `cargo test -p bilheteria-local --test api <module>::`, e.g. `faults::` or `handlers::orders::`.
//! Three binaries stay apart, because their tests' time bounds or their any-5xx-fails rule
//! need the machine to themselves or to their own company (cargo runs test binaries one after
//! another): `tests/integrity/` (the races), the property test `tests/stock_properties.rs`
//! and the minute-long reconciler run `tests/reconciler_minute.rs`. Each says why.
//!
//! Against the real MongoDB-compatible server and the real RabbitMQ, each test with a
//! database and queues of its own (`helpers::Harness`, on `bilheteria_testkit::harness`).

mod helpers;

mod accounts;
mod admin_events;
mod audit;
mod buckets;
mod buyer_experience;
mod catalog;
mod concurrency;
mod consumer;
mod contracts;
mod crowd_reads;
mod dashboard;
mod faults;
mod gate;
mod handlers;
mod identity;
mod lifecycle;
mod lots_and_half_price;
mod pix;
mod problem_codes;
mod reservations;
mod sessions;
mod throttling;
mod waiting_room;
