//! A fulfilment's way to the consignee (packed, shipped, delivered, accepted), and
//! cancelling before it ships.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    context::ContextExt,
    ids::{parse_id, parse_optional_id},
    orders::{OrderPayload, RejectedDispositionValue, order_payload},
};

#[derive(InputObject)]
pub struct FulfilmentInput {
    pub fulfilment_id: ID,
    pub note: Option<String>,
}

/// One line of the consignee's acceptance: how many of the line's units were
/// accepted and rejected (they add up to the ordered quantity).
#[derive(InputObject)]
pub struct AcceptanceLineInput {
    pub order_line_id: ID,
    pub accepted: i32,
    pub rejected: i32,
    /// Required when units are rejected.
    pub disposition: Option<RejectedDispositionValue>,
}

#[derive(InputObject)]
pub struct FulfilmentAcceptInput {
    pub fulfilment_id: ID,
    /// Lines with rejected units; a goods line left out is accepted whole.
    #[graphql(default)]
    pub lines: Vec<AcceptanceLineInput>,
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

    /// The consignee's provisional receipt (GeM's PRC) of a delivered fulfilment.
    /// Users of the buying organisation, or an admin keying in GeM's record.
    async fn fulfilment_receive(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx.orders()?.record_receipt(&ctx.party()?, id).await;
        order_payload(ctx, result).await
    }

    /// The consignee's receipt and acceptance (GeM's CRAC): DELIVERED → ACCEPTED,
    /// with the accepted and rejected units per consignee and line. Rejected units are
    /// credited back by a credit note (and return to stock when they came back);
    /// payment falls due at the order's terms after it (10 days for a GeM contract).
    /// Users of the buying organisation, or an admin keying in GeM's record.
    async fn fulfilment_accept(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentAcceptInput,
    ) -> Result<OrderPayload> {
        let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for (index, line) in input.lines.iter().enumerate() {
            lines.push(orders::AcceptanceLineInput {
                order_line_id: parse_id(
                    &format!("lines.{index}.orderLineId"),
                    &line.order_line_id,
                )?,
                accepted: line.accepted,
                rejected: line.rejected,
                disposition: line.disposition.map(Into::into),
            });
        }
        let result = ctx
            .orders()?
            .accept_fulfilment(&ctx.party()?, id, &lines, input.note.as_deref())
            .await;
        order_payload(ctx, result).await
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
