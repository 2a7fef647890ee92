//! Test support: a real database and real queues per test, so tests never see each other.
//! Reads `TEST_MONGODB_URI` / `MONGODB_URI` and `TEST_AMQP_URL` / `AMQP_URL`, defaulting to
//! the local services that `local/services.sh` starts.

use bilheteria::adapters::mongo::MongoStores;
use bilheteria::adapters::rabbit::RabbitPublisher;
use bilheteria::app::App;
use bilheteria::auth::Subject;
use bilheteria::config::Config;
use bilheteria::domain::{Cpf, Role, User, UserId};
use bilheteria::error::AppError;
use std::sync::Arc;

pub const DEFAULT_MONGODB_URI: &str = "mongodb://127.0.0.1:27017/?directConnection=true";
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

pub fn mongodb_uri() -> String {
    std::env::var("TEST_MONGODB_URI")
        .or_else(|_| std::env::var("MONGODB_URI"))
        .unwrap_or_else(|_| DEFAULT_MONGODB_URI.to_string())
}

pub fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL")
        .or_else(|_| std::env::var("AMQP_URL"))
        .unwrap_or_else(|_| DEFAULT_AMQP_URL.to_string())
}

/// A unique name for this test's database and queues.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", bilheteria::domain::ids::new_hex_id())
}

/// A configuration pointing at a fresh database and fresh queues.
pub fn fresh_config(prefix: &str) -> Config {
    let name = unique_name(prefix);
    Config::for_connections(&mongodb_uri(), &name, &amqp_url(), &format!("{name}.orders"))
}

/// A handle on a fresh, empty database of its own (for adapter tests below the `App`).
pub async fn fresh_database(prefix: &str) -> mongodb::Database {
    let config = fresh_config(prefix);
    let client = mongodb::Client::with_uri_str(&config.mongodb_uri).await.expect("MongoDB at TEST_MONGODB_URI");
    client.database(&config.mongodb_database)
}

pub async fn app_for(config: Config) -> Result<App, AppError> {
    let stores = MongoStores::connect(&config).await?;
    let publisher = Arc::new(RabbitPublisher::new(&config));
    App::assemble(config, stores, publisher).await
}

/// Drops the test's database and deletes its queues.
pub async fn cleanup(config: &Config) {
    // A bare client: dropping the database needs no indexes ensured first.
    if let Ok(client) = mongodb::Client::with_uri_str(&config.mongodb_uri).await {
        let _ = client.database(&config.mongodb_database).drop().await;
    }
    if let Ok(conn) = bilheteria::adapters::rabbit::connect(&config.amqp_url, "bilheteria-test-cleanup").await {
        if let Ok(ch) = conn.create_channel().await {
            for q in config.order_queues().into_iter().chain([config.dead_letter_queue()]) {
                let _ = ch.queue_delete(q.as_str().into(), Default::default()).await;
            }
        }
        let _ = conn.close(0, "done".into()).await;
    }
}

/// Stores a user with the given role directly (admins cannot be made through the API), as
/// one who could buy: a CPF of their own and a verified e-mail.
pub async fn user_with_role(app: &App, role: Role, email: &str) -> Result<(UserId, String), AppError> {
    let mut user = User::new_buyer(
        "Test User".into(),
        email.into(),
        // Tests authenticate with tokens; a throwaway hash avoids paying Argon2 per user.
        "not-a-usable-hash".into(),
        Some(random_cpf()),
        app.clock.now(),
    );
    user.role = role;
    user.email_verified_at = Some(app.clock.now());
    app.users.insert(&user).await?;
    let subject = Subject { user_id: &user.id, role, cpf: user.cpf.as_ref() };
    let token = app.tokens.issue(subject, app.clock.now())?;
    Ok((user.id, token.access_token))
}

/// A valid CPF nobody else in the test is likely to have (one in a billion).
pub fn random_cpf() -> Cpf {
    let base = u32::from_str_radix(&bilheteria::domain::ids::new_hex_id()[16..24], 16).unwrap_or(7);
    bilheteria::domain::cpf::cpf_from_base(base % 1_000_000_000)
}

/// A clock tests can move forward, to let holds expire without waiting for them.
#[derive(Default)]
pub struct ShiftableClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl ShiftableClock {
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl bilheteria::ports::Clock for ShiftableClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let offset = chrono::Duration::milliseconds(self.offset_ms.load(std::sync::atomic::Ordering::SeqCst));
        bilheteria::ports::SystemClock.now() + offset
    }
}
