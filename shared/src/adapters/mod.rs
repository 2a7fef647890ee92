//! Adapters: the ports implemented on real infrastructure.

pub mod amazon_mq;
pub mod cached_events;
pub mod mongo;
pub mod pix_api;
pub mod rabbit;
