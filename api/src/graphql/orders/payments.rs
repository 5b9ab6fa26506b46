//! Payments staff record by hand (cash, bank transfer, purchase order); card and UPI
//! payments arrive through the payment provider's webhook.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    context::ContextExt,
    ids::parse_id,
    money::Paise,
    orders::{OrderPayload, order_payload},
};

#[derive(InputObject)]
pub struct PaymentMarkReceivedInput {
    pub order_id: ID,
    pub amount_paise: Paise,
    /// Receipt, bank-transfer or cheque reference.
    pub reference: String,
}

#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Records a cash, bank-transfer or purchase-order payment (admins, or the manager
    /// of the only cooperative in the order).
    async fn payment_mark_received(
        &self,
        ctx: &Context<'_>,
        input: PaymentMarkReceivedInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let result = ctx
            .orders()?
            .mark_payment_received(
                &ctx.party()?,
                order_id,
                input.amount_paise.0,
                &input.reference,
            )
            .await;
        order_payload(ctx, result).await
    }
}
