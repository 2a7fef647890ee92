//! Where large exports go (`EXPORT_BUCKET`: S3, in production; else `EXPORT_DIR`, a local
//! directory the local runner serves).

use super::{optional, required, ConfigError};
use std::env;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportTarget {
    /// An S3 bucket in `AWS_REGION`, written with the function's own credentials.
    S3 {
        bucket: String,
        region: String,
    },
    Directory(String),
}

pub(super) fn from_env() -> Result<ExportTarget, ConfigError> {
    match env::var("EXPORT_BUCKET").ok().filter(|b| !b.trim().is_empty()) {
        Some(bucket) => Ok(ExportTarget::S3 { bucket: bucket.trim().to_string(), region: required("AWS_REGION")? }),
        None => {
            let default = env::temp_dir().join("bilheteria-exports");
            Ok(ExportTarget::Directory(optional("EXPORT_DIR", &default.to_string_lossy())))
        }
    }
}
