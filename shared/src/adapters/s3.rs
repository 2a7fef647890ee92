//! Exports in Amazon S3, over plain HTTPS with Signature Version 4 presigned URLs (no SDK:
//! two requests, one signer). The function's own role signs a PUT to upload the file and
//! a GET, valid for minutes, that the admin's browser follows to download it. Credentials
//! come from the environment Lambda gives every function (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).

use crate::error::{AppError, AppResult};
use crate::ports::ExportStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

pub struct S3Exports {
    bucket: String,
    region: String,
    credentials: AwsCredentials,
    http: reqwest::Client,
}

impl S3Exports {
    pub fn new(bucket: String, region: String, credentials: AwsCredentials) -> Self {
        S3Exports { bucket, region, credentials, http: reqwest::Client::new() }
    }

    fn url(&self, method: &str, key: &str, expires_seconds: i64, now: DateTime<Utc>) -> String {
        let host = format!("{}.s3.{}.amazonaws.com", self.bucket, self.region);
        presign(&Presign { method, host: &host, key, region: &self.region, expires_seconds, now }, &self.credentials)
    }
}

#[async_trait]
impl ExportStore for S3Exports {
    async fn put(&self, key: &str, content: Vec<u8>, content_type: &str, now: DateTime<Utc>) -> AppResult<()> {
        let url = self.url("PUT", key, 300, now);
        let response = self
            .http
            .put(url)
            .header("content-type", content_type)
            .body(content)
            .send()
            .await
            .map_err(|e| AppError::Unavailable(format!("S3 did not take an export: {e}")))?;
        if !response.status().is_success() {
            return Err(AppError::Internal(format!("S3 refused an export: {}", response.status())));
        }
        Ok(())
    }

    fn link(&self, key: &str, expires_seconds: i64, now: DateTime<Utc>) -> String {
        self.url("GET", key, expires_seconds, now)
    }
}

pub struct Presign<'a> {
    pub method: &'a str,
    pub host: &'a str,
    /// The object key, unencoded.
    pub key: &'a str,
    pub region: &'a str,
    pub expires_seconds: i64,
    pub now: DateTime<Utc>,
}

/// RFC 3986 unreserved characters stay; everything else is %XX (AWS's rule for SigV4).
fn encode(value: &str, keep_slash: bool) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b'/' if keep_slash => "/".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A presigned URL (query-string authentication, `UNSIGNED-PAYLOAD`, host the only signed
/// header), as the S3 documentation's "Authenticating Requests: Using Query Parameters".
pub fn presign(p: &Presign<'_>, credentials: &AwsCredentials) -> String {
    let date = p.now.format("%Y%m%d").to_string();
    let stamp = p.now.format("%Y%m%dT%H%M%SZ").to_string();
    let scope = format!("{date}/{}/s3/aws4_request", p.region);
    let mut query = vec![
        ("X-Amz-Algorithm".to_string(), "AWS4-HMAC-SHA256".to_string()),
        ("X-Amz-Credential".to_string(), format!("{}/{scope}", credentials.access_key_id)),
        ("X-Amz-Date".to_string(), stamp.clone()),
        ("X-Amz-Expires".to_string(), p.expires_seconds.to_string()),
        ("X-Amz-SignedHeaders".to_string(), "host".to_string()),
    ];
    if let Some(token) = &credentials.session_token {
        query.push(("X-Amz-Security-Token".to_string(), token.clone()));
    }
    query.sort();
    let canonical_query =
        query.iter().map(|(k, v)| format!("{}={}", encode(k, false), encode(v, false))).collect::<Vec<_>>().join("&");
    let path = format!("/{}", encode(p.key, true));
    let canonical_request =
        format!("{}\n{path}\n{canonical_query}\nhost:{}\n\nhost\nUNSIGNED-PAYLOAD", p.method, p.host);
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}", hex::encode(Sha256::digest(canonical_request.as_bytes())));
    let key = hmac(format!("AWS4{}", credentials.secret_access_key).as_bytes(), &date);
    let key = hmac(&key, p.region);
    let key = hmac(&key, "s3");
    let key = hmac(&key, "aws4_request");
    let signature = hex::encode(hmac(&key, &string_to_sign));
    format!("https://{}{path}?{canonical_query}&X-Amz-Signature={signature}", p.host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_s3_documentations_presigned_example_gets_its_signature() {
        // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", the
        // worked example: GET test.txt from examplebucket, 24 hours, the documented keys.
        let credentials = AwsCredentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let url = presign(
            &Presign {
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                key: "test.txt",
                region: "us-east-1",
                expires_seconds: 86_400,
                now: Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap(),
            },
            &credentials,
        );
        assert!(
            url.ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
            "{url}"
        );
    }
}
