//! Authentication: password hashing, signed access tokens, refresh tokens and e-mail links,
//! and the guard every route goes through.

pub mod guard;
pub mod password;
pub mod queue_tokens;
pub mod secrets;
pub mod ticket_keys;
pub mod tokens;

pub use guard::Guard;
pub use ticket_keys::TicketKeys;
pub use tokens::{Caller, Subject, TokenService};
