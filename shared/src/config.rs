//! Configuration, read once from the environment at cold start. A missing or malformed
//! variable is an error that names the variable.

use std::env;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

#[derive(Clone)]
pub struct Config {
    pub mongodb_uri: String,
    pub mongodb_database: String,
    pub amqp_url: String,
    /// The queue `order.*` messages go to; its dead-letter queue is `<name>.dead`.
    pub orders_queue: String,
    pub jwt_secret: String,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub jwt_ttl_seconds: i64,
    pub hold_minutes: i64,
    pub max_tickets_per_order: i64,
    /// How old a take of stock with no order behind it must be before the reconciler may
    /// fence its order id and return it: longer than any reservation can live (the
    /// function's timeout), so a slow request is never mistaken for a dead one.
    pub take_grace_seconds: i64,
}

// Secrets must never reach a log: Debug shows everything but them.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("mongodb_uri", &"<redacted>")
            .field("mongodb_database", &self.mongodb_database)
            .field("amqp_url", &"<redacted>")
            .field("orders_queue", &self.orders_queue)
            .field("jwt_secret", &"<redacted>")
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwt_ttl_seconds", &self.jwt_ttl_seconds)
            .field("hold_minutes", &self.hold_minutes)
            .field("max_tickets_per_order", &self.max_tickets_per_order)
            .field("take_grace_seconds", &self.take_grace_seconds)
            .finish()
    }
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;

fn required(name: &'static str) -> Result<String, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ConfigError::Missing(name)),
    }
}

fn optional(name: &'static str, default: &str) -> String {
    env::var(name).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_string())
}

fn number<T>(name: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Ok(raw) = env::var(name) else {
        return Ok(default);
    };
    if raw.trim().is_empty() {
        return Ok(default);
    }
    let value: T =
        raw.trim().parse().map_err(|_| ConfigError::Invalid { name, reason: format!("'{raw}' is not a number") })?;
    if value < min || value > max {
        return Err(ConfigError::Invalid { name, reason: format!("must be between {min} and {max}") });
    }
    Ok(value)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let jwt_secret = required("JWT_SECRET")?;
        if jwt_secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            });
        }
        Ok(Config {
            mongodb_uri: required("MONGODB_URI")?,
            mongodb_database: optional("MONGODB_DATABASE", "bilheteria"),
            amqp_url: optional("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
            orders_queue: optional("ORDERS_QUEUE", "orders"),
            jwt_secret,
            jwt_issuer: optional("JWT_ISSUER", "bilheteria"),
            jwt_audience: optional("JWT_AUDIENCE", "bilheteria-api"),
            jwt_ttl_seconds: number("JWT_TTL_SECONDS", 3600, 60, 86_400 * 7)?,
            hold_minutes: number("HOLD_MINUTES", 10, 1, 24 * 60)?,
            max_tickets_per_order: number("MAX_TICKETS_PER_ORDER", 6, 1, 100)?,
            take_grace_seconds: number("TAKE_GRACE_SECONDS", 60, 1, 3_600)?,
        })
    }

    /// A configuration for tests and tools, with everything but the connections defaulted.
    pub fn for_connections(mongodb_uri: &str, database: &str, amqp_url: &str, queue: &str) -> Self {
        Config {
            mongodb_uri: mongodb_uri.to_string(),
            mongodb_database: database.to_string(),
            amqp_url: amqp_url.to_string(),
            orders_queue: queue.to_string(),
            jwt_secret: "test-secret-that-is-long-enough-for-hs256!".to_string(),
            jwt_issuer: "bilheteria".to_string(),
            jwt_audience: "bilheteria-api".to_string(),
            jwt_ttl_seconds: 3600,
            hold_minutes: 10,
            max_tickets_per_order: 6,
            take_grace_seconds: 60,
        }
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dead", self.orders_queue)
    }
}
