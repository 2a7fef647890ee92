//! What accounts need besides the users themselves: refresh-token sessions, the recent
//! revocations that void access tokens early, and attempt counters for throttling.

use crate::domain::throttle::{Attempts, Policy};
use crate::domain::UserId;
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One refresh token, as stored: only its hash, never the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRecord {
    /// SHA-256 of the token, hex.
    pub hash: String,
    /// The login this token descends from: every rotation stays in the family, and reuse
    /// of a spent token revokes the whole family.
    pub family: String,
    pub user_id: UserId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the family began (the login): no rotation lives past its absolute lifetime.
    pub family_started_at: DateTime<Utc>,
}

/// What presenting a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spent {
    /// Live and now spent by this call (exactly one caller gets this per token).
    Fresh(RefreshRecord),
    /// Spent before, or its family revoked: someone replays it.
    Replayed(RefreshRecord),
    /// Unknown or expired.
    Unknown,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn store(&self, record: &RefreshRecord) -> AppResult<()>;
    /// Spends the token atomically if it is live at `now`.
    async fn spend(&self, hash: &str, now: DateTime<Utc>) -> AppResult<Spent>;
    /// Stores the successor of the spent token `spent`, unless its family was revoked since
    /// (a replay of `spent` seen by another request between its spending and now): then
    /// the successor is revoked too and `false` returned. Whichever order the replay's
    /// revocation and this store arrive in, the successor never outlives its family.
    async fn rotate(&self, next: &RefreshRecord, spent: &str, now: DateTime<Utc>) -> AppResult<bool>;
    /// Ends one family (logout, reuse detected).
    async fn revoke_family(&self, family: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// Ends every family of a user (password change, deletion, role change).
    async fn revoke_user(&self, user: &UserId, now: DateTime<Utc>) -> AppResult<()>;
}

#[async_trait]
pub trait RevocationStore: Send + Sync {
    /// Voids every access token of `user` issued before `at`; the record may be forgotten
    /// after `keep_until` (when the last such token has expired anyway).
    async fn revoke(&self, user: &UserId, at: DateTime<Utc>, keep_until: DateTime<Utc>) -> AppResult<()>;
    /// Revocations recorded at or after `since`, newest time per user.
    async fn since(&self, since: DateTime<Utc>) -> AppResult<Vec<(UserId, DateTime<Utc>)>>;
}

/// Counters of attempts per key (`login:<email>`, `login-from:<address>`), shared by every
/// instance of every function through the database.
#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// The attempts counted for `key` and not yet forgotten at `now` (when to forget them was
    /// fixed by the policy as each was counted).
    async fn get(&self, key: &str, now: DateTime<Utc>) -> AppResult<Option<Attempts>>;
    /// Counts one more attempt at `now`, starting over when the count was forgotten;
    /// returns the count as it is now. Atomic across instances.
    async fn add(&self, key: &str, policy: &Policy, now: DateTime<Utc>) -> AppResult<Attempts>;
    async fn clear(&self, key: &str) -> AppResult<()>;
}

/// What a password-reset link is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetLink {
    /// Live: it may still be used, for this account.
    Live(UserId),
    /// Used before.
    AlreadyUsed,
    Expired,
    Unknown,
}

/// Password-reset links: single use, expiring; only their hash is stored.
#[async_trait]
pub trait PasswordResetStore: Send + Sync {
    async fn store(&self, hash: &str, user: &UserId, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> AppResult<()>;
    async fn inspect(&self, hash: &str, now: DateTime<Utc>) -> AppResult<ResetLink>;
    /// Uses the link if it is live at `now`: `true` for exactly one caller per link.
    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> AppResult<bool>;
    /// Voids every live link of `user` (a password change or a reset ends the others).
    async fn void_all(&self, user: &UserId, now: DateTime<Utc>) -> AppResult<()>;
}
