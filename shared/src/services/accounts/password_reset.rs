//! "Esqueci minha senha": an e-mailed, single-use link, valid for an hour, that sets a new
//! password. Asking answers the same whether or not the address has an account (nothing to
//! learn by asking); using the link ends every session, as a password change does, and
//! voids the account's other links.

use super::sessions::revoke_everything;
use super::throttle;
use crate::app::App;
use crate::auth::password;
use crate::auth::secrets::{new_opaque_token, token_hash};
use crate::domain::email::{check_password, normalize_email};
use crate::domain::throttle::RESET_EMAILS_PER_ADDRESS;
use crate::domain::Invalid;
use crate::error::{AppError, AppResult};
use crate::ports::ResetLink;
use crate::services::notifications;
use chrono::Duration;
use serde::Deserialize;

pub const LINK_LIFETIME: Duration = Duration::hours(1);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
}

/// Sends a link if the address has an account; says nothing either way.
pub async fn request(app: &App, input: ResetRequest) -> AppResult<()> {
    let email = normalize_email(&input.email)?;
    let now = app.clock.now();
    throttle::count(app, &format!("reset-email:{email}"), &RESET_EMAILS_PER_ADDRESS, now, "reset_throttled").await?;
    let Some(user) = app.users.find_by_email(&email).await? else {
        return Ok(());
    };
    let token = new_opaque_token();
    app.password_resets.store(&token_hash(&token), &user.id, now + LINK_LIFETIME, now).await?;
    let link = format!("{}/reset.html#token={token}", app.config.public_site_url);
    notifications::password_reset(app, &user, &link, now).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub token: String,
    pub password: String,
}

/// Uses a link once: the account gets the new password and every session ends.
pub async fn reset(app: &App, input: NewPassword) -> AppResult<()> {
    let invalid = || AppError::Invalid(Invalid::coded("reset_link_invalid", "this password-reset link is not valid"));
    let token = input.token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(invalid());
    }
    let now = app.clock.now();
    let used = || {
        AppError::Invalid(Invalid::coded(
            "reset_link_used",
            "this password-reset link was already used; ask for a new one",
        ))
    };
    let hash = token_hash(token);
    let user_id = match app.password_resets.inspect(&hash, now).await? {
        ResetLink::Live(user) => user,
        ResetLink::AlreadyUsed => return Err(used()),
        ResetLink::Expired => {
            return Err(AppError::Invalid(Invalid::coded(
                "reset_link_expired",
                "this password-reset link has expired; ask for a new one",
            )))
        }
        ResetLink::Unknown => return Err(invalid()),
    };
    let user = app.users.find_by_id(&user_id).await?.ok_or_else(invalid)?;
    // A weak password is refused before the link is spent: the buyer keeps it to try again.
    check_password(&input.password, &[&user.email, &user.name])?;
    let password_hash = password::hash_blocking(input.password).await?;
    // Two clicks racing: only the one that spends the link sets its password.
    if !app.password_resets.consume(&hash, now).await? {
        return Err(used());
    }
    app.users.set_password_hash(&user.id, &password_hash).await?;
    app.password_resets.void_all(&user.id, now).await?;
    revoke_everything(app, &user.id).await
}
