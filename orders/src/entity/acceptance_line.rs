use sea_orm::entity::prelude::*;

use crate::RejectedDisposition;

/// One line of a consignee's receipt and acceptance (GeM's CRAC).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acceptance_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fulfilment_id: Uuid,
    pub order_line_id: Uuid,
    pub consignee_id: Option<Uuid>,
    pub ordered: i32,
    pub accepted: i32,
    pub rejected: i32,
    /// What became of the rejected units; None when nothing was rejected.
    pub disposition: Option<RejectedDisposition>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
