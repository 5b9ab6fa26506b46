use sea_orm::DbErr;

/// Everything that can go wrong in the accounts domain.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    InvalidEmail(String),
    #[error("{0}")]
    WeakPassword(String),
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error("an account with this email already exists")]
    EmailTaken,
    /// A business rule forbids the value of `field`.
    #[error("{field}: {message}")]
    NotAllowed {
        field: &'static str,
        message: String,
    },
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("too many failed logins; try again in {retry_after_seconds} seconds")]
    LoginThrottled { retry_after_seconds: i64 },
    #[error("this account is suspended")]
    Suspended,
    #[error("refresh token is invalid or expired")]
    RefreshTokenInvalid,
    #[error("refresh token was already used; its session has been revoked")]
    RefreshTokenReused,
    #[error("{0}")]
    Forbidden(String),
    #[error("the token is invalid, used or expired")]
    TokenInvalid,
    #[error("the invitation is invalid, used or expired")]
    InvitationInvalid,
    #[error("user not found")]
    UserNotFound,
    #[error("buyer organisation not found")]
    OrganisationNotFound,
    #[error("password hashing failed")]
    Hashing,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Notification(#[from] notifications::NotificationError),
}
