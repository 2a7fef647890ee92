//! The application context: every port, built once per cold start and shared by reference
//! across invocations (connection pools are reused, never rebuilt per request).

use crate::adapters::cached_events::CachedEvents;
use crate::adapters::local_exports::LocalExports;
use crate::adapters::pix_api::PixApi;
use crate::adapters::recent_rooms::RecentRooms;
use crate::adapters::recent_stock::{CurrentStock, RecentStock};
use crate::adapters::s3::{AwsCredentials, S3Exports};
use crate::adapters::smtp::SmtpMailer;
use crate::adapters::{mongo::MongoStores, rabbit::RabbitPublisher};
use crate::auth::guard::{Revocations, Roles};
use crate::auth::queue_tokens::QueueTokens;
use crate::auth::secrets::EmailLinks;
use crate::auth::{Guard, TokenService};
use crate::config::{Config, ExportTarget, MailTransport};
use crate::error::{AppError, AppResult};
use crate::ports::{
    AttemptStore, AuditLog, Availability, BuyerLimits, Clock, EventStore, ExportStore, GateLog, IdempotencyStore,
    Inventory, Mailer, OrderStore, PasswordResetStore, PaymentGateway, PixGateway, PixReceipts, Placement, Publisher,
    RevocationStore, SalesReport, SessionStore, SystemClock, TicketStore, UserStore, WaitingRooms,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    /// Issues access tokens (checking them is the guard's).
    pub tokens: TokenService,
    /// Checks every request's token, its revocation and (admin routes) the account's role.
    pub guard: Guard,
    pub email_links: EmailLinks,
    pub users: Arc<dyn UserStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub password_resets: Arc<dyn PasswordResetStore>,
    pub revocations: Arc<dyn RevocationStore>,
    pub attempts: Arc<dyn AttemptStore>,
    /// Events as they are now: what admins edit and every check that must be current reads.
    pub events: Arc<dyn EventStore>,
    /// Events as read at most a couple of seconds ago (the reservation's hot path): the
    /// same store behind a warm instance's cache.
    pub recent_events: Arc<dyn EventStore>,
    pub inventory: Arc<dyn Inventory>,
    /// The stock as the public catalogue shows it: this instance's copy, at most
    /// `AVAILABILITY_CACHE_MS` old.
    pub availability: Arc<dyn Availability>,
    pub orders: Arc<dyn OrderStore>,
    /// The waiting rooms as they are now (joins, admissions, the admins' view, the tick).
    pub waiting_rooms: Arc<dyn WaitingRooms>,
    /// The same through this instance's copy of at most `AVAILABILITY_CACHE_MS` (the
    /// reservation's queue-mode check, and the status everyone waiting polls).
    pub recent_rooms: Arc<dyn WaitingRooms>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub buyer_limits: Arc<dyn BuyerLimits>,
    pub tickets: Arc<dyn TicketStore>,
    /// The gates' conflicts and counts.
    pub gate_log: Arc<dyn GateLog>,
    pub audit: Arc<dyn AuditLog>,
    pub sales: Arc<dyn SalesReport>,
    pub publisher: Arc<dyn Publisher>,
    pub mailer: Arc<dyn Mailer>,
    /// Large exports, downloaded through a short-lived link.
    pub exports: Arc<dyn ExportStore>,
    /// The same store when it is this machine's disk (the local runner serves its links).
    pub local_exports: Option<Arc<LocalExports>>,
    /// Cards (the test gateway; with `pix-api` no card is offered and this is never called).
    pub payments: Arc<dyn PaymentGateway>,
    /// PIX charges: the API Pix of a PSP (or the local fake PSP), or the test gateway.
    pub pix: Arc<dyn PixGateway>,
    /// Every pix received, once per `endToEndId`.
    pub pix_receipts: Arc<dyn PixReceipts>,
    pub clock: Arc<dyn Clock>,
    /// Where the stock lives (which shard holds each bucket), for the admins' view.
    pub placement: Arc<dyn Placement>,
    /// The database connection, for tests and operator tools (seeding, checks) only:
    /// use cases go through the ports.
    pub stores: MongoStores,
}

impl App {
    /// The ticket keys; a function that issues or checks tickets without `TICKET_SIGNING_KEY`
    /// is misconfigured (its `main` asks at cold start, so it fails there).
    pub fn queue_tokens(&self) -> AppResult<QueueTokens> {
        self.config
            .queue_token_key
            .as_deref()
            .map(QueueTokens::new)
            .ok_or_else(|| AppError::Internal("QUEUE_TOKEN_KEY is not set for this function".into()))
    }

    pub fn ticket_keys(&self) -> AppResult<&crate::auth::TicketKeys> {
        self.config
            .ticket_keys
            .as_ref()
            .ok_or_else(|| AppError::Internal("TICKET_SIGNING_KEY is not set for this function".into()))
    }

    /// Connects the real adapters: MongoDB (indexes ensured once) and RabbitMQ (connected
    /// lazily on the first publish, so functions that never publish never connect).
    pub async fn connect(config: Config) -> Result<Self, AppError> {
        let stores = MongoStores::connect(&config).await?;
        let publisher = Arc::new(RabbitPublisher::new(&config));
        Self::assemble(config, stores, publisher).await
    }

    pub async fn assemble(
        config: Config,
        stores: MongoStores,
        publisher: Arc<dyn Publisher>,
    ) -> Result<Self, AppError> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let test_gateway = Arc::new(stores.payment_gateway(clock.clone()));
        let pix: Arc<dyn PixGateway> = match config.payments.pix_api() {
            Some(settings) => Arc::new(PixApi::connect(settings)?),
            None => test_gateway.clone(),
        };
        let mailer: Arc<dyn Mailer> = match &config.mail {
            MailTransport::Collection => Arc::new(stores.mailer(clock.clone())),
            MailTransport::Smtp { url, from } => Arc::new(SmtpMailer::new(url, from, stores.mailer(clock.clone()))?),
        };
        let (exports, local_exports): (Arc<dyn ExportStore>, Option<Arc<LocalExports>>) = match &config.exports {
            ExportTarget::S3 { bucket, region } => {
                let credentials = AwsCredentials {
                    access_key_id: std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
                    secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default(),
                    session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
                };
                (Arc::new(S3Exports::new(bucket.clone(), region.clone(), credentials)), None)
            }
            ExportTarget::Directory(dir) => {
                let local = Arc::new(LocalExports::new(dir.into(), &config.public_site_url));
                (local.clone(), Some(local))
            }
        };
        let events: Arc<dyn EventStore> = Arc::new(stores.events());
        let inventory: Arc<dyn Inventory> = Arc::new(stores.inventory());
        let availability_fresh_for = std::time::Duration::from_millis(config.availability_cache_ms);
        let waiting_rooms: Arc<dyn WaitingRooms> = Arc::new(stores.waiting_rooms());
        let tokens = TokenService::new(&config)?;
        let users: Arc<dyn UserStore> = Arc::new(stores.users());
        let revocations: Arc<dyn RevocationStore> = Arc::new(stores.revocations());
        let fresh_for = std::time::Duration::from_secs(config.auth_cache_seconds);
        let token_ttl = std::time::Duration::from_secs(config.jwt_ttl_seconds.unsigned_abs());
        let guard = Guard::new(
            tokens.clone(),
            Arc::new(Revocations::new(revocations.clone(), fresh_for, token_ttl)),
            Arc::new(Roles::new(users.clone(), fresh_for)),
        );
        Ok(App {
            tokens,
            guard,
            email_links: EmailLinks::new(&config.email_link_secret),
            config: Arc::new(config),
            users,
            sessions: Arc::new(stores.sessions()),
            password_resets: Arc::new(stores.password_resets()),
            revocations,
            attempts: Arc::new(stores.attempts()),
            recent_events: Arc::new(CachedEvents::new(events.clone())),
            events,
            availability: Arc::new(RecentStock::new(Arc::new(CurrentStock(inventory.clone())), availability_fresh_for)),
            inventory,
            orders: Arc::new(stores.orders()),
            recent_rooms: Arc::new(RecentRooms::new(waiting_rooms.clone(), availability_fresh_for)),
            waiting_rooms,
            idempotency: Arc::new(stores.idempotency()),
            buyer_limits: Arc::new(stores.buyer_limits()),
            tickets: Arc::new(stores.tickets()),
            gate_log: Arc::new(stores.gate()),
            audit: Arc::new(stores.audit()),
            sales: Arc::new(stores.sales()),
            mailer,
            exports,
            local_exports,
            payments: test_gateway,
            pix,
            pix_receipts: Arc::new(stores.pix_receipts()),
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
