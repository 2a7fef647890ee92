//! Access tokens: short-lived (≤ 15 min) HS256 JWTs with subject, role, the account's CPF,
//! issuer, audience and expiry, all checked on every request. Only HS256 is accepted, so
//! `alg: none` and algorithm swaps fail. A token is also void once its account revoked its
//! tokens after it was issued (`auth::guard`), which is why it carries its issue time in ms.

use crate::config::Config;
use crate::domain::{ids::UserId, user::Role, Cpf};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    /// Issued at, in milliseconds: revocations compare against it.
    iat_ms: i64,
    /// The account's CPF (digits) when it has one: the reservation's per-CPF limit reads it
    /// here instead of looking the account up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cpf: Option<String>,
}

/// Who is calling, once their token checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
    pub cpf: Option<Cpf>,
    pub issued_at: DateTime<Utc>,
}

impl Caller {
    /// An admin acting without a request of theirs (a sweep finishing what they started).
    pub fn admin_acting(user_id: UserId, at: DateTime<Utc>) -> Self {
        Caller { user_id, role: Role::Admin, cpf: None, issued_at: at }
    }
}

/// What an access token says about its account when issued.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    pub user_id: &'a UserId,
    pub role: Role,
    pub cpf: Option<&'a Cpf>,
}

#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
}

impl TokenService {
    pub fn new(config: &Config) -> Result<Self, AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let secret = config.jwt_secret.as_bytes();
        Ok(TokenService {
            encoding: EncodingKey::from_secret(secret).map_err(|e| AppError::internal("JWT_SECRET", e))?,
            decoding: DecodingKey::from_secret(secret).map_err(|e| AppError::internal("JWT_SECRET", e))?,
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_seconds: config.jwt_ttl_seconds,
        })
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(&self, subject: Subject<'_>, now: DateTime<Utc>) -> Result<IssuedToken, AppError> {
        let claims = Claims {
            sub: subject.user_id.to_string(),
            role: subject.role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_seconds,
            iat_ms: now.timestamp_millis(),
            cpf: subject.cpf.map(|c| c.digits().to_string()),
        };
        let access_token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal("signing a token", e))?;
        Ok(IssuedToken { access_token, expires_in: self.ttl_seconds })
    }

    /// Checks a bearer token; any failure is a 401 that does not say which check failed.
    pub fn verify(&self, token: &str) -> Result<Caller, AppError> {
        let unauthorized = || AppError::Unauthorized("the access token is invalid or expired".into());
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| unauthorized())?;
        let claims = data.claims;
        let user_id = UserId::parse(&claims.sub).ok_or_else(unauthorized)?;
        let cpf = claims.cpf.as_deref().map(Cpf::parse).transpose().map_err(|_| unauthorized())?;
        let issued_at = DateTime::from_timestamp_millis(claims.iat_ms).ok_or_else(unauthorized)?;
        Ok(Caller { user_id, role: claims.role, cpf, issued_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    fn buyer(user_id: &UserId) -> Subject<'_> {
        Subject { user_id, role: Role::Buyer, cpf: None }
    }

    fn service() -> TokenService {
        TokenService::new(&Config::for_connections("mongodb://x", "db", "amqp://x", "q")).expect("keys")
    }

    #[test]
    fn an_issued_token_verifies_as_its_user() {
        let svc = service();
        let user = UserId::generate();
        let cpf = crate::domain::cpf::cpf_from_base(123_456_789);
        let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).expect("now");
        let token = svc.issue(Subject { user_id: &user, role: Role::Buyer, cpf: Some(&cpf) }, now).expect("issue");
        let caller = svc.verify(&token.access_token).expect("verify");
        assert_eq!(caller, Caller { user_id: user, role: Role::Buyer, cpf: Some(cpf), issued_at: now });
    }

    #[test]
    fn an_expired_token_is_refused() {
        let svc = service();
        let long_ago = Utc::now() - chrono::Duration::hours(2);
        let token = svc.issue(buyer(&UserId::generate()), long_ago).expect("issue");
        assert!(svc.verify(&token.access_token).is_err());
    }

    #[test]
    fn a_token_with_alg_none_is_refused() {
        let svc = service();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let exp = Utc::now().timestamp() + 600;
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","role":"admin","iss":"bilheteria","aud":"bilheteria-api","iat":0,"exp":{exp}}}"#,
            UserId::generate()
        ));
        assert!(svc.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let svc = service();
        let token = svc.issue(buyer(&UserId::generate()), Utc::now()).expect("issue").access_token;
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("utf8");
        parts[1] = URL_SAFE_NO_PAD.encode(claims.replace("\"buyer\"", "\"admin\""));
        assert!(svc.verify(&parts.join(".")).is_err());
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let mut config = Config::for_connections("mongodb://x", "db", "amqp://x", "q");
        config.jwt_audience = "someone-else".into();
        let token =
            TokenService::new(&config).expect("keys").issue(buyer(&UserId::generate()), Utc::now()).expect("issue");
        assert!(service().verify(&token.access_token).is_err());
    }
}
