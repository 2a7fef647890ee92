//! Adapters: the ports implemented on real infrastructure.

pub mod amazon_mq;
pub mod cached_events;
pub mod local_exports;
pub mod mongo;
pub mod pix_api;
pub mod rabbit;
pub mod recent_copies;
pub mod recent_rooms;
pub mod recent_stock;
pub mod s3;
pub mod smtp;
