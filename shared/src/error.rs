//! The one error type of the box office. Every failure a handler can meet becomes an
//! `AppError`, and `crate::http::problem` maps it to an HTTP problem document in one place.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// The request is malformed (bad JSON, missing field of the wrong type).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well formed but a value is not acceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// No valid credentials were presented.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist (or is not the caller's to see).
    #[error("{0}")]
    NotFound(String),
    /// The method is not supported on this path.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request conflicts with the current state (sold out, paused, e-mail taken).
    #[error("{0}")]
    Conflict(String),
    /// A write based on a version of the object that is no longer current (another admin
    /// changed it since): reload and try again.
    #[error("the event was changed by someone else (it is now at version {current_version}); reload it and try again")]
    StaleVersion { current_version: i64 },
    /// A dependency (database, broker) failed; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
    /// A dependency is temporarily unreachable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
}

impl AppError {
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        AppError::Internal(format!("{context}: {err}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
