//! `me`.

use async_graphql::{Context, Object, Result};

use crate::graphql::{ApiError, context::ContextExt};

use super::*;

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user; UNAUTHENTICATED without a valid access token.
    async fn me(&self, ctx: &Context<'_>) -> Result<UserNode> {
        let viewer = ctx.viewer()?;
        let user = accounts::find_user(ctx.db()?, viewer.user_id)
            .await
            .map_err(|error| match error {
                accounts::AccountError::UserNotFound => {
                    ApiError::Unauthenticated("the account no longer exists".to_owned())
                }
                other => ApiError::from(other),
            })?;
        Ok(user.into())
    }
}
