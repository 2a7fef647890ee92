//! The waiting room's tokens, HMAC-SHA256 under `QUEUE_TOKEN_KEY` (that key signs these and
//! nothing else; the JWT key signs access tokens).
//!
//! - A place token `p1.<event>.<user>.<e|l><arrival>.<tag>`: the holder's arrival in the
//!   event's queue (the place follows from it and the draw). It does not expire: the place
//!   is kept as long as the room is.
//! - An admission token `a1.<event>.<user>.<expiry>.<tag>`: the holder may reserve tickets of
//!   the event until the expiry (`ADMISSION_TTL_SECONDS`).
//!
//! Each names the account, so a token passed to someone else is refused for them.

use crate::domain::queue::Arrival;
use crate::domain::{EventId, UserId};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct QueueTokens {
    key: Vec<u8>,
}

/// Why an admission token was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdmissionProblem {
    /// Absent, garbled, forged, or for another event or account.
    Missing,
    Expired,
}

impl QueueTokens {
    pub fn new(key: &str) -> Self {
        QueueTokens { key: key.as_bytes().to_vec() }
    }

    /// The MAC of `parts`, each followed by a newline (so no two part lists sign alike).
    fn mac(&self, parts: &[&str]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        mac
    }

    fn tag(&self, parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(parts).finalize().into_bytes())
    }

    /// Whether `tag` is `parts`' MAC, compared in constant time.
    fn checks(&self, parts: &[&str], tag: &str) -> bool {
        URL_SAFE_NO_PAD.decode(tag).is_ok_and(|tag| self.mac(parts).verify_slice(&tag).is_ok())
    }

    pub fn place(&self, event: &EventId, user: &UserId, arrival: Arrival) -> String {
        let arrival = format!("{}{}", if arrival.early { 'e' } else { 'l' }, arrival.number);
        let tag = self.tag(&["place", event.as_str(), user.as_str(), &arrival]);
        format!("p1.{event}.{user}.{arrival}.{tag}")
    }

    /// The arrival a place token gives `user` in `event`'s queue; `None` for any other token.
    pub fn arrival_in(&self, token: &str, event: &EventId, user: &UserId) -> Option<Arrival> {
        let parts: Vec<&str> = token.split('.').collect();
        let ["p1", e, u, arrival, tag] = parts.as_slice() else { return None };
        if *e != event.as_str() || *u != user.as_str() || !self.checks(&["place", e, u, arrival], tag) {
            return None;
        }
        let (early, number) = match arrival.split_at_checked(1)? {
            ("e", n) => (true, n),
            ("l", n) => (false, n),
            _ => return None,
        };
        Some(Arrival { early, number: number.parse().ok()? })
    }

    pub fn admission(&self, event: &EventId, user: &UserId, expires: DateTime<Utc>) -> String {
        let expires = expires.timestamp().to_string();
        let tag = self.tag(&["admission", event.as_str(), user.as_str(), &expires]);
        format!("a1.{event}.{user}.{expires}.{tag}")
    }

    /// Checks that `token` admits `user` to `event` at `now`.
    pub fn check_admission(
        &self,
        token: Option<&str>,
        event: &EventId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), AdmissionProblem> {
        let parts: Vec<&str> = token.unwrap_or_default().split('.').collect();
        let ["a1", e, u, expires, tag] = parts.as_slice() else { return Err(AdmissionProblem::Missing) };
        if *e != event.as_str() || *u != user.as_str() || !self.checks(&["admission", e, u, expires], tag) {
            return Err(AdmissionProblem::Missing);
        }
        let expires: i64 = expires.parse().map_err(|_| AdmissionProblem::Missing)?;
        if now.timestamp() >= expires {
            return Err(AdmissionProblem::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> QueueTokens {
        QueueTokens::new("a-queue-key-of-more-than-thirty-two-bytes")
    }

    #[test]
    fn a_place_token_gives_back_its_arrival_for_its_event_and_account_only() {
        let (event, user, other) = (EventId::generate(), UserId::generate(), UserId::generate());
        let arrival = Arrival { early: true, number: 42 };
        let token = keys().place(&event, &user, arrival);
        assert_eq!(keys().arrival_in(&token, &event, &user), Some(arrival));
        assert_eq!(keys().arrival_in(&token, &event, &other), None, "another account");
        assert_eq!(keys().arrival_in(&token, &EventId::generate(), &user), None, "another event");
        let edited = token.replace(".e42.", ".e1.");
        assert_eq!(keys().arrival_in(&edited, &event, &user), None, "an edited arrival");
        let forged = QueueTokens::new("another-key-of-more-than-thirty-two-bytes!").place(&event, &user, arrival);
        assert_eq!(keys().arrival_in(&forged, &event, &user), None, "another key");
    }

    #[test]
    fn an_admission_admits_its_account_to_its_event_until_it_expires() {
        let (event, user) = (EventId::generate(), UserId::generate());
        let now = Utc::now();
        let token = keys().admission(&event, &user, now + Duration::minutes(10));
        assert_eq!(keys().check_admission(Some(&token), &event, &user, now), Ok(()));
        let later = now + Duration::minutes(11);
        assert_eq!(keys().check_admission(Some(&token), &event, &user, later), Err(AdmissionProblem::Expired));
        let someone_else = UserId::generate();
        assert_eq!(keys().check_admission(Some(&token), &event, &someone_else, now), Err(AdmissionProblem::Missing));
        assert_eq!(keys().check_admission(None, &event, &user, now), Err(AdmissionProblem::Missing));
        let place = keys().place(&event, &user, Arrival { early: false, number: 1 });
        assert_eq!(keys().check_admission(Some(&place), &event, &user, now), Err(AdmissionProblem::Missing));
    }
}
