//! Sessions as the request path sees them. A session is a refresh-token family: it
//! starts at login, and its access tokens name it. Every request checks that the
//! session is still live and reads the user as they are now, so that a logout, a role
//! change, a removal from a cooperative, a suspension or a deletion takes effect at
//! the next request instead of when the access token expires.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    AccountError, User, UserId,
    entity::{refresh_token, user},
};

/// The user behind a live session, or `None` when the session was revoked or has
/// expired, or the user was suspended or deleted.
pub async fn live_session_user(
    db: &impl ConnectionTrait,
    user_id: UserId,
    session_id: Uuid,
) -> Result<Option<User>, AccountError> {
    let Some(found) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if found.suspended_at.is_some() {
        return Ok(None);
    }
    // A family is live while it holds a token that is neither revoked nor expired (the
    // newest one; rotated tokens stay unrevoked, so the expiry test matters).
    let live = refresh_token::Entity::find()
        .select_only()
        .column(refresh_token::Column::Id)
        .filter(refresh_token::Column::FamilyId.eq(session_id))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(Utc::now()))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .is_some();
    Ok(live.then(|| User::from(found)))
}

/// Ends one session of a user (logout with the access token).
pub async fn revoke_session(
    db: &impl ConnectionTrait,
    user_id: UserId,
    session_id: Uuid,
) -> Result<(), AccountError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::FamilyId.eq(session_id))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user: after a suspension, a removal from a cooperative or
/// a change of their standing in it.
pub async fn revoke_user_sessions(
    db: &impl ConnectionTrait,
    user_id: UserId,
) -> Result<(), AccountError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Suspends or reinstates an account (admins only; never their own). Suspension ends
/// every session of the account at once.
pub async fn set_suspended(
    db: &impl ConnectionTrait,
    admin: &User,
    user_id: UserId,
    suspended: bool,
) -> Result<User, AccountError> {
    if admin.role != crate::Role::Admin {
        return Err(AccountError::Forbidden(
            "only platform admins may suspend accounts".to_owned(),
        ));
    }
    if admin.id == user_id {
        return Err(AccountError::InvalidInput {
            field: "userId",
            message: "admins cannot suspend their own account".to_owned(),
        });
    }
    let Some(found) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Err(AccountError::UserNotFound);
    };
    let now = Utc::now();
    let suspended_at = if suspended {
        Some(found.suspended_at.unwrap_or(now))
    } else {
        None
    };
    let updated = user::Entity::update(user::ActiveModel {
        id: Set(found.id),
        suspended_at: Set(suspended_at),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    if suspended {
        revoke_user_sessions(db, user_id).await?;
    }
    Ok(User::from(updated))
}
