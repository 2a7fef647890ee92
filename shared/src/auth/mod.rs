//! Authentication: password hashing and signed access tokens.

pub mod password;
pub mod tokens;

pub use tokens::{Caller, TokenService};
