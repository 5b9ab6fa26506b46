use sea_orm::entity::prelude::*;

use crate::RouteTransferStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fulfilment_id: Uuid,
    pub order_id: Uuid,
    pub cooperative_id: Uuid,
    pub linked_account_id: String,
    /// The cooperative's share, transferred.
    pub amount_paise: i64,
    /// What the marketplace kept as commission.
    pub commission_paise: i64,
    /// The TCS the operator kept.
    pub tcs_paise: i64,
    pub status: RouteTransferStatus,
    /// Razorpay's `trf_` id, once its create answered (or a look-up found it).
    pub transfer_reference: Option<String>,
    pub on_hold: bool,
    pub released_at: Option<DateTimeUtc>,
    /// How much of it Razorpay has reversed.
    pub reversed_paise: i64,
    pub failure: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
