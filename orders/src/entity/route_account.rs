use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cooperative_id: Uuid,
    pub linked_account_id: Option<String>,
    pub commission_bps: Option<i32>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
