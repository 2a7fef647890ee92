//! The box office's domain: plain Rust types and rules, no I/O.

pub mod email;
pub mod event;
pub mod ids;
pub mod message;
pub mod money;
pub mod order;
pub mod user;

pub use event::{Event, EventStatus, NewEvent, NewSector, Sector};
pub use ids::{EventId, OrderId, UserId};
pub use message::{Message, MessageKind};
pub use money::{Cents, PriceType};
pub use order::{NewOrder, Order, OrderStatus, ReservationRequest};
pub use user::{Role, User};
