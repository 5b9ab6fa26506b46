use kernel::{AccessDenied, FieldError, FieldErrorCode, InvalidInput};
use sea_orm::DbErr;

/// Everything that can go wrong in the catalog domain.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("cooperative not found")]
    CooperativeNotFound,
    #[error("product not found")]
    ProductNotFound,
    #[error("variant not found")]
    VariantNotFound,
    #[error("category not found: {0}")]
    CategoryNotFound(String),
    #[error("GI tag not found")]
    GiTagNotFound,
    #[error("GI authorised-user registration not found")]
    AuthorisedUserNotFound,
    #[error("batch not found")]
    BatchNotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("demo catalog is invalid: {0}")]
    InvalidSeed(String),
    #[error("stored catalog data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbErr),
    /// An upload was refused, or media storage failed.
    #[error(transparent)]
    Media(#[from] media::MediaError),
    /// A reminder could not be recorded (rendering, the outbox).
    #[error(transparent)]
    Notification(#[from] notifications::NotificationError),
}

impl CatalogError {
    pub fn invalid(field: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }
}

/// A refused caller is a refused catalogue call.
impl From<AccessDenied> for CatalogError {
    fn from(denied: AccessDenied) -> Self {
        match denied {
            AccessDenied::Unauthenticated => Self::Unauthenticated,
            AccessDenied::Forbidden(message) => Self::Forbidden(message),
        }
    }
}

impl From<InvalidInput> for CatalogError {
    fn from(invalid: InvalidInput) -> Self {
        Self::Invalid(invalid.0)
    }
}
