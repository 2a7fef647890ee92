//! The refresh token's cookie: `HttpOnly` (no script reads it, so an injected script cannot
//! steal it), `Secure`, `SameSite=Strict` (no other site's page can make the browser send
//! it: no CSRF on refresh or logout), and sent only to `/api/v1/auth`. The site and the API
//! share an origin (CloudFront in production, the local server here), so no CORS is needed.

use crate::error::AppError;
use lambda_http::{Body, Response};

pub const REFRESH_COOKIE: &str = "bilheteria_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

fn append(response: &mut Response<Body>, value: String) -> Result<(), AppError> {
    let value = http::HeaderValue::from_str(&value).map_err(|e| AppError::internal("building a cookie", e))?;
    response.headers_mut().append(http::header::SET_COOKIE, value);
    // A response that sets a session must never be stored by a cache on the way.
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    Ok(())
}

pub fn set_refresh_cookie(response: &mut Response<Body>, token: &str, max_age_seconds: i64) -> Result<(), AppError> {
    append(
        response,
        format!(
            "{REFRESH_COOKIE}={token}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Strict"
        ),
    )
}

pub fn clear_refresh_cookie(response: &mut Response<Body>) -> Result<(), AppError> {
    append(
        response,
        format!("{REFRESH_COOKIE}=; Path={REFRESH_COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict"),
    )
}
