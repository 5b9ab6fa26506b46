//! Refunding part or all of a fulfilment.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    UserError,
    context::ContextExt,
    errors::respond,
    ids::parse_id,
    money::Paise,
    orders::{Order, Refund, reload},
};

#[derive(SimpleObject)]
pub struct RefundPayload {
    pub refund: Option<Refund>,
    pub order: Option<Order>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct OrderRefundInput {
    pub order_id: ID,
    pub fulfilment_id: ID,
    /// Everything not yet refunded of the fulfilment when omitted.
    pub amount_paise: Option<Paise>,
    pub reason: String,
    /// Repeating a refund with the same key never refunds twice.
    pub idempotency_key: String,
}

#[derive(Default)]
pub struct RefundMutation;

#[Object]
impl RefundMutation {
    /// Refunds part or all of a fulfilment (admins and the cooperative's manager).
    async fn order_refund(
        &self,
        ctx: &Context<'_>,
        input: OrderRefundInput,
    ) -> Result<RefundPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .refund(
                &ctx.party()?,
                orders::RefundRequest {
                    order_id,
                    fulfilment_id,
                    amount_paise: input.amount_paise.map(|p| p.0),
                    reason: input.reason,
                    idempotency_key: input.idempotency_key,
                },
            )
            .await;
        let result = match result {
            Ok(refund) => reload(ctx, order_id).await.map(|order| (refund, order)),
            Err(e) => Err(e),
        };
        respond(result, |done, errors| {
            let (refund, order) = done.map_or((None, None), |(r, o)| (Some(Refund(r)), Some(o)));
            RefundPayload {
                refund,
                order,
                errors,
            }
        })
    }
}
