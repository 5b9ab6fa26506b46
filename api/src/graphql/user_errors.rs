//! Validation failures of a mutation's input, returned in its payload's `errors` list
//! (HTTP 200, no top-level error), each naming the input field it concerns.

use async_graphql::{Enum, SimpleObject};

/// What kind of validation failure a [`UserError`] is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// The value is missing.
    Required,
    /// The value does not have the expected form.
    Invalid,
    /// The value is too short, too long, too small or too large.
    OutOfRange,
    /// The value must be unique and is already used.
    Taken,
    /// The password does not meet the password policy.
    WeakPassword,
    /// A referenced object does not exist.
    NotFound,
    /// The value is well-formed but a business rule forbids it.
    NotAllowed,
    /// A price changed since the buyer last saw it; the cart now shows the new price.
    PriceChanged,
    /// Not enough units in stock.
    OutOfStock,
    /// The payment provider could not be reached or refused; the message says what to do.
    PaymentProviderUnavailable,
    /// An upload is not a JPEG, PNG or WebP image (judged by its content).
    UnsupportedFormat,
    /// An upload has more bytes than allowed.
    TooLarge,
    /// An image has more pixels than allowed (read from its header, before decoding).
    TooManyPixels,
    /// An image is truncated or corrupt.
    Unreadable,
}

/// One validation failure of a mutation's input.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "email"]`.
    pub field: Vec<String>,
    pub code: UserErrorCode,
    pub message: String,
}

impl UserError {
    /// A failure of the input as a whole (`["input"]`), when no one field is at fault.
    pub fn whole_input(code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: vec!["input".to_owned()],
            code,
            message: message.into(),
        }
    }

    pub fn new(field: &str, code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: vec!["input".to_owned(), field.to_owned()],
            code,
            message: message.into(),
        }
    }
}
