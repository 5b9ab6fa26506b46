use sea_orm::entity::prelude::*;

use crate::{ActorRole, HistoryStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Option<Uuid>,
    pub from_status: Option<HistoryStatus>,
    pub to_status: HistoryStatus,
    pub actor_user_id: Option<Uuid>,
    pub actor_role: ActorRole,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
