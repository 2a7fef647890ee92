//! Use cases: what the box office does, written against the ports only.

pub mod accounts;
pub mod catalog;
pub mod outbox;
pub mod processing;
pub mod reservations;
