//! The one place where domain errors become GraphQL errors with a stable
//! `extensions.code`. Internal errors are logged in full and reach the client only as
//! "internal error": no SQL, no stack, no driver text.

use accounts::AccountError;
use async_graphql::ErrorExtensions;
use catalog::CatalogError;
use kernel::FieldErrorCode;
use orders::OrderError;

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

/// What a domain error means to a client: field-level validation failures that go
/// into the payload, or a top-level error.
pub enum Failure {
    Validation(Vec<UserError>),
    Top(ApiError),
}

fn user_error_code(code: FieldErrorCode) -> UserErrorCode {
    match code {
        FieldErrorCode::Required => UserErrorCode::Required,
        FieldErrorCode::Invalid => UserErrorCode::Invalid,
        FieldErrorCode::OutOfRange => UserErrorCode::OutOfRange,
        FieldErrorCode::Taken => UserErrorCode::Taken,
        FieldErrorCode::NotFound => UserErrorCode::NotFound,
        FieldErrorCode::NotAllowed => UserErrorCode::NotAllowed,
        FieldErrorCode::PriceChanged => UserErrorCode::PriceChanged,
        FieldErrorCode::OutOfStock => UserErrorCode::OutOfStock,
    }
}

impl From<AccountError> for Failure {
    fn from(error: AccountError) -> Self {
        let one = |field: &str, code: UserErrorCode, message: String| {
            Self::Validation(vec![UserError::new(field, code, message)])
        };
        match error {
            AccountError::InvalidEmail(message) => one("email", UserErrorCode::Invalid, message),
            AccountError::WeakPassword(message) => {
                one("password", UserErrorCode::WeakPassword, message)
            }
            AccountError::InvalidInput { field, message } => {
                one(field, UserErrorCode::Invalid, message)
            }
            AccountError::NotAllowed { field, message } => {
                one(field, UserErrorCode::NotAllowed, message)
            }
            AccountError::EmailTaken => one(
                "email",
                UserErrorCode::Taken,
                "an account with this email already exists".to_owned(),
            ),
            AccountError::OrganisationNotFound => one(
                "buyerOrganisationId",
                UserErrorCode::NotFound,
                "buyer organisation not found".to_owned(),
            ),
            AccountError::TokenInvalid => one("token", UserErrorCode::Invalid, error.to_string()),
            AccountError::InvitationInvalid => {
                one("token", UserErrorCode::Invalid, error.to_string())
            }
            AccountError::InvalidCredentials
            | AccountError::Suspended
            | AccountError::LoginThrottled { .. }
            | AccountError::RefreshTokenInvalid
            | AccountError::RefreshTokenReused => {
                Self::Top(ApiError::Unauthenticated(error.to_string()))
            }
            AccountError::Forbidden(message) => Self::Top(ApiError::Forbidden(message)),
            AccountError::UserNotFound => Self::Top(ApiError::NotFound(error.to_string())),
            AccountError::Hashing | AccountError::Db(_) | AccountError::Notification(_) => {
                Self::Top(ApiError::internal(&error))
            }
        }
    }
}

impl From<CatalogError> for Failure {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(fields) => Self::Validation(
                fields
                    .into_iter()
                    .map(|field| UserError {
                        field: std::iter::once("input".to_owned())
                            .chain(field.field)
                            .collect(),
                        code: user_error_code(field.code),
                        message: field.message,
                    })
                    .collect(),
            ),
            CatalogError::Unauthenticated => {
                Self::Top(ApiError::Unauthenticated(error.to_string()))
            }
            CatalogError::Forbidden(message) => Self::Top(ApiError::Forbidden(message)),
            CatalogError::Conflict(message) => Self::Top(ApiError::Conflict(message)),
            CatalogError::CooperativeNotFound
            | CatalogError::ProductNotFound
            | CatalogError::VariantNotFound
            | CatalogError::CategoryNotFound(_)
            | CatalogError::GiTagNotFound
            | CatalogError::AuthorisedUserNotFound
            | CatalogError::BatchNotFound => Self::Top(ApiError::NotFound(error.to_string())),
            CatalogError::Media(inner) => Self::from(inner),
            CatalogError::InvalidSeed(_)
            | CatalogError::Corrupt(_)
            | CatalogError::Db(_)
            | CatalogError::Notification(_) => Self::Top(ApiError::internal(&error)),
        }
    }
}

impl From<media::Rejection> for UserError {
    fn from(rejection: media::Rejection) -> Self {
        use media::Rejection as R;
        let code = match rejection {
            R::UnsupportedFormat => UserErrorCode::UnsupportedFormat,
            R::TooLarge { .. } => UserErrorCode::TooLarge,
            R::TooManyPixels { .. } => UserErrorCode::TooManyPixels,
            R::Unreadable(_) => UserErrorCode::Unreadable,
            R::Missing => UserErrorCode::Required,
        };
        Self::new("file", code, rejection.to_string())
    }
}

impl From<media::MediaError> for Failure {
    fn from(error: media::MediaError) -> Self {
        use media::MediaError as E;
        match error {
            E::Rejected(rejection) => Self::Validation(vec![UserError::from(rejection)]),
            E::InvalidAlt(message) => Self::Validation(vec![UserError::new(
                "alt",
                UserErrorCode::Required,
                message,
            )]),
            E::NotFound => Self::Top(ApiError::NotFound(error.to_string())),
            E::Forbidden(message) => Self::Top(ApiError::Forbidden(message)),
            E::Unauthenticated => Self::Top(ApiError::Unauthenticated(error.to_string())),
            E::Storage(_) | E::Processing(_) | E::Corrupt(_) | E::Db(_) => {
                Self::Top(ApiError::internal(&error))
            }
        }
    }
}

impl From<connectors::ConnectorError> for Failure {
    fn from(error: connectors::ConnectorError) -> Self {
        use connectors::ConnectorError as E;
        match error {
            E::Invalid(fields) => Self::from(CatalogError::Invalid(fields)),
            E::Catalog(inner) => Self::from(inner),
            E::Order(inner) => Self::from(inner),
            E::Unauthenticated => Self::Top(ApiError::Unauthenticated(error.to_string())),
            E::Forbidden(message) => Self::Top(ApiError::Forbidden(message)),
            E::NotFound(_) => Self::Top(ApiError::NotFound(error.to_string())),
            E::Conflict(message) => Self::Top(ApiError::Conflict(message)),
            E::Corrupt(_) | E::Db(_) => Self::Top(ApiError::internal(&error)),
        }
    }
}

impl From<OrderError> for Failure {
    fn from(error: OrderError) -> Self {
        match error {
            OrderError::Invalid(fields) => Self::from(CatalogError::Invalid(fields)),
            OrderError::Catalog(inner) => Self::from(inner),
            OrderError::Unauthenticated => Self::Top(ApiError::Unauthenticated(error.to_string())),
            OrderError::Forbidden(message) => Self::Top(ApiError::Forbidden(message)),
            OrderError::NotFound(_) => Self::Top(ApiError::NotFound(error.to_string())),
            OrderError::Conflict(message) => Self::Top(ApiError::Conflict(message)),
            // No one field is at fault: the path names the whole input.
            OrderError::Provider(message) => Self::Validation(vec![UserError::whole_input(
                UserErrorCode::PaymentProviderUnavailable,
                message,
            )]),
            OrderError::Tax(_)
            | OrderError::Corrupt(_)
            | OrderError::Db(_)
            | OrderError::Notification(_) => Self::Top(ApiError::internal(&error)),
        }
    }
}

/// Where there is no payload to hold field errors (queries, REST routes), they become
/// one BAD_USER_INPUT.
impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Top(api_error) => api_error,
            Failure::Validation(errors) => Self::BadUserInput(join_messages(&errors)),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        Self::from(Failure::from(error))
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        Self::from(Failure::from(error))
    }
}

fn join_messages(errors: &[UserError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A domain error as a top-level GraphQL error, for queries (no payload to hold field
/// errors: those become one BAD_USER_INPUT).
pub fn top_error(error: impl Into<Failure>) -> async_graphql::Error {
    ApiError::from(error.into()).into()
}

/// Turns a domain result into a mutation payload: the value on success, user errors in
/// the payload for validation failures, a top-level error for everything else.
pub fn respond<T, E, P>(
    result: Result<T, E>,
    build: impl FnOnce(Option<T>, Vec<UserError>) -> P,
) -> async_graphql::Result<P>
where
    E: Into<Failure>,
{
    match result {
        Ok(value) => Ok(build(Some(value), Vec::new())),
        Err(error) => match error.into() {
            Failure::Validation(errors) => Ok(build(None, errors)),
            Failure::Top(api_error) => Err(api_error.into()),
        },
    }
}
