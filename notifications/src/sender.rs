//! Sending recorded messages: a task of the worker runtime that claims queue entries
//! with a lease, sends each message, and in one transaction marks it sent and removes
//! its entry. A failure is retried after the queue's backoff (temporary SMTP replies,
//! a server that cannot be reached, a timeout); a permanent refusal (5xx) or
//! `max_attempts` failures dead-letter the entry, keeping its last error.
//!
//! Exactly once: a message is marked sent only after the SMTP server accepted it
//! (`250` after `DATA`); a server killed before that sends it again after its lease
//! runs out, and the receiving server, which never answered `250`, has not delivered
//! it either (RFC 5321 §4.1.1.4). What remains is the moment between the `250` and our
//! commit (RFC 1047); a message sent again from there carries the same `Message-ID`
//! (the notification's id), so a duplicate can be recognised.

use std::{path::PathBuf, sync::Arc, time::Duration};

use chrono::Utc;
use kernel::{
    queue::{Disposition, Failure, RetryPolicy},
    worker::{Round, Task, TaskError},
};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    message::{Attachment as MailAttachment, Mailbox, MultiPart, header::ContentType},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel,
};

use crate::{
    Attachment, NotificationError,
    entity::{notification, notification_outbox},
    outbox::QUEUE,
};

/// Messages claimed in one round; they are sent one after another.
const BATCH: u64 = 5;

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// An SMTP server: `smtps://[user:password@]host[:port]` (TLS from the start),
    /// `smtp://…?tls=required` (STARTTLS), `smtp://…?tls=opportunistic` (STARTTLS when
    /// offered), or plain `smtp://…` (a relay on the same host).
    Smtp { url: String, timeout: Duration },
    /// Each message as a `.eml` file in this folder (development without SMTP).
    Files { dir: PathBuf },
    /// Nowhere: messages are marked sent and logged (explicitly asked for).
    Drop,
}

/// How to send mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The `From` of every message, e.g. `Ladakh Market <no-reply@example.org>`.
    pub from: String,
    pub delivery: Delivery,
    pub max_attempts: i32,
    /// The first retry delay (doubles, capped at an hour, with jitter).
    pub backoff: Duration,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
    Drop,
}

/// Builds and delivers messages.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// How long one delivery may take, to size the queue lease.
    timeout: Duration,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
            Transport::Drop => "drop".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

/// Why a delivery failed.
enum Undelivered {
    /// Worth trying again later.
    Temporary(String),
    /// The server refused for good (a bad address); trying again would not help.
    Permanent(String),
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, NotificationError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| NotificationError::Settings(format!("MAIL_FROM: {e}")))?;
        let (transport, timeout) = match &settings.delivery {
            Delivery::Smtp { url, timeout } => (
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                        .map_err(|e| NotificationError::Settings(format!("SMTP_URL: {e}")))?
                        .timeout(Some(*timeout))
                        .build(),
                ),
                *timeout,
            ),
            Delivery::Files { dir } => (Transport::Files(dir.clone()), Duration::from_secs(10)),
            Delivery::Drop => (Transport::Drop, Duration::from_secs(1)),
        };
        Ok(Self {
            from,
            transport,
            timeout,
            retry: RetryPolicy {
                base: settings.backoff,
                cap: Duration::from_secs(3600),
                max_attempts: Some(settings.max_attempts),
            },
        })
    }

    fn build(&self, n: &notification::Model) -> Result<lettre::Message, String> {
        let to: Mailbox = n.recipient.parse().map_err(|e| format!("recipient: {e}"))?;
        let alternative =
            MultiPart::alternative_plain_html(n.text_body.clone(), n.html_body.clone());
        let attachments: Vec<Attachment> = serde_json::from_value(n.attachments.clone())
            .map_err(|e| format!("attachments: {e}"))?;
        let body = if attachments.is_empty() {
            alternative
        } else {
            let mut mixed = MultiPart::mixed().multipart(alternative);
            for attachment in attachments {
                let content_type = ContentType::parse(&attachment.content_type)
                    .map_err(|e| format!("attachment type: {e}"))?;
                mixed = mixed.singlepart(
                    MailAttachment::new(attachment.filename).body(attachment.body, content_type),
                );
            }
            mixed
        };
        lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            // The notification's id: the same message sent twice (see the module
            // comment) has the same Message-ID.
            .message_id(Some(format!("<{}@{}>", n.id, self.from.email.domain())))
            .date(n.created_at.into())
            .multipart(body)
            .map_err(|e| e.to_string())
    }

    async fn deliver(&self, n: &notification::Model) -> Result<String, Undelivered> {
        let message = self.build(n).map_err(Undelivered::Permanent)?;
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(format!("smtp {}", response.code())),
                Err(e) if e.is_permanent() => Err(Undelivered::Permanent(e.to_string())),
                Err(e) => Err(Undelivered::Temporary(e.to_string())),
            },
            Transport::Files(dir) => {
                // Named by the notification, and written whole before it appears: a
                // message written again after a crash replaces itself.
                let path = dir.join(eml_name(n));
                let partial = path.with_extension("eml.partial");
                let written = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&partial, message.formatted()).await?;
                    tokio::fs::rename(&partial, &path).await
                };
                written.await.map_err(|e| {
                    Undelivered::Temporary(format!("writing {}: {e}", path.display()))
                })?;
                tracing::info!(path = %path.display(), to = %n.recipient, subject = %n.subject, "mail written to a file (no SMTP_URL)");
                Ok(path.display().to_string())
            }
            Transport::Drop => {
                tracing::info!(to = %n.recipient, kind = ?n.kind, "mail dropped (MAIL_DROP)");
                Ok("dropped".to_owned())
            }
        }
    }
}

/// A development mail file's name: when, what, to whom (so a newcomer finds the
/// buyer's and each cooperative's mail by listing the folder) and the notification's
/// id, e.g. `20261130T101500Z-order-confirmation-buyer@example.org-<id>.eml`. The
/// address keeps only characters safe in a file name, and at most 64 of them.
fn eml_name(n: &notification::Model) -> String {
    let kind = format!("{:?}", n.kind)
        .chars()
        .fold(String::new(), |mut out, c| {
            if c.is_ascii_uppercase() && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            out
        });
    let recipient: String = n
        .recipient
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '+' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}-{kind}-{recipient}-{}.eml",
        n.created_at.format("%Y%m%dT%H%M%SZ"),
        n.id
    )
}

/// The background task that sends recorded messages.
pub struct Sender {
    pub db: DatabaseConnection,
    pub mailer: Arc<Mailer>,
    pub worker_id: String,
}

impl Sender {
    async fn mark_sent(
        &self,
        job: &notification_outbox::Model,
        n: notification::Model,
    ) -> Result<(), sea_orm::DbErr> {
        let txn = kernel::begin_write(&self.db).await?;
        let mut sent = n.into_active_model();
        sent.sent_at = Set(Some(Utc::now()));
        sent.update(&txn).await?;
        QUEUE.complete(&txn, &[job.id]).await?;
        txn.commit().await
    }
}

#[async_trait::async_trait]
impl Task for Sender {
    async fn run_once(&self, round: Round) -> Result<usize, TaskError> {
        // Long enough for the whole batch, sent one after another, each within its timeout.
        let lease = self
            .mailer
            .timeout
            .saturating_mul(u32::try_from(BATCH + 1).unwrap_or(u32::MAX));
        let jobs = QUEUE
            .claim(&self.db, &self.worker_id, BATCH, lease, round.due)
            .await?;
        let claimed = jobs.len();
        for job in jobs {
            let Some(n) = notification::Entity::find_by_id(job.notification_id)
                .one(&self.db)
                .await?
            else {
                QUEUE.complete(&self.db, &[job.id]).await?;
                continue;
            };
            if n.sent_at.is_some() {
                QUEUE.complete(&self.db, &[job.id]).await?;
                continue;
            }
            let (id, kind) = (n.id, n.kind);
            let (error, policy) = match self.mailer.deliver(&n).await {
                Ok(how) => {
                    self.mark_sent(&job, n).await?;
                    tracing::debug!(notification = %id, ?kind, how, "mail sent");
                    continue;
                }
                Err(Undelivered::Temporary(error)) => (error, self.mailer.retry),
                // Dead-lettered at once: this attempt is the last one allowed.
                Err(Undelivered::Permanent(error)) => (
                    error,
                    RetryPolicy {
                        max_attempts: Some(job.attempts.saturating_add(1)),
                        ..self.mailer.retry
                    },
                ),
            };
            match QUEUE
                .fail(
                    &self.db,
                    job.id,
                    job.attempts,
                    Failure::Error(&error),
                    &policy,
                )
                .await?
            {
                Disposition::RetryAt(at) => {
                    tracing::warn!(notification = %id, ?kind, %error, retry_at = %at, "mail not sent; retrying later");
                }
                Disposition::DeadLettered { attempts } => {
                    tracing::error!(notification = %id, ?kind, %error, attempts, "mail dead-lettered");
                }
            }
        }
        Ok(claimed)
    }
}
