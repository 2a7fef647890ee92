//! Reading what a request carries: its JSON body, its bearer token, its request id.

use crate::auth::{Caller, Guard};
use crate::error::AppError;
use crate::services::catalog::{Cursor, DEFAULT_PAGE, MAX_PAGE};
use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;

/// The request id a local router attaches (in Lambda, the runtime's context has one).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub fn request_id(req: &Request) -> String {
    if let Some(ctx) = req.lambda_context_ref() {
        return ctx.request_id.clone();
    }
    if let Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() {
        if let Some(id) = &ctx.request_id {
            return id.clone();
        }
    }
    if let Some(RequestId(id)) = req.extensions().get::<RequestId>() {
        return id.clone();
    }
    header(req, "x-request-id").unwrap_or("-").to_string()
}

pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

/// Parses the JSON body: 400 when it is not JSON at all, 422 when it is JSON of the wrong
/// shape (missing field, wrong type, unknown field).
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    let bytes = body_bytes(req);
    if bytes.is_empty() {
        return Err(AppError::BadRequest("a JSON body is required".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => AppError::Unprocessable(format!("invalid request body: {e}")),
            _ => AppError::BadRequest(format!("the body is not valid JSON: {e}")),
        }
    })
}

/// The token of the `Authorization: Bearer` header; 401 when absent or malformed.
pub fn bearer_token(req: &Request) -> Result<&str, AppError> {
    let value = header(req, "authorization")
        .ok_or_else(|| AppError::Unauthorized("an Authorization: Bearer token is required".into()))?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))
}

/// The caller behind the bearer token (valid, not revoked); 401 otherwise.
pub async fn caller(req: &Request, guard: &Guard) -> Result<Caller, AppError> {
    guard.caller(bearer_token(req)?).await
}

/// The caller, who must be an admin by token and by account now; 403 otherwise.
pub async fn admin(req: &Request, guard: &Guard) -> Result<Caller, AppError> {
    guard.admin(bearer_token(req)?).await
}

/// The caller, who must work a gate (gate staff of an event, or an admin); 403 otherwise.
pub async fn gate(req: &Request, guard: &Guard) -> Result<crate::auth::guard::GateCaller, AppError> {
    guard.gate(bearer_token(req)?).await
}

/// A query-string parameter, percent-decoded.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref().and_then(|q| q.first(name)).map(str::to_string)
}

/// A cookie the request carries (API Gateway passes cookies on as one `cookie` header).
pub fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The client's address: from `trusted_header` when a proxy we trust sets it (CloudFront's
/// `cloudfront-viewer-address` is `ip:port`), else the source IP API Gateway saw.
pub fn client_address(req: &Request, trusted_header: Option<&str>) -> String {
    if let Some(value) = trusted_header.and_then(|h| header(req, h)) {
        let first = value.split(',').next().unwrap_or("").trim();
        // `203.0.113.9:443` or `[2001:db8::1]:443` (CloudFront), or a bare address.
        let address = match first.rsplit_once(':') {
            Some((ip, port)) if port.chars().all(|c| c.is_ascii_digit()) && !ip.ends_with(':') => {
                ip.trim_start_matches('[').trim_end_matches(']')
            }
            _ => first,
        };
        if !address.is_empty() {
            return address.to_string();
        }
    }
    if let Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() {
        if let Some(ip) = &ctx.http.source_ip {
            return ip.clone();
        }
    }
    "unknown".to_string()
}

/// The version an `If-Match` header names (`"12"`, `W/"12"` or `12`); 400 when it names none.
pub fn if_match(req: &Request) -> Result<Option<i64>, AppError> {
    let Some(raw) = header(req, "if-match") else {
        return Ok(None);
    };
    let tag = raw.trim().trim_start_matches("W/").trim_matches('"');
    tag.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::BadRequest("If-Match must name a version, as the ETag gives it (e.g. \"3\")".into()))
}

/// `?limit=` (1..=100, default 50) and `?after=` (a cursor from a `next` link).
pub fn page(req: &Request) -> Result<(i64, Option<Cursor>), AppError> {
    let params = req.query_string_parameters_ref();
    let get = |k: &str| params.and_then(|p| p.first(k)).map(str::to_string);
    let limit = match get("limit") {
        None => DEFAULT_PAGE,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| AppError::Unprocessable(format!("'limit' must be between 1 and {MAX_PAGE}")))?,
    };
    let after = match get("after") {
        None => None,
        Some(a) => Some(Cursor::parse(&a).ok_or_else(|| AppError::BadRequest("'after' is not a page cursor".into()))?),
    };
    Ok((limit, after))
}
