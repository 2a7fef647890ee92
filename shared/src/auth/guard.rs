//! Who may call: a valid access token whose account has not revoked it since, and — for
//! admin routes — an account that is an admin now, not only when the token was issued.
//!
//! Neither check costs the reservation a database round trip: revocations (logout,
//! password change, deletion, role change) are few and recent — an access token lives at
//! most 15 minutes, so only the last 15 minutes' matter — and each instance keeps them in
//! memory, re-reading the new ones at most every `AUTH_CACHE_SECONDS` (one query for every
//! request of that window, whoever makes them). Admin routes also read the account's role,
//! cached as long.

use super::tokens::{Caller, TokenService};
use crate::domain::{EventId, Role, UserId};
use crate::error::{AppError, AppResult};
use crate::ports::{RevocationStore, UserStore};
use chrono::{DateTime, Duration as Span, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How far back each re-read of revocations reaches before the newest one it has seen:
/// room for instances whose clocks disagree by that much.
const CLOCK_SKEW: Span = Span::seconds(30);

#[derive(Default)]
struct Known {
    /// The newest revocation per user, with when this instance learnt it (to forget it
    /// once every token it voids has expired anyway).
    revoked: HashMap<UserId, (DateTime<Utc>, Instant)>,
    newest: Option<DateTime<Utc>>,
    read_at: Option<Instant>,
}

/// Recent revocations, as this instance last read them.
pub struct Revocations {
    store: Arc<dyn RevocationStore>,
    fresh_for: Duration,
    remember_for: Duration,
    known: Mutex<Known>,
    /// One re-read at a time: the requests that find the list stale wait for that one.
    reading: tokio::sync::Mutex<()>,
}

impl Revocations {
    pub fn new(store: Arc<dyn RevocationStore>, fresh_for: Duration, token_ttl: Duration) -> Self {
        Revocations {
            store,
            fresh_for,
            remember_for: token_ttl + Duration::from_secs(60),
            known: Mutex::new(Known::default()),
            reading: tokio::sync::Mutex::new(()),
        }
    }

    fn is_fresh(&self) -> bool {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.read_at.is_some_and(|at| at.elapsed() < self.fresh_for)
    }

    async fn refresh_if_stale(&self) -> AppResult<()> {
        if self.is_fresh() {
            return Ok(());
        }
        let _reading = self.reading.lock().await;
        if self.is_fresh() {
            return Ok(());
        }
        let since = {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            known.newest.map(|n| n - CLOCK_SKEW).unwrap_or(DateTime::UNIX_EPOCH)
        };
        let read_at = Instant::now();
        let found = self.store.since(since).await?;
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for (user, at) in found {
            known.newest = Some(known.newest.map_or(at, |n| n.max(at)));
            let entry = known.revoked.entry(user).or_insert((at, read_at));
            if at >= entry.0 {
                *entry = (at, read_at);
            }
        }
        let remember_for = self.remember_for;
        known.revoked.retain(|_, (_, learnt)| learnt.elapsed() < remember_for);
        known.read_at = Some(read_at);
        Ok(())
    }

    /// Whether the caller's token was issued before its account revoked its tokens.
    pub async fn voids(&self, caller: &Caller) -> AppResult<bool> {
        self.refresh_if_stale().await?;
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        Ok(known.revoked.get(&caller.user_id).is_some_and(|(at, _)| caller.issued_at < *at))
    }

    /// Forgets how fresh the list is (tests; and after this instance revokes, so its own
    /// next request sees it at once).
    pub fn mark_stale(&self) {
        self.known.lock().unwrap_or_else(|p| p.into_inner()).read_at = None;
    }
}

/// What an account may do now: its role, and a gate account's event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub gate_event_id: Option<EventId>,
}

/// Accounts' roles, as read at most `fresh_for` ago (`None`: no such account).
pub struct Roles {
    users: Arc<dyn UserStore>,
    fresh_for: Duration,
    known: Mutex<HashMap<UserId, (Option<Access>, Instant)>>,
}

impl Roles {
    pub fn new(users: Arc<dyn UserStore>, fresh_for: Duration) -> Self {
        Roles { users, fresh_for, known: Mutex::new(HashMap::new()) }
    }

    pub async fn of(&self, user: &UserId) -> AppResult<Option<Role>> {
        Ok(self.access(user).await?.map(|a| a.role))
    }

    pub async fn access(&self, user: &UserId) -> AppResult<Option<Access>> {
        {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((access, at)) = known.get(user) {
                if at.elapsed() < self.fresh_for {
                    return Ok(access.clone());
                }
            }
        }
        let access =
            self.users.find_by_id(user).await?.map(|u| Access { role: u.role, gate_event_id: u.gate_event_id });
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        let fresh_for = self.fresh_for;
        known.retain(|_, (_, at)| at.elapsed() < fresh_for);
        known.insert(user.clone(), (access.clone(), Instant::now()));
        Ok(access)
    }
}

#[derive(Clone)]
pub struct Guard {
    tokens: TokenService,
    revocations: Arc<Revocations>,
    roles: Arc<Roles>,
}

impl Guard {
    pub fn new(tokens: TokenService, revocations: Arc<Revocations>, roles: Arc<Roles>) -> Self {
        Guard { tokens, revocations, roles }
    }

    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// The caller behind a bearer token that is valid and not revoked.
    pub async fn caller(&self, bearer: &str) -> AppResult<Caller> {
        let caller = self.tokens.verify(bearer)?;
        if self.revocations.voids(&caller).await? {
            return Err(AppError::Unauthorized("this access token was revoked; refresh or log in again".into()));
        }
        Ok(caller)
    }

    /// A caller who is an admin by their token and by their account now.
    pub async fn admin(&self, bearer: &str) -> AppResult<Caller> {
        let caller = self.caller(bearer).await?;
        let forbidden = || AppError::Forbidden("this action is for admins only".into());
        if caller.role != Role::Admin {
            return Err(forbidden());
        }
        match self.roles.of(&caller.user_id).await? {
            Some(Role::Admin) => Ok(caller),
            Some(_) => Err(forbidden()),
            None => Err(AppError::Unauthorized("the account behind this token no longer exists".into())),
        }
    }

    /// A caller who may work a gate — an admin (any event) or gate staff (their event) —
    /// by their token and by their account now.
    pub async fn gate(&self, bearer: &str) -> AppResult<GateCaller> {
        let caller = self.caller(bearer).await?;
        let forbidden = || AppError::Forbidden("this action is for gate staff and admins only".into());
        if !matches!(caller.role, Role::Admin | Role::Gate) {
            return Err(forbidden());
        }
        match self.roles.access(&caller.user_id).await? {
            Some(Access { role: Role::Admin, .. }) => Ok(GateCaller { caller, event: None }),
            Some(Access { role: Role::Gate, gate_event_id: Some(event) }) => {
                Ok(GateCaller { caller, event: Some(event) })
            }
            Some(_) => Err(forbidden()),
            None => Err(AppError::Unauthorized("the account behind this token no longer exists".into())),
        }
    }
}

/// Who is scanning: an admin (`event: None`, any event) or a gate account for one event.
#[derive(Clone, Debug)]
pub struct GateCaller {
    pub caller: Caller,
    pub event: Option<EventId>,
}

impl GateCaller {
    /// Whether this caller works the gates of `event`.
    pub fn may_scan(&self, event: &EventId) -> bool {
        self.event.as_ref().is_none_or(|own| own == event)
    }
}
