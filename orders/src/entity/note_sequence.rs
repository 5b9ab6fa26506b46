use sea_orm::entity::prelude::*;

use crate::NoteKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "note_sequences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cooperative_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub financial_year: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: NoteKind,
    pub last_number: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
