//! `me` and a cooperative's staff.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    ApiError,
    context::ContextExt,
    ids::parse_id,
    pagination::{PageArgs, RelayConnection, connection_complexity, connection_from_page},
};

use super::*;

/// Which users `users` lists; every field left out lets all through.
#[derive(InputObject, Default)]
pub struct UserFilter {
    pub role: Option<RoleValue>,
    /// true: only suspended accounts; false: only active ones.
    pub suspended: Option<bool>,
    /// Part of the email, matched however it is cased.
    pub email_contains: Option<String>,
}

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

    /// A cooperative's staff, oldest first (its managers and admins).
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn cooperative_staff(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RelayConnection<UserNode>> {
        let viewer = ctx.viewer()?;
        let cooperative_id = parse_id("cooperativeId", &cooperative_id).map_err(ApiError::from)?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let db = ctx.db()?;
        let actor = accounts::find_user(db, viewer.user_id)
            .await
            .map_err(ApiError::from)?;
        let page = accounts::list_staff(
            db,
            &actor,
            cooperative_id,
            request,
            ctx.limits()?.default_page_size,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |user| user.id, UserNode::from))
    }

    /// Every user, oldest first, narrowed by `filter` (admins only).
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        filter: Option<UserFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RelayConnection<UserNode>> {
        ctx.admin()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let filter = filter.unwrap_or_default();
        let filter = accounts::UserFilter {
            role: filter.role.map(Into::into),
            suspended: filter.suspended,
            email_contains: filter.email_contains,
        };
        let page =
            accounts::list_users(ctx.db()?, &filter, request, ctx.limits()?.default_page_size)
                .await
                .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |user| user.id, UserNode::from))
    }

    /// Every buyer organisation, oldest first (admins only).
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn buyer_organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RelayConnection<BuyerOrganisation>> {
        ctx.admin()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let page =
            accounts::list_buyer_organisations(ctx.db()?, request, ctx.limits()?.default_page_size)
                .await
                .map_err(ApiError::from)?;
        Ok(connection_from_page(
            page,
            |organisation| organisation.id,
            BuyerOrganisation::from,
        ))
    }
}
