//! Sessions: a login issues a short-lived access token and a refresh token (a family of
//! one); each refresh spends the refresh token and issues the next of the family, with an
//! access token built from the account as it is now. A spent token presented again means
//! two parties hold the family (one of them stole it): the whole family ends.

use super::{account, throttle, UserView};
use crate::app::App;
use crate::auth::{password, secrets, Subject};
use crate::domain::email::{check_password, normalize_email};
use crate::domain::throttle::{FAILED_LOGINS_PER_ACCOUNT, FAILED_LOGINS_PER_ADDRESS};
use crate::domain::{Refusal, User, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::{RefreshRecord, Spent};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// What a client holds after logging in or refreshing.
#[derive(Serialize, Debug)]
pub struct Session {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserView,
    /// The new refresh token and its lifetime in seconds: for the cookie, never the body.
    #[serde(skip)]
    pub refresh: Option<(String, i64)>,
}

/// An access token for the account as read, issued at `now` (no new refresh token).
pub(crate) fn access_only(app: &App, user: &User, now: DateTime<Utc>) -> AppResult<Session> {
    let subject = Subject { user_id: &user.id, role: user.role, cpf: user.cpf.as_ref() };
    let token = app.tokens.issue(subject, now)?;
    Ok(Session {
        access_token: token.access_token,
        token_type: "Bearer",
        expires_in: token.expires_in,
        user: UserView::from(user),
        refresh: None,
    })
}

/// The session a spent refresh token continues.
struct Continued {
    family: String,
    started: DateTime<Utc>,
    spent_hash: String,
}

/// A session: a refresh token (a new family, or the next of a spent token's) and an access
/// token.
async fn issue(app: &App, user: &User, continued: Option<Continued>) -> AppResult<Session> {
    let now = app.clock.now();
    let (family, started) = match &continued {
        Some(c) => (c.family.clone(), c.started),
        None => (secrets::new_family_id(), now),
    };
    let expires_at = (now + Duration::seconds(app.config.refresh_ttl_seconds))
        .min(started + Duration::seconds(app.config.session_max_seconds));
    let token = secrets::new_opaque_token();
    let record = RefreshRecord {
        hash: secrets::token_hash(&token),
        family,
        user_id: user.id.clone(),
        issued_at: now,
        expires_at,
        family_started_at: started,
    };
    match &continued {
        None => app.sessions.store(&record).await?,
        Some(c) => {
            if !app.sessions.rotate(&record, &c.spent_hash, now).await? {
                // Replayed by someone else while this refresh ran: the family has ended.
                return Err(Refusal::SessionEnded.into());
            }
        }
    }
    // Issued as of `now`, before the refresh token was stored: a revocation that lands after
    // the store (a password change racing this refresh) is later than the token, so voids it.
    let mut session = access_only(app, user, now)?;
    session.refresh = Some((token, (expires_at - now).num_seconds().max(1)));
    Ok(session)
}

/// Logs in. Wrong passwords are counted per account and per client address; past the free
/// attempts each waits longer (429 with `Retry-After`), and while a key is locked its
/// password is not even checked. An unknown e-mail costs as much as a wrong password.
pub async fn login(app: &App, input: Credentials, client: &str) -> AppResult<Session> {
    let now = app.clock.now();
    let email = normalize_email(&input.email).map_err(|_| AppError::from(Refusal::BadCredentials))?;
    let account_key = format!("login:{email}");
    let address_key = format!("login-from:{client}");
    throttle::check(app, &account_key, &FAILED_LOGINS_PER_ACCOUNT, now, "login_locked").await?;
    throttle::check(app, &address_key, &FAILED_LOGINS_PER_ADDRESS, now, "login_locked").await?;

    let user = app.users.find_by_email(&email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(password::dummy_hash);
    let matches = password::verify_blocking(input.password, stored).await;
    match user {
        Some(user) if matches => {
            app.attempts.clear(&account_key).await?;
            issue(app, &user, None).await
        }
        _ => {
            throttle::fail(app, &account_key, &FAILED_LOGINS_PER_ACCOUNT, now).await?;
            throttle::fail(app, &address_key, &FAILED_LOGINS_PER_ADDRESS, now).await?;
            Err(Refusal::BadCredentials.into())
        }
    }
}

/// Spends a refresh token for the next of its family. Replaying a spent one ends the family
/// (and voids the account's access tokens, since the thief may hold one of them).
pub async fn refresh(app: &App, token: Option<&str>) -> AppResult<Session> {
    let token = token.ok_or(Refusal::SessionEnded)?;
    let now = app.clock.now();
    match app.sessions.spend(&secrets::token_hash(token), now).await? {
        Spent::Fresh(record) => {
            let Some(user) = app.users.find_by_id(&record.user_id).await? else {
                app.sessions.revoke_family(&record.family, now).await?;
                return Err(Refusal::SessionEnded.into());
            };
            let continued =
                Continued { family: record.family, started: record.family_started_at, spent_hash: record.hash };
            issue(app, &user, Some(continued)).await
        }
        Spent::Replayed(record) => {
            tracing::warn!(user_id = %record.user_id, family = %record.family, "a spent refresh token was replayed; its session ends");
            app.sessions.revoke_family(&record.family, now).await?;
            revoke_access_tokens(app, &record.user_id, now).await?;
            Err(Refusal::SessionEnded.into())
        }
        Spent::Unknown => Err(Refusal::SessionEnded.into()),
    }
}

/// Ends the session the refresh token belongs to, and the account's current access tokens
/// (other devices get new ones with their own refresh tokens). Logging out twice, or with
/// no session, is fine.
pub async fn logout(app: &App, token: Option<&str>) -> AppResult<()> {
    let Some(token) = token else {
        return Ok(());
    };
    let now = app.clock.now();
    if let Spent::Fresh(record) | Spent::Replayed(record) = app.sessions.spend(&secrets::token_hash(token), now).await?
    {
        app.sessions.revoke_family(&record.family, now).await?;
        revoke_access_tokens(app, &record.user_id, now).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password: every session and token of the account ends, and this device gets
/// a new session.
pub async fn change_password(app: &App, user_id: &UserId, input: PasswordChange) -> AppResult<Session> {
    let user = account(app, user_id).await?;
    if !password::verify_blocking(input.current_password, user.password_hash.clone()).await {
        return Err(Refusal::WrongPassword.into());
    }
    check_password(&input.new_password, &[&user.email, &user.name])?;
    let hash = password::hash_blocking(input.new_password).await?;
    app.users.set_password_hash(&user.id, &hash).await?;
    revoke_everything(app, &user.id).await?;
    issue(app, &user, None).await
}

/// Ends every session of the account and voids its access tokens.
pub(crate) async fn revoke_everything(app: &App, user: &UserId) -> AppResult<()> {
    let now = app.clock.now();
    app.sessions.revoke_user(user, now).await?;
    revoke_access_tokens(app, user, now).await
}

async fn revoke_access_tokens(app: &App, user: &UserId, now: DateTime<Utc>) -> AppResult<()> {
    // Kept until the last token it voids has expired (plus the tokens' clock leeway).
    let keep_until = now + Duration::seconds(app.tokens.ttl_seconds() + 60);
    app.revocations.revoke(user, now, keep_until).await?;
    app.guard.revocations().mark_stale();
    Ok(())
}
