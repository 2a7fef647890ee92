//! The box office's domain: plain Rust types and rules, no I/O.

pub mod cpf;
pub mod email;
pub mod event;
mod event_input;
pub mod ids;
pub mod lifecycle;
pub mod local_time;
pub mod message;
pub mod money;
pub mod order;
pub mod pix;
pub mod queue;
pub mod refusal;
pub mod stock;
pub mod text;
pub mod throttle;
pub mod ticket;
pub mod ticket_code;
pub mod user;

pub use cpf::Cpf;
pub use event::{Event, EventInput, EventStatus, Lot, NewEvent, NewSector, Sector, SectorInput};
pub use ids::{EventId, OrderId, UserId};
pub use lifecycle::Transition;
pub use local_time::Language;
pub use message::{Delivery, Message, MessageKind};
pub use money::{Cents, PriceType};
pub use order::{Allocation, NewOrder, Order, OrderStatus, Payment, PaymentMethod, ReservationRequest};
pub use refusal::{Invalid, Refusal};
pub use stock::{Adjustment, Bucket, ResizePlan, ResizeRefusal};
pub use ticket::{CheckIn, Entitlement, Holder, RevokedBecause, StoredTicket, Ticket, TicketState};
pub use user::{Role, User};
