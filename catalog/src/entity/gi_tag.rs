use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "gi_tags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub application_number: Option<String>,
    pub class_of_goods: Option<String>,
    pub goods_description: String,
    pub registered_proprietor: Option<String>,
    pub area_districts: Json,
    pub area_description: String,
    pub registration_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub facts_confirmed: bool,
    pub source_note: String,
    pub covered_categories: Option<Json>,
    pub hsn_prefixes: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
