//! Cooperative staff invitations: a manager invites, the invitee accepts (a new account,
//! or their existing buyer's account, signed in).

use accounts::CooperativeRole;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{ApiError, UserError, context::ContextExt, errors::respond, ids::parse_id};

use super::*;

/// The site's public address (`PUBLIC_URL`), for the accept link an invitation's
/// email carries; none without it (the email then carries the code alone).
#[derive(Debug, Clone)]
pub struct PublicUrl(pub Option<String>);

#[derive(InputObject)]
pub struct StaffInviteInput {
    pub cooperative_id: ID,
    pub email: String,
    pub name: String,
    /// STAFF when omitted.
    pub cooperative_role: Option<CooperativeRoleValue>,
}

/// A pending invitation. The token is shown only in the payload that created it;
/// hand it to the invitee, who accepts it with `staffInviteAccept`.
#[derive(SimpleObject)]
pub struct StaffInvitation {
    pub id: ID,
    pub cooperative_id: ID,
    pub email: String,
    pub name: String,
    pub cooperative_role: CooperativeRoleValue,
    pub expires_at: DateTime<Utc>,
    pub token: String,
}

#[derive(SimpleObject, Default)]
pub struct StaffInvitePayload {
    pub invitation: Option<StaffInvitation>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct StaffInviteAcceptInput {
    pub token: String,
    /// The new account's password, when the invited address has no account yet. An
    /// address that has one (a buyer's) accepts signed in as it, with no password.
    pub password: Option<String>,
}

#[derive(SimpleObject, Default)]
pub struct StaffInviteAcceptPayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct StaffRoleChangeInput {
    pub user_id: ID,
    pub cooperative_role: CooperativeRoleValue,
}

#[derive(InputObject)]
pub struct StaffRemoveInput {
    pub user_id: ID,
}

#[derive(SimpleObject, Default)]
pub struct StaffMemberPayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

/// The signed-in user as the accounts domain sees them.
async fn acting_user(ctx: &Context<'_>) -> Result<accounts::User, ApiError> {
    let viewer = ctx.viewer()?;
    accounts::find_user(ctx.db()?, viewer.user_id)
        .await
        .map_err(ApiError::from)
}

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Invites a staff member to a cooperative (its managers and admins).
    async fn staff_invite(
        &self,
        ctx: &Context<'_>,
        input: StaffInviteInput,
    ) -> Result<StaffInvitePayload> {
        let viewer = ctx.viewer()?;
        let db = ctx.db()?;
        let cooperative_id = match parse_id("cooperativeId", &input.cooperative_id) {
            Ok(id) => id,
            Err(invalid) => {
                return Ok(StaffInvitePayload {
                    invitation: None,
                    errors: vec![invalid.into()],
                });
            }
        };
        if !catalog::cooperative_exists(db, cooperative_id)
            .await
            .map_err(ApiError::from)?
        {
            return Err(ApiError::NotFound("cooperative not found".to_owned()).into());
        }
        let inviter = accounts::find_user(db, viewer.user_id)
            .await
            .map_err(ApiError::from)?;
        // The email links to the console's accept page when the site knows its address.
        let accept_page = ctx
            .data_opt::<PublicUrl>()
            .and_then(|url| url.0.as_ref())
            .map(|origin| format!("{origin}/console/invitation?token="));
        let invited = accounts::invite_staff_linked(
            db,
            &inviter,
            cooperative_id,
            &input.email,
            &input.name,
            input
                .cooperative_role
                .map_or(CooperativeRole::Staff, Into::into),
            accept_page.as_deref(),
        )
        .await;
        respond(invited, |invitation, errors| StaffInvitePayload {
            invitation: invitation.map(|invitation| StaffInvitation {
                id: ID(invitation.id.to_string()),
                cooperative_id: ID(invitation.cooperative_id.to_string()),
                email: invitation.email,
                name: invitation.name,
                cooperative_role: invitation.cooperative_role.into(),
                expires_at: invitation.expires_at,
                token: invitation.token,
            }),
            errors,
        })
    }

    /// Accepts an invitation. For an address without an account it creates the staff
    /// account with `password` (sign in with `login` after); an address that has a
    /// buyer's account accepts signed in as it, and that account becomes the
    /// cooperative's staff from the next request on.
    async fn staff_invite_accept(
        &self,
        ctx: &Context<'_>,
        input: StaffInviteAcceptInput,
    ) -> Result<StaffInviteAcceptPayload> {
        let signed_in = ctx.viewer_opt()?.map(|viewer| viewer.user_id);
        let accepted = accounts::accept_invitation(
            ctx.db()?,
            &input.token,
            input.password.as_deref(),
            signed_in,
        )
        .await;
        if accepted.is_ok() && signed_in.is_some() {
            ctx.tokens()?.sessions().invalidate();
        }
        respond(accepted, |user, errors| StaffInviteAcceptPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Makes a member of a cooperative its MANAGER or STAFF (its managers, never
    /// themselves, and admins). Applies at the member's next request.
    async fn staff_role_change(
        &self,
        ctx: &Context<'_>,
        input: StaffRoleChangeInput,
    ) -> Result<StaffMemberPayload> {
        let actor = acting_user(ctx).await?;
        let user_id = match parse_id("userId", &input.user_id) {
            Ok(id) => id,
            Err(invalid) => {
                return Ok(StaffMemberPayload {
                    user: None,
                    errors: vec![invalid.into()],
                });
            }
        };
        let changed =
            accounts::change_staff_role(ctx.db()?, &actor, user_id, input.cooperative_role.into())
                .await;
        ctx.tokens()?.sessions().invalidate();
        respond(changed, |user, errors| StaffMemberPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Removes a member from their cooperative (its managers, never themselves, and
    /// admins): the account stays, as a buyer's, and every session of it ends at once.
    async fn staff_remove(
        &self,
        ctx: &Context<'_>,
        input: StaffRemoveInput,
    ) -> Result<StaffMemberPayload> {
        let actor = acting_user(ctx).await?;
        let user_id = match parse_id("userId", &input.user_id) {
            Ok(id) => id,
            Err(invalid) => {
                return Ok(StaffMemberPayload {
                    user: None,
                    errors: vec![invalid.into()],
                });
            }
        };
        let removed = accounts::remove_staff(ctx.db()?, &actor, user_id).await;
        ctx.tokens()?.sessions().invalidate();
        respond(removed, |user, errors| StaffMemberPayload {
            user: user.map(Into::into),
            errors,
        })
    }
}
