//! Cooperative staff invitations: a manager invites, the invitee accepts.

use accounts::CooperativeRole;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{ApiError, UserError, context::ContextExt, errors::respond, ids::parse_id};

use super::*;

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
    pub password: String,
}

#[derive(SimpleObject, Default)]
pub struct StaffInviteAcceptPayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
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
        let invited = accounts::invite_staff(
            db,
            &inviter,
            cooperative_id,
            &input.email,
            &input.name,
            input
                .cooperative_role
                .map_or(CooperativeRole::Staff, Into::into),
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

    /// Accepts an invitation and creates the staff account; sign in with `login` after.
    async fn staff_invite_accept(
        &self,
        ctx: &Context<'_>,
        input: StaffInviteAcceptInput,
    ) -> Result<StaffInviteAcceptPayload> {
        let accepted = accounts::accept_invitation(ctx.db()?, &input.token, &input.password).await;
        respond(accepted, |user, errors| StaffInviteAcceptPayload {
            user: user.map(Into::into),
            errors,
        })
    }
}
