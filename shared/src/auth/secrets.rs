//! Opaque random tokens (refresh tokens) and their stored form, and HMAC-signed e-mail links.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new refresh token: 256 random bits, base64url.
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a token: its SHA-256 (a stolen database yields no usable token; the
/// token's 256 random bits make a slow hash unnecessary).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random id for a session family.
pub fn new_family_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Why an e-mail link was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// Not a link we signed (garbled, forged, or for an e-mail the account no longer has).
    Bad,
    Expired,
}

/// E-mail verification links: `<user id>.<expiry>.<HMAC-SHA256 of purpose, user, e-mail and
/// expiry>`, keyed with `EMAIL_LINK_SECRET` alone. The e-mail is signed but not carried, so
/// a link stops working if the account's address changes.
#[derive(Clone)]
pub struct EmailLinks {
    key: Vec<u8>,
}

impl EmailLinks {
    pub fn new(secret: &str) -> Self {
        EmailLinks { key: secret.as_bytes().to_vec() }
    }

    fn mac(&self, user: &str, email: &str, expires: i64) -> Hmac<Sha256> {
        // `new_from_slice` accepts keys of any length for HMAC.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
        mac.update(b"verify-email\n");
        mac.update(user.as_bytes());
        mac.update(b"\n");
        mac.update(email.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    pub fn sign(&self, user: &str, email: &str, expires: DateTime<Utc>) -> String {
        let expires = expires.timestamp();
        let tag = self.mac(user, email, expires).finalize().into_bytes();
        format!("{user}.{expires}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The user a link names, before its signature is checked (to look the e-mail up).
    pub fn user_of(token: &str) -> Option<&str> {
        token.split('.').next().filter(|u| !u.is_empty())
    }

    /// Checks a link for the account's current e-mail, in constant time.
    pub fn verify(&self, token: &str, email: &str, now: DateTime<Utc>) -> Result<(), LinkProblem> {
        let mut parts = token.split('.');
        let (Some(user), Some(expires), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(LinkProblem::Bad);
        };
        let expires: i64 = expires.parse().map_err(|_| LinkProblem::Bad)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| LinkProblem::Bad)?;
        self.mac(user, email, expires).verify_slice(&tag).map_err(|_| LinkProblem::Bad)?;
        if now.timestamp() >= expires {
            return Err(LinkProblem::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_signed_link_verifies_for_its_email_until_it_expires() {
        let links = EmailLinks::new("a-secret-of-more-than-thirty-two-bytes!!");
        let now = Utc::now();
        let token = links.sign("u1", "ana@example.com", now + Duration::hours(1));
        assert_eq!(EmailLinks::user_of(&token), Some("u1"));
        assert_eq!(links.verify(&token, "ana@example.com", now), Ok(()));
        assert_eq!(links.verify(&token, "bia@example.com", now), Err(LinkProblem::Bad));
        assert_eq!(links.verify(&token, "ana@example.com", now + Duration::hours(2)), Err(LinkProblem::Expired));
    }

    #[test]
    fn a_link_signed_with_another_key_or_edited_is_bad() {
        let now = Utc::now();
        let token = EmailLinks::new("another-secret-of-thirty-two-bytes-or-more").sign("u1", "a@x.com", now);
        let links = EmailLinks::new("a-secret-of-more-than-thirty-two-bytes!!");
        assert_eq!(links.verify(&token, "a@x.com", now), Err(LinkProblem::Bad));
        let good = links.sign("u1", "a@x.com", now + Duration::hours(1));
        let later = good.replacen('.', ".9", 1);
        assert_eq!(links.verify(&later, "a@x.com", now), Err(LinkProblem::Bad));
        assert_eq!(links.verify("garbage", "a@x.com", now), Err(LinkProblem::Bad));
    }

    #[test]
    fn stored_token_hashes_are_stable_and_differ_from_the_token() {
        let token = new_opaque_token();
        assert_eq!(token.len(), 43);
        assert_eq!(token_hash(&token), token_hash(&token));
        assert_ne!(token_hash(&token), token);
        assert_ne!(new_opaque_token(), token);
    }
}
