//! The append-only status history of orders and fulfilments: who, when, from, to, why.
//! Rows are only ever inserted.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::{HistoryStatus, OrderError, Party, entity::order_event};

use crate::records::HistoryEntry;

pub(crate) async fn record(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    fulfilment_id: Option<Uuid>,
    from: Option<HistoryStatus>,
    to: HistoryStatus,
    party: &Party,
    reason: Option<&str>,
) -> Result<(), OrderError> {
    order_event::Entity::insert(order_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        fulfilment_id: Set(fulfilment_id),
        from_status: Set(from),
        to_status: Set(to),
        actor_user_id: Set(party.user_id()),
        actor_role: Set(party.role()),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// An order's history, oldest first.
pub async fn history_of(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<HistoryEntry>, OrderError> {
    Ok(order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order_id))
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(HistoryEntry::from)
        .collect())
}
