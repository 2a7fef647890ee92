//! The API Pix surface served over mutual TLS: `POST /oauth/token` and, behind a bearer token,
//! `/v2/cob/{txid}`, `/v2/pix/{e2eid}`, `/v2/pix/{e2eid}/devolucao/{id}`, `/v2/webhook/{chave}`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids::{self, parse_amount};
use crate::problem::{Problem, Violacao};
use crate::state::{
    lock, timestamp, CobContent, PutCob, RefundError, RefundOutcome, Shared, Status, Webhook, TOKEN_LIFETIME,
};

pub const SCOPE: &str = "cob.write cob.read pix.write pix.read webhook.write webhook.read";
const DEFAULT_EXPIRACAO: u32 = 86_400;

pub fn router(shared: Arc<Shared>) -> Router {
    let v2 = Router::new()
        .route("/cob/{txid}", put(put_cob).get(get_cob).patch(patch_cob))
        .route("/pix/{e2eid}", get(get_pix))
        .route("/pix/{e2eid}/devolucao/{id}", put(put_refund).get(get_refund))
        .route("/webhook/{chave}", put(put_webhook).get(get_webhook).delete(delete_webhook))
        .route_layer(middleware::from_fn_with_state(shared.clone(), require_token));
    Router::new()
        .route("/oauth/token", post(token))
        .nest("/v2", v2)
        .fallback(|| async { Problem::not_found() })
        .layer(middleware::from_fn_with_state(shared.clone(), faults))
        .with_state(shared)
}

/// `delay_ms` then `unavailable`, ahead of everything (OAuth included).
async fn faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let faults = *lock(&shared.faults);
    if faults.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.delay_ms)).await;
    }
    if faults.unavailable {
        return Problem::unavailable().into_response();
    }
    next.run(request).await
}

async fn require_token(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let Some(value) = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Problem::unauthenticated("Cabeçalho Authorization ausente.").into_response();
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Problem::unauthenticated("Cabeçalho Authorization não é Bearer.").into_response(),
    };
    let valid = lock(&shared.tokens).get(token).is_some_and(|expires| Instant::now() < *expires);
    if !valid {
        return Problem::unauthenticated("Token de acesso inválido ou expirado.").into_response();
    }
    next.run(request).await
}

#[derive(Debug, Default, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (status, Json(json!({"error": error, "error_description": description}))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic realm=\"fake-psp\""));
    }
    response
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// OAuth 2 client credentials (RFC 6749 §4.4): HTTP Basic (or the client_id/client_secret body
/// parameters), a form body (JSON accepted too). Errors are RFC 6749's JSON, not problems.
async fn token(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let headers = request.headers().clone();
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let body = if is_json {
        Json::<TokenRequest>::from_request(request, &()).await.map(|Json(b)| b).map_err(|e| e.body_text())
    } else {
        Form::<TokenRequest>::from_request(request, &()).await.map(|Form(b)| b).map_err(|e| e.body_text())
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &error),
    };
    let credentials = basic_credentials(&headers).or_else(|| body.client_id.clone().zip(body.client_secret.clone()));
    let authenticated = credentials
        .is_some_and(|(id, secret)| id == shared.settings.client_id && secret == shared.settings.client_secret);
    if !authenticated {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client_id ou client_secret inválidos");
    }
    if body.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type deve ser client_credentials",
        );
    }
    let access_token = ids::random_alphanumeric(48);
    {
        let now = Instant::now();
        let mut tokens = lock(&shared.tokens);
        tokens.retain(|_, expires| *expires > now);
        tokens.insert(access_token.clone(), now + TOKEN_LIFETIME);
    }
    let mut response = Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.as_secs(),
        "scope": SCOPE,
    }))
    .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// A JSON object body, or the problem a malformed one gets.
fn json_object(body: &Bytes, invalid: fn(Vec<Violacao>) -> Problem) -> Result<Value, Problem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(invalid(vec![Violacao::new("corpo", "O corpo da requisição não é um objeto JSON.")])),
        Err(error) => {
            Err(invalid(vec![Violacao::new("corpo", format!("O corpo da requisição não é JSON válido: {error}."))]))
        }
    }
}

/// The cob fields a PUT sets or a PATCH revises, each validated against the spec's schema.
#[derive(Default)]
struct CobFields {
    expiracao: Option<u32>,
    devedor: Option<Value>,
    valor: Option<(u64, Option<i64>)>,
    chave: Option<String>,
    solicitacao_pagador: Option<String>,
    info_adicionais: Option<Value>,
    status: Option<String>,
}

impl CobFields {
    fn revises_content(&self) -> bool {
        self.expiracao.is_some()
            || self.devedor.is_some()
            || self.valor.is_some()
            || self.chave.is_some()
            || self.solicitacao_pagador.is_some()
            || self.info_adicionais.is_some()
    }
}

fn parse_cob_fields(body: &Value, pix_key: &str, violations: &mut Vec<Violacao>) -> CobFields {
    let mut fields = CobFields::default();

    match body.get("calendario") {
        None | Some(Value::Null) => {}
        Some(Value::Object(calendario)) => match calendario.get("expiracao") {
            None | Some(Value::Null) => {}
            Some(value) => match value.as_i64() {
                Some(n) if n <= 0 => violations.push(
                    Violacao::new(
                        "cob.calendario.expiracao",
                        "O campo cob.calendario.expiracao é igual ou menor que zero.",
                    )
                    .with_value(n.to_string()),
                ),
                Some(n) => match u32::try_from(n) {
                    Ok(n) if n <= i32::MAX as u32 => fields.expiracao = Some(n),
                    _ => violations.push(Violacao::new(
                        "cob.calendario.expiracao",
                        "O campo cob.calendario.expiracao não respeita o _schema_ (int32).",
                    )),
                },
                None => violations.push(Violacao::new(
                    "cob.calendario.expiracao",
                    "O campo cob.calendario.expiracao não respeita o _schema_ (inteiro).",
                )),
            },
        },
        Some(_) => violations.push(Violacao::new("cob.calendario", "O objeto cob.calendario não respeita o _schema_.")),
    }

    match body.get("devedor") {
        None | Some(Value::Null) => {}
        Some(devedor) => match devedor_of(devedor) {
            Some(devedor) => fields.devedor = Some(devedor),
            None => violations.push(Violacao::new("cob.devedor", "O objeto cob.devedor não respeita o _schema_.")),
        },
    }

    match body.get("valor") {
        None | Some(Value::Null) => {}
        Some(Value::Object(valor)) => {
            let original = valor.get("original").and_then(Value::as_str);
            let cents = original.and_then(parse_amount);
            let modalidade = match valor.get("modalidadeAlteracao") {
                None | Some(Value::Null) => Ok(None),
                Some(m) => match m.as_i64() {
                    Some(m @ 0..=1) => Ok(Some(m)),
                    _ => Err(()),
                },
            };
            match (cents, modalidade) {
                (None, _) => {
                    let mut v =
                        Violacao::new("cob.valor.original", "O campo cob.valor.original não respeita o _schema_.");
                    if let Some(original) = original {
                        v = v.with_value(original);
                    }
                    violations.push(v);
                }
                (Some(0), _) => violations.push(
                    Violacao::new("cob.valor.original", "O campo cob.valor.original é zero.")
                        .with_value(original.unwrap_or_default()),
                ),
                (Some(_), Err(())) => violations.push(Violacao::new(
                    "cob.valor.modalidadeAlteracao",
                    "O campo cob.valor.modalidadeAlteracao não respeita o _schema_.",
                )),
                (Some(cents), Ok(modalidade)) => fields.valor = Some((cents, modalidade)),
            }
            if valor.contains_key("retirada") {
                violations.push(Violacao::new(
                    "cob.valor.retirada",
                    "Pix Saque e Pix Troco não são oferecidos por este PSP.",
                ));
            }
        }
        Some(_) => violations.push(Violacao::new("cob.valor", "O objeto cob.valor não respeita o _schema_.")),
    }

    match body.get("chave") {
        None | Some(Value::Null) => {}
        Some(Value::String(chave)) if chave.chars().count() <= 77 => {
            if chave == pix_key {
                fields.chave = Some(chave.clone());
            } else {
                violations.push(
                    Violacao::new(
                        "cob.chave",
                        "O campo cob.chave corresponde a uma conta que não pertence a este usuário recebedor.",
                    )
                    .with_value(chave.as_str()),
                );
            }
        }
        Some(_) => violations.push(Violacao::new("cob.chave", "O campo cob.chave não respeita o _schema_.")),
    }

    match body.get("solicitacaoPagador") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.chars().count() <= 140 => {
            fields.solicitacao_pagador = Some(s.clone());
        }
        Some(_) => violations
            .push(Violacao::new("cob.solicitacaoPagador", "O campo solicitacaoPagador não respeita o _schema_.")),
    }

    match body.get("infoAdicionais") {
        None | Some(Value::Null) => {}
        Some(info) if info_adicionais_ok(info) => fields.info_adicionais = Some(info.clone()),
        Some(_) => {
            violations.push(Violacao::new("cob.infoAdicionais", "O objeto infoAdicionais não respeita o _schema_."))
        }
    }

    if body.get("loc").is_some_and(|l| !l.is_null()) {
        violations.push(Violacao::new("cob.loc.id", "O location referenciado por loc.id inexiste."));
    }

    match body.get("status") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => fields.status = Some(s.clone()),
        Some(_) => violations.push(Violacao::new("cob.status", "O campo cob.status não respeita o _schema_.")),
    }

    fields
}

/// `devedor`: `nome` with exactly one of `cpf` (11 digits) or `cnpj` (14 of [0-9A-Z]).
fn devedor_of(value: &Value) -> Option<Value> {
    let devedor = value.as_object()?;
    let nome = devedor.get("nome")?.as_str()?;
    if nome.chars().count() > 200 {
        return None;
    }
    let cpf = devedor.get("cpf").and_then(Value::as_str);
    let cnpj = devedor.get("cnpj").and_then(Value::as_str);
    match (cpf, cnpj) {
        (Some(cpf), None) if cpf.len() == 11 && cpf.bytes().all(|b| b.is_ascii_digit()) => {
            Some(json!({"cpf": cpf, "nome": nome}))
        }
        (None, Some(cnpj))
            if cnpj.len() == 14 && cnpj.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) =>
        {
            Some(json!({"cnpj": cnpj, "nome": nome}))
        }
        _ => None,
    }
}

fn info_adicionais_ok(value: &Value) -> bool {
    let Some(items) = value.as_array() else {
        return false;
    };
    items.len() <= 50
        && items.iter().all(|item| {
            let nome = item.get("nome").and_then(Value::as_str);
            let valor = item.get("valor").and_then(Value::as_str);
            matches!((nome, valor), (Some(n), Some(v)) if n.chars().count() <= 50 && v.chars().count() <= 200)
        })
}

fn txid_violation(txid: &str) -> Problem {
    Problem::cob_invalid(vec![
        Violacao::new("txid", "O parâmetro txid não respeita o _schema_ ([a-zA-Z0-9]{26,35}).").with_value(txid)
    ])
}

/// Create an immediate charge. A txid already in use by an ATIVA charge has its content
/// replaced (201 again; `revisao` + 1 if anything changed): the spec forbids the PUT only when
/// the charge "já existe, não está no status ATIVA", which answers 400 CobOperacaoInvalida.
async fn put_cob(
    State(shared): State<Arc<Shared>>,
    Path(txid): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    if !ids::is_txid(&txid) {
        return Err(txid_violation(&txid));
    }
    let body = json_object(&body, Problem::cob_invalid)?;
    let mut violations = Vec::new();
    let fields = parse_cob_fields(&body, &shared.settings.pix_key, &mut violations);
    if body.get("valor").is_none_or(Value::is_null) {
        violations.push(Violacao::new("cob.valor", "O objeto cob.valor não respeita o _schema_ (obrigatório)."));
    }
    if body.get("chave").is_none_or(Value::is_null) {
        violations.push(Violacao::new("cob.chave", "O campo cob.chave não respeita o _schema_ (obrigatório)."));
    }
    if fields.status.is_some() {
        violations
            .push(Violacao::new("cob.status", "O campo cob.status não pode ser informado na criação da cobrança."));
    }
    let (Some((valor_cents, modalidade_alteracao)), Some(chave), true) =
        (fields.valor, fields.chave, violations.is_empty())
    else {
        return Err(Problem::cob_invalid(violations));
    };
    let content = CobContent {
        expiracao: fields.expiracao.unwrap_or(DEFAULT_EXPIRACAO),
        devedor: fields.devedor,
        valor_cents,
        modalidade_alteracao,
        chave,
        solicitacao_pagador: fields.solicitacao_pagador,
        info_adicionais: fields.info_adicionais,
    };
    let now = Utc::now();
    let mut store = lock(&shared.store);
    match store.put_cob(&shared.settings, &txid, content, now) {
        PutCob::NotActive => Err(Problem::cob_invalid(vec![Violacao::new(
            "txid",
            "A cobrança já existe, não está no status ATIVA, e a presente requisição busca alterá-la.",
        )
        .with_value(txid.as_str())])),
        PutCob::Created | PutCob::Replaced => {
            let cob = store.charges[&txid].to_json(&shared.settings, now);
            Ok((StatusCode::CREATED, Json(cob)).into_response())
        }
    }
}

async fn get_cob(State(shared): State<Arc<Shared>>, Path(txid): Path<String>) -> Result<Json<Value>, Problem> {
    let store = lock(&shared.store);
    let charge = store.charges.get(&txid).ok_or_else(Problem::cob_not_found)?;
    Ok(Json(charge.to_json(&shared.settings, Utc::now())))
}

/// Revise an ATIVA charge (`revisao` + 1), or remove it with
/// `{"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}` alone.
async fn patch_cob(
    State(shared): State<Arc<Shared>>,
    Path(txid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    if !ids::is_txid(&txid) {
        return Err(txid_violation(&txid));
    }
    let body = json_object(&body, Problem::cob_invalid)?;
    let mut violations = Vec::new();
    let fields = parse_cob_fields(&body, &shared.settings.pix_key, &mut violations);
    let removing = match fields.status.as_deref() {
        None => false,
        Some("REMOVIDA_PELO_USUARIO_RECEBEDOR") => true,
        Some(other) => {
            violations
                .push(Violacao::new("cob.status", "O campo cob.status não respeita o _schema_.").with_value(other));
            false
        }
    };
    if removing && fields.revises_content() {
        violations.push(Violacao::new(
            "cob.status",
            "A cobrança está ATIVA, e a presente requisição propõe alterar seu status para REMOVIDA_PELO_USUARIO_RECEBEDOR juntamente com outras alterações.",
        ));
    }
    let now = Utc::now();
    let mut store = lock(&shared.store);
    let charge = store.charges.get_mut(&txid).ok_or_else(Problem::cob_not_found)?;
    if charge.status_at(now) != Status::Ativa {
        violations.push(
            Violacao::new("cob.status", "A cobrança não está ATIVA, e a presente requisição busca alterá-la.")
                .with_value(charge.status_at(now).as_str()),
        );
    }
    if !violations.is_empty() {
        return Err(Problem::cob_invalid(violations));
    }
    if removing {
        charge.status = Status::RemovidaPeloUsuarioRecebedor;
    } else {
        let content = &mut charge.content;
        if let Some(expiracao) = fields.expiracao {
            content.expiracao = expiracao;
        }
        if let Some(devedor) = fields.devedor {
            content.devedor = Some(devedor);
        }
        if let Some((cents, modalidade)) = fields.valor {
            content.valor_cents = cents;
            content.modalidade_alteracao = modalidade;
        }
        if let Some(chave) = fields.chave {
            content.chave = chave;
        }
        if let Some(s) = fields.solicitacao_pagador {
            content.solicitacao_pagador = Some(s);
        }
        if let Some(info) = fields.info_adicionais {
            content.info_adicionais = Some(info);
        }
    }
    charge.revisao += 1;
    Ok(Json(charge.to_json(&shared.settings, now)))
}

async fn get_pix(State(shared): State<Arc<Shared>>, Path(e2eid): Path<String>) -> Result<Json<Value>, Problem> {
    let store = lock(&shared.store);
    let (charge, entry) = store.pix(&e2eid).ok_or_else(Problem::pix_not_found)?;
    Ok(Json(entry.to_json(&charge.txid, &charge.content.chave)))
}

async fn put_refund(
    State(shared): State<Arc<Shared>>,
    Path((e2eid, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Problem> {
    let mut violations = Vec::new();
    if !ids::is_refund_id(&id) {
        violations.push(
            Violacao::new("id", "O parâmetro id não respeita o _schema_ ([a-zA-Z0-9]{1,35}).").with_value(id.as_str()),
        );
    }
    if !ids::is_end_to_end_id(&e2eid) {
        violations.push(
            Violacao::new("e2eid", "O parâmetro e2eid não respeita o _schema_ ([a-zA-Z0-9]{32}).")
                .with_value(e2eid.as_str()),
        );
    }
    let body = json_object(&body, Problem::refund_invalid)?;
    let valor = body.get("valor").and_then(Value::as_str);
    let cents = match valor.and_then(parse_amount) {
        Some(0) | None => {
            let mut v = Violacao::new("devolucao.valor", "O campo devolucao.valor não respeita o _schema_.");
            if let Some(valor) = valor {
                v = v.with_value(valor);
            }
            violations.push(v);
            0
        }
        Some(cents) => cents,
    };
    let natureza = match body.get("natureza") {
        None | Some(Value::Null) => None,
        Some(Value::String(n)) if n == "ORIGINAL" => Some(n.clone()),
        Some(other) => {
            violations.push(
                Violacao::new(
                    "devolucao.natureza",
                    "O campo devolucao.natureza não respeita o _schema_ (só ORIGINAL: este PSP não oferece Pix Saque nem Troco).",
                )
                .with_value(other.to_string()),
            );
            None
        }
    };
    let descricao = match body.get("descricao") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if d.chars().count() <= 140 => Some(d.clone()),
        Some(_) => {
            violations
                .push(Violacao::new("devolucao.descricao", "O campo devolucao.descricao não respeita o _schema_."));
            None
        }
    };
    if !violations.is_empty() {
        return Err(Problem::refund_invalid(violations));
    }
    let now = Utc::now();
    let outcome = lock(&shared.store).refund(&e2eid, &id, cents, natureza, descricao, now);
    match outcome {
        Ok(RefundOutcome::Created(refund) | RefundOutcome::Existing(refund)) => {
            Ok((StatusCode::CREATED, Json(refund.to_json())).into_response())
        }
        Err(RefundError::PixNotFound) => Err(Problem::pix_not_found()),
        Err(RefundError::IdReused) => Err(Problem::refund_invalid(vec![Violacao::new(
            "id",
            "A presente requisição de devolução apresenta um {id} já utilizado por outra requisição de devolução para o {e2eid} em questão.",
        )
        .with_value(id.as_str())])),
        Err(RefundError::Exceeds { refundable_cents }) => {
            Err(Problem::refund_invalid(vec![Violacao::new(
                "devolucao.valor",
                format!(
                    "A presente requisição de devolução, em conjunto com as demais prévias devoluções, excederia o valor do pix originário (ainda devolvível: {}).",
                    ids::format_amount(refundable_cents)
                ),
            )
            .with_value(ids::format_amount(cents))]))
        }
    }
}

async fn get_refund(
    State(shared): State<Arc<Shared>>,
    Path((e2eid, id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    let store = lock(&shared.store);
    if store.pix(&e2eid).is_none() {
        return Err(Problem::pix_not_found());
    }
    let refund = store.refund_of(&e2eid, &id).ok_or_else(Problem::refund_not_found)?;
    Ok(Json(refund.to_json()))
}

fn check_key(shared: &Shared, chave: &str) -> Result<(), Problem> {
    if chave == shared.settings.pix_key {
        Ok(())
    } else {
        Err(Problem::webhook_invalid(vec![Violacao::new(
            "chave",
            "O parâmetro {chave} não corresponde a uma chave DICT pertencente a este usuário recebedor.",
        )
        .with_value(chave)]))
    }
}

async fn put_webhook(
    State(shared): State<Arc<Shared>>,
    Path(chave): Path<String>,
    body: Bytes,
) -> Result<StatusCode, Problem> {
    check_key(&shared, &chave)?;
    let body = json_object(&body, Problem::webhook_invalid)?;
    let url = body.get("webhookUrl").and_then(Value::as_str);
    let Some(url) = url
        .filter(|u| reqwest::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()))
    else {
        let mut v = Violacao::new("webhook.webhookUrl", "Campo webhook.webhookUrl não respeita o _schema_.");
        if let Some(url) = url {
            v = v.with_value(url);
        }
        return Err(Problem::webhook_invalid(vec![v]));
    };
    lock(&shared.store).webhook = Some(Webhook { url: url.to_string(), criacao: Utc::now() });
    Ok(StatusCode::OK)
}

async fn get_webhook(State(shared): State<Arc<Shared>>, Path(chave): Path<String>) -> Result<Json<Value>, Problem> {
    if chave != shared.settings.pix_key {
        return Err(Problem::webhook_not_found());
    }
    let store = lock(&shared.store);
    let webhook = store.webhook.as_ref().ok_or_else(Problem::webhook_not_found)?;
    Ok(Json(json!({
        "webhookUrl": webhook.url,
        "chave": chave,
        "criacao": timestamp(webhook.criacao),
    })))
}

async fn delete_webhook(State(shared): State<Arc<Shared>>, Path(chave): Path<String>) -> Result<StatusCode, Problem> {
    if chave != shared.settings.pix_key {
        return Err(Problem::webhook_not_found());
    }
    match lock(&shared.store).webhook.take() {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(Problem::webhook_not_found()),
    }
}
