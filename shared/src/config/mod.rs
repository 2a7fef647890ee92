//! Configuration, read once from the environment at cold start. A missing or malformed
//! variable is an error that names the variable.

mod exports;
mod mail;
mod payments;

pub use exports::ExportTarget;
pub use mail::MailTransport;
pub use payments::{PaymentProvider, PixApiSettings, PixCredentials};

use crate::auth::TicketKeys;
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
    /// The queue `order.*` messages go to (its lanes, when there are several, are
    /// `<name>.0` … `<name>.<N-1>`); the one dead-letter queue is `<name>.dead`.
    pub orders_queue: String,
    /// How many queues the messages are spread over (`ORDER_LANES`): each has its own
    /// event-source mapping, which runs one invocation at a time (docs/capacity.md).
    pub order_lanes: u16,
    /// How many messages of one batch (of different orders) the consumer works on at once.
    pub consumer_concurrency: usize,
    /// How long a warm instance keeps an event's availability for the catalogue
    /// (`AVAILABILITY_CACHE_MS`; 0 reads it on every request). Reservations never use it.
    pub availability_cache_ms: u64,
    pub jwt_secret: String,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// Access tokens' lifetime: short (≤ 15 min), since only a refresh re-reads the account.
    pub jwt_ttl_seconds: i64,
    /// A refresh token's lifetime from its last use (each use rotates it)…
    pub refresh_ttl_seconds: i64,
    /// …and from the login it descends from, whatever its rotations.
    pub session_max_seconds: i64,
    /// How stale an instance's view of revocations and admins' roles may be.
    pub auth_cache_seconds: u64,
    /// Signs e-mail verification links (and nothing else).
    pub email_link_secret: String,
    /// Where the site is, for links in e-mails (`https://bilheteria.example`).
    pub public_site_url: String,
    /// A header that carries the client's address, set by a proxy we trust (in production
    /// CloudFront's `cloudfront-viewer-address`); without it, API Gateway's source IP.
    pub client_address_header: Option<String>,
    pub hold_minutes: i64,
    pub max_tickets_per_order: i64,
    /// How old a take of stock with no order behind it must be before the reconciler may
    /// fence its order id and return it: longer than any reservation can live (the
    /// function's timeout), so a slow request is never mistaken for a dead one.
    pub take_grace_seconds: i64,
    /// Who takes the money (`PAYMENT_PROVIDER`, required).
    pub payments: PaymentProvider,
    /// Signs tickets (`TICKET_SIGNING_KEY`) and verifies them, old keys included
    /// (`TICKET_VERIFYING_KEYS`). Only the functions that issue or check tickets are given
    /// the key (`App::ticket_keys`); the others start without it.
    pub ticket_keys: Option<TicketKeys>,
    /// Where e-mails go (`MAIL_TRANSPORT`, `SMTP_URL`, `MAIL_FROM`).
    pub mail: MailTransport,
    /// Where exports too large to answer inline are put (`EXPORT_BUCKET` / `EXPORT_DIR`).
    pub exports: ExportTarget,
    /// Signs the waiting room's place and admission tokens (`QUEUE_TOKEN_KEY`) and nothing
    /// else. Only the `queue` and `orders` functions are given it (`App::queue_tokens`).
    pub queue_token_key: Option<String>,
    /// How long an admitted buyer may reserve (`ADMISSION_TTL_SECONDS`).
    pub admission_ttl_seconds: i64,
}

// Secrets must never reach a log: Debug shows everything but them.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("mongodb_uri", &"<redacted>")
            .field("mongodb_database", &self.mongodb_database)
            .field("amqp_url", &"<redacted>")
            .field("orders_queue", &self.orders_queue)
            .field("order_lanes", &self.order_lanes)
            .field("consumer_concurrency", &self.consumer_concurrency)
            .field("availability_cache_ms", &self.availability_cache_ms)
            .field("jwt_secret", &"<redacted>")
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwt_ttl_seconds", &self.jwt_ttl_seconds)
            .field("refresh_ttl_seconds", &self.refresh_ttl_seconds)
            .field("session_max_seconds", &self.session_max_seconds)
            .field("auth_cache_seconds", &self.auth_cache_seconds)
            .field("email_link_secret", &"<redacted>")
            .field("public_site_url", &self.public_site_url)
            .field("client_address_header", &self.client_address_header)
            .field("hold_minutes", &self.hold_minutes)
            .field("max_tickets_per_order", &self.max_tickets_per_order)
            .field("take_grace_seconds", &self.take_grace_seconds)
            .field("payments", &self.payments)
            .field("ticket_keys", &self.ticket_keys)
            .field("mail", &self.mail)
            .field("exports", &self.exports)
            .field("queue_token_key", &self.queue_token_key.as_ref().map(|_| "<redacted>"))
            .field("admission_ttl_seconds", &self.admission_ttl_seconds)
            .finish()
    }
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;
/// Access tokens live at most 15 minutes: a stolen one is worth little, and the account is
/// re-read at every refresh.
pub const MAX_ACCESS_TOKEN_SECONDS: i64 = 15 * 60;

/// A secret of at least `MIN_JWT_SECRET_BYTES`.
fn secret(name: &'static str) -> Result<String, ConfigError> {
    let value = required(name)?;
    if value.len() < MIN_JWT_SECRET_BYTES {
        return Err(ConfigError::Invalid { name, reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes") });
    }
    Ok(value)
}

/// `QUEUE_TOKEN_KEY`, when given: a secret of its own.
fn queue_token_key(jwt_secret: &str, email_link_secret: &str) -> Result<Option<String>, ConfigError> {
    if required("QUEUE_TOKEN_KEY").is_err() {
        return Ok(None);
    }
    let key = secret("QUEUE_TOKEN_KEY")?;
    if key == jwt_secret || key == email_link_secret {
        return Err(ConfigError::Invalid {
            name: "QUEUE_TOKEN_KEY",
            reason: "must differ from the other secrets".into(),
        });
    }
    Ok(Some(key))
}

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

/// Messages of different orders in flight at once per batch: enough to hide the database's
/// and the PSP's round trips (docs/benchmarks.md, the consumer's drain).
pub const DEFAULT_CONSUMER_CONCURRENCY: usize = 16;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let jwt_secret = secret("JWT_SECRET")?;
        let email_link_secret = secret("EMAIL_LINK_SECRET")?;
        if email_link_secret == jwt_secret {
            // One purpose per secret: a leaked link key must not mint tokens.
            return Err(ConfigError::Invalid {
                name: "EMAIL_LINK_SECRET",
                reason: "must differ from JWT_SECRET".into(),
            });
        }
        let queue_token_key = queue_token_key(&jwt_secret, &email_link_secret)?;
        let public_site_url = optional("PUBLIC_SITE_URL", "http://localhost:8080").trim_end_matches('/').to_string();
        if !(public_site_url.starts_with("https://") || public_site_url.starts_with("http://")) {
            return Err(ConfigError::Invalid { name: "PUBLIC_SITE_URL", reason: "must be an http(s) URL".into() });
        }
        Ok(Config {
            mongodb_uri: required("MONGODB_URI")?,
            mongodb_database: optional("MONGODB_DATABASE", "bilheteria"),
            amqp_url: optional("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
            orders_queue: optional("ORDERS_QUEUE", "orders"),
            order_lanes: number("ORDER_LANES", 1, 1, 64)?,
            consumer_concurrency: number("CONSUMER_CONCURRENCY", DEFAULT_CONSUMER_CONCURRENCY, 1, 256)?,
            availability_cache_ms: number("AVAILABILITY_CACHE_MS", 1_000, 0, 10_000)?,
            jwt_secret,
            jwt_issuer: optional("JWT_ISSUER", "bilheteria"),
            jwt_audience: optional("JWT_AUDIENCE", "bilheteria-api"),
            jwt_ttl_seconds: number("JWT_TTL_SECONDS", MAX_ACCESS_TOKEN_SECONDS, 60, MAX_ACCESS_TOKEN_SECONDS)?,
            refresh_ttl_seconds: number("REFRESH_TTL_SECONDS", 14 * 86_400, 3_600, 90 * 86_400)?,
            session_max_seconds: number("SESSION_MAX_SECONDS", 30 * 86_400, 3_600, 365 * 86_400)?,
            auth_cache_seconds: number("AUTH_CACHE_SECONDS", 5, 1, 30)?,
            email_link_secret,
            public_site_url,
            client_address_header: env::var("CLIENT_ADDRESS_HEADER")
                .ok()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
            hold_minutes: number("HOLD_MINUTES", 10, 1, 24 * 60)?,
            max_tickets_per_order: number("MAX_TICKETS_PER_ORDER", 6, 1, 100)?,
            take_grace_seconds: number("TAKE_GRACE_SECONDS", 60, 1, 3_600)?,
            payments: payments::from_env()?,
            ticket_keys: match required("TICKET_SIGNING_KEY") {
                Ok(signing) => Some(TicketKeys::parse(&signing, &optional("TICKET_VERIFYING_KEYS", ""))?),
                Err(_) => None,
            },
            mail: mail::from_env()?,
            exports: exports::from_env()?,
            queue_token_key,
            admission_ttl_seconds: number("ADMISSION_TTL_SECONDS", 600, 30, 3_600)?,
        })
    }

    /// A configuration for tests and tools, with everything but the connections defaulted.
    pub fn for_connections(mongodb_uri: &str, database: &str, amqp_url: &str, queue: &str) -> Self {
        Config {
            mongodb_uri: mongodb_uri.to_string(),
            mongodb_database: database.to_string(),
            amqp_url: amqp_url.to_string(),
            orders_queue: queue.to_string(),
            order_lanes: 1,
            consumer_concurrency: DEFAULT_CONSUMER_CONCURRENCY,
            // Tests and tools read the stock as it is; the cache has tests of its own.
            availability_cache_ms: 0,
            jwt_secret: "test-secret-that-is-long-enough-for-hs256!".to_string(),
            jwt_issuer: "bilheteria".to_string(),
            jwt_audience: "bilheteria-api".to_string(),
            jwt_ttl_seconds: MAX_ACCESS_TOKEN_SECONDS,
            refresh_ttl_seconds: 14 * 86_400,
            session_max_seconds: 30 * 86_400,
            auth_cache_seconds: 5,
            email_link_secret: "test-email-link-secret-not-the-jwt-one-0123".to_string(),
            public_site_url: "http://localhost:8080".to_string(),
            client_address_header: None,
            hold_minutes: 10,
            max_tickets_per_order: 6,
            take_grace_seconds: 60,
            payments: PaymentProvider::Test { pix: None },
            ticket_keys: Some(TicketKeys::from_seed("test", [7; 32])),
            mail: MailTransport::Collection,
            exports: ExportTarget::Directory(std::env::temp_dir().join("bilheteria-exports").to_string_lossy().into()),
            queue_token_key: Some("test-queue-token-key-not-the-jwt-one-0123456".to_string()),
            admission_ttl_seconds: 600,
        }
    }

    /// The lanes' queues, in lane order: the queue itself when there is one lane.
    pub fn order_queues(&self) -> Vec<String> {
        (0..self.order_lanes).map(|lane| self.lane_queue(lane)).collect()
    }

    pub fn lane_queue(&self, lane: u16) -> String {
        if self.order_lanes <= 1 {
            self.orders_queue.clone()
        } else {
            format!("{}.{lane}", self.orders_queue)
        }
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dead", self.orders_queue)
    }
}
