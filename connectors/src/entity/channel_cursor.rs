use sea_orm::entity::prelude::*;

use crate::Channel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_cursors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: Channel,
    pub cursor: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
