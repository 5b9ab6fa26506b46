//! A cooperative's staff as its managers manage them: the list, a member's standing
//! (manager or staff) and removal. A removed member's account stays, as a buyer's,
//! and every session of it ends at once; a change of standing applies at the member's
//! next request (sessions read the user's standing on every request).

use chrono::Utc;
use kernel::{Page, PageRequest, paging::fetch_page};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    AccountError, CooperativeRole, Role, User, UserId, entity::user, find_user,
    sessions::revoke_user_sessions,
};

/// Whether `actor` manages `cooperative_id` (its managers and platform admins do).
fn manages(actor: &User, cooperative_id: Uuid) -> bool {
    actor.role == Role::Admin
        || (actor.role == Role::Cooperative
            && actor.cooperative_id == Some(cooperative_id)
            && actor.cooperative_role == Some(CooperativeRole::Manager))
}

fn forbidden() -> AccountError {
    AccountError::Forbidden(
        "only this cooperative's managers or an admin may manage its staff".to_owned(),
    )
}

/// The staff of a cooperative, oldest first (its managers and admins).
pub async fn list_staff(
    db: &impl ConnectionTrait,
    actor: &User,
    cooperative_id: Uuid,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<User>, AccountError> {
    if !manages(actor, cooperative_id) {
        return Err(forbidden());
    }
    let select = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Cooperative))
        .filter(user::Column::CooperativeId.eq(cooperative_id));
    let page = fetch_page(db, select, user::Column::Id, false, request, default_size).await?;
    page.try_map(|model| Ok::<_, AccountError>(User::from(model)))
}

/// The member `user_id` and their cooperative, once `actor` is allowed to manage it.
/// Managers act on others only: a cooperative is never left without the manager who
/// would have to undo the change.
async fn member_for(
    db: &impl ConnectionTrait,
    actor: &User,
    user_id: UserId,
) -> Result<(User, Uuid), AccountError> {
    let member = find_user(db, user_id).await?;
    let Some(cooperative_id) = member
        .cooperative_id
        .filter(|_| member.role == Role::Cooperative)
    else {
        // Whoever may not see staff learns no more than they would about staff.
        if actor.role == Role::Admin {
            return Err(AccountError::InvalidInput {
                field: "userId",
                message: "this user is not a cooperative's staff".to_owned(),
            });
        }
        return Err(forbidden());
    };
    if !manages(actor, cooperative_id) {
        return Err(forbidden());
    }
    if member.id == actor.id {
        return Err(AccountError::NotAllowed {
            field: "userId",
            message: "managers cannot change or remove themselves; another manager or an admin can"
                .to_owned(),
        });
    }
    Ok((member, cooperative_id))
}

/// Makes a member a manager or staff of their cooperative.
pub async fn change_staff_role(
    db: &impl ConnectionTrait,
    actor: &User,
    user_id: UserId,
    cooperative_role: CooperativeRole,
) -> Result<User, AccountError> {
    let (member, cooperative_id) = member_for(db, actor, user_id).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::CooperativeRole,
            Expr::value(Some(cooperative_role.as_str())),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(member.id))
        .filter(user::Column::CooperativeId.eq(cooperative_id))
        .exec(db)
        .await?;
    find_user(db, member.id).await
}

/// Removes a member from their cooperative: the account becomes a buyer's, and every
/// session of it ends at once.
pub async fn remove_staff(
    db: &impl ConnectionTrait,
    actor: &User,
    user_id: UserId,
) -> Result<User, AccountError> {
    let (member, cooperative_id) = member_for(db, actor, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(Role::Buyer.as_str()))
        .col_expr(
            user::Column::CooperativeId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            user::Column::CooperativeRole,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(member.id))
        .filter(user::Column::CooperativeId.eq(cooperative_id))
        .exec(db)
        .await?;
    revoke_user_sessions(db, member.id).await?;
    find_user(db, member.id).await
}
