//! Listings (a connection) and the channels' sync status.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    context::ContextExt,
    errors::top_error,
    ids::{InvalidId, parse_optional_id},
    pagination::{ForwardPage, RelayConnection, connection_complexity, connection_from_page},
};

use super::*;

#[derive(InputObject)]
pub struct ChannelListingFilter {
    pub channel: Option<ChannelValue>,
    pub state: Option<ListingStateValue>,
    pub cooperative_id: Option<ID>,
    pub product_id: Option<ID>,
}

impl TryFrom<ChannelListingFilter> for connectors::ListingFilter {
    type Error = InvalidId;

    fn try_from(filter: ChannelListingFilter) -> Result<Self, InvalidId> {
        Ok(Self {
            channel: filter.channel.map(Into::into),
            state: filter.state.map(Into::into),
            cooperative_id: parse_optional_id("cooperativeId", filter.cooperative_id.as_ref())?,
            product_id: parse_optional_id("productId", filter.product_id.as_ref())?,
        })
    }
}

#[derive(Default)]
pub struct ChannelsQuery;

#[Object]
impl ChannelsQuery {
    /// Listings on NCUI Haat and GeM: a cooperative's staff see their own, admins all.
    #[graphql(complexity = "connection_complexity(child_complexity, first, None)")]
    async fn channel_listings(
        &self,
        ctx: &Context<'_>,
        filter: Option<ChannelListingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<ChannelListing>> {
        let page = ForwardPage::parse(first, after, ctx.limits()?)?;
        let filter = filter
            .map(connectors::ListingFilter::try_from)
            .transpose()?
            .unwrap_or_default();
        let listings = ctx
            .connectors()?
            .listings(&ctx.actor()?, filter, page.size, page.after)
            .await
            .map_err(top_error)?;
        Ok(connection_from_page(
            page.page(
                listings.listings,
                listings.has_next_page,
                listings.total_count,
            ),
            |l| l.listing.id,
            ChannelListing,
        ))
    }

    /// Per channel: listings by state, changes waiting, dead letters, last sync.
    async fn channel_sync_status(
        &self,
        ctx: &Context<'_>,
        cooperative_id: Option<ID>,
    ) -> Result<Vec<ChannelSyncStatus>> {
        let cooperative_id = parse_optional_id("cooperativeId", cooperative_id.as_ref())?;
        let statuses = ctx
            .connectors()?
            .sync_status(&ctx.actor()?, cooperative_id)
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
