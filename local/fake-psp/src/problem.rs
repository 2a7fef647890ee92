//! API Pix errors: RFC 7807 `application/problem+json` with the spec's
//! `https://pix.bcb.gov.br/api/v2/error/<TipoErro>` types, and `violacoes` where it lists them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

const TYPE_PREFIX: &str = "https://pix.bcb.gov.br/api/v2/error/";

#[derive(Debug, Clone, Serialize)]
pub struct Violacao {
    pub razao: String,
    pub propriedade: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valor: Option<String>,
}

impl Violacao {
    pub fn new(propriedade: &str, razao: impl Into<String>) -> Self {
        Self { razao: razao.into(), propriedade: propriedade.to_string(), valor: None }
    }

    pub fn with_value(mut self, valor: impl Into<String>) -> Self {
        self.valor = Some(valor.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct Problem {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    violacoes: Vec<Violacao>,
    www_authenticate: Option<&'static str>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: &str) -> Self {
        Self { status, kind, title, detail: detail.to_string(), violacoes: Vec::new(), www_authenticate: None }
    }

    pub fn with_violacoes(mut self, violacoes: Vec<Violacao>) -> Self {
        self.violacoes = violacoes;
        self
    }

    /// The spec defines no 401 type (its `AcessoNegado` is a 403 for an authenticated caller):
    /// a missing, unknown or expired bearer token answers 401 with `AcessoNegado`'s type.
    pub fn unauthenticated(detail: &str) -> Self {
        let mut p = Self::new(StatusCode::UNAUTHORIZED, "AcessoNegado", "Não autenticado", detail);
        p.www_authenticate = Some("Bearer");
        p
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServicoIndisponivel",
            "Serviço Indisponível",
            "Serviço não está disponível no momento. Serviço solicitado pode estar em manutenção ou fora da janela de funcionamento.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NaoEncontrado", "Não Encontrado", "Entidade não encontrada.")
    }

    pub fn cob_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "CobNaoEncontrado",
            "Cobrança não encontrada.",
            "Cobrança não encontrada para o txid informado.",
        )
    }

    pub fn cob_invalid(violacoes: Vec<Violacao>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CobOperacaoInvalida",
            "Cobrança inválida.",
            "A requisição que busca alterar ou criar uma cobrança para pagamento imediato não respeita o _schema_ ou está semanticamente errada.",
        )
        .with_violacoes(violacoes)
    }

    pub fn pix_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "PixNaoEncontrado",
            "Pix não encontrado.",
            "Pix não encontrado para o e2eid informado.",
        )
    }

    pub fn refund_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "PixDevolucaoNaoEncontrada",
            "Devolução não encontrada.",
            "Devolução não encontrada para o e2eid e o id informados.",
        )
    }

    pub fn refund_invalid(violacoes: Vec<Violacao>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "PixDevolucaoInvalida",
            "Devolução inválida.",
            "A presente requisição de devolução não respeita o _schema_ ou não faz sentido semanticamente.",
        )
        .with_violacoes(violacoes)
    }

    pub fn webhook_invalid(violacoes: Vec<Violacao>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "WebhookOperacaoInvalida",
            "Webhook inválido.",
            "A presente requisição busca criar um webhook sem respeitar o _schema_ ou, ainda, com sentido semanticamente inválido.",
        )
        .with_violacoes(violacoes)
    }

    pub fn webhook_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "WebhookNaoEncontrado",
            "Webhook não encontrado.",
            "O webhook denotado por {chave} não encontra-se estabelecido.",
        )
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[Violacao]>::is_empty")]
    violacoes: &'a [Violacao],
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = Body {
            kind: format!("{TYPE_PREFIX}{}", self.kind),
            title: self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            violacoes: &self.violacoes,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(scheme) = self.www_authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
        }
        response
    }
}
