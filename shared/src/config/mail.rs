//! How e-mails leave: stored in the database's `emails` collection (the local demo's
//! mailbox, and tests), or sent over SMTP (Amazon SES's SMTP interface in production).

use super::{optional, required, ConfigError};

#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Kept in the `emails` collection only (`MAIL_TRANSPORT=collection`, the default).
    Collection,
    /// Sent over SMTP (`MAIL_TRANSPORT=smtp`), each e-mail also recorded in `emails` so a
    /// redelivered message is not sent twice.
    Smtp {
        /// `SMTP_URL`: `smtps://user:pass@host:465`, `smtp://user:pass@host:587?tls=required`,
        /// or `smtp://host:port` (no TLS: a local test server only). A secret.
        url: String,
        /// `MAIL_FROM`: the sender, `Name <address>`.
        from: String,
    },
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Collection => write!(f, "Collection"),
            MailTransport::Smtp { from, .. } => write!(f, "Smtp {{ url: <redacted>, from: {from:?} }}"),
        }
    }
}

pub const DEFAULT_FROM: &str = "Bilheteria <ingressos@bilheteria.com.br>";

pub(super) fn from_env() -> Result<MailTransport, ConfigError> {
    match optional("MAIL_TRANSPORT", "collection").trim() {
        "collection" => Ok(MailTransport::Collection),
        "smtp" => {
            let url = required("SMTP_URL")?;
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError::Invalid {
                    name: "SMTP_URL",
                    reason: "must be an smtp:// or smtps:// URL".into(),
                });
            }
            Ok(MailTransport::Smtp { url, from: optional("MAIL_FROM", DEFAULT_FROM) })
        }
        other => Err(ConfigError::Invalid {
            name: "MAIL_TRANSPORT",
            reason: format!("'{other}' is not one of: collection, smtp"),
        }),
    }
}
