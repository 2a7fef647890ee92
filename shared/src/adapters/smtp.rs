//! E-mail over SMTP (`lettre`, rustls): in production Amazon SES's SMTP interface, in the
//! tests a real SMTP server started beside them. Every message is multipart: text and HTML,
//! the HTML's inline QR images, and attached files (the tickets' PDF).
//!
//! SMTP cannot be asked "did you already take this one?", so each e-mail is first recorded
//! under its id (the `emails` collection, `MongoMailer::claim`): a redelivered message finds
//! it claimed and sends nothing. A send that fails gives the claim back, so the retry sends.

use super::mongo::MongoMailer;
use crate::error::{AppError, AppResult};
use crate::ports::{Email, Mailer};
use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as Part, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    record: MongoMailer,
}

impl SmtpMailer {
    /// Checks the settings at cold start (a bad URL or sender names its variable).
    pub fn new(url: &str, from: &str, record: MongoMailer) -> AppResult<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| AppError::Internal(format!("SMTP_URL is not a usable SMTP URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| AppError::Internal(format!("MAIL_FROM is not a mailbox ('Name <address>'): {e}")))?;
        Ok(SmtpMailer { transport, from, record })
    }

    fn message(&self, email: &Email) -> AppResult<Message> {
        let to: Mailbox = email.to.parse().map_err(|e| AppError::internal("an e-mail's recipient", e))?;
        let text = SinglePart::plain(email.body.clone());
        let content = match &email.html {
            None => MultiPart::mixed().singlepart(text),
            Some(html) => {
                let alternative = MultiPart::alternative().singlepart(text).singlepart(SinglePart::html(html.clone()));
                let mut related = MultiPart::related().multipart(alternative);
                for inline in email.attachments.iter().filter(|a| a.inline_id.is_some()) {
                    let id = inline.inline_id.clone().unwrap_or_default();
                    related = related.singlepart(
                        Part::new_inline(id).body(inline.content.clone(), content_type(&inline.content_type)?),
                    );
                }
                MultiPart::mixed().multipart(related)
            }
        };
        let content = email.attachments.iter().filter(|a| a.inline_id.is_none()).try_fold(content, |mixed, file| {
            let part = Part::new(file.filename.clone()).body(file.content.clone(), content_type(&file.content_type)?);
            Ok::<_, AppError>(mixed.singlepart(part))
        })?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            // Our own id, so a message is recognisable in the provider's logs and bounces.
            .message_id(Some(format!("<{}@bilheteria>", message_id_part(&email.id))))
            .multipart(content)
            .map_err(|e| AppError::internal("building an e-mail", e))
    }
}

fn content_type(raw: &str) -> AppResult<ContentType> {
    ContentType::parse(raw).map_err(|e| AppError::internal("an attachment's content type", e))
}

/// The characters of an e-mail id a Message-ID may carry.
fn message_id_part(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '.' }).collect()
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> AppResult<()> {
        if !self.record.claim(email).await? {
            return Ok(());
        }
        let sent = match self.message(email) {
            Ok(message) => self.transport.send(message).await.map(|_| ()).map_err(|e| {
                // The server refused or could not be reached: ours to retry (the message is
                // redelivered), never the buyer's fault.
                AppError::Unavailable(format!("the SMTP server did not take an e-mail: {e}"))
            }),
            Err(err) => Err(err),
        };
        if let Err(err) = sent {
            if let Err(release) = self.record.release(&email.id).await {
                tracing::error!(error = %release.chain(), email_id = %email.id, "an unsent e-mail's claim stays; it will not be retried");
            }
            return Err(err);
        }
        Ok(())
    }
}
