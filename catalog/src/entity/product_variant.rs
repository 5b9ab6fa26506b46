use sea_orm::entity::prelude::*;

use crate::{
    Currency,
    status::{NetUnit, Uqc},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    pub cooperative_id: Uuid,
    pub sku: String,
    pub title: String,
    pub price_paise: i64,
    pub mrp_paise: i64,
    pub currency: Currency,
    pub weight_grams: i32,
    pub pieces_per_unit: i32,
    pub uqc: Uqc,
    /// The declared net quantity in thousandths of `net_quantity_unit`.
    pub net_quantity_milli: Option<i64>,
    pub net_quantity_unit: Option<NetUnit>,
    pub stock_on_hand: i32,
    pub min_order_quantity: i32,
    pub tier_prices: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
