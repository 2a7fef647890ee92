//! `fake-psp --out-dir DIR [--webhook-url URL] [--api-port P] [--control-port Q]`: starts the
//! fake PSP, writes the client's certificate, key, the CA and `pix.env` into DIR, prints the same
//! settings as one JSON line, and runs until SIGTERM or ctrl-c.

use std::fs;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use bilheteria_fake_psp::{start, FakePspConfig, RunningPsp};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "fake-psp", about = "A fake PSP speaking API Pix over mutual TLS")]
struct Args {
    /// Where ca.pem, client.pem, client-key.pem and pix.env are written (created if missing).
    #[arg(long)]
    out_dir: PathBuf,
    /// Notifications go to {URL}/pix.
    #[arg(long, env = "FAKE_PSP_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// The mTLS API Pix port (0: any free port).
    #[arg(long, default_value_t = 0)]
    api_port: u16,
    /// The plain-HTTP control port (0: any free port).
    #[arg(long, default_value_t = 0)]
    control_port: u16,
    /// Both servers bind here.
    #[arg(long, default_value = "127.0.0.1")]
    bind_ip: IpAddr,
    /// The receiver's Pix key.
    #[arg(long, default_value = "pix@bilheteria.test")]
    pix_key: String,
}

fn write_file(path: &Path, contents: &str, private: bool) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)?.write_all(contents.as_bytes())
}

/// The settings our PSP adapter reads, in order: `pix.env` lines and the JSON line alike.
fn settings(psp: &RunningPsp, dir: &Path) -> Vec<(&'static str, String)> {
    let file = |name: &str| dir.join(name).display().to_string();
    vec![
        ("PIX_API_URL", psp.api_url.clone()),
        ("PIX_OAUTH_URL", psp.oauth_url.clone()),
        ("PIX_CLIENT_ID", psp.credentials.client_id.clone()),
        ("PIX_CLIENT_SECRET", psp.credentials.client_secret.clone()),
        ("PIX_CERTIFICATE_FILE", file("client.pem")),
        ("PIX_PRIVATE_KEY_FILE", file("client-key.pem")),
        ("PIX_CA_FILE", file("ca.pem")),
        ("PIX_KEY", psp.pix_key.clone()),
        ("FAKE_PSP_CONTROL_URL", psp.control_url.clone()),
    ]
}

async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "no SIGTERM handler; ctrl-c only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();

    fs::create_dir_all(&args.out_dir)?;
    let dir = fs::canonicalize(&args.out_dir)?;
    let psp = start(FakePspConfig {
        bind_ip: args.bind_ip,
        api_port: args.api_port,
        control_port: args.control_port,
        webhook_url: args.webhook_url,
        pix_key: args.pix_key,
        ..FakePspConfig::default()
    })
    .await?;

    write_file(&dir.join("ca.pem"), &psp.credentials.ca_pem, false)?;
    write_file(&dir.join("client.pem"), &psp.credentials.client_cert_pem, false)?;
    write_file(&dir.join("client-key.pem"), &psp.credentials.client_key_pem, true)?;
    let settings = settings(&psp, &dir);
    let env: String = settings.iter().map(|(key, value)| format!("{key}={value}\n")).collect();
    // The secret is in it: owner-only, like the key.
    write_file(&dir.join("pix.env"), &env, true)?;
    let json: serde_json::Map<String, serde_json::Value> =
        settings.into_iter().map(|(key, value)| (key.to_string(), value.into())).collect();
    println!("{}", serde_json::Value::Object(json));

    terminated().await;
    tracing::info!("stopping");
    psp.shutdown().await;
    Ok(())
}
