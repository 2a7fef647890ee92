//! `bilheteria-local serve | seed | create-admin`.

use bilheteria::adapters::rabbit;
use bilheteria::services::accounts;
use bilheteria::{App, Config};
use bilheteria_local::{consumer, seed, server};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "bilheteria-local", about = "The Bilheteria box office on one machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the functions' handlers), the consumer loop, the site and /docs.
    Serve {
        #[arg(long, env = "PORT", default_value_t = 8000)]
        port: u16,
        /// The address to listen on: loopback unless told otherwise (the local box office
        /// has a dev mailbox and, by default, development secrets).
        #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Folder of the built site (default: site/dist, else site/).
        #[arg(long, env = "SITE_DIR")]
        site: Option<PathBuf>,
        /// Do not run the consumer loop (another process consumes).
        #[arg(long)]
        no_consumer: bool,
        /// Do not start the local fake PSP (PIX then goes to `PIX_API_URL`, or is approved
        /// at once by the test gateway).
        #[arg(long, env = "NO_FAKE_PSP")]
        no_fake_psp: bool,
    },
    /// Run only the consumer loop (what the Amazon MQ trigger does in production).
    Consume,
    /// Run the scheduled maintenance (the `maintenance` function) once and print its report.
    Maintain,
    /// Create the demo events (idempotent).
    Seed,
    /// Print a new ticket signing key (`TICKET_SIGNING_KEY`) and its public half (for
    /// `TICKET_VERIFYING_KEYS` once it is retired).
    TicketKey {
        #[arg(long, default_value = "k1")]
        kid: String,
    },
    /// Create an admin, or promote an existing account to admin.
    CreateAdmin {
        #[arg(long, env = "BILHETERIA_ADMIN_EMAIL")]
        email: String,
        #[arg(long, env = "BILHETERIA_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "Admin")]
        name: String,
    },
}

/// How often the local timer runs the `maintenance` function (EventBridge runs it every
/// minute in production; locally more often, so that a demo's expired hold shows soon).
fn maintenance_every() -> Duration {
    let secs = std::env::var("MAINTENANCE_EVERY_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    Duration::from_secs(secs.max(1))
}

/// How often the waiting rooms move locally (`QUEUE_TICK_MS`).
fn queue_tick_every() -> Duration {
    let ms = std::env::var("QUEUE_TICK_MS").ok().and_then(|s| s.parse().ok()).unwrap_or(1000);
    Duration::from_millis(ms.max(50))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    bilheteria::telemetry::init();
    let cli = Cli::parse();
    if std::env::var("PAYMENT_PROVIDER").map_or(true, |v| v.trim().is_empty()) {
        // The local runner (never a Lambda) defaults to test payments; a function must be
        // told `PAYMENT_PROVIDER` and refuses to start without it.
        std::env::set_var("PAYMENT_PROVIDER", "test");
    }
    if let Command::TicketKey { kid } = &cli.command {
        let (secret, public) = bilheteria::auth::TicketKeys::generate(kid);
        println!("TICKET_SIGNING_KEY={secret}\n# once retired, add to TICKET_VERIFYING_KEYS: {public}");
        return Ok(());
    }
    if std::env::var("TICKET_SIGNING_KEY").map_or(true, |v| v.trim().is_empty()) {
        // Locally, a published key (refused off loopback like the other dev secrets); a
        // function must be given its own.
        std::env::set_var("TICKET_SIGNING_KEY", DEV_TICKET_SIGNING_KEY);
    }
    if std::env::var("QUEUE_TOKEN_KEY").map_or(true, |v| v.trim().is_empty()) {
        // Likewise the waiting room's key (the `queue` function must be given its own).
        std::env::set_var("QUEUE_TOKEN_KEY", DEV_QUEUE_TOKEN_KEY);
    }
    // `serve` without a PSP of its own gets the fake one, its settings pointed at it.
    let fake_psp = match &cli.command {
        Command::Serve { port, no_fake_psp: false, .. } => start_fake_psp(*port).await?,
        _ => None,
    };
    let config = Config::from_env()?;
    let app = App::connect(config).await?;
    match cli.command {
        Command::Consume => consumer::run(app).await,
        Command::Maintain => {
            let report = bilheteria::services::maintenance::run(&app).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Command::Seed => {
            let created = seed::seed(&app).await?;
            println!("seeded {created} demo event(s)");
        }
        Command::TicketKey { .. } => {}
        Command::CreateAdmin { email, password, name } => {
            let admin = accounts::ensure_admin(&app, &name, &email, &password).await?;
            println!("admin {} ({}) ready", admin.email, admin.id);
        }
        Command::Serve { port, bind, site, no_consumer, .. } => {
            let control = fake_psp.as_ref().map(|psp| psp.control_url.clone());
            serve(app, std::net::SocketAddr::new(bind, port), site, no_consumer, control).await?;
            drop(fake_psp);
        }
    }
    Ok(())
}

/// The secrets written in this repository's scripts and compose file: fine on loopback,
/// never on an address others can reach.
const PUBLISHED_DEV_SECRETS: &[&str] = &[
    "local-development-secret-change-me-0123456789",
    "dev-only-jwt-secret-change-me-0123456789abcdef",
    "dev-only-email-link-secret-change-me-0123456789",
    "e2e-secret-e2e-secret-e2e-secret-0123456789",
    "yycpbAwGblq53FwEUTfZq9n5utKAH9fWdQbLexPYN5TiDtRM",
    "dev-only-queue-token-key-change-me-0123456789",
    "e2e-queue-token-key-e2e-queue-token-key-0123",
    DEV_QUEUE_TOKEN_KEY,
];

/// The local runner's waiting-room key when none is given (published: loopback only).
const DEV_QUEUE_TOKEN_KEY: &str = "local-queue-token-key-published-loopback-only";

/// The local runner's ticket key when none is given (published: loopback only).
const DEV_TICKET_SIGNING_KEY: &str = "dev:REREREREREREREREREREREREREREREREREREREREREQ";

fn uses_published_secrets(config: &Config) -> bool {
    config.ticket_keys.as_ref().is_some_and(|k| k.signing_kid() == "dev")
        || PUBLISHED_DEV_SECRETS.contains(&config.jwt_secret.as_str())
        || PUBLISHED_DEV_SECRETS.contains(&config.email_link_secret.as_str())
        || config.queue_token_key.as_deref().is_some_and(|k| PUBLISHED_DEV_SECRETS.contains(&k))
}

/// The fake PSP (API Pix over mutual TLS, `local/fake-psp`) for a `serve` given no PSP
/// (`PIX_API_URL` unset): its notifications go to this server's webhook route.
async fn start_fake_psp(
    port: u16,
) -> Result<Option<bilheteria_fake_psp::RunningPsp>, Box<dyn std::error::Error + Send + Sync>> {
    if std::env::var("PIX_API_URL").is_ok_and(|v| !v.trim().is_empty()) {
        return Ok(None);
    }
    let config = bilheteria_fake_psp::FakePspConfig {
        webhook_url: Some(format!("http://127.0.0.1:{port}/api/v1/payments/pix/webhook")),
        ..Default::default()
    };
    let psp = bilheteria_fake_psp::start(config).await.map_err(|e| format!("starting the fake PSP: {e}"))?;
    let c = &psp.credentials;
    for (name, value) in [
        ("PIX_API_URL", psp.api_url.as_str()),
        ("PIX_OAUTH_URL", psp.oauth_url.as_str()),
        ("PIX_CLIENT_ID", c.client_id.as_str()),
        ("PIX_CLIENT_SECRET", c.client_secret.as_str()),
        ("PIX_CERTIFICATE_PEM", c.client_cert_pem.as_str()),
        ("PIX_PRIVATE_KEY_PEM", c.client_key_pem.as_str()),
        ("PIX_CA_PEM", c.ca_pem.as_str()),
        ("PIX_KEY", psp.pix_key.as_str()),
    ] {
        std::env::set_var(name, value);
    }
    tracing::info!(api = %psp.api_url, control = %psp.control_url, "fake PSP started (PIX through the API Pix, over mutual TLS)");
    Ok(Some(psp))
}

fn default_site_dir() -> Option<PathBuf> {
    ["site/dist", "site"].iter().map(PathBuf::from).find(|p| p.join("index.html").exists())
}

async fn serve(
    app: App,
    address: std::net::SocketAddr,
    site: Option<PathBuf>,
    no_consumer: bool,
    fake_psp: Option<String>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if let (Ok(email), Ok(password)) =
        (std::env::var("BILHETERIA_ADMIN_EMAIL"), std::env::var("BILHETERIA_ADMIN_PASSWORD"))
    {
        let admin = accounts::ensure_admin(&app, "Admin", &email, &password).await?;
        tracing::info!(email = %admin.email, "admin ensured");
    }
    if !no_consumer {
        // Before the consumer and the first publish can race to create them (rabbit.rs).
        if let Err(err) = rabbit::ensure_topology(&app.config).await {
            tracing::warn!(error = %err, "could not declare the queues now; the consumer will retry");
        }
        tokio::spawn(consumer::run(app.clone()));
    }
    tokio::spawn(bilheteria_local::scheduler::run(app.clone(), maintenance_every()));
    tokio::spawn(bilheteria_local::scheduler::run_queue_ticks(app.clone(), queue_tick_every()));
    let openapi = PathBuf::from("openapi.yaml");
    let loopback = address.ip().is_loopback();
    if !loopback && uses_published_secrets(&app.config) && std::env::var("ALLOW_DEV_SECRETS").as_deref() != Ok("true") {
        return Err(format!(
            "refusing to listen on {address} with a development secret from this repository (JWT_SECRET or \
             EMAIL_LINK_SECRET): anyone could mint tokens. Set secrets of your own, or bind 127.0.0.1"
        )
        .into());
    }
    let served = server::Served {
        app,
        site_dir: site.or_else(default_site_dir),
        openapi: openapi.exists().then_some(openapi),
        dev_mailbox: loopback,
        fake_psp: fake_psp.filter(|_| loopback),
    };
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(
        "Bilheteria at http://{address} (API /api/v1, docs /docs{})",
        if loopback { ", mail /dev/mailbox?to=" } else { "" }
    );
    let service = server::router(served).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
