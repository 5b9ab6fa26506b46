use catalog::CatalogError;
use kernel::{FieldError, FieldErrorCode};
use orders::OrderError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("channel data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl ConnectorError {
    pub fn invalid(field: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }
}
