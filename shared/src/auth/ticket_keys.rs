//! The ticket keys: one Ed25519 key signs new tickets; its public half and those of retired
//! keys verify them. Gates are given public keys only (`GET /gate/keys`, the manifest), so a
//! gate device that is lost or read cannot mint a ticket, and a rotation voids nothing.
//! The key signs tickets and nothing else (never tokens, never links).

use crate::config::ConfigError;
use crate::domain::ticket_code::{Garbled, TicketClaims, PREFIX, SIGNATURE_BYTES};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use std::sync::Arc;

/// Why a QR payload is not one of our tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unverified {
    Garbled(Garbled),
    UnknownKey,
    BadSignature,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PublishedKey {
    pub kid: String,
    pub alg: &'static str,
    /// The raw 32-byte public key, base64url without padding.
    pub public_key: String,
    /// Whether new tickets are signed with it.
    pub signing: bool,
}

#[derive(Clone)]
pub struct TicketKeys {
    inner: Arc<Keys>,
}

struct Keys {
    signing_kid: String,
    signing: SigningKey,
    verifying: Vec<(String, VerifyingKey)>,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.inner.verifying.iter().map(|(kid, _)| kid.as_str()).collect();
        f.debug_struct("TicketKeys").field("signing_kid", &self.inner.signing_kid).field("verifying", &kids).finish()
    }
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { name, reason: reason.into() }
}

/// `<kid>:<base64url 32 bytes>`.
fn key_part(name: &'static str, raw: &str) -> Result<(String, [u8; 32]), ConfigError> {
    let (kid, key) = raw.trim().split_once(':').ok_or_else(|| invalid(name, "must be <kid>:<base64url key>"))?;
    let kid_ok = (1..=16).contains(&kid.len()) && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !kid_ok {
        return Err(invalid(name, "the key id must be 1 to 16 letters, digits or '-'"));
    }
    let bytes = URL_SAFE_NO_PAD.decode(key.trim()).map_err(|_| invalid(name, "the key is not base64url"))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid(name, "the key must be 32 bytes"))?;
    Ok((kid.to_string(), bytes))
}

impl TicketKeys {
    /// From `TICKET_SIGNING_KEY` (`<kid>:<seed>`) and `TICKET_VERIFYING_KEYS`
    /// (`<kid>:<public key>,…`, retired keys whose tickets still enter).
    pub fn parse(signing: &str, retired: &str) -> Result<TicketKeys, ConfigError> {
        let (signing_kid, seed) = key_part("TICKET_SIGNING_KEY", signing)?;
        let signing = SigningKey::from_bytes(&seed);
        let mut verifying = vec![(signing_kid.clone(), signing.verifying_key())];
        for part in retired.split(',').filter(|p| !p.trim().is_empty()) {
            let (kid, bytes) = key_part("TICKET_VERIFYING_KEYS", part)?;
            let key = VerifyingKey::from_bytes(&bytes)
                .map_err(|_| invalid("TICKET_VERIFYING_KEYS", format!("key {kid} is not an Ed25519 public key")))?;
            if verifying.iter().any(|(known, _)| *known == kid) {
                return Err(invalid("TICKET_VERIFYING_KEYS", format!("key id {kid} appears twice")));
            }
            verifying.push((kid, key));
        }
        Ok(TicketKeys { inner: Arc::new(Keys { signing_kid, signing, verifying }) })
    }

    /// A fixed key (tests, and the local runner's default): never for production.
    pub fn from_seed(kid: &str, seed: [u8; 32]) -> TicketKeys {
        let signing = SigningKey::from_bytes(&seed);
        let verifying = vec![(kid.to_string(), signing.verifying_key())];
        TicketKeys { inner: Arc::new(Keys { signing_kid: kid.to_string(), signing, verifying }) }
    }

    /// A new random key, as `TICKET_SIGNING_KEY` wants it, and its public half.
    pub fn generate(kid: &str) -> (String, String) {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let public = SigningKey::from_bytes(&seed).verifying_key();
        (
            format!("{kid}:{}", URL_SAFE_NO_PAD.encode(seed)),
            format!("{kid}:{}", URL_SAFE_NO_PAD.encode(public.as_bytes())),
        )
    }

    pub fn signing_kid(&self) -> &str {
        &self.inner.signing_kid
    }

    /// The QR payload of `claims`, signed with the signing key (its kid replaces the claims').
    pub fn sign(&self, claims: &TicketClaims) -> String {
        let claims = TicketClaims { key_id: self.inner.signing_kid.clone(), ..claims.clone() };
        let mut bytes = claims.body();
        let signature = self.inner.signing.sign(&bytes);
        bytes.extend_from_slice(&signature.to_bytes());
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The claims of a payload we signed, with any key still honoured.
    pub fn verify(&self, payload: &str) -> Result<TicketClaims, Unverified> {
        let encoded = payload.trim().strip_prefix(PREFIX).ok_or(Unverified::Garbled(Garbled::Prefix))?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| Unverified::Garbled(Garbled::Encoding))?;
        if bytes.len() <= SIGNATURE_BYTES {
            return Err(Unverified::Garbled(Garbled::Length));
        }
        let (body, signature) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
        let claims = TicketClaims::parse(body).map_err(Unverified::Garbled)?;
        let key = self.inner.verifying.iter().find(|(kid, _)| *kid == claims.key_id).ok_or(Unverified::UnknownKey)?;
        let signature = Signature::from_slice(signature).map_err(|_| Unverified::BadSignature)?;
        key.1.verify(body, &signature).map_err(|_| Unverified::BadSignature)?;
        Ok(claims)
    }

    /// Every key a gate should trust, the signing one first.
    pub fn published(&self) -> Vec<PublishedKey> {
        self.inner
            .verifying
            .iter()
            .map(|(kid, key)| PublishedKey {
                kid: kid.clone(),
                alg: "Ed25519",
                public_key: URL_SAFE_NO_PAD.encode(key.as_bytes()),
                signing: *kid == self.inner.signing_kid,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventId, PriceType};

    fn claims() -> TicketClaims {
        TicketClaims {
            key_id: String::new(),
            ticket_id: "0123456789ABCDEF0123456789ABCDEF".into(),
            event_id: EventId::parse("65a1b2c3d4e5f60718293a4b").expect("id"),
            issued_at: 1_780_000_000,
            price_type: PriceType::Full,
            entitlement: None,
            sector: "Pista".into(),
            lot: "Lote 1".into(),
            holder_name: "Maria".into(),
        }
    }

    fn keys(kid: &str) -> (TicketKeys, String) {
        let (secret, public) = TicketKeys::generate(kid);
        (TicketKeys::parse(&secret, "").expect("keys"), public)
    }

    #[test]
    fn a_signed_ticket_verifies_with_the_kid_of_its_key() {
        let (keys, _) = keys("k1");
        let verified = keys.verify(&keys.sign(&claims())).expect("verifies");
        assert_eq!(verified, TicketClaims { key_id: "k1".into(), ..claims() });
    }

    #[test]
    fn a_tampered_byte_anywhere_is_refused() {
        let (keys, _) = keys("k1");
        let payload = keys.sign(&claims());
        let bytes = URL_SAFE_NO_PAD.decode(&payload[PREFIX.len()..]).expect("b64");
        for at in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[at] ^= 0x01;
            let forged = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(&tampered));
            assert!(keys.verify(&forged).is_err(), "byte {at} flipped still verified");
        }
    }

    #[test]
    fn a_truncated_or_garbled_payload_is_refused() {
        let (keys, _) = keys("k1");
        let payload = keys.sign(&claims());
        for len in [0, 5, 10, 40, payload.len() - 1] {
            assert!(keys.verify(&payload[..len]).is_err(), "truncated to {len} verified");
        }
        assert_eq!(keys.verify("BLH1.!!!"), Err(Unverified::Garbled(Garbled::Encoding)));
        assert_eq!(keys.verify(&payload.replacen("BLH1.", "BLH2.", 1)), Err(Unverified::Garbled(Garbled::Prefix)));
    }

    #[test]
    fn a_ticket_signed_by_a_foreign_key_is_refused_even_under_our_kid() {
        let (ours, _) = keys("k1");
        let (theirs, _) = keys("k1");
        assert_eq!(ours.verify(&theirs.sign(&claims())), Err(Unverified::BadSignature));
        let (unknown, _) = keys("zz");
        assert_eq!(ours.verify(&unknown.sign(&claims())), Err(Unverified::UnknownKey));
    }

    #[test]
    fn after_a_rotation_old_tickets_still_verify_and_new_ones_carry_the_new_kid() {
        let (old_secret, old_public) = TicketKeys::generate("k1");
        let old = TicketKeys::parse(&old_secret, "").expect("old");
        let old_ticket = old.sign(&claims());
        let (new_secret, _) = TicketKeys::generate("k2");
        let rotated = TicketKeys::parse(&new_secret, &old_public).expect("rotated");
        assert_eq!(rotated.verify(&old_ticket).expect("old verifies").key_id, "k1");
        assert_eq!(rotated.verify(&rotated.sign(&claims())).expect("new verifies").key_id, "k2");
        let kids: Vec<(String, bool)> = rotated.published().into_iter().map(|k| (k.kid, k.signing)).collect();
        assert_eq!(kids, vec![("k2".to_string(), true), ("k1".to_string(), false)]);
    }

    /// The site's scanner and this signer agree byte for byte: the vector Node signed
    /// (`site/scripts/gate-vector.mjs`) verifies here, and signing its claims with its seed
    /// writes the very same payload.
    #[test]
    fn the_sites_vector_verifies_and_signs_the_same_bytes() {
        let raw = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/gate/ticket-vector.json"));
        let vector: serde_json::Value = serde_json::from_str(raw).expect("vector");
        let text = |k: &str| vector[k].as_str().expect(k).to_string();
        let keys = TicketKeys::parse(&format!("{}:{}", text("kid"), text("seed")), "").expect("keys");
        assert_eq!(keys.published()[0].public_key, text("public_key"));
        let claims = keys.verify(&text("qr")).expect("the vector verifies");
        let f = &vector["fields"];
        assert_eq!(claims.key_id, text("kid"));
        assert_eq!(claims.ticket_id, f["ticket_id"].as_str().expect("ticket"));
        assert_eq!(claims.event_id.as_str(), f["event_id"].as_str().expect("event"));
        assert_eq!(i64::from(claims.issued_at), f["issued_at"].as_i64().expect("issued"));
        assert_eq!(claims.price_type, PriceType::Half);
        assert_eq!(claims.entitlement, Some(crate::domain::Entitlement::Student));
        assert_eq!(claims.sector, f["sector"].as_str().expect("sector"));
        assert_eq!(claims.lot, f["lot"].as_str().expect("lot"));
        assert_eq!(claims.holder_name, f["holder_name"].as_str().expect("holder"));
        assert_eq!(keys.sign(&claims), text("qr"));
    }

    #[test]
    fn a_malformed_key_names_its_variable() {
        let err = TicketKeys::parse("nokid", "").expect_err("refused");
        assert!(err.to_string().contains("TICKET_SIGNING_KEY"), "{err}");
        let (secret, _) = TicketKeys::generate("k1");
        let err = TicketKeys::parse(&secret, "k0:AAAA").expect_err("refused");
        assert!(err.to_string().contains("TICKET_VERIFYING_KEYS"), "{err}");
    }
}
