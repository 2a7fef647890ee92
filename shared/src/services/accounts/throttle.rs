//! Attempt limits, shared by every instance through the attempt store: `check` refuses a
//! locked key with 429 and the seconds to wait; `fail` counts a failed attempt; `count`
//! counts every attempt (registrations) and refuses past the limit.

use crate::app::App;
use crate::domain::throttle::{seconds_until, Policy};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

fn throttled(code: &'static str, retry_after_seconds: i64) -> AppError {
    AppError::Throttled {
        code,
        retry_after_seconds,
        detail: format!("too many attempts; try again in {retry_after_seconds} second(s)"),
    }
}

pub async fn check(app: &App, key: &str, policy: &Policy, now: DateTime<Utc>, code: &'static str) -> AppResult<()> {
    let attempts = app.attempts.get(key, now).await?;
    match policy.locked_until(attempts, now) {
        Some(until) => Err(throttled(code, seconds_until(until, now))),
        None => Ok(()),
    }
}

pub async fn fail(app: &App, key: &str, policy: &Policy, now: DateTime<Utc>) -> AppResult<()> {
    app.attempts.add(key, policy, now).await?;
    Ok(())
}

/// Checks, then counts this attempt whether it goes on to succeed or not.
pub async fn count(app: &App, key: &str, policy: &Policy, now: DateTime<Utc>, code: &'static str) -> AppResult<()> {
    check(app, key, policy, now, code).await?;
    let attempts = app.attempts.add(key, policy, now).await?;
    // Requests that passed the check together: those counted past the limit wait.
    if attempts.count > policy.free {
        if let Some(until) = policy.locked_until(Some(attempts), now) {
            return Err(throttled(code, seconds_until(until, now)));
        }
    }
    Ok(())
}
