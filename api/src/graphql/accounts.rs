//! Accounts over GraphQL: registration, login, token refresh, logout, `me`, and the
//! admin's creation of cooperative staff, institutional buyers and buyer organisations.

use accounts::{
    CooperativeRole, LoginThrottle, NewAccount, NewBuyerOrganisation, RefreshTokenPolicy, Role,
    User,
};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    auth::{TokenService, Viewer},
    graphql::{ApiError, RequestContext, UserError, UserErrorCode, errors::respond},
};

/// A role on the platform.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "accounts::Role")]
pub enum RoleValue {
    Buyer,
    Cooperative,
    Institution,
    Admin,
}

/// A cooperative staff member's standing in their cooperative.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CooperativeRole", remote = "accounts::CooperativeRole")]
pub enum CooperativeRoleValue {
    Manager,
    Staff,
}

/// A user account.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "User")]
pub struct UserNode {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: RoleValue,
    pub cooperative_id: Option<ID>,
    pub cooperative_role: Option<CooperativeRoleValue>,
    pub buyer_organisation_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserNode {
    fn from(user: User) -> Self {
        Self {
            id: ID(user.id.to_string()),
            email: user.email,
            name: user.name,
            role: user.role.into(),
            cooperative_id: user.cooperative_id.map(|id| ID(id.to_string())),
            cooperative_role: user.cooperative_role.map(Into::into),
            buyer_organisation_id: user.buyer_organisation_id.map(|id| ID(id.to_string())),
            created_at: user.created_at,
        }
    }
}

/// A buyer organisation, e.g. a government department buying through GeM.
#[derive(SimpleObject, Clone, Debug)]
pub struct BuyerOrganisation {
    pub id: ID,
    pub name: String,
    pub kind: String,
    pub gem_buyer_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(SimpleObject, Default)]
pub struct RegisterPayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// An anonymous cart to merge into the buyer's cart.
    pub cart_token: Option<String>,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct LogoutInput {
    pub refresh_token: String,
}

/// The tokens of a session. The access token goes in `Authorization: Bearer …`; the
/// refresh token is exchanged for a new pair before `expiresAt` and is single-use.
#[derive(SimpleObject, Default)]
pub struct AuthPayload {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct LogoutPayload {
    pub success: bool,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UserCreateInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub role: RoleValue,
    /// Required for COOPERATIVE staff.
    pub cooperative_id: Option<ID>,
    /// MANAGER or STAFF; STAFF when omitted.
    pub cooperative_role: Option<CooperativeRoleValue>,
    /// Required for INSTITUTION users.
    pub buyer_organisation_id: Option<ID>,
}

#[derive(SimpleObject, Default)]
pub struct UserCreatePayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct BuyerOrganisationCreateInput {
    pub name: String,
    /// e.g. `CENTRAL_GOVERNMENT_DEPARTMENT`, `PSU`, `COOPERATIVE`.
    pub kind: String,
    /// The organisation's buyer id on GeM, when it buys through GeM.
    pub gem_buyer_id: Option<String>,
}

#[derive(SimpleObject, Default)]
pub struct BuyerOrganisationCreatePayload {
    pub buyer_organisation: Option<BuyerOrganisation>,
    pub errors: Vec<UserError>,
}

pub(crate) fn request_context<'a>(ctx: &'a Context<'_>) -> Result<&'a RequestContext, ApiError> {
    ctx.data::<RequestContext>().map_err(|_| ApiError::Internal)
}

/// The signed-in viewer, or UNAUTHENTICATED.
pub(crate) fn require_viewer<'a>(ctx: &'a Context<'_>) -> Result<&'a Viewer, ApiError> {
    request_context(ctx)?
        .viewer
        .as_ref()
        .ok_or_else(|| ApiError::Unauthenticated("sign in first".to_owned()))
}

/// The signed-in admin, or UNAUTHENTICATED / FORBIDDEN.
pub(crate) fn require_admin<'a>(ctx: &'a Context<'_>) -> Result<&'a Viewer, ApiError> {
    let viewer = require_viewer(ctx)?;
    if viewer.role == Role::Admin {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden(
            "only platform admins may do this".to_owned(),
        ))
    }
}

pub(crate) fn db<'a>(ctx: &'a Context<'_>) -> Result<&'a DatabaseConnection, ApiError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::Internal)
}

fn tokens<'a>(ctx: &'a Context<'_>) -> Result<&'a TokenService, ApiError> {
    ctx.data::<TokenService>().map_err(|_| ApiError::Internal)
}

fn parse_id(field: &str, id: &ID) -> Result<Uuid, UserError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        UserError::new(
            field,
            UserErrorCode::Invalid,
            format!("{field} is not a valid id"),
        )
    })
}

fn required(field: &str, value: &str) -> Option<UserError> {
    value.trim().is_empty().then(|| {
        UserError::new(
            field,
            UserErrorCode::Required,
            format!("{field} is required"),
        )
    })
}

async fn issue_session(
    ctx: &Context<'_>,
    user: User,
    family: Option<accounts::IssuedRefreshToken>,
) -> Result<AuthPayload, ApiError> {
    let tokens = tokens(ctx)?;
    let refresh = match family {
        Some(issued) => issued,
        None => {
            accounts::issue_refresh_token(
                db(ctx)?,
                user.id,
                None,
                RefreshTokenPolicy {
                    lifetime: tokens.settings().refresh_token_lifetime,
                },
            )
            .await?
        }
    };
    let access = tokens.issue(&user).map_err(|e| ApiError::internal(&e))?;
    Ok(AuthPayload {
        access_token: Some(access.token),
        refresh_token: Some(refresh.token),
        expires_at: Some(access.expires_at),
        user: Some(user.into()),
        errors: Vec::new(),
    })
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user; UNAUTHENTICATED without a valid access token.
    async fn me(&self, ctx: &Context<'_>) -> Result<UserNode> {
        let viewer = require_viewer(ctx)?;
        let user = accounts::find_user(db(ctx)?, viewer.user_id)
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

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Registers a buyer account. Sign in with `login` afterwards.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let errors: Vec<UserError> = [
            required("email", &input.email),
            required("password", &input.password),
            required("name", &input.name),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !errors.is_empty() {
            return Ok(RegisterPayload { user: None, errors });
        }
        let registered =
            accounts::register_buyer(db(ctx)?, &input.email, &input.password, &input.name).await;
        respond(registered, |user, errors| RegisterPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Signs in with email and password. Wrong credentials are UNAUTHENTICATED; after
    /// repeated failures the account is locked for a while.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let errors: Vec<UserError> = [
            required("email", &input.email),
            required("password", &input.password),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !errors.is_empty() {
            return Ok(AuthPayload {
                errors,
                ..AuthPayload::default()
            });
        }
        let user = accounts::authenticate(
            db(ctx)?,
            &input.email,
            &input.password,
            LoginThrottle::default(),
        )
        .await
        .map_err(ApiError::from)?;
        tracing::info!(user_id = %user.id, "signed in");
        if let Some(token) = input.cart_token.as_deref().filter(|t| !t.is_empty())
            && matches!(user.role, Role::Buyer | Role::Institution)
        {
            orders::merge_anonymous_cart(db(ctx)?, user.id, token)
                .await
                .map_err(|e| ApiError::internal(&e))?;
        }
        Ok(issue_session(ctx, user, None).await?)
    }

    /// Exchanges a refresh token for a new access token and refresh token. Each refresh
    /// token works once; presenting a used one ends the whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> Result<AuthPayload> {
        if let Some(error) = required("refreshToken", &input.refresh_token) {
            return Ok(AuthPayload {
                errors: vec![error],
                ..AuthPayload::default()
            });
        }
        let tokens = tokens(ctx)?;
        let (user, issued) = accounts::rotate_refresh_token(
            db(ctx)?,
            &input.refresh_token,
            RefreshTokenPolicy {
                lifetime: tokens.settings().refresh_token_lifetime,
            },
        )
        .await
        .map_err(ApiError::from)?;
        Ok(issue_session(ctx, user, Some(issued)).await?)
    }

    /// Ends the session the refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> Result<LogoutPayload> {
        if let Some(error) = required("refreshToken", &input.refresh_token) {
            return Ok(LogoutPayload {
                success: false,
                errors: vec![error],
            });
        }
        accounts::revoke_refresh_token(db(ctx)?, &input.refresh_token)
            .await
            .map_err(ApiError::from)?;
        Ok(LogoutPayload {
            success: true,
            errors: Vec::new(),
        })
    }

    /// Creates an account of any role (admins only): cooperative staff, institutional
    /// buyers and further admins.
    async fn user_create(
        &self,
        ctx: &Context<'_>,
        input: UserCreateInput,
    ) -> Result<UserCreatePayload> {
        require_admin(ctx)?;
        let db = db(ctx)?;
        let mut errors = Vec::new();
        let cooperative_id = match &input.cooperative_id {
            Some(id) => match parse_id("cooperativeId", id) {
                Ok(id) => Some(id),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
            None => None,
        };
        let buyer_organisation_id = match &input.buyer_organisation_id {
            Some(id) => match parse_id("buyerOrganisationId", id) {
                Ok(id) => Some(id),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
            None => None,
        };
        let role = Role::from(input.role);
        if role == Role::Cooperative
            && let Some(id) = cooperative_id
            && !catalog::cooperative_exists(db, id)
                .await
                .map_err(ApiError::from)?
        {
            errors.push(UserError::new(
                "cooperativeId",
                UserErrorCode::NotFound,
                "cooperative not found",
            ));
        }
        if !errors.is_empty() {
            return Ok(UserCreatePayload { user: None, errors });
        }
        let created = accounts::create_account(
            db,
            NewAccount {
                email: input.email,
                password: input.password,
                name: input.name,
                role,
                cooperative_id,
                cooperative_role: input.cooperative_role.map(Into::into),
                buyer_organisation_id,
            },
        )
        .await;
        respond(created, |user, errors| UserCreatePayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Registers a buyer organisation (admins only).
    async fn buyer_organisation_create(
        &self,
        ctx: &Context<'_>,
        input: BuyerOrganisationCreateInput,
    ) -> Result<BuyerOrganisationCreatePayload> {
        require_admin(ctx)?;
        let created = accounts::create_buyer_organisation(
            db(ctx)?,
            NewBuyerOrganisation {
                name: input.name,
                kind: input.kind,
                gem_buyer_id: input.gem_buyer_id,
            },
        )
        .await;
        respond(created, |organisation, errors| {
            BuyerOrganisationCreatePayload {
                buyer_organisation: organisation.map(|organisation| BuyerOrganisation {
                    id: ID(organisation.id.to_string()),
                    name: organisation.name,
                    kind: organisation.kind,
                    gem_buyer_id: organisation.gem_buyer_id,
                    created_at: organisation.created_at,
                }),
                errors,
            }
        })
    }
}

/// The catalog's view of the viewer, so that domain rules decide what they may do.
pub(crate) fn actor(ctx: &Context<'_>) -> Result<catalog::Actor, ApiError> {
    Ok(actor_of(request_context(ctx)?.viewer.as_ref()))
}

/// The catalog actor for a viewer (or its absence), wherever the request came in.
pub(crate) fn actor_of(viewer: Option<&Viewer>) -> catalog::Actor {
    let Some(viewer) = viewer else {
        return catalog::Actor::Anonymous;
    };
    let user_id = viewer.user_id;
    match viewer.role {
        Role::Buyer => catalog::Actor::Buyer { user_id },
        Role::Institution => catalog::Actor::Institution { user_id },
        Role::Admin => catalog::Actor::Admin { user_id },
        Role::Cooperative => match viewer.cooperative_id {
            Some(cooperative_id) => catalog::Actor::CooperativeStaff {
                user_id,
                cooperative_id,
                manager: viewer.cooperative_role == Some(CooperativeRole::Manager),
            },
            None => catalog::Actor::Buyer { user_id },
        },
    }
}

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
        let viewer = require_viewer(ctx)?;
        let db = db(ctx)?;
        let cooperative_id = match parse_id("cooperativeId", &input.cooperative_id) {
            Ok(id) => id,
            Err(error) => {
                return Ok(StaffInvitePayload {
                    invitation: None,
                    errors: vec![error],
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
        let accepted = accounts::accept_invitation(db(ctx)?, &input.token, &input.password).await;
        respond(accepted, |user, errors| StaffInviteAcceptPayload {
            user: user.map(Into::into),
            errors,
        })
    }
}
