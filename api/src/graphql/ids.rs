//! The one parser of GraphQL `ID`s into domain ids. It returns [`InvalidId`], which
//! converts into whichever error the caller reports: a top-level BAD_USER_INPUT
//! ([`ApiError`]), a payload's user error ([`UserError`]) or a domain validation
//! failure (`ConnectorError`, `OrderError`), so that every resolver names the
//! offending field the same way.

use async_graphql::ID;
use uuid::Uuid;

use crate::graphql::{ApiError, UserError, UserErrorCode};

/// An argument or input field that is not a well-formed id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    /// The argument or input field's name as the client wrote it, e.g. `cooperativeId`.
    pub field: String,
}

/// Parses `id`, naming `field` if it is not a valid id.
pub fn parse_id(field: &str, id: &ID) -> Result<Uuid, InvalidId> {
    Uuid::parse_str(id.as_str()).map_err(|_| InvalidId {
        field: field.to_owned(),
    })
}

/// Parses an optional id; absent stays absent.
pub fn parse_optional_id(field: &str, id: Option<&ID>) -> Result<Option<Uuid>, InvalidId> {
    id.map(|id| parse_id(field, id)).transpose()
}

impl From<InvalidId> for ApiError {
    fn from(error: InvalidId) -> Self {
        Self::BadUserInput(format!("`{}` is not a valid id", error.field))
    }
}

impl From<InvalidId> for async_graphql::Error {
    fn from(error: InvalidId) -> Self {
        ApiError::from(error).into()
    }
}

impl From<InvalidId> for UserError {
    fn from(error: InvalidId) -> Self {
        Self::new(
            &error.field,
            UserErrorCode::Invalid,
            format!("{} is not a valid id", error.field),
        )
    }
}

impl From<InvalidId> for connectors::ConnectorError {
    fn from(error: InvalidId) -> Self {
        let message = format!("{} is not a valid id", error.field);
        Self::invalid(&error.field, kernel::FieldErrorCode::Invalid, message)
    }
}

impl From<InvalidId> for orders::OrderError {
    fn from(error: InvalidId) -> Self {
        let message = format!("{} is not a valid id", error.field);
        Self::invalid(&error.field, kernel::FieldErrorCode::Invalid, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parser_speaks_every_callers_error() {
        let id = Uuid::now_v7();
        assert_eq!(parse_id("id", &ID(id.to_string())), Ok(id));
        let invalid = InvalidId {
            field: "cooperativeId".to_owned(),
        };
        assert_eq!(
            parse_id("cooperativeId", &ID("nope".to_owned())),
            Err(invalid.clone())
        );
        assert_eq!(
            ApiError::from(invalid).to_string(),
            "`cooperativeId` is not a valid id"
        );
        let user = UserError::from(InvalidId {
            field: "productId".to_owned(),
        });
        assert_eq!(user.field, ["input", "productId"]);
        assert_eq!(user.message, "productId is not a valid id");
        assert_eq!(parse_optional_id("x", None), Ok(None));
    }
}
