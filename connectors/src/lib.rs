//! Connectors: a cooperative lists a product once and it reaches NCUI Haat and GeM.
//!
//! - [`mapping`]: a product becomes each channel's catalogue item, every required field
//!   checked first.
//! - [`listings`]: per product and channel, a listing with its state (PENDING, LISTED,
//!   REJECTED, OUT_OF_SYNC, DELISTED), remote id and last synced version.
//! - [`relay`] and [`push`]: catalogue changes (recorded by the catalog in the same
//!   transaction, `catalog_changes`) become channel jobs in `channel_outbox`, pushed with
//!   idempotency keys, retries with exponential backoff and jitter, `429 Retry-After`,
//!   and a dead-letter state after too many failures.
//! - [`feeds`]: GeM's bulk-catalogue CSV/JSON and NCUI Haat's JSON, streamed.
//! - [`inbound`]: channel orders by webhook or polling, de-duplicated, stock reserved.
//!
//! Neither platform publishes a seller API (see `docs/connectors.md`); the push and
//! inbound contracts here are this project's own, ready to be adapted when they do.

mod channel;
mod entity;
mod error;
pub mod feeds;
pub mod inbound;
pub mod listings;
pub mod mapping;
mod outbox;
pub mod push;
pub mod relay;
mod state;
mod worker;

use std::{collections::HashMap, sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

pub use channel::Channel;
pub use error::ConnectorError;
pub use listings::{Listing, ListingFilter, ListingPage, ListingView, SyncStatus};
pub use mapping::ChannelCategories;
pub use state::{Desired, ListingState};
pub use worker::{ChannelOrderPoll, ChannelPush, ChannelRelay};

/// Where a channel's push API is and how to authenticate to it.
#[derive(Clone)]
pub struct ChannelEndpoint {
    pub base_url: String,
    pub api_key: String,
}

/// One channel's configuration; each part is optional.
#[derive(Clone, Default)]
pub struct ChannelConfig {
    /// Push listings to the channel (and poll its orders when enabled).
    pub endpoint: Option<ChannelEndpoint>,
    /// The key that protects this channel's feed; no feed without it.
    pub feed_api_key: Option<String>,
    /// The secret that signs the channel's order webhooks; no webhook without it.
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelConfig")
            .field(
                "endpoint",
                &self.endpoint.as_ref().map(|e| e.base_url.as_str()),
            )
            .field("feed", &self.feed_api_key.is_some())
            .field("webhook", &self.webhook_secret.is_some())
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct ConnectorSettings {
    pub channels: HashMap<Channel, ChannelConfig>,
    /// Failed pushes are dead-lettered after this many attempts.
    pub max_attempts: i32,
    /// The first retry delay; it doubles each attempt (with jitter) up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub request_timeout: Duration,
    /// How long a signed webhook stays acceptable.
    pub signature_tolerance: Duration,
}

impl Default for ConnectorSettings {
    fn default() -> Self {
        Self {
            channels: HashMap::new(),
            max_attempts: 8,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(300),
            request_timeout: Duration::from_secs(10),
            signature_tolerance: Duration::from_secs(300),
        }
    }
}

/// The connectors' entry point, shared by a server process's requests and workers.
#[derive(Clone)]
pub struct ConnectorService {
    pub(crate) db: DatabaseConnection,
    pub(crate) settings: Arc<ConnectorSettings>,
    pub(crate) categories: Arc<ChannelCategories>,
    pub(crate) http: reqwest::Client,
    pub(crate) orders: orders::OrderService,
}

impl std::fmt::Debug for ConnectorService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl ConnectorService {
    pub fn new(
        db: DatabaseConnection,
        settings: ConnectorSettings,
        categories: ChannelCategories,
        orders: orders::OrderService,
    ) -> Result<Self, ConnectorError> {
        let http = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .build()
            .map_err(|e| ConnectorError::Corrupt(format!("HTTP client: {e}")))?;
        Ok(Self {
            db,
            settings: Arc::new(settings),
            categories: Arc::new(categories),
            http,
            orders,
        })
    }

    /// The same service over another connection (background workers use their own).
    pub fn with_db(&self, db: DatabaseConnection) -> Self {
        Self {
            orders: self.orders.with_db(db.clone()),
            db,
            ..self.clone()
        }
    }

    pub(crate) fn config(&self, channel: Channel) -> ChannelConfig {
        self.settings
            .channels
            .get(&channel)
            .cloned()
            .unwrap_or_default()
    }

    /// Listings on this channel are pushed (an endpoint is configured), rather than
    /// only published in the feed.
    pub(crate) fn pushes(&self, channel: Channel) -> bool {
        self.config(channel).endpoint.is_some()
    }
}
