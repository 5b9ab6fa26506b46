//! What a domain crate hands over: the typed facts of a message, never its text.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Kind, Language};

/// One line of an order as a message lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub description: String,
    pub quantity: i32,
    pub unit_price_paise: i64,
    /// The line's amount, GST included.
    pub total_paise: i64,
}

/// An order (or one cooperative's part of it) as a message shows it: its lines, its
/// GST split and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSummary {
    pub number: String,
    pub lines: Vec<OrderLine>,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
    /// The delivery address, one printed line each (name first).
    pub address: Vec<String>,
}

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
        /// The page that accepts it with the token filled in, when the site knows its
        /// public address.
        accept_url: Option<String>,
    },
    /// To the buyer: the order was placed.
    OrderConfirmation { order: OrderSummary },
    /// To a cooperative's staff: an order with lines of theirs (only those).
    NewOrder {
        cooperative: String,
        order: OrderSummary,
    },
    /// To the buyer: one cooperative's parcel left.
    OrderShipped {
        order_number: String,
        cooperative: String,
        carrier: String,
        tracking_number: String,
        invoice_number: String,
    },
    /// To the buyer: one cooperative's parcel arrived.
    OrderDelivered {
        order_number: String,
        cooperative: String,
    },
    /// To the buyer, and to each cooperative whose part was cancelled.
    OrderCancelled {
        order_number: String,
        /// The cooperatives whose parts were cancelled.
        cooperatives: Vec<String>,
        reason: String,
    },
    /// To the buyer: money went back.
    OrderRefunded {
        order_number: String,
        cooperative: String,
        amount_paise: i64,
        reason: String,
    },
    /// To the buyer: a bank transfer's or purchase order's payment arrived.
    PaymentReceived {
        order_number: String,
        amount_paise: i64,
    },
    /// To an institutional buyer: a payment is past its due date.
    PaymentOverdue {
        order_number: String,
        cooperative: String,
        amount_paise: i64,
        due_at: DateTime<Utc>,
        purchase_order_number: Option<String>,
    },
    /// To a cooperative's staff: a GI authorisation runs out soon.
    GiAuthorisationExpiring {
        gi_name: String,
        au_number: String,
        valid_until: NaiveDate,
    },
}

impl Message {
    pub const fn kind(&self) -> Kind {
        match self {
            Self::RegistrationAttempt => Kind::RegistrationAttempt,
            Self::PasswordReset { .. } => Kind::PasswordReset,
            Self::EmailVerification { .. } => Kind::EmailVerification,
            Self::StaffInvitation { .. } => Kind::StaffInvitation,
            Self::OrderConfirmation { .. } => Kind::OrderConfirmation,
            Self::NewOrder { .. } => Kind::NewOrder,
            Self::OrderShipped { .. } => Kind::OrderShipped,
            Self::OrderDelivered { .. } => Kind::OrderDelivered,
            Self::OrderCancelled { .. } => Kind::OrderCancelled,
            Self::OrderRefunded { .. } => Kind::OrderRefunded,
            Self::PaymentReceived { .. } => Kind::PaymentReceived,
            Self::PaymentOverdue { .. } => Kind::PaymentOverdue,
            Self::GiAuthorisationExpiring { .. } => Kind::GiAuthorisationExpiring,
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
