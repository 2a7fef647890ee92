//! Use cases: what the box office does, written against the ports only.

pub mod accounts;
pub mod admin;
pub mod catalog;
pub mod dashboard;
pub mod event_facts;
pub mod gate;
pub mod maintenance;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod processing;
pub mod queue;
pub mod takes;
pub mod tickets;
