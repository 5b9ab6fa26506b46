//! Listing products on NCUI Haat and GeM over GraphQL; the rules are in `connectors`.

use async_graphql::{
    Context, Enum, ID, InputObject, Object, Result, SimpleObject,
    connection::{Connection, CursorType, Edge},
};
use chrono::{DateTime, Utc};
use connectors::ConnectorService;
use uuid::Uuid;

use crate::graphql::{
    ApiError, UserError,
    accounts::actor,
    catalog::parse_id,
    errors::{respond, top_error},
    pagination::{ConnectionFields, IdCursor, RelayConnection},
};

fn service<'a>(ctx: &'a Context<'_>) -> Result<&'a ConnectorService, ApiError> {
    ctx.data::<ConnectorService>()
        .map_err(|_| ApiError::Internal)
}

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
pub struct ChannelListing(connectors::ListingView);

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

#[derive(InputObject)]
pub struct ChannelListingFilter {
    pub channel: Option<ChannelValue>,
    pub state: Option<ListingStateValue>,
    pub cooperative_id: Option<ID>,
    pub product_id: Option<ID>,
}

#[derive(Default)]
pub struct ChannelsQuery;

#[Object]
impl ChannelsQuery {
    /// Listings on NCUI Haat and GeM: a cooperative's staff see their own, admins all.
    async fn channel_listings(
        &self,
        ctx: &Context<'_>,
        filter: Option<ChannelListingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<ChannelListing>> {
        let size = match first {
            None => 20,
            Some(n) if (1..=100).contains(&n) => u64::try_from(n).unwrap_or(20),
            Some(_) => {
                return Err(
                    ApiError::BadUserInput("`first` must be between 1 and 100".into()).into(),
                );
            }
        };
        let after_id = after
            .map(|a| IdCursor::decode_cursor(&a).map(|c| c.0))
            .transpose()?;
        let filter = match filter {
            None => connectors::ListingFilter::default(),
            Some(f) => connectors::ListingFilter {
                channel: f.channel.map(Into::into),
                state: f.state.map(Into::into),
                cooperative_id: f
                    .cooperative_id
                    .map(|id| parse_id("cooperativeId", &id))
                    .transpose()?,
                product_id: f
                    .product_id
                    .map(|id| parse_id("productId", &id))
                    .transpose()?,
            },
        };
        let page = service(ctx)?
            .listings(&actor(ctx)?, filter, size, after_id)
            .await
            .map_err(top_error)?;
        let mut connection = Connection::with_additional_fields(
            after_id.is_some(),
            page.has_next_page,
            ConnectionFields {
                total_count: page.total_count,
            },
        );
        connection.edges.extend(
            page.listings
                .into_iter()
                .map(|l| Edge::new(IdCursor(l.listing.id), ChannelListing(l))),
        );
        Ok(connection)
    }

    /// Per channel: listings by state, changes waiting, dead letters, last sync.
    async fn channel_sync_status(
        &self,
        ctx: &Context<'_>,
        cooperative_id: Option<ID>,
    ) -> Result<Vec<ChannelSyncStatus>> {
        let cooperative_id = cooperative_id
            .map(|id| parse_id("cooperativeId", &id))
            .transpose()?;
        let statuses = service(ctx)?
            .sync_status(&actor(ctx)?, cooperative_id)
            .await
            .map_err(top_error)?;
        Ok(statuses
            .into_iter()
            .map(|s| ChannelSyncStatus {
                channel: s.channel.into(),
                pushes: s.pushes,
                listings_by_state: s
                    .listings_by_state
                    .into_iter()
                    .map(|(state, count)| StateCount {
                        state: state.as_str().to_owned(),
                        count,
                    })
                    .collect(),
                pending_changes: s.pending_jobs,
                dead_lettered: s.dead_jobs,
                oldest_pending_at: s.oldest_pending_at,
                last_synced_at: s.last_synced_at,
                unrelayed_changes: s.unrelayed_changes,
            })
            .collect())
    }
}

#[derive(InputObject)]
pub struct ChannelProductInput {
    pub product_id: ID,
    pub channel: ChannelValue,
}

#[derive(InputObject)]
pub struct RetryChannelSyncInput {
    pub listing_id: ID,
}

#[derive(SimpleObject)]
pub struct ChannelListingPayload {
    pub listing: Option<ChannelListing>,
    pub errors: Vec<UserError>,
}

fn uuid_of(field: &str, id: &ID) -> Result<Uuid, connectors::ConnectorError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        connectors::ConnectorError::invalid(
            field,
            catalog::FieldErrorCode::Invalid,
            format!("{field} is not a valid id"),
        )
    })
}

#[derive(Default)]
pub struct ChannelsMutation;

#[Object]
impl ChannelsMutation {
    /// Lists a product on a channel. Every field the channel needs is checked first;
    /// each problem comes back as a user error naming the field.
    async fn list_on_channel(
        &self,
        ctx: &Context<'_>,
        input: ChannelProductInput,
    ) -> Result<ChannelListingPayload> {
        let result = match uuid_of("productId", &input.product_id) {
            Ok(product_id) => {
                service(ctx)?
                    .list_on_channel(&actor(ctx)?, product_id, input.channel.into())
                    .await
            }
            Err(e) => Err(e),
        };
        respond(result, |listing, errors| ChannelListingPayload {
            listing: listing.map(ChannelListing),
            errors,
        })
    }

    /// Takes a product off a channel.
    async fn delist_from_channel(
        &self,
        ctx: &Context<'_>,
        input: ChannelProductInput,
    ) -> Result<ChannelListingPayload> {
        let result = match uuid_of("productId", &input.product_id) {
            Ok(product_id) => {
                service(ctx)?
                    .delist(&actor(ctx)?, product_id, input.channel.into())
                    .await
            }
            Err(e) => Err(e),
        };
        respond(result, |listing, errors| ChannelListingPayload {
            listing: listing.map(ChannelListing),
            errors,
        })
    }

    /// Sends dead-lettered changes again, or re-syncs a refused listing.
    async fn retry_channel_sync(
        &self,
        ctx: &Context<'_>,
        input: RetryChannelSyncInput,
    ) -> Result<ChannelListingPayload> {
        let result = match uuid_of("listingId", &input.listing_id) {
            Ok(listing_id) => service(ctx)?.retry(&actor(ctx)?, listing_id).await,
            Err(e) => Err(e),
        };
        respond(result, |listing, errors| ChannelListingPayload {
            listing: listing.map(ChannelListing),
            errors,
        })
    }
}
