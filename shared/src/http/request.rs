//! Reading what a request carries: its JSON body, its bearer token, its request id.

use crate::auth::{Caller, TokenService};
use crate::error::AppError;
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

/// The caller behind the `Authorization: Bearer` header; 401 when absent or invalid.
pub fn bearer_caller(req: &Request, tokens: &TokenService) -> Result<Caller, AppError> {
    let value = header(req, "authorization")
        .ok_or_else(|| AppError::Unauthorized("an Authorization: Bearer token is required".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into()))?;
    tokens.verify(token)
}
