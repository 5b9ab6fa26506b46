//! The accounts behind [`notifications::Directory`]: the crates that send messages
//! about orders and GI authorisations find their recipients here without depending on
//! this crate.

use notifications::{Directory, Recipient};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{Role, entity::user};

/// Users as message recipients: suspended accounts receive nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recipients;

fn recipient(user: user::Model) -> Recipient {
    Recipient {
        user_id: Some(user.id),
        email: user.email,
        language: user.language,
    }
}

#[async_trait::async_trait]
impl Directory for Recipients {
    async fn user(
        &self,
        db: &DatabaseTransaction,
        user_id: Uuid,
    ) -> Result<Option<Recipient>, DbErr> {
        Ok(user::Entity::find_by_id(user_id)
            .filter(user::Column::SuspendedAt.is_null())
            .one(db)
            .await?
            .map(recipient))
    }

    async fn cooperative_staff(
        &self,
        db: &DatabaseTransaction,
        cooperative_id: Uuid,
    ) -> Result<Vec<Recipient>, DbErr> {
        Ok(user::Entity::find()
            .filter(user::Column::Role.eq(Role::Cooperative))
            .filter(user::Column::CooperativeId.eq(cooperative_id))
            .filter(user::Column::SuspendedAt.is_null())
            .order_by_asc(user::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(recipient)
            .collect())
    }
}
