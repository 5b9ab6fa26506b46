use sea_orm::entity::prelude::*;

use crate::NoteKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tax_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: NoteKind,
    pub cooperative_id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub number: String,
    pub note_date: Date,
    pub financial_year: String,
    pub invoice_number: String,
    pub invoice_date: Date,
    pub reason: String,
    pub supplier_state_code: String,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
    pub refund_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
