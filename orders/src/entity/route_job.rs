use sea_orm::entity::prelude::*;

use crate::RouteJobKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub route_transfer_id: Uuid,
    pub kind: RouteJobKind,
    /// The refund a REVERSE job reverses for.
    pub refund_id: Option<Uuid>,
    pub attempts: i32,
    pub available_at: DateTimeUtc,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub dead_at: Option<DateTimeUtc>,
    pub enqueued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
