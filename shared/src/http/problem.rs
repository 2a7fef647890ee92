//! The one place where errors become HTTP responses. Clients get `application/problem+json`
//! with `status`, `title` and `detail`; internal details are logged, never returned.

use crate::error::{AppError, StoreError};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    /// On a stale write: the version the object is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
}

pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        AppError::Refused(_) | AppError::StaleVersion { .. } => StatusCode::CONFLICT,
        // A store we cannot reach, or a write that lost a race it could win on a retry: the
        // caller did nothing wrong and may try again.
        AppError::Store(StoreError::Unavailable { .. } | StoreError::Conflict { .. }) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        AppError::Store(StoreError::DuplicateKey { .. } | StoreError::Other { .. }) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

pub fn problem_response(err: &AppError, request_id: &str) -> Response<Body> {
    let status = status_of(err);
    let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(request_id, error = %err.chain(), "request failed");
        "An unexpected error occurred. It has been logged; please try again.".to_string()
    } else if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(request_id, error = %err.chain(), "dependency unavailable");
        "The service is temporarily unavailable. Please try again shortly.".to_string()
    } else {
        err.to_string()
    };
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        request_id: Some(request_id),
        current_version: match err {
            AppError::StaleVersion { current_version } => Some(*current_version),
            _ => None,
        },
    };
    let mut builder = Response::builder().status(status).header("content-type", "application/problem+json");
    if matches!(err, AppError::Unauthorized(_)) {
        builder = builder.header("www-authenticate", "Bearer");
    }
    builder.body(Body::Text(serde_json::to_string(&body).unwrap_or_default())).unwrap_or_default()
}
