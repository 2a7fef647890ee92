//! E-mail verification: a signed link (`EMAIL_LINK_SECRET`, valid 48 hours) sent at
//! registration and on request; following it marks the address verified, which paying
//! requires.

use super::{account, throttle, UserView};
use crate::app::App;
use crate::auth::secrets::{EmailLinks, LinkProblem};
use crate::domain::throttle::VERIFICATION_EMAILS_PER_ACCOUNT;
use crate::domain::{Refusal, User, UserId};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use serde::{Deserialize, Serialize};

const LINK_LIFETIME: Duration = Duration::hours(48);

pub(super) async fn send_link(app: &App, user: &User) -> AppResult<()> {
    let now = app.clock.now();
    let token = app.email_links.sign(user.id.as_str(), &user.email, now + LINK_LIFETIME);
    let link = format!("{}/verify.html#token={token}", app.config.public_site_url);
    crate::services::notifications::verify_email(app, user, &link, now).await
}

#[derive(Serialize, Debug)]
pub struct Sent {
    pub sent_to: String,
}

/// Sends the link again (a few times an hour at most).
pub async fn resend(app: &App, user_id: &UserId) -> AppResult<Sent> {
    let user = account(app, user_id).await?;
    if user.email_verified_at.is_some() {
        return Err(Refusal::AlreadyVerified.into());
    }
    let now = app.clock.now();
    let key = format!("verify-email:{}", user.id);
    throttle::count(app, &key, &VERIFICATION_EMAILS_PER_ACCOUNT, now, "verification_throttled").await?;
    send_link(app, &user).await?;
    Ok(Sent { sent_to: user.email })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub token: String,
}

/// Follows a link: the account's address is verified (following it twice is fine).
pub async fn verify(app: &App, input: LinkInput) -> AppResult<UserView> {
    let bad = || AppError::Invalid(crate::domain::Invalid::coded("bad_link", "this verification link is not valid"));
    let user_id = EmailLinks::user_of(&input.token).and_then(UserId::parse).ok_or_else(bad)?;
    let user = app.users.find_by_id(&user_id).await?.ok_or_else(bad)?;
    let now = app.clock.now();
    match app.email_links.verify(&input.token, &user.email, now) {
        Ok(()) => {}
        Err(LinkProblem::Bad) => return Err(bad()),
        Err(LinkProblem::Expired) => {
            return Err(AppError::Invalid(crate::domain::Invalid::coded(
                "link_expired",
                "this verification link has expired; ask for a new one from your account page",
            )))
        }
    }
    let verified = app.users.mark_email_verified(&user.id, &user.email, now).await?.ok_or_else(bad)?;
    Ok(UserView::from(&verified))
}
