//! Sessions (register, login, refresh, logout) and the admin's creation of accounts
//! and buyer organisations.

use accounts::{LoginThrottle, NewAccount, NewBuyerOrganisation, RefreshTokenPolicy, Role, User};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{
    ApiError, UserError, UserErrorCode,
    context::ContextExt,
    errors::respond,
    ids::{parse_id, parse_optional_id},
};

use super::*;

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
    /// The `deviceToken` an earlier sign-in on this device returned: a sign-in from a
    /// known device is not held back by a lock that others' failed guesses put on the
    /// address.
    pub device_token: Option<String>,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    pub refresh_token: String,
}

/// Ends a session: the one the access token in `Authorization` belongs to, and the one
/// of `refreshToken` when given (either is enough).
#[derive(InputObject, Default)]
pub struct LogoutInput {
    pub refresh_token: Option<String>,
}

/// The tokens of a session. The access token goes in `Authorization: Bearer …`; the
/// refresh token is exchanged for a new pair before `expiresAt` and is single-use.
#[derive(SimpleObject, Default)]
pub struct AuthPayload {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Returned by `login` when the device presented no valid device token: keep it on
    /// this device and send it with later logins.
    pub device_token: Option<String>,
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct LogoutPayload {
    pub success: bool,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UserSuspendInput {
    pub user_id: ID,
    /// `true` suspends, `false` reinstates.
    pub suspended: bool,
}

#[derive(SimpleObject, Default)]
pub struct UserSuspendPayload {
    pub user: Option<UserNode>,
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
    pub kind: BuyerOrganisationKindValue,
    /// The organisation's buyer id on GeM, when it buys through GeM.
    pub gem_buyer_id: Option<String>,
}

#[derive(SimpleObject, Default)]
pub struct BuyerOrganisationCreatePayload {
    pub buyer_organisation: Option<BuyerOrganisation>,
    pub errors: Vec<UserError>,
}

pub(super) fn required(field: &str, value: &str) -> Option<UserError> {
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
    let tokens = ctx.tokens()?;
    let refresh = match family {
        Some(issued) => issued,
        None => {
            accounts::issue_refresh_token(
                ctx.db()?,
                user.id,
                None,
                RefreshTokenPolicy {
                    lifetime: tokens.settings().refresh_token_lifetime,
                },
            )
            .await?
        }
    };
    let access = tokens
        .issue(&user, refresh.family_id)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(AuthPayload {
        access_token: Some(access.token),
        refresh_token: Some(refresh.token),
        expires_at: Some(access.expires_at),
        device_token: None,
        user: Some(user.into()),
        errors: Vec::new(),
    })
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Registers a buyer account. Sign in with `login` afterwards. An address that
    /// already has an account gets the same answer as a new one (and nothing is
    /// created), so registration never tells which addresses have accounts.
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
            accounts::register_buyer(ctx.db()?, &input.email, &input.password, &input.name).await;
        respond(registered, |user, errors| RegisterPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Signs in with email and password. Wrong credentials are UNAUTHENTICATED; after
    /// repeated failures the address is locked for a while, except for a device that
    /// presents its `deviceToken`.
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
        let signed_in = accounts::authenticate(
            ctx.db()?,
            &input.email,
            &input.password,
            input.device_token.as_deref().filter(|t| !t.is_empty()),
            LoginThrottle::default(),
        )
        .await
        .map_err(ApiError::from)?;
        let user = signed_in.user;
        tracing::info!(user_id = %user.id, "signed in");
        if let Some(token) = input.cart_token.as_deref().filter(|t| !t.is_empty())
            && matches!(user.role, Role::Buyer | Role::Institution)
        {
            orders::merge_anonymous_cart(ctx.db()?, user.id, token)
                .await
                .map_err(|e| ApiError::internal(&e))?;
        }
        let mut session = issue_session(ctx, user, None).await?;
        session.device_token = signed_in.device_token;
        Ok(session)
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
        let tokens = ctx.tokens()?;
        let (user, issued) = accounts::rotate_refresh_token(
            ctx.db()?,
            &input.refresh_token,
            RefreshTokenPolicy {
                lifetime: tokens.settings().refresh_token_lifetime,
            },
        )
        .await
        .map_err(ApiError::from)?;
        Ok(issue_session(ctx, user, Some(issued)).await?)
    }

    /// Ends the session of the access token in `Authorization` (its access tokens stop
    /// working at the next request) and the session of `refreshToken` when given.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] input: LogoutInput,
    ) -> Result<LogoutPayload> {
        let viewer = ctx.viewer_opt()?;
        let refresh_token = input
            .refresh_token
            .as_deref()
            .filter(|token| !token.trim().is_empty());
        if viewer.is_none() && refresh_token.is_none() {
            return Ok(LogoutPayload {
                success: false,
                errors: vec![UserError::new(
                    "refreshToken",
                    UserErrorCode::Required,
                    "sign in or give the refresh token of the session to end",
                )],
            });
        }
        let db = ctx.db()?;
        if let Some(viewer) = viewer {
            accounts::revoke_session(db, viewer.user_id, viewer.session_id)
                .await
                .map_err(ApiError::from)?;
        }
        if let Some(token) = refresh_token {
            accounts::revoke_refresh_token(db, token)
                .await
                .map_err(ApiError::from)?;
        }
        ctx.tokens()?.sessions().invalidate();
        Ok(LogoutPayload {
            success: true,
            errors: Vec::new(),
        })
    }

    /// Suspends or reinstates an account (admins only, never their own). A suspended
    /// account cannot sign in, and its sessions stop working at their next request.
    async fn user_suspend(
        &self,
        ctx: &Context<'_>,
        input: UserSuspendInput,
    ) -> Result<UserSuspendPayload> {
        let viewer = ctx.admin()?;
        let db = ctx.db()?;
        let user_id = match parse_id("userId", &input.user_id) {
            Ok(id) => id,
            Err(invalid) => {
                return Ok(UserSuspendPayload {
                    user: None,
                    errors: vec![invalid.into()],
                });
            }
        };
        let admin = accounts::find_user(db, viewer.user_id)
            .await
            .map_err(ApiError::from)?;
        let changed = accounts::set_suspended(db, &admin, user_id, input.suspended).await;
        ctx.tokens()?.sessions().invalidate();
        respond(changed, |user, errors| UserSuspendPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Creates an account of any role (admins only): cooperative staff, institutional
    /// buyers and further admins.
    async fn user_create(
        &self,
        ctx: &Context<'_>,
        input: UserCreateInput,
    ) -> Result<UserCreatePayload> {
        ctx.admin()?;
        let db = ctx.db()?;
        let mut errors = Vec::new();
        let mut id_of = |field: &str, id: Option<&ID>| {
            parse_optional_id(field, id).unwrap_or_else(|invalid| {
                errors.push(invalid.into());
                None
            })
        };
        let cooperative_id = id_of("cooperativeId", input.cooperative_id.as_ref());
        let buyer_organisation_id =
            id_of("buyerOrganisationId", input.buyer_organisation_id.as_ref());
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
        ctx.admin()?;
        let created = accounts::create_buyer_organisation(
            ctx.db()?,
            NewBuyerOrganisation {
                name: input.name,
                kind: input.kind.into(),
                gem_buyer_id: input.gem_buyer_id,
            },
        )
        .await;
        respond(created, |organisation, errors| {
            BuyerOrganisationCreatePayload {
                buyer_organisation: organisation.map(BuyerOrganisation::from),
                errors,
            }
        })
    }
}
