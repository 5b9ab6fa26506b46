use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_gi_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    pub gi_tag_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::gi_tag::Entity",
        from = "Column::GiTagId",
        to = "super::gi_tag::Column::Id"
    )]
    GiTag,
}

impl Related<super::gi_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GiTag.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
