//! Registering, logging in, and who am I.

use crate::app::App;
use crate::auth::password;
use crate::domain::email::{check_name, check_password, normalize_email};
use crate::domain::{Role, User, UserId};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, Debug)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView { id: u.id.to_string(), name: u.name.clone(), email: u.email.clone(), role: u.role }
    }
}

#[derive(Serialize, Debug)]
pub struct TokenView {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// Registers a buyer. The role is always `buyer`: nobody becomes an admin by registering.
pub async fn register(app: &App, input: Registration) -> AppResult<UserView> {
    let name = check_name(&input.name)?;
    let email = normalize_email(&input.email)?;
    check_password(&input.password)?;
    let password_hash = password::hash_blocking(input.password).await?;
    let user =
        User { id: UserId::generate(), name, email, password_hash, role: Role::Buyer, created_at: app.clock.now() };
    app.users.insert(&user).await?;
    Ok(UserView::from(&user))
}

pub async fn login(app: &App, input: Credentials) -> AppResult<TokenView> {
    let refused = || AppError::Unauthorized("wrong e-mail or password".into());
    let Ok(email) = normalize_email(&input.email) else {
        return Err(refused());
    };
    let user = app.users.find_by_email(&email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(password::dummy_hash);
    let matches = password::verify_blocking(input.password, stored).await;
    match user {
        Some(user) if matches => {
            let token = app.tokens.issue(&user.id, user.role, app.clock.now())?;
            Ok(TokenView { access_token: token.access_token, token_type: "Bearer", expires_in: token.expires_in })
        }
        _ => Err(refused()),
    }
}

pub async fn me(app: &App, user_id: &UserId) -> AppResult<UserView> {
    app.users
        .find_by_id(user_id)
        .await?
        .map(|u| UserView::from(&u))
        // A valid token whose user is gone: the token no longer speaks for anyone.
        .ok_or_else(|| AppError::Unauthorized("the account behind this token no longer exists".into()))
}

/// Creates an admin, or promotes an existing account (operators only: `create-admin`).
pub async fn ensure_admin(app: &App, name: &str, email: &str, password: &str) -> AppResult<UserView> {
    let name = check_name(name)?;
    let email = normalize_email(email)?;
    check_password(password)?;
    let password_hash = password::hash_blocking(password.to_string()).await?;
    let user = User {
        id: UserId::generate(),
        name,
        email: email.clone(),
        password_hash,
        role: Role::Admin,
        created_at: app.clock.now(),
    };
    app.users.upsert_admin(&user).await?;
    let stored = app
        .users
        .find_by_email(&email)
        .await?
        .ok_or_else(|| AppError::Internal("the admin vanished after being stored".into()))?;
    Ok(UserView::from(&stored))
}
