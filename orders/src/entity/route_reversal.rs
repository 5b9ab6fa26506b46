use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_reversals")]
pub struct Model {
    /// The refund that waits for this reversal.
    #[sea_orm(primary_key, auto_increment = false)]
    pub refund_id: Uuid,
    pub route_transfer_id: Uuid,
    pub amount_paise: i64,
    pub reversed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
