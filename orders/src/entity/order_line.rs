use sea_orm::entity::prelude::*;

use crate::LineKind;
use catalog::Uqc;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub consignee_id: Option<Uuid>,
    pub position: i32,
    pub kind: LineKind,
    pub variant_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub sku: String,
    pub description: String,
    pub hsn: String,
    pub quantity: i32,
    /// The unit quantity code `quantity` is counted in (the variant's when sold).
    pub uqc: Uqc,
    /// Pieces in each unit sold (a pack's); the per-piece GST rules use it.
    pub pieces_per_unit: i32,
    pub unit_price_paise: i64,
    pub total_paise: i64,
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub place_of_supply: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
