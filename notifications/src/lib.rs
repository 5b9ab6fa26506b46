//! Notifications: the messages the marketplace sends (order news, password resets,
//! verification, invitations, reminders), written to an outbox in the transaction of
//! the change that causes them and sent by a task of the one worker runtime
//! (`kernel::worker`, over `kernel::queue`), with retries, backoff and dead letters.
//!
//! A domain crate that causes a message calls [`record`] with its own transaction: the
//! message is rendered there (in the recipient's language, HTML with a plain-text part,
//! every value escaped) and stored with an idempotency key per event and recipient, so
//! recording one event twice is one message. An optional kind (a reminder) the user
//! switched off is not recorded at all; [`Directory`] is how the crates that cause
//! messages find their recipients without depending on `accounts`. [`Sender`] sends what is waiting through
//! SMTP, writes it as a `.eml` file (development without SMTP) or drops it (when told
//! to), and marks it sent in the same transaction that removes its queue entry.
//! Knows nothing of HTTP, GraphQL or any one domain's tables.

mod copy;
mod directory;
mod entity;
mod error;
mod kind;
mod language;
mod message;
mod outbox;
mod preferences;
mod render;
mod sender;

pub use directory::{Directory, Recipient};
pub use error::NotificationError;
pub use kind::Kind;
pub use language::Language;
pub use message::{Attachment, Envelope, Message, OrderLine, OrderSummary};
pub use outbox::record;
pub use preferences::{Preference, preferences, set_preferences};
pub use render::Rendered;
pub use sender::{Delivery, MailSettings, Mailer, Sender};
