//! Exports on this machine's disk, for the local runner and the tests: the file goes in a
//! directory and the link is the local server's `/dev/exports/<key>`, signed with a key of
//! this process (HMAC over key and expiry), so it works like S3's presigned link: anyone
//! with it may download until it expires, nobody can make one up.

use crate::error::{AppError, AppResult};
use crate::ports::ExportStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::PathBuf;

pub struct LocalExports {
    dir: PathBuf,
    base_url: String,
    key: [u8; 32],
}

impl LocalExports {
    pub fn new(dir: PathBuf, base_url: &str) -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        LocalExports { dir, base_url: base_url.trim_end_matches('/').to_string(), key }
    }

    fn signature(&self, key: &str, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{key}\n{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The file behind a link, if the link is ours and still valid.
    pub fn open(&self, key: &str, expires: i64, signature: &str, now: DateTime<Utc>) -> Option<PathBuf> {
        let safe =
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
        let fresh = now.timestamp() <= expires;
        let genuine = hmac_equal(&self.signature(key, expires), signature);
        (safe && fresh && genuine).then(|| self.dir.join(key))
    }
}

fn hmac_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[async_trait]
impl ExportStore for LocalExports {
    async fn put(&self, key: &str, content: Vec<u8>, _content_type: &str, _now: DateTime<Utc>) -> AppResult<()> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| AppError::internal("creating the exports directory", e))?;
        tokio::fs::write(self.dir.join(key), content).await.map_err(|e| AppError::internal("writing an export", e))
    }

    fn link(&self, key: &str, expires_seconds: i64, now: DateTime<Utc>) -> String {
        let expires = now.timestamp() + expires_seconds;
        format!("{}/dev/exports/{key}?expires={expires}&signature={}", self.base_url, self.signature(key, expires))
    }
}
