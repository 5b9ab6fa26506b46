//! Password resets, email verification and the user's own preferences.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    ApiError, UserError, UserErrorCode,
    context::ContextExt,
    errors::{Failure, respond},
};

use super::{mutations::required, *};

/// How long a password-reset token works.
#[derive(Debug, Clone, Copy)]
pub struct PasswordResetLifetime(pub chrono::Duration);

#[derive(InputObject)]
pub struct PasswordResetRequestInput {
    pub email: String,
}

/// The same answer whether or not the address has an account.
#[derive(SimpleObject, Default)]
pub struct PasswordResetRequestPayload {
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct PasswordResetInput {
    /// The code from the reset email.
    pub token: String,
    pub new_password: String,
}

#[derive(SimpleObject, Default)]
pub struct PasswordResetPayload {
    /// True when the password was changed; sign in with it.
    pub reset: bool,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct EmailVerificationRequestPayload {
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct EmailVerifyInput {
    /// The code from the verification email.
    pub token: String,
}

#[derive(SimpleObject, Default)]
pub struct EmailVerifyPayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct MeUpdateInput {
    /// The language of the messages you are sent.
    pub language: Option<LanguageValue>,
    /// Switches optional messages (reminders) on or off; a kind not listed stays as
    /// it is. Transactional kinds (orders, resets, verification) cannot be switched off.
    pub notification_preferences: Option<Vec<NotificationPreferenceInput>>,
}

#[derive(InputObject)]
pub struct NotificationPreferenceInput {
    pub kind: NotificationKindValue,
    pub enabled: bool,
}

#[derive(SimpleObject, Default)]
pub struct MeUpdatePayload {
    pub user: Option<UserNode>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct RecoveryMutation;

#[Object]
impl RecoveryMutation {
    /// Mails a single-use password-reset code to the address if it has an account.
    /// The answer is the same whether or not it has one.
    async fn password_reset_request(
        &self,
        ctx: &Context<'_>,
        input: PasswordResetRequestInput,
    ) -> Result<PasswordResetRequestPayload> {
        if let Some(error) = required("email", &input.email) {
            return Ok(PasswordResetRequestPayload {
                errors: vec![error],
            });
        }
        let lifetime = ctx
            .data::<PasswordResetLifetime>()
            .map_err(|_| crate::graphql::ApiError::Internal)?
            .0;
        let requested = accounts::request_password_reset(ctx.db()?, &input.email, lifetime).await;
        respond(requested, |_, errors| PasswordResetRequestPayload {
            errors,
        })
    }

    /// Sets a new password with the code from the reset email. The code works once and
    /// expires; every session of the account ends, and the login lock on its address
    /// is lifted.
    async fn password_reset(
        &self,
        ctx: &Context<'_>,
        input: PasswordResetInput,
    ) -> Result<PasswordResetPayload> {
        let errors: Vec<UserError> = [
            required("token", &input.token),
            required("newPassword", &input.new_password),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !errors.is_empty() {
            return Ok(PasswordResetPayload {
                reset: false,
                errors,
            });
        }
        let reset = accounts::reset_password(ctx.db()?, &input.token, &input.new_password).await;
        respond(reset, |done, errors| PasswordResetPayload {
            reset: done.is_some(),
            errors: errors
                .into_iter()
                .map(|mut e| {
                    // The domain checks "password"; this input calls it newPassword.
                    if e.field.last().is_some_and(|f| f == "password") {
                        e.field = vec!["input".to_owned(), "newPassword".to_owned()];
                    }
                    e
                })
                .collect(),
        })
    }

    /// Mails the signed-in user a new code that proves their address (registration
    /// sends one already).
    async fn email_verification_request(
        &self,
        ctx: &Context<'_>,
    ) -> Result<EmailVerificationRequestPayload> {
        let viewer = ctx.viewer()?;
        let db = ctx.db()?;
        let requested = async {
            let user = accounts::find_user(db, viewer.user_id).await?;
            let txn = kernel::begin_write(db).await?;
            accounts::request_email_verification(&txn, &user).await?;
            txn.commit().await?;
            Ok::<_, accounts::AccountError>(())
        }
        .await;
        respond(requested, |_, errors| EmailVerificationRequestPayload {
            errors,
        })
    }

    /// Proves an address with the code from the verification email (no sign-in
    /// needed: the code is the proof).
    async fn email_verify(
        &self,
        ctx: &Context<'_>,
        input: EmailVerifyInput,
    ) -> Result<EmailVerifyPayload> {
        if let Some(error) = required("token", &input.token) {
            return Ok(EmailVerifyPayload {
                user: None,
                errors: vec![error],
            });
        }
        let db = ctx.db()?;
        let verified = async {
            let verified = accounts::verify_email(db, &input.token).await?;
            tracing::info!(user_id = %verified.user_id, newly = verified.newly_verified, "email verified");
            let user = accounts::find_user(db, verified.user_id).await?;
            Ok::<_, accounts::AccountError>((user, verified.email))
        }
        .await;
        // A guest's orders belong to whoever proves the address they were placed with:
        // a buyer account takes them over once its email is verified (never on an
        // unproven address, which anyone could register). A failed claim is reported as
        // the error it is; the verification itself has been committed.
        let verified = match verified {
            Ok((user, email)) => {
                if user.role == accounts::Role::Buyer {
                    let claimed = ctx
                        .orders()?
                        .claim_guest_orders(user.id, &email)
                        .await
                        .map_err(|error| ApiError::from(Failure::from(error)))?;
                    tracing::info!(user_id = %user.id, claimed, "guest orders claimed");
                }
                Ok(user)
            }
            Err(error) => Err(error),
        };
        respond(verified, |user, errors| EmailVerifyPayload {
            user: user.map(Into::into),
            errors,
        })
    }

    /// Changes the signed-in user's own preferences.
    async fn me_update(&self, ctx: &Context<'_>, input: MeUpdateInput) -> Result<MeUpdatePayload> {
        let viewer = ctx.viewer()?;
        let db = ctx.db()?;
        let choices: Vec<notifications::Preference> = input
            .notification_preferences
            .unwrap_or_default()
            .into_iter()
            .map(|p| notifications::Preference {
                kind: p.kind.into(),
                enabled: p.enabled,
            })
            .collect();
        let refused: Vec<UserError> = choices
            .iter()
            .enumerate()
            .filter(|(_, choice)| !choice.kind.optional())
            .map(|(i, choice)| UserError {
                field: vec![
                    "input".to_owned(),
                    "notificationPreferences".to_owned(),
                    i.to_string(),
                    "kind".to_owned(),
                ],
                code: UserErrorCode::NotAllowed,
                message: format!(
                    "{:?} messages always go; only reminders can be switched off",
                    choice.kind
                ),
            })
            .collect();
        if !refused.is_empty() {
            return Ok(MeUpdatePayload {
                user: None,
                errors: refused,
            });
        }
        // The language and the preferences change together or not at all.
        let txn = kernel::begin_write(db)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        notifications::set_preferences(&txn, viewer.user_id, &choices)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let updated = match input.language {
            Some(language) => accounts::set_language(&txn, viewer.user_id, language.into()).await,
            None => accounts::find_user(&txn, viewer.user_id).await,
        };
        if updated.is_ok() {
            txn.commit().await.map_err(|e| ApiError::internal(&e))?;
        }
        respond(updated, |user, errors| MeUpdatePayload {
            user: user.map(Into::into),
            errors,
        })
    }
}
