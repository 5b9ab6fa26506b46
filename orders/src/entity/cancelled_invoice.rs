use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cancelled_invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub number: String,
    pub invoice_date: Date,
    pub reason: String,
    /// The number issued in its place for the same supply.
    pub replaced_by: String,
    pub actor_user_id: Option<Uuid>,
    pub cancelled_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
