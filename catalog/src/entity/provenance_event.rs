use sea_orm::entity::prelude::*;

use crate::status::EventKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provenance_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub sequence: i32,
    pub kind: EventKind,
    pub occurred_at: DateTimeUtc,
    pub location: String,
    pub notes: String,
    pub data: Json,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
    pub previous_hash: String,
    pub content_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
