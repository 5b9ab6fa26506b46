//! Sales channels, listings and sync status.

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// A sales channel outside the marketplace.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "SalesChannel", remote = "connectors::Channel")]
pub enum ChannelValue {
    /// NCUI Haat, the National Cooperative Union of India's e-commerce platform.
    NcuiHaat,
    /// GeM, the Government e-Marketplace.
    Gem,
}

/// Where a listing is on its channel.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ListingState", remote = "connectors::ListingState")]
pub enum ListingStateValue {
    NotListed,
    /// Sent, or waiting to be sent, and not yet confirmed by the channel.
    Pending,
    Listed,
    /// Refused by the channel or by the marketplace's own checks; see `rejectionReasons`.
    Rejected,
    /// Listed, with a change (price, stock, details) not yet confirmed.
    OutOfSync,
    Delisted,
}

/// A product's listing on one channel.
pub struct ChannelListing(pub connectors::ListingView);

#[Object]
impl ChannelListing {
    async fn id(&self) -> ID {
        ID(self.0.listing.id.to_string())
    }
    async fn product_id(&self) -> ID {
        ID(self.0.listing.product_id.to_string())
    }
    async fn cooperative_id(&self) -> ID {
        ID(self.0.listing.cooperative_id.to_string())
    }
    async fn channel(&self) -> ChannelValue {
        self.0.listing.channel.into()
    }
    async fn state(&self) -> ListingStateValue {
        self.0.listing.state.into()
    }
    /// The cooperative wants it listed (false once delisted).
    async fn wanted(&self) -> bool {
        self.0.listing.desired == connectors::Desired::Listed
    }
    /// The channel's id for the listing, once it has one.
    async fn remote_id(&self) -> Option<&str> {
        self.0.listing.remote_id.as_deref()
    }
    async fn rejection_reasons(&self) -> &[String] {
        &self.0.listing.rejection_reasons
    }
    /// The version (push job) the channel last confirmed.
    async fn last_synced_version(&self) -> Option<String> {
        self.0.listing.last_synced_version.map(|v| v.to_string())
    }
    async fn last_synced_at(&self) -> Option<DateTime<Utc>> {
        self.0.listing.last_synced_at
    }
    /// The last push failure, while retrying or after giving up.
    async fn last_error(&self) -> Option<&str> {
        self.0.listing.last_error.as_deref()
    }
    /// Changes waiting to be pushed.
    async fn pending_changes(&self) -> u64 {
        self.0.pending_jobs
    }
    /// Pushes that failed too often; `retryChannelSync` sends them again.
    async fn dead_lettered(&self) -> u64 {
        self.0.dead_jobs
    }
}

#[derive(SimpleObject)]
pub struct StateCount {
    pub state: String,
    pub count: u64,
}

/// A channel's sync situation.
#[derive(SimpleObject)]
pub struct ChannelSyncStatus {
    pub channel: ChannelValue,
    /// An endpoint is configured, so listings are pushed (otherwise feed only).
    pub pushes: bool,
    pub listings_by_state: Vec<StateCount>,
    pub pending_changes: u64,
    pub dead_lettered: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Catalogue changes not yet turned into channel jobs (all channels together).
    pub unrelayed_changes: u64,
}
