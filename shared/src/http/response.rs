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

/// A page of a list: the items, and a `Link: <…>; rel="next"` header when there are more.
pub fn json_page<T: Serialize>(
    req: &Request,
    items: &[T],
    limit: i64,
    next: Option<crate::services::catalog::Cursor>,
) -> Result<Response<Body>, AppError> {
    let mut response = json(StatusCode::OK, &items)?;
    if let Some(cursor) = next {
        let link = format!("<{}?limit={limit}&after={}>; rel=\"next\"", req.uri().path(), cursor.encode());
        let value = http::HeaderValue::from_str(&link).map_err(|e| AppError::internal("building a Link header", e))?;
        response.headers_mut().insert(http::header::LINK, value);
    }
    Ok(response)
}

/// A JSON response carrying the object's version as its `ETag` (for `If-Match`).
pub fn json_versioned<T: Serialize>(status: StatusCode, value: &T, version: i64) -> Result<Response<Body>, AppError> {
    let mut response = json(status, value)?;
    let tag = http::HeaderValue::from_str(&format!("\"{version}\""))
        .map_err(|e| AppError::internal("building an ETag", e))?;
    response.headers_mut().insert(http::header::ETAG, tag);
    Ok(response)
}
