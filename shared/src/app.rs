//! The application context: every port, built once per cold start and shared by reference
//! across invocations (connection pools are reused, never rebuilt per request).

use crate::adapters::cached_events::CachedEvents;
use crate::adapters::{mongo::MongoStores, rabbit::RabbitPublisher};
use crate::auth::TokenService;
use crate::config::Config;
use crate::error::AppError;
use crate::ports::{
    AuditLog, BuyerLimits, Clock, EventStore, IdempotencyStore, Inventory, Mailer, OrderStore, PaymentGateway,
    Placement, Publisher, SalesReport, SystemClock, TicketStore, UserStore,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub tokens: TokenService,
    pub users: Arc<dyn UserStore>,
    /// Events as they are now: what admins edit and every check that must be current reads.
    pub events: Arc<dyn EventStore>,
    /// Events as read at most a couple of seconds ago (the reservation's hot path): the
    /// same store behind a warm instance's cache.
    pub recent_events: Arc<dyn EventStore>,
    pub inventory: Arc<dyn Inventory>,
    pub orders: Arc<dyn OrderStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub buyer_limits: Arc<dyn BuyerLimits>,
    pub tickets: Arc<dyn TicketStore>,
    pub audit: Arc<dyn AuditLog>,
    pub sales: Arc<dyn SalesReport>,
    pub publisher: Arc<dyn Publisher>,
    pub mailer: Arc<dyn Mailer>,
    pub payments: Arc<dyn PaymentGateway>,
    pub clock: Arc<dyn Clock>,
    /// Where the stock lives (which shard holds each bucket), for the admins' view.
    pub placement: Arc<dyn Placement>,
    /// The database connection, for tests and operator tools (seeding, checks) only:
    /// use cases go through the ports.
    pub stores: MongoStores,
}

impl App {
    /// Connects the real adapters: MongoDB (indexes ensured once) and RabbitMQ (connected
    /// lazily on the first publish, so functions that never publish never connect).
    pub async fn connect(config: Config) -> Result<Self, AppError> {
        let stores = MongoStores::connect(&config).await?;
        let publisher = Arc::new(RabbitPublisher::new(&config));
        Self::assemble(config, stores, publisher)
    }

    pub fn assemble(config: Config, stores: MongoStores, publisher: Arc<dyn Publisher>) -> Result<Self, AppError> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let events: Arc<dyn EventStore> = Arc::new(stores.events());
        Ok(App {
            tokens: TokenService::new(&config)?,
            config: Arc::new(config),
            users: Arc::new(stores.users()),
            recent_events: Arc::new(CachedEvents::new(events.clone())),
            events,
            inventory: Arc::new(stores.inventory()),
            orders: Arc::new(stores.orders()),
            idempotency: Arc::new(stores.idempotency()),
            buyer_limits: Arc::new(stores.buyer_limits()),
            tickets: Arc::new(stores.tickets()),
            audit: Arc::new(stores.audit()),
            sales: Arc::new(stores.sales()),
            mailer: Arc::new(stores.mailer(clock.clone())),
            payments: Arc::new(stores.payment_gateway(clock.clone())),
            placement: Arc::new(stores.placement()),
            publisher,
            clock,
            stores,
        })
    }
}

/// A Lambda's cold start: logs on, configuration read and checked once, clients built once.
/// Errors name what is wrong (a missing variable, an unreachable server).
pub async fn cold_start() -> Result<App, Box<dyn std::error::Error + Send + Sync>> {
    crate::telemetry::init();
    let config = Config::from_env().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let app = App::connect(config).await.inspect_err(|e| tracing::error!(error = %e, "cold start failed"))?;
    Ok(app)
}
