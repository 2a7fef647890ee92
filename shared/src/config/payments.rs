//! Which payment provider the functions use, read with the rest of the configuration.
//!
//! `PAYMENT_PROVIDER` must be said: `pix-api` (PIX through a PSP's API Pix; production) or
//! `test` (the test gateway, which approves without money moving). A function never falls
//! back to the test gateway on its own: a missing or misspelt setting stops the cold start.

use super::{optional, required, ConfigError};
use std::env;

#[derive(Clone)]
pub enum PaymentProvider {
    /// PIX through the API Pix; cards are not offered (no card acquirer is integrated).
    PixApi(PixApiSettings),
    /// The test gateway for cards (all approved but the test card ending in 0002). PIX goes
    /// through `pix` when given (the local fake PSP), else the test gateway approves it at once.
    Test { pix: Option<PixApiSettings> },
}

impl PaymentProvider {
    pub fn pix_api(&self) -> Option<&PixApiSettings> {
        match self {
            PaymentProvider::PixApi(settings) => Some(settings),
            PaymentProvider::Test { pix } => pix.as_ref(),
        }
    }

    pub fn offers_cards(&self) -> bool {
        matches!(self, PaymentProvider::Test { .. })
    }

    pub fn name(&self) -> &'static str {
        match self {
            PaymentProvider::PixApi(_) => "pix-api",
            PaymentProvider::Test { .. } => "test",
        }
    }
}

/// Where the client's certificate, key and secret come from.
#[derive(Clone)]
pub enum PixCredentials {
    /// Given to the process (PEM text, or read from files at cold start).
    Given { client_secret: String, certificate_pem: String, private_key_pem: String },
    /// One Secrets Manager secret (JSON `{client_secret, certificate_pem, private_key_pem}`),
    /// read once at cold start through the Parameters and Secrets Lambda extension: a
    /// certificate and its key do not fit Lambda's 4 KB of environment.
    SecretsManager { secret_id: String },
}

#[derive(Clone)]
pub struct PixApiSettings {
    /// The API's base, with its version path (`https://pix.example.com/v2`).
    pub api_url: String,
    pub oauth_url: String,
    pub client_id: String,
    pub credentials: PixCredentials,
    /// A root to trust besides the public ones (the local fake PSP's test CA only).
    pub extra_root_pem: Option<String>,
    /// The receiver's PIX key (chave) the charges are paid to.
    pub pix_key: String,
}

impl std::fmt::Debug for PaymentProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pix = self.pix_api().map(|p| (p.api_url.as_str(), p.client_id.as_str(), p.pix_key.as_str()));
        f.debug_struct("PaymentProvider").field("name", &self.name()).field("pix_api", &pix).finish()
    }
}

fn pem(value: &'static str, file: &'static str) -> Result<Option<String>, ConfigError> {
    if let Some(text) = env::var(value).ok().filter(|v| !v.trim().is_empty()) {
        return Ok(Some(text));
    }
    let Some(path) = env::var(file).ok().filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    std::fs::read_to_string(&path)
        .map(Some)
        .map_err(|e| ConfigError::Invalid { name: file, reason: format!("cannot read '{path}': {e}") })
}

fn url(name: &'static str) -> Result<String, ConfigError> {
    let value = required(name)?.trim().trim_end_matches('/').to_string();
    if !value.starts_with("https://") {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be an https:// URL (the API Pix is mutual TLS)".into(),
        });
    }
    Ok(value)
}

fn pix_settings() -> Result<PixApiSettings, ConfigError> {
    let credentials = match env::var("PIX_CREDENTIALS_SECRET_ID").ok().filter(|v| !v.trim().is_empty()) {
        Some(secret_id) => PixCredentials::SecretsManager { secret_id },
        None => PixCredentials::Given {
            client_secret: required("PIX_CLIENT_SECRET")?,
            certificate_pem: pem("PIX_CERTIFICATE_PEM", "PIX_CERTIFICATE_FILE")?
                .ok_or(ConfigError::Missing("PIX_CERTIFICATE_FILE"))?,
            private_key_pem: pem("PIX_PRIVATE_KEY_PEM", "PIX_PRIVATE_KEY_FILE")?
                .ok_or(ConfigError::Missing("PIX_PRIVATE_KEY_FILE"))?,
        },
    };
    Ok(PixApiSettings {
        api_url: url("PIX_API_URL")?,
        oauth_url: url("PIX_OAUTH_URL")?,
        client_id: required("PIX_CLIENT_ID")?,
        credentials,
        extra_root_pem: pem("PIX_CA_PEM", "PIX_CA_FILE")?,
        pix_key: required("PIX_KEY")?,
    })
}

pub(super) fn from_env() -> Result<PaymentProvider, ConfigError> {
    match optional("PAYMENT_PROVIDER", "").trim() {
        "pix-api" => Ok(PaymentProvider::PixApi(pix_settings()?)),
        "test" => {
            let pix =
                env::var("PIX_API_URL").ok().filter(|v| !v.trim().is_empty()).map(|_| pix_settings()).transpose()?;
            Ok(PaymentProvider::Test { pix })
        }
        "" => Err(ConfigError::Missing("PAYMENT_PROVIDER")),
        other => Err(ConfigError::Invalid {
            name: "PAYMENT_PROVIDER",
            reason: format!("'{other}' is not a provider: use 'pix-api' (production) or 'test'"),
        }),
    }
}
