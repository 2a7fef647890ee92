//! Identifiers. Every id is a 24-digit lowercase hexadecimal string (a MongoDB ObjectId
//! in production), and is validated here, at the edge, before it can reach a database.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fmt;

fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new random 12-byte id in hex; unique enough that collisions are not a concern, and
/// the same shape as an ObjectId so the store can use it as `_id` directly.
pub fn new_hex_id() -> String {
    let mut bytes = [0u8; 12];
    // The first four bytes are the time, like an ObjectId, so ids sort roughly by creation.
    let secs = chrono::Utc::now().timestamp() as u32;
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    rand::rng().fill_bytes(&mut bytes[4..]);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses an id given by a caller; `None` when it is not a well-formed id.
            pub fn parse(raw: &str) -> Option<Self> {
                let lower = raw.to_ascii_lowercase();
                is_object_id(&lower).then_some(Self(lower))
            }

            pub fn generate() -> Self {
                Self(new_hex_id())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(UserId);
id_type!(EventId);
id_type!(OrderId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_id_parses_back() {
        let id = OrderId::generate();
        assert_eq!(OrderId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn malformed_ids_are_refused() {
        for raw in ["", "abc", "zzzzzzzzzzzzzzzzzzzzzzzz", "{\"$gt\":\"\"}", "0123456789abcdef012345678"] {
            assert_eq!(EventId::parse(raw), None, "{raw}");
        }
    }
}
