use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "einvoice_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fulfilment_id: Uuid,
    /// The invoice number the IRN was issued for.
    pub invoice_number: String,
    pub irn: String,
    pub ack_no: String,
    pub ack_date: DateTimeUtc,
    pub signed_qr: String,
    pub actor_user_id: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
