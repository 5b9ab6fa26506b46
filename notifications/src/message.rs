//! What a domain crate hands over: the typed facts of a message, never its text.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Kind, Language};

/// The facts a message is written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A registration was tried with this (already registered) address.
    RegistrationAttempt,
    /// A password-reset token, valid for `valid_minutes`.
    PasswordReset { token: String, valid_minutes: i64 },
    /// An email-verification token, valid until `expires_at`.
    EmailVerification {
        token: String,
        expires_at: DateTime<Utc>,
    },
    /// An invitation to join a cooperative's staff.
    StaffInvitation {
        invitee_name: String,
        token: String,
        expires_at: DateTime<Utc>,
    },
}

impl Message {
    pub const fn kind(&self) -> Kind {
        match self {
            Self::RegistrationAttempt => Kind::RegistrationAttempt,
            Self::PasswordReset { .. } => Kind::PasswordReset,
            Self::EmailVerification { .. } => Kind::EmailVerification,
            Self::StaffInvitation { .. } => Kind::StaffInvitation,
        }
    }
}

/// A file sent with a message (e.g. an invoice as HTML).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type, e.g. `text/html; charset=utf-8`.
    pub content_type: String,
    pub body: String,
}

/// One message to one recipient.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Unique per event and recipient, e.g. `password-reset:<token id>:<user id>`:
    /// recording the same key again is a no-op, so each event sends one message.
    pub key: String,
    pub to: String,
    pub user_id: Option<Uuid>,
    pub language: Language,
    pub message: Message,
    pub attachments: Vec<Attachment>,
}
