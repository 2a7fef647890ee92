//! The one place where errors become HTTP responses. Clients get `application/problem+json`
//! with `status`, `title` and `detail`; internal details are logged, never returned.

use crate::domain::queue::QueueRefusal;
use crate::domain::refusal::TicketRefusal;
use crate::domain::Refusal;
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
    /// A stable name for what went wrong (`sold_out`, `weak_password`, `login_locked`), for
    /// clients that say it in the user's language.
    code: &'a str,
    /// On a 429: seconds until a new attempt may succeed (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    /// On a stale write: the version the object is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
    /// A used ticket: when and where it entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    checked_in_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a str>,
    /// A revoked ticket: why (`refunded`, `cancelled`, `transferred`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    /// `admission_required`/`admission_expired`: the event's waiting page.
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_url: Option<&'a str>,
    /// `not_your_turn`: the caller's place and how far the queue has come.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serving: Option<i64>,
    /// `price_changed`: what the same purchase costs now, for the buyer to confirm.
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    new_price: Option<NewPrice<'a>>,
}

#[derive(Serialize)]
struct NewPrice<'a> {
    lot: &'a str,
    unit_price_cents: i64,
    total_cents: i64,
    quantity: i64,
}

pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Refused(Refusal::BadCredentials | Refusal::SessionEnded) => StatusCode::UNAUTHORIZED,
        AppError::Refused(Refusal::CpfRequired | Refusal::EmailUnverified | Refusal::WrongPassword) => {
            StatusCode::FORBIDDEN
        }
        AppError::Refused(Refusal::ReservationUndone) => StatusCode::SERVICE_UNAVAILABLE,
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
        AppError::Unavailable(_) | AppError::PspUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Ticket(refusal) => match refusal {
            TicketRefusal::InvalidTicket => StatusCode::BAD_REQUEST,
            TicketRefusal::AlreadyUsed { .. }
            | TicketRefusal::UsedCannotRefund
            | TicketRefusal::TransferredCannotRefund
            | TicketRefusal::TransferClosed => StatusCode::CONFLICT,
            TicketRefusal::Revoked { .. } => StatusCode::GONE,
            TicketRefusal::WrongEvent
            | TicketRefusal::RecipientUnknown
            | TicketRefusal::RecipientNeedsCpf
            | TicketRefusal::SelfTransfer
            | TicketRefusal::EntitlementRequired => StatusCode::UNPROCESSABLE_ENTITY,
        },
        AppError::Queue(refusal) => match refusal {
            QueueRefusal::AdmissionRequired { .. }
            | QueueRefusal::AdmissionExpired { .. }
            | QueueRefusal::InvalidPlaceToken => StatusCode::FORBIDDEN,
            QueueRefusal::NotYourTurn { .. } | QueueRefusal::NotDrawnYet | QueueRefusal::QueueOff => {
                StatusCode::CONFLICT
            }
            QueueRefusal::SoldOut => StatusCode::GONE,
        },
    }
}

/// The stable code of an error the caller can act on; 5xx are all `unavailable`/`internal`.
pub fn code_of(err: &AppError) -> &'static str {
    match err {
        AppError::BadRequest(_) => "bad_request",
        AppError::Unprocessable(_) => "invalid_input",
        AppError::Invalid(invalid) => invalid.code,
        AppError::Unauthorized(_) => "unauthorized",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound(_) => "not_found",
        AppError::MethodNotAllowed(_) => "method_not_allowed",
        AppError::Refused(refusal) => refusal.code(),
        AppError::StaleVersion { .. } => "stale_version",
        AppError::Throttled { code, .. } => code,
        AppError::Store(StoreError::Unavailable { .. } | StoreError::Conflict { .. }) | AppError::Unavailable(_) => {
            "unavailable"
        }
        AppError::PspUnavailable(_) => "psp_unavailable",
        AppError::Ticket(refusal) => refusal.code(),
        AppError::Queue(refusal) => refusal.code(),
        AppError::Store(_) | AppError::Internal(_) => "internal",
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
        code: code_of(err),
        retry_after: match err {
            AppError::Throttled { retry_after_seconds, .. } => Some(*retry_after_seconds),
            _ => None,
        },
        request_id: Some(request_id),
        current_version: match err {
            AppError::StaleVersion { current_version } => Some(*current_version),
            _ => None,
        },
        checked_in_at: match err {
            AppError::Ticket(TicketRefusal::AlreadyUsed { at, .. }) => {
                // As every other time in a body (chrono's own format).
                Some(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
            _ => None,
        },
        gate: match err {
            AppError::Ticket(TicketRefusal::AlreadyUsed { gate, .. }) => Some(gate.as_str()),
            _ => None,
        },
        reason: match err {
            AppError::Ticket(TicketRefusal::Revoked { because }) => Some(because.as_str()),
            _ => None,
        },
        queue_url: match err {
            AppError::Queue(
                QueueRefusal::AdmissionRequired { queue_url } | QueueRefusal::AdmissionExpired { queue_url },
            ) => Some(queue_url.as_str()),
            _ => None,
        },
        place: match err {
            AppError::Queue(QueueRefusal::NotYourTurn { place, .. }) => Some(*place),
            _ => None,
        },
        serving: match err {
            AppError::Queue(QueueRefusal::NotYourTurn { serving, .. }) => Some(*serving),
            _ => None,
        },
        new_price: match err {
            AppError::Refused(Refusal::PriceChanged { lot, unit_price_cents, quantity }) => Some(NewPrice {
                lot,
                unit_price_cents: *unit_price_cents,
                total_cents: unit_price_cents * quantity,
                quantity: *quantity,
            }),
            _ => None,
        },
    };
    let mut builder = Response::builder().status(status).header("content-type", "application/problem+json");
    if status == StatusCode::UNAUTHORIZED {
        builder = builder.header("www-authenticate", "Bearer");
    }
    if let AppError::Throttled { retry_after_seconds, .. } = err {
        builder = builder.header("retry-after", retry_after_seconds.to_string());
    }
    builder.body(Body::Text(serde_json::to_string(&body).unwrap_or_default())).unwrap_or_default()
}
