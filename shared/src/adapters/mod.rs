//! Adapters: the ports implemented on real infrastructure.

pub mod amazon_mq;
pub mod mongo;
pub mod rabbit;
