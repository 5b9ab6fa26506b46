//! Listing, delisting and retrying a product on a channel.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{UserError, context::ContextExt, errors::respond, ids::parse_id};

use super::*;

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

impl ChannelListingPayload {
    fn from_result(
        result: std::result::Result<connectors::ListingView, connectors::ConnectorError>,
    ) -> Result<Self> {
        respond(result, |listing, errors| Self {
            listing: listing.map(ChannelListing),
            errors,
        })
    }
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
        let result = match parse_id("productId", &input.product_id) {
            Ok(product_id) => {
                ctx.connectors()?
                    .list_on_channel(&ctx.actor()?, product_id, input.channel.into())
                    .await
            }
            Err(invalid) => Err(invalid.into()),
        };
        ChannelListingPayload::from_result(result)
    }

    /// Takes a product off a channel.
    async fn delist_from_channel(
        &self,
        ctx: &Context<'_>,
        input: ChannelProductInput,
    ) -> Result<ChannelListingPayload> {
        let result = match parse_id("productId", &input.product_id) {
            Ok(product_id) => {
                ctx.connectors()?
                    .delist(&ctx.actor()?, product_id, input.channel.into())
                    .await
            }
            Err(invalid) => Err(invalid.into()),
        };
        ChannelListingPayload::from_result(result)
    }

    /// Sends dead-lettered changes again, or re-syncs a refused listing.
    async fn retry_channel_sync(
        &self,
        ctx: &Context<'_>,
        input: RetryChannelSyncInput,
    ) -> Result<ChannelListingPayload> {
        let result = match parse_id("listingId", &input.listing_id) {
            Ok(listing_id) => ctx.connectors()?.retry(&ctx.actor()?, listing_id).await,
            Err(invalid) => Err(invalid.into()),
        };
        ChannelListingPayload::from_result(result)
    }
}
