//! A fake PSP: the Central Bank's standard API Pix (`bacen/pix-api`, `openapi.yaml`) over mutual
//! TLS, for local runs and tests — our test double of a real PSP (Efí, Itaú…).
//!
//! [`start`] generates a fresh test CA, a server certificate (`localhost`, `127.0.0.1`, `::1`)
//! and a client certificate (CN = the client id) signed by it, then serves
//!
//! - the API Pix on `api_port` (mTLS: a client without our client certificate fails the
//!   handshake): `POST /oauth/token`, `PUT|GET|PATCH /v2/cob/{txid}`, `GET /v2/pix/{e2eid}`,
//!   `PUT|GET /v2/pix/{e2eid}/devolucao/{id}`, `PUT|GET|DELETE /v2/webhook/{chave}`;
//! - a control API on `control_port` (plain HTTP) to pay charges, send notifications and inject
//!   faults (see the crate's README).
//!
//! Dropping the [`RunningPsp`] stops both servers and every webhook delivery.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod api;
pub mod brcode;
mod control;
mod ids;
mod problem;
mod state;
mod tls;
mod webhook;

pub use ids::FAKE_ISPB;

use state::{Faults, Settings, Shared, Store, Webhook};

/// How to start the fake.
#[derive(Debug, Clone)]
pub struct FakePspConfig {
    /// Both servers bind here (default 127.0.0.1).
    pub bind_ip: IpAddr,
    /// 0: any free port.
    pub api_port: u16,
    /// 0: any free port.
    pub control_port: u16,
    /// Where notifications go (POST `{webhook_url}/pix`); `PUT /v2/webhook/{chave}` overrides.
    pub webhook_url: Option<String>,
    /// The receiver's chave (default "pix@bilheteria.test"); a cob for another is refused.
    pub pix_key: String,
    /// For the BR Code (default "BILHETERIA"; cut to 25 characters).
    pub merchant_name: String,
    /// For the BR Code (default "SAO PAULO"; cut to 15 characters).
    pub merchant_city: String,
}

impl Default for FakePspConfig {
    fn default() -> Self {
        Self {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            api_port: 0,
            control_port: 0,
            webhook_url: None,
            pix_key: "pix@bilheteria.test".to_string(),
            merchant_name: "BILHETERIA".to_string(),
            merchant_city: "SAO PAULO".to_string(),
        }
    }
}

/// What our PSP adapter needs to talk to the fake.
#[derive(Clone)]
pub struct Credentials {
    /// The test CA (PEM): trust it for the server, and it signed the client certificate.
    pub ca_pem: String,
    pub client_cert_pem: String,
    /// PKCS#8 PEM.
    pub client_key_pem: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Credentials {
    /// Certificate then key, one PEM: what `reqwest::Identity::from_pem` takes.
    pub fn identity_pem(&self) -> String {
        format!("{}{}", self.client_cert_pem, self.client_key_pem)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// A started fake. Dropping it stops both servers.
#[derive(Debug)]
pub struct RunningPsp {
    /// "https://127.0.0.1:<port>/v2" (API Pix routes live under /v2).
    pub api_url: String,
    /// "https://127.0.0.1:<port>/oauth/token".
    pub oauth_url: String,
    /// "http://127.0.0.1:<control_port>" (plain HTTP, test/dev control).
    pub control_url: String,
    pub pix_key: String,
    pub credentials: Credentials,
    pub api_addr: SocketAddr,
    pub control_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl RunningPsp {
    /// Stops both servers and waits for them to finish their open requests.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for server in std::mem::take(&mut self.servers) {
            let _ = server.await;
        }
    }
}

impl Drop for RunningPsp {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FakePspError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("generating the test certificates: {0}")]
    Certificates(#[from] rcgen::Error),
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    #[error("client certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
    #[error("webhook HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// `host` as a URL writes it: the bound address, or loopback when bound to all addresses.
fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

async fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, FakePspError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).await.map_err(|source| FakePspError::Bind { addr, source })
}

/// Starts the fake (inside a tokio runtime): binds both ports, generates the certificates,
/// serves until the [`RunningPsp`] is dropped.
pub async fn start(config: FakePspConfig) -> Result<RunningPsp, FakePspError> {
    let api_listener = bind(config.bind_ip, config.api_port).await?;
    let control_listener = bind(config.bind_ip, config.control_port).await?;
    let api_addr = api_listener.local_addr()?;
    let control_addr = control_listener.local_addr()?;
    let host = url_host(config.bind_ip);

    let client_id = format!("bilheteria-{}", ids::random_alphanumeric(12).to_lowercase());
    let client_secret = ids::random_alphanumeric(40);
    let extra_ip = Some(config.bind_ip).filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    let pki = tls::Pki::generate(&client_id, extra_ip)?;
    let server_config = pki.server_config()?;

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let http =
        reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).user_agent("bilheteria-fake-psp").build()?;
    let store = Store {
        webhook: config.webhook_url.clone().map(|url| Webhook { url, criacao: chrono::Utc::now() }),
        ..Store::default()
    };
    let shared = Arc::new(Shared {
        settings: Settings {
            pix_key: config.pix_key.clone(),
            merchant_name: config.merchant_name,
            merchant_city: config.merchant_city,
            location_host: format!("{host}:{}", api_addr.port()),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
        },
        store: Mutex::new(store),
        faults: Mutex::new(Faults::default()),
        tokens: Mutex::new(Default::default()),
        deliveries: Mutex::new(Vec::new()),
        http,
        shutdown: shutdown_rx.clone(),
    });

    let tls_listener = tls::TlsListener::spawn(api_listener, server_config, shutdown_rx.clone())?;
    let api =
        axum::serve(tls_listener, api::router(shared.clone())).with_graceful_shutdown(stopped(shutdown_rx.clone()));
    let control = axum::serve(control_listener, control::router(shared)).with_graceful_shutdown(stopped(shutdown_rx));
    let servers = vec![
        tokio::spawn(async move {
            if let Err(error) = api.await {
                tracing::error!(%error, "fake PSP API server failed");
            }
        }),
        tokio::spawn(async move {
            if let Err(error) = control.await {
                tracing::error!(%error, "fake PSP control server failed");
            }
        }),
    ];
    tracing::info!(%api_addr, %control_addr, %client_id, "fake PSP started");

    Ok(RunningPsp {
        api_url: format!("https://{host}:{}/v2", api_addr.port()),
        oauth_url: format!("https://{host}:{}/oauth/token", api_addr.port()),
        control_url: format!("http://{host}:{}", control_addr.port()),
        pix_key: config.pix_key,
        credentials: Credentials {
            ca_pem: pki.ca_pem,
            client_cert_pem: pki.client_cert_pem,
            client_key_pem: pki.client_key_pem,
            client_id,
            client_secret,
        },
        api_addr,
        control_addr,
        shutdown: shutdown_tx,
        servers,
    })
}

/// Resolves when the fake is told to stop (or its handle is gone).
async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
