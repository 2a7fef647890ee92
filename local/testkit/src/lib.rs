//! `bilheteria-testkit`: what the tests and the local runner need and no Lambda function
//! ships. The functions depend on `bilheteria` (shared) alone; this crate is a dependency of
//! `bilheteria-local` (the local runner, its programs and its tests) only.
//!
//! - `harness`: a fresh configuration, database and queues per test, an `App` on them, a user
//!   of any role, a clock that can be moved forward, and the clean-up;
//! - `apigw`: the one builder of API Gateway HTTP API (payload 2.0) events, behind both the
//!   local router's gateway and the handler tests;
//! - `amazon_mq`: the Amazon MQ for RabbitMQ event Lambda's event-source mapping would send
//!   for raw deliveries (the local consumer loop and the tests);
//! - `pix`: the API Pix adapter's settings for a running fake PSP;
//! - `lambda`: helpers of the functions' handler tests (requests, response readers, an event
//!   and a reservation made through the services).

pub mod amazon_mq;
pub mod apigw;
pub mod harness;
pub mod lambda;
pub mod pix;
