//! The one error type of the box office's use cases, and the store's.
//!
//! The flow: the domain says why not (`domain::Invalid`, `domain::Refusal`); an adapter says
//! what went wrong with a store (`StoreError`, classified from the driver's codes and labels,
//! never from its message text); both travel as an `AppError` to the edge, where
//! `crate::http::problem` alone turns each into a status and a problem document.

use crate::domain::{Invalid, Refusal};
use thiserror::Error;

/// What a store failure was, as far as its caller can act on it.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be reached (no server selected, connection lost): retry later.
    #[error("{context}: the database is unreachable")]
    Unavailable {
        context: &'static str,
        #[source]
        source: Source,
    },
    /// A concurrent write got there first (a write conflict, a transient transaction
    /// error): trying again may succeed.
    #[error("{context}: a concurrent write conflicted")]
    Conflict {
        context: &'static str,
        #[source]
        source: Source,
    },
    /// A document with this key already exists where the caller did not expect one.
    #[error("{context}: a document with this key already exists")]
    DuplicateKey {
        context: &'static str,
        #[source]
        source: Source,
    },
    /// Anything else: a bug of ours or a server refusal we do not expect.
    #[error("{context}")]
    Other {
        context: &'static str,
        #[source]
        source: Source,
    },
}

pub type Source = Box<dyn std::error::Error + Send + Sync>;

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

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
    /// The state refuses the request (sold out, paused, e-mail taken).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A write based on a version of the object that is no longer current (another admin
    /// changed it since): reload and try again.
    #[error("the event was changed by someone else (it is now at version {current_version}); reload it and try again")]
    StaleVersion { current_version: i64 },
    /// Too many attempts (failed logins, registrations): wait `retry_after_seconds`.
    #[error("{detail}")]
    Throttled { code: &'static str, retry_after_seconds: i64, detail: String },
    /// A value that can never be accepted (domain rule), with the rule's code.
    #[error(transparent)]
    Invalid(Invalid),
    /// A store failed; what it was decides the status, the detail is logged, never shown.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another dependency or our own code failed; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
    /// A dependency (the broker) is temporarily unreachable, or a request ran out of time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The payment provider (the PSP) did not answer, or answered that it cannot now:
    /// nothing was changed, the caller may try again.
    #[error("payment provider unavailable: {0}")]
    PspUnavailable(String),
    /// A ticket refuses: forged, used, revoked, not transferable.
    #[error(transparent)]
    Ticket(#[from] crate::domain::refusal::TicketRefusal),
    /// The waiting room refuses: no admission, not one's turn, sold out.
    #[error(transparent)]
    Queue(#[from] crate::domain::queue::QueueRefusal),
}

impl AppError {
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        AppError::Internal(format!("{context}: {err}"))
    }

    /// The error and every cause under it, for the log (`a: b: c`).
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        AppError::Invalid(invalid)
    }
}

pub type AppResult<T> = Result<T, AppError>;
