//! Password resets and email verification: one-time tokens mailed to the address,
//! stored as their SHA-256 only, used once, expiring.
//!
//! A reset request answers the same whether or not the address has an account (and
//! does about the same work: the message is rendered either way, only the writes
//! differ), so it tells nobody which addresses are registered. A reset ends every
//! session of the account and lifts the per-address login lock; the new password
//! meets the same rules as at registration.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use kernel::{Writer, begin_write};
use notifications::{Envelope, Message};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    AccountError, Email, User, UserId,
    entity::{
        account_token::{self, TokenPurpose},
        login_attempt, user,
    },
    password::{check_password_policy, hash_password},
    revoke_user_sessions,
};

/// How long an email-verification token works.
pub const EMAIL_VERIFICATION_LIFETIME_HOURS: i64 = 48;

fn new_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn insert_token(
    db: &impl ConnectionTrait,
    user: &user::Model,
    purpose: TokenPurpose,
    hash: String,
    expires_at: DateTime<Utc>,
) -> Result<Uuid, AccountError> {
    let id = Uuid::now_v7();
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(id),
        user_id: Set(user.id),
        purpose: Set(purpose),
        email: Set(user.email.clone()),
        token_hash: Set(hash),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Mails a reset token to `email` if it has an account in good standing; answers the
/// same either way.
pub async fn request_password_reset(
    db: &impl Writer,
    email: &str,
    lifetime: Duration,
) -> Result<(), AccountError> {
    let email = Email::parse(email)?;
    let (token, hash) = new_token();
    let valid_minutes = lifetime.num_minutes().max(1);
    let txn = begin_write(db).await?;
    let owner = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .filter(|u| u.suspended_at.is_none());
    match owner {
        Some(owner) => {
            let id = insert_token(
                &txn,
                &owner,
                TokenPurpose::PasswordReset,
                hash,
                Utc::now() + lifetime,
            )
            .await?;
            notifications::record(
                &txn,
                Envelope {
                    key: format!("password-reset:{id}"),
                    to: owner.email.clone(),
                    user_id: Some(owner.id),
                    language: owner.language,
                    message: Message::PasswordReset {
                        token,
                        valid_minutes,
                    },
                    attachments: Vec::new(),
                },
            )
            .await?;
        }
        None => {
            // The same rendering work as for a real account; nothing is stored.
            notifications::Rendered::of(
                &Message::PasswordReset {
                    token,
                    valid_minutes,
                },
                notifications::Language::default(),
            )?;
            tracing::info!("password reset asked for an address without an active account");
        }
    }
    txn.commit().await?;
    Ok(())
}

/// A usable token of `purpose`, or [`AccountError::TokenInvalid`].
async fn usable_token(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: TokenPurpose,
) -> Result<account_token::Model, AccountError> {
    account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(hash_token(token.trim())))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > Utc::now())
        .ok_or(AccountError::TokenInvalid)
}

/// Uses up a token, once: of two requests racing with one token, one wins.
async fn use_token(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AccountError> {
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(Utc::now())))
        .filter(account_token::Column::Id.eq(id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected == 1 {
        Ok(())
    } else {
        Err(AccountError::TokenInvalid)
    }
}

/// Sets a new password with a reset token. Every session of the account ends, its
/// other reset tokens stop working, and the login lock on its address is lifted.
pub async fn reset_password(
    db: &impl Writer,
    token: &str,
    new_password: &str,
) -> Result<UserId, AccountError> {
    let found = usable_token(db, token, TokenPurpose::PasswordReset).await?;
    let owner = user::Entity::find_by_id(found.user_id)
        .one(db)
        .await?
        .filter(|u| u.suspended_at.is_none() && u.email == found.email)
        .ok_or(AccountError::TokenInvalid)?;
    // Checked before the token is used up, so that a rejected password leaves it usable.
    check_password_policy(new_password, &owner.email)?;
    let password_hash = hash_password(new_password).await?;
    let txn = begin_write(db).await?;
    use_token(&txn, found.id).await?;
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(Utc::now())))
        .filter(account_token::Column::UserId.eq(owner.id))
        .filter(account_token::Column::Purpose.eq(TokenPurpose::PasswordReset))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(owner.id))
        .exec(&txn)
        .await?;
    revoke_user_sessions(&txn, owner.id).await?;
    login_attempt::Entity::delete_by_id(owner.email.clone())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(user_id = %owner.id, "password reset");
    Ok(owner.id)
}

/// Mails `user` a token that proves their address, unless it is proven already.
/// Runs on the caller's transaction (registration's, so account and mail commit
/// together).
pub async fn request_email_verification(
    db: &impl ConnectionTrait,
    user: &User,
) -> Result<(), AccountError> {
    let Some(model) = user::Entity::find_by_id(user.id).one(db).await? else {
        return Err(AccountError::UserNotFound);
    };
    if model.email_verified_at.is_some() {
        return Ok(());
    }
    let (token, hash) = new_token();
    let expires_at = Utc::now() + Duration::hours(EMAIL_VERIFICATION_LIFETIME_HOURS);
    let id = insert_token(
        db,
        &model,
        TokenPurpose::EmailVerification,
        hash,
        expires_at,
    )
    .await?;
    notifications::record(
        db,
        Envelope {
            key: format!("email-verification:{id}"),
            to: model.email.clone(),
            user_id: Some(model.id),
            language: model.language,
            message: Message::EmailVerification { token, expires_at },
            attachments: Vec::new(),
        },
    )
    .await?;
    Ok(())
}

/// An address proven by its owner: what `emailVerify` returns, and the point where
/// whatever waits for a verified address (e.g. claiming guest orders placed with it)
/// hooks in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEmail {
    pub user_id: UserId,
    pub email: String,
    /// False when the address had been verified before (an older token).
    pub newly_verified: bool,
}

/// Marks the address of the token's account as verified. The token must have been sent
/// to the account's current address.
pub async fn verify_email(db: &impl Writer, token: &str) -> Result<VerifiedEmail, AccountError> {
    let txn = begin_write(db).await?;
    let found = usable_token(&txn, token, TokenPurpose::EmailVerification).await?;
    let owner = user::Entity::find_by_id(found.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.email == found.email)
        .ok_or(AccountError::TokenInvalid)?;
    use_token(&txn, found.id).await?;
    let newly_verified = owner.email_verified_at.is_none();
    if newly_verified {
        user::Entity::update_many()
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(Some(Utc::now())))
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(owner.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(VerifiedEmail {
        user_id: owner.id,
        email: owner.email,
        newly_verified,
    })
}

/// Sets the language of the messages `user_id` is sent.
pub async fn set_language(
    db: &impl ConnectionTrait,
    user_id: UserId,
    language: notifications::Language,
) -> Result<User, AccountError> {
    user::Entity::update_many()
        .col_expr(user::Column::Language, Expr::value(language))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    crate::find_user(db, user_id).await
}
