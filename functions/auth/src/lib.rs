//! `auth`: accounts and sessions — register, log in, refresh, log out, verify the e-mail,
//! who am I, the CPF, the password, deleting the account.

use bilheteria::http::cookies::{clear_refresh_cookie, set_refresh_cookie, REFRESH_COOKIE};
use bilheteria::http::{caller, client_address, cookie, json, json_body, respond};
use bilheteria::routes::{self, RouteId};
use bilheteria::services::accounts::{self, password_reset, sessions, verification, Session};
use bilheteria::{error::AppResult, App, AppError};
use http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub const FUNCTION: &str = routes::AUTH;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(respond(&req, route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> AppResult<Response<Body>> {
    let matched = routes::resolve_for(FUNCTION, req.method(), req.uri().path())?;
    let client = || client_address(req, app.config.client_address_header.as_deref());
    match matched.route.id {
        RouteId::Register => json(StatusCode::CREATED, &accounts::register(app, json_body(req)?, &client()).await?),
        RouteId::Login => session(sessions::login(app, json_body(req)?, &client()).await?),
        RouteId::Refresh => session(sessions::refresh(app, cookie(req, REFRESH_COOKIE)).await?),
        RouteId::Logout => {
            sessions::logout(app, cookie(req, REFRESH_COOKIE)).await?;
            let mut response = no_content()?;
            clear_refresh_cookie(&mut response)?;
            Ok(response)
        }
        RouteId::VerifyEmail => json(StatusCode::OK, &verification::verify(app, json_body(req)?).await?),
        RouteId::Me => {
            let caller = caller(req, &app.guard).await?;
            json(StatusCode::OK, &accounts::me(app, &caller.user_id).await?)
        }
        RouteId::SetCpf => {
            let caller = caller(req, &app.guard).await?;
            session(accounts::set_cpf(app, &caller, json_body(req)?).await?)
        }
        RouteId::ChangePassword => {
            let caller = caller(req, &app.guard).await?;
            session(sessions::change_password(app, &caller.user_id, json_body(req)?).await?)
        }
        RouteId::ResendVerification => {
            let caller = caller(req, &app.guard).await?;
            json(StatusCode::ACCEPTED, &verification::resend(app, &caller.user_id).await?)
        }
        RouteId::SetLanguage => {
            let caller = caller(req, &app.guard).await?;
            json(StatusCode::OK, &accounts::set_language(app, &caller.user_id, json_body(req)?).await?)
        }
        RouteId::RequestPasswordReset => {
            password_reset::request(app, json_body(req)?).await?;
            // The same answer whether or not the address has an account.
            json(StatusCode::ACCEPTED, &serde_json::json!({ "sent": "if_account_exists" }))
        }
        RouteId::ResetPassword => {
            password_reset::reset(app, json_body(req)?).await?;
            no_content()
        }
        RouteId::DeleteAccount => {
            let caller = caller(req, &app.guard).await?;
            accounts::delete_account(app, &caller, json_body(req)?).await?;
            let mut response = no_content()?;
            clear_refresh_cookie(&mut response)?;
            Ok(response)
        }
        other => Err(AppError::Internal(format!("route {other:?} is not served by {FUNCTION}"))),
    }
}

/// A session's answer: the access token in the body, the refresh token (when a new one was
/// issued) only in its HttpOnly cookie.
fn session(session: Session) -> AppResult<Response<Body>> {
    let mut response = json(StatusCode::OK, &session)?;
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    if let Some((token, max_age)) = &session.refresh {
        set_refresh_cookie(&mut response, token, *max_age)?;
    }
    Ok(response)
}

fn no_content() -> AppResult<Response<Body>> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .map_err(|e| AppError::internal("building a response", e))
}
