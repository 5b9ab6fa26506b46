//! The one error type of the plain HTTP routes (invoices, catalogue files, channel feeds,
//! webhooks). Domain errors reach it through the same mapping GraphQL uses
//! (`graphql::errors`: domain error → `Failure` → `ApiError`), so a code means the same
//! on both surfaces; the body has GraphQL's error shape, so clients parse one format.
//! Internal errors are logged where they are mapped and reach the client only as
//! "internal error".

use std::fmt;

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde_json::json;

use crate::graphql::{ApiError, Failure};

/// An error answer of a REST route.
#[derive(Debug, Clone)]
pub(crate) struct HttpError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl HttpError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }

    /// Logs an unexpected failure in full and answers an opaque 500.
    pub(crate) fn internal(context: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error, debug = ?error, "{context}");
        Self::from(ApiError::Internal)
    }

    /// The same error with another HTTP status, for routes whose contract says so (a
    /// GraphQL endpoint answers errors with 200).
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl ResponseError for HttpError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        }))
    }
}

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        let status = match &error {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::BadUserInput(_) => StatusCode::BAD_REQUEST,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.code(), error.to_string())
    }
}

impl From<Failure> for HttpError {
    fn from(failure: Failure) -> Self {
        Self::from(ApiError::from(failure))
    }
}

impl From<catalog::CatalogError> for HttpError {
    fn from(error: catalog::CatalogError) -> Self {
        Self::from(Failure::from(error))
    }
}

impl From<orders::OrderError> for HttpError {
    fn from(error: orders::OrderError) -> Self {
        Self::from(Failure::from(error))
    }
}

impl From<connectors::ConnectorError> for HttpError {
    fn from(error: connectors::ConnectorError) -> Self {
        Self::from(Failure::from(error))
    }
}

/// A signed callback (Stripe's, a channel's) refused or failed. A bad signature or
/// payload is the sender's fault (400, shown in its dashboard); anything else is ours,
/// and a 500 makes the sender retry.
impl From<orders::WebhookError> for HttpError {
    fn from(error: orders::WebhookError) -> Self {
        use orders::WebhookError as E;
        match error {
            E::Signature(message) => {
                tracing::warn!(message, "webhook refused");
                Self::bad_request("BAD_SIGNATURE", message)
            }
            E::Payload(message) => Self::bad_request("BAD_PAYLOAD", message),
            E::NotConfigured => Self::not_found("this payment provider is not configured"),
            E::Order(e) => Self::internal("webhook failed; the sender will retry", &e),
        }
    }
}

impl From<connectors::inbound::InboundError> for HttpError {
    fn from(error: connectors::inbound::InboundError) -> Self {
        use connectors::inbound::InboundError as E;
        match error {
            E::Signature(message) => {
                tracing::warn!(message, "channel order refused");
                Self::bad_request("BAD_SIGNATURE", message)
            }
            E::Payload(message) => Self::bad_request("BAD_PAYLOAD", message),
            E::NotConfigured => Self::not_found("this channel's order webhook is not configured"),
            E::Connector(e) => Self::internal("channel order failed; the channel should retry", &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_error_has_its_status() {
        let cases = [
            (
                ApiError::Unauthenticated("x".into()),
                401,
                "UNAUTHENTICATED",
            ),
            (ApiError::Forbidden("x".into()), 403, "FORBIDDEN"),
            (ApiError::NotFound("x".into()), 404, "NOT_FOUND"),
            (ApiError::Conflict("x".into()), 409, "CONFLICT"),
            (ApiError::BadUserInput("x".into()), 400, "BAD_USER_INPUT"),
            (ApiError::Internal, 500, "INTERNAL"),
        ];
        for (error, status, code) in cases {
            let http = HttpError::from(error);
            assert_eq!(http.status_code().as_u16(), status);
            assert_eq!(http.code(), code);
        }
    }

    #[test]
    fn a_validation_failure_is_a_bad_request_not_a_500() {
        let error = catalog::CatalogError::Invalid(vec![kernel::FieldError::new(
            "code",
            kernel::FieldErrorCode::Invalid,
            "not a batch code",
        )]);
        let http = HttpError::from(error);
        assert_eq!(http.status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(http.code(), "BAD_USER_INPUT");
    }
}
