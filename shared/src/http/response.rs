use super::problem::problem_response;
use super::request::request_id;
use crate::error::AppError;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, AppError> {
    let body = serde_json::to_string(value).map_err(|e| AppError::internal("encoding a response", e))?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .map_err(|e| AppError::internal("building a response", e))
}

/// Turns a handler's outcome into the response, logging one line per request.
pub fn respond(req: &Request, outcome: Result<Response<Body>, AppError>) -> Response<Body> {
    let id = request_id(req);
    let response = match outcome {
        Ok(r) => r,
        Err(err) => problem_response(&err, &id),
    };
    tracing::info!(
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        status = response.status().as_u16(),
        "request"
    );
    response
}
