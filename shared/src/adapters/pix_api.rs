//! `PixApi`: the `PixGateway` port against the Central Bank's standard API Pix, which every
//! PSP implements — so one adapter serves any of them. OAuth2 client credentials over mutual
//! TLS; one HTTP client (its connections kept) and one access token per warm instance,
//! fetched single-flight and renewed a minute before it ends.

use crate::config::{PixApiSettings, PixCredentials};
use crate::domain::pix::{cents_from_reais, reais, ChargeStatus, Txid};
use crate::domain::Cents;
use crate::error::{AppError, AppResult};
use crate::ports::{ChargeRequest, PixCharge, PixGateway, ReceivedPix};
use async_trait::async_trait;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, RwLock};

/// Each call to the PSP gets this long: a PSP that hangs must not hold a buyer's request
/// (or a consumer's batch) for the function's whole timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);
/// A token is renewed this long before the PSP says it ends.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

struct Token {
    value: String,
    renew_at: Instant,
}

pub struct PixApi {
    settings: PixApiSettings,
    /// The mutual-TLS client and the OAuth client secret: built at once from credentials
    /// given to the process, or at the first call from Secrets Manager (so a function that
    /// never calls the PSP never reads the secret).
    ready: OnceCell<Ready>,
    token: RwLock<Option<Token>>,
}

struct Ready {
    http: reqwest::Client,
    client_secret: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default = "an_hour")]
    expires_in: u64,
}

fn an_hour() -> u64 {
    3_600
}

#[derive(Deserialize)]
struct SecretCredentials {
    client_secret: String,
    certificate_pem: String,
    private_key_pem: String,
}

/// The PSP can't be reached or can't answer now: the caller may retry; nothing changed.
fn unreachable(what: &str, err: reqwest::Error) -> AppError {
    AppError::PspUnavailable(format!("{what}: {}", describe(&err)))
}

/// A reqwest error without its URL (which holds ids, not secrets, but is noise in alarms).
fn describe(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "answer not understood"
    } else {
        "request failed"
    }
}

impl PixApi {
    /// The adapter for these settings. Credentials given to the process are checked here
    /// (a bad certificate stops the cold start); a Secrets Manager secret is read at the
    /// first call.
    pub fn connect(settings: &PixApiSettings) -> AppResult<PixApi> {
        let ready = OnceCell::new();
        if let PixCredentials::Given { client_secret, certificate_pem, private_key_pem } = &settings.credentials {
            let _ = ready.set(build(settings, client_secret, certificate_pem, private_key_pem)?);
        }
        Ok(PixApi { settings: settings.clone(), ready, token: RwLock::new(None) })
    }

    async fn ready(&self) -> AppResult<&Ready> {
        self.ready
            .get_or_try_init(|| async {
                let PixCredentials::SecretsManager { secret_id } = &self.settings.credentials else {
                    return Err(AppError::Internal("PIX credentials were given but not built".into()));
                };
                let found = read_secret(secret_id).await?;
                build(&self.settings, &found.client_secret, &found.certificate_pem, &found.private_key_pem)
            })
            .await
    }

    async fn token(&self) -> AppResult<String> {
        let ready = self.ready().await?;
        if let Some(t) = self.token.read().await.as_ref().filter(|t| t.renew_at > Instant::now()) {
            return Ok(t.value.clone());
        }
        // One fetch for every caller waiting: the others find it done.
        let mut slot = self.token.write().await;
        if let Some(t) = slot.as_ref().filter(|t| t.renew_at > Instant::now()) {
            return Ok(t.value.clone());
        }
        let answer = ready
            .http
            .post(&self.settings.oauth_url)
            .basic_auth(&self.settings.client_id, Some(&ready.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| unreachable("getting a PSP token", e))?;
        let answer: TokenAnswer = checked(answer, "getting a PSP token")
            .await?
            .json()
            .await
            .map_err(|e| unreachable("reading a PSP token", e))?;
        let lifetime = Duration::from_secs(answer.expires_in).saturating_sub(TOKEN_MARGIN).max(Duration::from_secs(5));
        let value = answer.access_token;
        *slot = Some(Token { value: value.clone(), renew_at: Instant::now() + lifetime });
        Ok(value)
    }

    /// Sends one API call with the current token; a 401 (a token the PSP ended early) drops
    /// it and tries once more with a new one.
    async fn send(
        &self,
        what: &str,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> AppResult<reqwest::Response> {
        for attempt in 0..2 {
            let token = self.token().await?;
            let http = &self.ready().await?.http;
            let answer = build(http, &self.settings.api_url)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| unreachable(what, e))?;
            if answer.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                *self.token.write().await = None;
                continue;
            }
            return Ok(answer);
        }
        Err(AppError::Internal(format!("{what}: the PSP refused our credentials")))
    }
}

/// The mutual-TLS client: our certificate and key, the public roots (and the fake PSP's, when
/// given), bounded waits, connections kept between calls.
fn build(
    settings: &PixApiSettings,
    client_secret: &str,
    certificate_pem: &str,
    private_key_pem: &str,
) -> AppResult<Ready> {
    let identity = reqwest::Identity::from_pem(format!("{certificate_pem}\n{private_key_pem}").as_bytes())
        .map_err(|e| AppError::internal("reading the PIX client certificate and key", e))?;
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .identity(identity)
        .timeout(CALL_TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .pool_idle_timeout(Duration::from_secs(60));
    if let Some(root) = &settings.extra_root_pem {
        let root = reqwest::Certificate::from_pem(root.as_bytes())
            .map_err(|e| AppError::internal("reading the PSP's extra root certificate", e))?;
        builder = builder.add_root_certificate(root);
    }
    let http = builder.build().map_err(|e| AppError::internal("building the PIX client", e))?;
    Ok(Ready { http, client_secret: client_secret.to_string() })
}

/// A 2xx answer, or the error it stands for: the PSP down or busy (5xx, 429) may pass; any
/// other refusal is ours to fix (credentials, a malformed charge) and is logged as such.
async fn checked(answer: reqwest::Response, what: &str) -> AppResult<reqwest::Response> {
    let status = answer.status();
    if status.is_success() {
        return Ok(answer);
    }
    let problem: Value = answer.json().await.unwrap_or(Value::Null);
    let kind = problem.get("type").and_then(Value::as_str).unwrap_or("").to_string();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(AppError::PspUnavailable(format!("{what}: the PSP answered {status}")));
    }
    Err(AppError::Internal(format!("{what}: the PSP answered {status} {kind}")))
}

#[derive(Deserialize)]
struct CobAnswer {
    txid: String,
    status: String,
    valor: Valor,
    #[serde(rename = "pixCopiaECola", default)]
    pix_copia_e_cola: Option<String>,
    #[serde(default)]
    pix: Vec<PixAnswer>,
}

#[derive(Deserialize)]
struct Valor {
    original: String,
}

#[derive(Deserialize)]
struct PixAnswer {
    #[serde(rename = "endToEndId")]
    end_to_end_id: String,
    valor: String,
    horario: chrono::DateTime<chrono::Utc>,
}

fn into_charge(cob: CobAnswer) -> AppResult<PixCharge> {
    let txid = Txid::parse(&cob.txid)
        .map(|(txid, _, _)| txid)
        .ok_or_else(|| AppError::Internal(format!("the PSP answered a charge '{}' that is not ours", cob.txid)))?;
    let amount_cents = cents_from_reais(&cob.valor.original)
        .ok_or_else(|| AppError::Internal(format!("the PSP answered an amount '{}'", cob.valor.original)))?;
    let mut received = Vec::with_capacity(cob.pix.len());
    for pix in cob.pix {
        let Some(amount) = cents_from_reais(&pix.valor) else {
            tracing::error!(alarm = "pix_amount_unreadable", txid = %txid, valor = %pix.valor, "a pix whose amount cannot be read");
            continue;
        };
        received.push(ReceivedPix { end_to_end_id: pix.end_to_end_id, amount_cents: amount, paid_at: pix.horario });
    }
    Ok(PixCharge {
        txid,
        status: ChargeStatus::from_api(&cob.status),
        amount_cents,
        copy_and_paste: cob.pix_copia_e_cola.unwrap_or_default(),
        received,
    })
}

#[async_trait]
impl PixGateway for PixApi {
    async fn create_charge(&self, request: &ChargeRequest) -> AppResult<PixCharge> {
        let mut body = json!({
            "calendario": {"expiracao": request.expires_in_seconds.max(1)},
            "valor": {"original": reais(request.amount_cents), "modalidadeAlteracao": 0},
            "chave": self.settings.pix_key,
            "solicitacaoPagador": request.description.chars().take(140).collect::<String>(),
        });
        if let Some(cpf) = &request.payer_cpf {
            body["devedor"] = json!({"cpf": cpf, "nome": request.payer_name.chars().take(200).collect::<String>()});
        }
        let txid = request.txid.as_str();
        let answer =
            self.send("creating a PIX charge", |http, base| http.put(format!("{base}/cob/{txid}")).json(&body)).await?;
        if answer.status().is_client_error() {
            // Most likely a retry: the txid exists. The charge it names is the one to show,
            // if it asks for the same amount (anything else is not ours to show).
            if let Some(existing) = self.charge(&request.txid).await? {
                if existing.amount_cents == request.amount_cents {
                    return Ok(existing);
                }
            }
        }
        let cob: CobAnswer = checked(answer, "creating a PIX charge")
            .await?
            .json()
            .await
            .map_err(|e| unreachable("reading a created PIX charge", e))?;
        into_charge(cob)
    }

    async fn charge(&self, txid: &Txid) -> AppResult<Option<PixCharge>> {
        let id = txid.as_str();
        let answer = self.send("reading a PIX charge", |http, base| http.get(format!("{base}/cob/{id}"))).await?;
        if answer.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let cob: CobAnswer = checked(answer, "reading a PIX charge")
            .await?
            .json()
            .await
            .map_err(|e| unreachable("reading a PIX charge", e))?;
        into_charge(cob).map(Some)
    }

    async fn remove_charge(&self, txid: &Txid) -> AppResult<()> {
        let id = txid.as_str();
        let body = json!({"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"});
        let answer =
            self.send("removing a PIX charge", |http, base| http.patch(format!("{base}/cob/{id}")).json(&body)).await?;
        // Paid, already removed or unknown: nothing left to remove.
        if answer.status().is_client_error() {
            return Ok(());
        }
        checked(answer, "removing a PIX charge").await.map(|_| ())
    }

    async fn refund(&self, end_to_end_id: &str, amount_cents: Cents) -> AppResult<()> {
        if !crate::domain::pix::is_end_to_end_id(end_to_end_id) {
            return Err(AppError::Internal(format!("refusing to refund a malformed endToEndId '{end_to_end_id}'")));
        }
        let id = crate::domain::pix::refund_id(end_to_end_id);
        let body = json!({"valor": reais(amount_cents), "natureza": "ORIGINAL", "descricao": "Bilheteria: devolução"});
        let path = format!("pix/{end_to_end_id}/devolucao/{id}");
        let answer = self.send("refunding a pix", |http, base| http.put(format!("{base}/{path}")).json(&body)).await?;
        if answer.status().is_client_error() {
            // The API refuses a refund id used before (`PixDevolucaoInvalida`): a retry of a
            // refund that was made. It is done if the PSP has it.
            let existing = self.send("reading a refund", |http, base| http.get(format!("{base}/{path}"))).await?;
            if existing.status().is_success() {
                return Ok(());
            }
        }
        checked(answer, "refunding a pix").await.map(|_| ())
    }
}

/// Reads a secret through the AWS Parameters and Secrets Lambda extension (a local HTTP
/// endpoint the layer runs next to the function): no SDK in the binary.
async fn read_secret(secret_id: &str) -> AppResult<SecretCredentials> {
    let port = std::env::var("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT").unwrap_or_else(|_| "2773".into());
    let session = std::env::var("AWS_SESSION_TOKEN").map_err(|_| {
        AppError::Internal("PIX_CREDENTIALS_SECRET_ID needs the Lambda environment (AWS_SESSION_TOKEN)".into())
    })?;
    let http = reqwest::Client::new();
    // The extension may not be listening yet in a new instance: a few short tries.
    let mut tries = 0;
    let answer = loop {
        let sent = http
            .get(format!("http://localhost:{port}/secretsmanager/get"))
            .query(&[("secretId", secret_id)])
            .header("X-Aws-Parameters-Secrets-Token", &session)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        match sent {
            Ok(answer) => break answer,
            Err(e) if tries < 3 && e.is_connect() => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200 * tries)).await;
            }
            Err(e) => {
                return Err(AppError::PspUnavailable(format!("reading the PIX credentials secret: {}", describe(&e))))
            }
        }
    };
    if !answer.status().is_success() {
        return Err(AppError::Internal(format!("reading the PIX credentials secret: {}", answer.status())));
    }
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "SecretString")]
        secret_string: String,
    }
    let envelope: Envelope =
        answer.json().await.map_err(|e| AppError::internal("reading the PIX credentials secret", e))?;
    serde_json::from_str(&envelope.secret_string).map_err(|e| {
        AppError::internal("the PIX credentials secret is not {client_secret, certificate_pem, private_key_pem}", e)
    })
}
