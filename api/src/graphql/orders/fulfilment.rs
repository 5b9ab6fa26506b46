//! A fulfilment's way to the consignee (packed, shipped, delivered, accepted), and
//! cancelling before it ships.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    context::ContextExt,
    ids::{parse_id, parse_optional_id},
    orders::{OrderPayload, order_payload},
};

#[derive(InputObject)]
pub struct FulfilmentInput {
    pub fulfilment_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct FulfilmentShipInput {
    pub fulfilment_id: ID,
    pub carrier: String,
    pub tracking_number: String,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct FulfilmentReturnUndeliveredInput {
    pub fulfilment_id: ID,
    /// Why the parcel came back (refused, address not found, …).
    pub reason: String,
}

#[derive(InputObject)]
pub struct OrderCancelInput {
    pub order_id: ID,
    /// One cooperative's part; all the caller may cancel when omitted.
    pub fulfilment_id: Option<ID>,
    pub reason: String,
}

async fn transition(
    ctx: &Context<'_>,
    input: FulfilmentInput,
    action: orders::FulfilmentAction,
) -> Result<OrderPayload> {
    let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
    let result = ctx
        .orders()?
        .fulfilment_transition(&ctx.party()?, id, action, None, input.note)
        .await;
    order_payload(ctx, result).await
}

#[derive(Default)]
pub struct FulfilmentMutation;

#[Object]
impl FulfilmentMutation {
    /// The cooperative has packed its part (PAID or CONFIRMED → PACKED).
    async fn fulfilment_pack(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Pack).await
    }

    /// Handed to the carrier (PACKED → SHIPPED); issues the GST invoice.
    async fn fulfilment_ship(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentShipInput,
    ) -> Result<OrderPayload> {
        let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .fulfilment_transition(
                &ctx.party()?,
                id,
                orders::FulfilmentAction::Ship,
                Some(orders::ShipmentDetails {
                    carrier: input.carrier,
                    tracking_number: input.tracking_number,
                }),
                input.note,
            )
            .await;
        order_payload(ctx, result).await
    }

    /// SHIPPED → DELIVERED.
    async fn fulfilment_deliver(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Deliver).await
    }

    /// The consignee's receipt and acceptance (like GeM's CRAC): DELIVERED → ACCEPTED,
    /// which starts the payment-due clock. Institution users of the buying organisation.
    async fn fulfilment_accept(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Accept).await
    }

    /// Cancels before shipping: stock goes back, and anything paid is refunded.
    async fn fulfilment_return_undelivered(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentReturnUndeliveredInput,
    ) -> Result<OrderPayload> {
        let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .return_undelivered(&ctx.party()?, id, &input.reason)
            .await;
        order_payload(ctx, result).await
    }

    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        input: OrderCancelInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let fulfilment_id = parse_optional_id("fulfilmentId", input.fulfilment_id.as_ref())?;
        let result = ctx
            .orders()?
            .cancel(&ctx.party()?, order_id, fulfilment_id, &input.reason)
            .await;
        order_payload(ctx, result).await
    }
}
