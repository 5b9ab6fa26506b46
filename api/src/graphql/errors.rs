//! The one place where domain errors become GraphQL errors with a stable
//! `extensions.code`. Internal errors are logged in full and reach the client only as
//! "internal error": no SQL, no stack, no driver text.

use accounts::AccountError;
use async_graphql::ErrorExtensions;
use catalog::CatalogError;

use crate::graphql::{UserError, UserErrorCode};

/// A top-level GraphQL error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    BadUserInput(String),
    #[error("internal error")]
    Internal,
}

impl ApiError {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::Internal => "INTERNAL",
        }
    }

    /// Logs an unexpected failure with its whole chain and hides it from the client.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error, debug = ?error, "internal error");
        Self::Internal
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        async_graphql::Error::new(error.to_string()).extend_with(|_, extensions| {
            extensions.set("code", code);
        })
    }
}

/// What a domain error means to a client: a field-level validation failure that goes
/// into the payload, or a top-level error.
pub enum Failure {
    Validation(UserError),
    Top(ApiError),
}

impl From<AccountError> for Failure {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::InvalidEmail(message) => {
                Self::Validation(UserError::new("email", UserErrorCode::Invalid, message))
            }
            AccountError::WeakPassword(message) => Self::Validation(UserError::new(
                "password",
                UserErrorCode::WeakPassword,
                message,
            )),
            AccountError::InvalidInput { field, message } => {
                Self::Validation(UserError::new(field, UserErrorCode::Invalid, message))
            }
            AccountError::EmailTaken => Self::Validation(UserError::new(
                "email",
                UserErrorCode::Taken,
                "an account with this email already exists",
            )),
            AccountError::OrganisationNotFound => Self::Validation(UserError::new(
                "buyerOrganisationId",
                UserErrorCode::NotFound,
                "buyer organisation not found",
            )),
            AccountError::InvalidCredentials
            | AccountError::LoginThrottled { .. }
            | AccountError::RefreshTokenInvalid
            | AccountError::RefreshTokenReused => {
                Self::Top(ApiError::Unauthenticated(error.to_string()))
            }
            AccountError::UserNotFound => Self::Top(ApiError::NotFound(error.to_string())),
            AccountError::Hashing | AccountError::Db(_) => Self::Top(ApiError::internal(&error)),
        }
    }
}

impl From<CatalogError> for Failure {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::InvalidInput { field, message } => Self::Validation(UserError {
                field: vec!["input".to_owned(), field],
                code: UserErrorCode::Invalid,
                message,
            }),
            CatalogError::CooperativeNotFound
            | CatalogError::ProductNotFound
            | CatalogError::CategoryNotFound(_) => Self::Top(ApiError::NotFound(error.to_string())),
            CatalogError::InvalidSeed(_) | CatalogError::Corrupt(_) | CatalogError::Db(_) => {
                Self::Top(ApiError::internal(&error))
            }
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match Failure::from(error) {
            Failure::Top(api_error) => api_error,
            Failure::Validation(user_error) => Self::BadUserInput(user_error.message),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match Failure::from(error) {
            Failure::Top(api_error) => api_error,
            Failure::Validation(user_error) => Self::BadUserInput(user_error.message),
        }
    }
}
