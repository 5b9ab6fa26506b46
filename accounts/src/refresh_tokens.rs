//! Refresh tokens: opaque random values, stored only as SHA-256 hashes, rotated on every
//! use. Each login starts a family; presenting a token that was already rotated means it
//! was copied, so the whole family is revoked and its holder must log in again.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{AccountError, User, entity::refresh_token, users::find_user};

/// How long refresh tokens live.
#[derive(Debug, Clone, Copy)]
pub struct RefreshTokenPolicy {
    pub lifetime: Duration,
}

impl Default for RefreshTokenPolicy {
    fn default() -> Self {
        Self {
            lifetime: Duration::days(30),
        }
    }
}

/// A freshly issued refresh token; `token` is shown to the client once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedRefreshToken {
    pub token: String,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn new_token_value() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Issues a refresh token for a user, starting a new family unless one is given.
pub async fn issue_refresh_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Option<Uuid>,
    policy: RefreshTokenPolicy,
) -> Result<IssuedRefreshToken, AccountError> {
    let token = new_token_value();
    let now = Utc::now();
    let family_id = family_id.unwrap_or_else(Uuid::now_v7);
    let expires_at = now + policy.lifetime;
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(hash_token(&token)),
        issued_at: Set(now),
        expires_at: Set(expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(IssuedRefreshToken {
        token,
        family_id,
        expires_at,
    })
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<(), AccountError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Exchanges a refresh token for a new one of the same family.
pub async fn rotate_refresh_token(
    db: &impl ConnectionTrait,
    presented: &str,
    policy: RefreshTokenPolicy,
) -> Result<(User, IssuedRefreshToken), AccountError> {
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(presented)))
        .one(db)
        .await?
    else {
        return Err(AccountError::RefreshTokenInvalid);
    };
    if stored.revoked_at.is_some() {
        return Err(AccountError::RefreshTokenInvalid);
    }
    if stored.rotated_at.is_some() {
        revoke_family(db, stored.family_id).await?;
        tracing::warn!(user_id = %stored.user_id, family_id = %stored.family_id, "refresh token reused; family revoked");
        return Err(AccountError::RefreshTokenReused);
    }
    let now = Utc::now();
    if stored.expires_at <= now {
        return Err(AccountError::RefreshTokenInvalid);
    }
    // Only one of two concurrent rotations of the same token may win; the loser is a reuse.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_family(db, stored.family_id).await?;
        return Err(AccountError::RefreshTokenReused);
    }
    let user = find_user(db, stored.user_id).await?;
    if user.suspended_at.is_some() {
        revoke_family(db, stored.family_id).await?;
        return Err(AccountError::Suspended);
    }
    let issued = issue_refresh_token(db, user.id, Some(stored.family_id), policy).await?;
    Ok((user, issued))
}

/// Logs out: revokes the family of the presented token. Unknown tokens are ignored so
/// that logout never tells an attacker whether a token existed.
pub async fn revoke_refresh_token(
    db: &impl ConnectionTrait,
    presented: &str,
) -> Result<(), AccountError> {
    if let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(presented)))
        .one(db)
        .await?
    {
        revoke_family(db, stored.family_id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod known_answer {
    /// Refresh tokens are stored as their SHA-256 in lower-case hex; the FIPS 180-2 vector for
    /// "abc" pins both the digest and the encoding.
    #[test]
    fn a_token_is_stored_as_its_sha256_in_hex() {
        assert_eq!(
            super::hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
