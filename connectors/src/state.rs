//! What a listing's row stores: what the cooperative wants and where the listing is on
//! its channel. Below the entity and every use case (listings, relay, push, feeds,
//! inbound), so that none of them imports these from another.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// What the cooperative wants of a listing: on the channel or off it. Stored as LISTED
/// or DELISTED; a stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Desired {
    #[sea_orm(string_value = "LISTED")]
    Listed,
    #[sea_orm(string_value = "DELISTED")]
    Delisted,
}

/// Where a listing is on its channel. Stored as its upper-case name; a stored value
/// outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ListingState {
    #[sea_orm(string_value = "NOT_LISTED")]
    NotListed,
    /// Sent (or waiting to be sent) and not yet confirmed.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "LISTED")]
    Listed,
    /// The channel (or our own check) refused it; the reasons say why.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// Listed, with a change not yet confirmed by the channel.
    #[sea_orm(string_value = "OUT_OF_SYNC")]
    OutOfSync,
    #[sea_orm(string_value = "DELISTED")]
    Delisted,
}

impl ListingState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotListed => "NOT_LISTED",
            Self::Pending => "PENDING",
            Self::Listed => "LISTED",
            Self::Rejected => "REJECTED",
            Self::OutOfSync => "OUT_OF_SYNC",
            Self::Delisted => "DELISTED",
        }
    }
}
