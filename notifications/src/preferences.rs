//! Which optional messages a user receives. Stored as opt-outs, so a new optional kind
//! reaches everyone until they switch it off; transactional kinds cannot be switched
//! off at all.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{Kind, NotificationError, entity::notification_opt_out};

/// Whether a user receives one optional kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preference {
    pub kind: Kind,
    pub enabled: bool,
}

/// Every optional kind with the user's choice, in the kinds' order.
pub async fn preferences(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<Preference>, NotificationError> {
    let off: Vec<Kind> = notification_opt_out::Entity::find()
        .filter(notification_opt_out::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.kind)
        .collect();
    Ok(Kind::optional_kinds()
        .map(|kind| Preference {
            kind,
            enabled: !off.contains(&kind),
        })
        .collect())
}

/// Switches optional kinds on or off; a transactional kind is refused (nothing is
/// changed then).
pub async fn set_preferences(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    choices: &[Preference],
) -> Result<(), NotificationError> {
    if let Some(choice) = choices.iter().find(|c| !c.kind.optional()) {
        return Err(NotificationError::NotOptional(choice.kind));
    }
    for choice in choices {
        if choice.enabled {
            notification_opt_out::Entity::delete_many()
                .filter(notification_opt_out::Column::UserId.eq(user_id))
                .filter(notification_opt_out::Column::Kind.eq(choice.kind))
                .exec(db)
                .await?;
        } else {
            notification_opt_out::Entity::insert(notification_opt_out::ActiveModel {
                user_id: Set(user_id),
                kind: Set(choice.kind),
                created_at: Set(Utc::now()),
            })
            .on_conflict(
                OnConflict::columns([
                    notification_opt_out::Column::UserId,
                    notification_opt_out::Column::Kind,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

/// Whether the user switched this kind off (never true for a transactional kind).
pub(crate) async fn opted_out(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    kind: Kind,
) -> Result<bool, NotificationError> {
    if !kind.optional() {
        return Ok(false);
    }
    Ok(notification_opt_out::Entity::find()
        .filter(notification_opt_out::Column::UserId.eq(user_id))
        .filter(notification_opt_out::Column::Kind.eq(kind))
        .one(db)
        .await?
        .is_some())
}
