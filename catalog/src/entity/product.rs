use sea_orm::entity::prelude::*;

use crate::status::ProductStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub description: String,
    pub cooperative_id: Uuid,
    pub category_id: Uuid,
    pub status: ProductStatus,
    pub attributes: Json,
    pub images: Json,
    pub declarations: Json,
    /// Overrides the category's HSN code; NULL keeps the category's.
    pub hsn_code: Option<String>,
    /// Make in India local content and delivery lead time; NULL on older rows.
    pub procurement: Option<Json>,
    /// The cheapest variant's price, kept for sorting by price.
    pub min_price_paise: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
