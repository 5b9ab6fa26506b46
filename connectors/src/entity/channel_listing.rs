use sea_orm::entity::prelude::*;

use crate::{
    Channel,
    state::{Desired, ListingState},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    pub cooperative_id: Uuid,
    pub channel: Channel,
    /// What the cooperative wants: LISTED or DELISTED.
    pub desired: Desired,
    pub state: ListingState,
    pub remote_id: Option<String>,
    pub rejection_reasons: Option<Json>,
    pub last_synced_version: Option<i64>,
    pub last_synced_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
