use catalog::CatalogError;
use kernel::{FieldError, FieldErrorCode};
use sea_orm::DbErr;

use crate::tax::TaxError;

/// Everything that can go wrong with carts, orders and payments.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is well-formed but the order's state does not allow it.
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The payment provider could not be reached or refused the request.
    #[error("payment provider: {0}")]
    Provider(String),
    #[error("stored order data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Tax(#[from] TaxError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Db(#[from] DbErr),
    /// A message could not be recorded (rendering, the outbox).
    #[error(transparent)]
    Notification(#[from] notifications::NotificationError),
}

impl OrderError {
    pub fn invalid(field: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}
