//! Accounts: registering, who am I, the CPF, deleting one's account, and roles.
//! Sessions (log in, refresh, log out, password change) are in `sessions`, e-mail
//! verification in `verification`, attempt limits in `throttle`.

pub mod password_reset;
pub mod sessions;
pub mod throttle;
pub mod verification;

use crate::app::App;
use crate::auth::{password, Caller};
use crate::domain::email::{check_name, check_password, normalize_email};
use crate::domain::throttle::REGISTRATIONS_PER_ADDRESS;
use crate::domain::{Cpf, Language, Refusal, Role, User, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, CpfChange};
use serde::{Deserialize, Serialize};

pub use sessions::{Credentials, Session};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub name: String,
    pub email: String,
    pub password: String,
    /// Optional at registration; required before the first purchase.
    #[serde(default)]
    pub cpf: Option<String>,
    /// The language to write to them in (`pt-BR` or `en`; Portuguese when absent).
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Formatted (`123.456.789-09`); shown to its owner and to admins only.
    pub cpf: Option<String>,
    pub email_verified: bool,
    /// The event a gate account scans for (`null` for other accounts).
    pub gate_event_id: Option<String>,
    /// `pt-BR` or `en`: what e-mails and PDF tickets are written in.
    pub language: Language,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role,
            cpf: u.cpf.as_ref().map(Cpf::formatted),
            email_verified: u.email_verified_at.is_some(),
            gate_event_id: u.gate_event_id.as_ref().map(|e| e.to_string()),
            language: u.language,
        }
    }
}

/// Checks a new account's input: the name, the e-mail, a strong enough password (not made
/// of the name or the e-mail) and, when given, the CPF.
fn check_new_account(input: &Registration) -> AppResult<(String, String, Option<Cpf>)> {
    let name = check_name(&input.name)?;
    let email = normalize_email(&input.email)?;
    check_password(&input.password, &[&email, &name])?;
    let cpf = input.cpf.as_deref().filter(|c| !c.trim().is_empty()).map(Cpf::parse).transpose()?;
    Ok((name, email, cpf))
}

/// Registers a buyer (never an admin) and e-mails the verification link. Throttled per
/// client address.
pub async fn register(app: &App, input: Registration, client: &str) -> AppResult<UserView> {
    let (name, email, cpf) = check_new_account(&input)?;
    let language = input.language.as_deref().map(Language::parse).transpose()?.unwrap_or_default();
    let now = app.clock.now();
    throttle::count(app, &format!("register-from:{client}"), &REGISTRATIONS_PER_ADDRESS, now, "registration_throttled")
        .await?;
    let password_hash = password::hash_blocking(input.password).await?;
    let mut user = User::new_buyer(name, email, password_hash, cpf, now);
    user.language = language;
    app.users.insert(&user).await?;
    if let Err(err) = verification::send_link(app, &user).await {
        // The account stands; the owner can ask for the link again.
        tracing::warn!(error = %err.chain(), "verification e-mail not sent at registration");
    }
    Ok(UserView::from(&user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageInput {
    pub language: String,
}

/// The language e-mails and PDF tickets are written in for this account.
pub async fn set_language(app: &App, user_id: &UserId, input: LanguageInput) -> AppResult<UserView> {
    let language = Language::parse(&input.language)?;
    if !app.users.set_language(user_id, language).await? {
        return Err(gone());
    }
    me(app, user_id).await
}

pub async fn me(app: &App, user_id: &UserId) -> AppResult<UserView> {
    Ok(UserView::from(&account(app, user_id).await?))
}

/// The caller's account; a valid token whose account is gone no longer speaks for anyone.
pub async fn account(app: &App, user_id: &UserId) -> AppResult<User> {
    app.users.find_by_id(user_id).await?.ok_or_else(gone)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpfInput {
    pub cpf: String,
}

/// Sets the account's CPF (once). Answers with a new access token that carries it, so the
/// next reservation can count it without looking the account up.
pub async fn set_cpf(app: &App, caller: &Caller, input: CpfInput) -> AppResult<Session> {
    let cpf = Cpf::parse(&input.cpf)?;
    match app.users.set_cpf(&caller.user_id, &cpf).await? {
        CpfChange::Set => {}
        CpfChange::AlreadySet => return Err(Refusal::CpfAlreadySet.into()),
        CpfChange::NoAccount => return Err(gone()),
    }
    let user = account(app, &caller.user_id).await?;
    sessions::access_only(app, &user, app.clock.now())
}

/// A valid token whose account is gone no longer speaks for anyone.
fn gone() -> AppError {
    AppError::Unauthorized("the account behind this token no longer exists".into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirmation {
    pub password: String,
}

/// Deletes the caller's account, after its password: every session and token ends. Its
/// orders stay (the stock they hold is the box office's to account for), under its id;
/// the CPF is freed with the account, and per-CPF limits still count its orders.
pub async fn delete_account(app: &App, caller: &Caller, input: PasswordConfirmation) -> AppResult<()> {
    let user = account(app, &caller.user_id).await?;
    if !password::verify_blocking(input.password, user.password_hash.clone()).await {
        return Err(Refusal::WrongPassword.into());
    }
    app.users.delete(&user.id).await?;
    sessions::revoke_everything(app, &user.id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub role: Role,
}

/// An admin changes another account's role. The account's tokens and sessions end at once
/// (its next request needs a new login), and admin routes check the role on the account.
pub async fn set_role(app: &App, caller: &Caller, target: &str, input: RoleInput) -> AppResult<UserView> {
    let target = UserId::parse(target).ok_or_else(|| AppError::NotFound("no such account".into()))?;
    if target == caller.user_id {
        return Err(Refusal::OwnRole.into());
    }
    if input.role == Role::Gate {
        return Err(AppError::Unprocessable(
            "gate staff are created for an event (POST /admin/events/{id}/gate-staff)".into(),
        ));
    }
    let before = app.users.find_by_id(&target).await?.ok_or_else(|| AppError::NotFound("no such account".into()))?;
    let after =
        app.users.set_role(&target, input.role).await?.ok_or_else(|| AppError::NotFound("no such account".into()))?;
    if before.role != after.role {
        sessions::revoke_everything(app, &target).await?;
    }
    let view = UserView::from(&after);
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: "user.set_role".into(),
            target: target.to_string(),
            before: serde_json::to_value(UserView::from(&before)).ok(),
            after: serde_json::to_value(&view).ok(),
            at: app.clock.now(),
        })
        .await?;
    Ok(view)
}

/// Creates a gate account for one event (`POST /admin/events/{id}/gate-staff`): it scans
/// that event's tickets and can do nothing else. An admin vouches for its e-mail.
pub async fn create_gate_staff(
    app: &App,
    caller: &Caller,
    event: &crate::domain::EventId,
    input: GateStaffInput,
) -> AppResult<UserView> {
    let name = check_name(&input.name)?;
    let email = normalize_email(&input.email)?;
    check_password(&input.password, &[&email, &name])?;
    app.events.find(event).await?.ok_or_else(|| AppError::NotFound("no such event".into()))?;
    let password_hash = password::hash_blocking(input.password).await?;
    let now = app.clock.now();
    let mut user = User::new_buyer(name, email, password_hash, None, now);
    user.role = Role::Gate;
    user.gate_event_id = Some(event.clone());
    user.email_verified_at = Some(now);
    app.users.insert(&user).await?;
    let view = UserView::from(&user);
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: "user.create_gate_staff".into(),
            target: user.id.to_string(),
            before: None,
            after: serde_json::to_value(&view).ok(),
            at: now,
        })
        .await?;
    Ok(view)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateStaffInput {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Creates an admin, or promotes an existing account (operators: `create-admin`; admins:
/// `POST /admin/users`).
pub async fn ensure_admin(app: &App, name: &str, email: &str, password: &str) -> AppResult<UserView> {
    let name = check_name(name)?;
    let email = normalize_email(email)?;
    check_password(password, &[&email, &name])?;
    let before = app.users.find_by_email(&email).await?;
    let password_hash = password::hash_blocking(password.to_string()).await?;
    let mut user = User::new_buyer(name, email.clone(), password_hash, None, app.clock.now());
    user.role = Role::Admin;
    app.users.upsert_admin(&user).await?;
    let stored = app
        .users
        .find_by_email(&email)
        .await?
        .ok_or_else(|| AppError::Internal("the admin vanished after being stored".into()))?;
    // A promoted account's tokens said "buyer": they end, so its next login says "admin".
    if before.is_some_and(|b| b.role != Role::Admin) {
        sessions::revoke_everything(app, &stored.id).await?;
    }
    Ok(UserView::from(&stored))
}
