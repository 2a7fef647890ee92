//! Every function's handler in-process, driven by the events Lambda would send it (real API
//! Gateway HTTP API v2 events, the Amazon MQ event, the EventBridge schedule) against a real
//! `App` — no router in between. One module per function crate under `functions/`.

mod admin_events;
mod auth;
mod dashboard;
mod events;
mod maintenance;
mod orders;
mod processing;
