//! Payments staff record by hand (cash, bank transfer, purchase order); card and UPI
//! payments arrive through the payment provider's webhook.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::{
    context::ContextExt,
    errors::respond,
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

#[derive(InputObject)]
pub struct FulfilmentCashCollectedInput {
    pub fulfilment_id: ID,
    /// The fulfilment's amount, in paise.
    pub amount_paise: Paise,
    /// The cash receipt, or the carrier's remittance reference.
    pub reference: String,
}

#[derive(InputObject)]
pub struct OrderPaymentIssueResolveInput {
    pub order_id: ID,
    /// How it was resolved, recorded in the order's history.
    pub note: String,
}

/// Razorpay Checkout's callback, as its `handler` receives it.
#[derive(InputObject)]
pub struct PaymentConfirmInput {
    pub order_id: ID,
    /// A guest's order: the access token `placeOrder` gave.
    pub access_token: Option<String>,
    /// `razorpay_order_id`.
    pub razorpay_order_id: String,
    /// `razorpay_payment_id`.
    pub razorpay_payment_id: String,
    /// `razorpay_signature`.
    pub razorpay_signature: String,
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

    /// The buyer's browser says Razorpay Checkout took the payment. The signature is
    /// checked over the Razorpay order id stored on the order (not the one sent) and
    /// the payment id; then Razorpay is asked, and the order is paid only if Razorpay
    /// says so (its webhook settles it otherwise). Answers the order as it stands.
    async fn payment_confirm(
        &self,
        ctx: &Context<'_>,
        input: PaymentConfirmInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let party = ctx.party()?;
        let guest_token = input
            .access_token
            .clone()
            .filter(|_| party.actor == kernel::Actor::Anonymous);
        let result = ctx
            .orders()?
            .confirm_payment(
                &party,
                orders::CheckoutCallback {
                    order_id,
                    access_token: input.access_token,
                    provider_order_id: input.razorpay_order_id,
                    provider_payment_id: input.razorpay_payment_id,
                    signature: input.razorpay_signature,
                },
            )
            .await;
        match (result, guest_token) {
            (Ok(id), Some(token)) => {
                let order = ctx
                    .orders()?
                    .order_by_access_token(id, &token)
                    .await
                    .map(crate::graphql::orders::Order);
                respond(order, |order, errors| OrderPayload { order, errors })
            }
            (result, _) => order_payload(ctx, result).await,
        }
    }

    /// Clears the order's `paymentIssue` once an admin has dealt with it; the note and
    /// the issue go into the history.
    async fn order_payment_issue_resolve(
        &self,
        ctx: &Context<'_>,
        input: OrderPaymentIssueResolveInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let result = ctx
            .orders()?
            .resolve_payment_issue(&ctx.party()?, order_id, &input.note)
            .await;
        order_payload(ctx, result).await
    }

    /// Cash on delivery: the cash for one fulfilment was collected (its cooperative's
    /// manager, or an admin; shipped or delivered parts). The order is paid when every
    /// part not cancelled is.
    async fn fulfilment_cash_collected(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentCashCollectedInput,
    ) -> Result<OrderPayload> {
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .record_cash_collected(
                &ctx.party()?,
                fulfilment_id,
                input.amount_paise.0,
                &input.reference,
            )
            .await;
        order_payload(ctx, result).await
    }
}
