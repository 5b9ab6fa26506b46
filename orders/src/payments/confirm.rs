//! `paymentConfirm`: the browser's word, after the provider's checkout, that the buyer
//! paid (Razorpay Checkout's `razorpay_order_id`, `razorpay_payment_id` and
//! `razorpay_signature`). The signature is checked over the provider order id the
//! marketplace stored (never the one the browser sent) and the payment id; a valid
//! callback is only a reason to ask the provider now instead of waiting for the
//! webhook. The provider's answer (or its webhook), not the browser, marks the order
//! paid.

use kernel::FieldErrorCode;
use uuid::Uuid;

use crate::{OrderError, OrderService, Party, PaymentProvider, store};

/// Razorpay Checkout's callback for an order.
#[derive(Debug, Clone)]
pub struct CheckoutCallback {
    pub order_id: Uuid,
    /// A guest's order: its access token.
    pub access_token: Option<String>,
    pub provider_order_id: String,
    pub provider_payment_id: String,
    pub signature: String,
}

fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl OrderService {
    /// Checks the callback and asks the provider how the payment stands. Returns the
    /// order's id; the order is paid only if the provider said so.
    pub async fn confirm_payment(
        &self,
        party: &Party,
        callback: CheckoutCallback,
    ) -> Result<Uuid, OrderError> {
        let order = match callback.access_token.as_deref() {
            Some(token) if party.actor == kernel::Actor::Anonymous => {
                let view = self.order_by_access_token(callback.order_id, token).await?;
                store::load_order(&self.db, view.order.id).await?
            }
            _ => {
                party.require_signed_in()?;
                let order = store::load_order(&self.db, callback.order_id).await?;
                // Only the buyer pays: whoever cannot see the order is told nothing of
                // it, whoever can (staff, admins) is refused.
                match store::visibility(party, &order) {
                    None => return Err(OrderError::NotFound("order")),
                    Some(_) if party.user_id() != Some(order.buyer_user_id) => {
                        return Err(OrderError::Forbidden(
                            "only the order's buyer confirms its payment".into(),
                        ));
                    }
                    Some(_) => {}
                }
                order
            }
        };
        if order.payment_provider == PaymentProvider::Manual {
            return Err(OrderError::Conflict(
                "this order is not paid through a payment provider".into(),
            ));
        }
        let gateway = self.gateway_for(order.payment_provider).ok_or_else(|| {
            OrderError::Provider(format!(
                "the payment provider {} is not configured",
                order.payment_provider
            ))
        })?;
        let Some(stored) = order.payment_reference.clone() else {
            return Err(OrderError::Conflict(
                "the payment of this order was not started; place the order again with the same idempotencyKey".into(),
            ));
        };
        let mut problems = Vec::new();
        if !plausible_id(&callback.provider_payment_id) {
            problems.push(kernel::FieldError::new(
                "razorpayPaymentId",
                FieldErrorCode::Invalid,
                "not a payment id",
            ));
        }
        if callback.provider_order_id != stored {
            problems.push(kernel::FieldError::new(
                "razorpayOrderId",
                FieldErrorCode::Invalid,
                "this callback is for another payment than this order's",
            ));
        }
        if problems.is_empty()
            && gateway
                .verify_checkout_callback(
                    &stored,
                    &callback.provider_payment_id,
                    &callback.signature,
                )
                .is_err()
        {
            problems.push(kernel::FieldError::new(
                "razorpaySignature",
                FieldErrorCode::Invalid,
                "the signature does not match this order's payment",
            ));
        }
        if !problems.is_empty() {
            tracing::warn!(order_id = %order.id, "checkout callback refused");
            return Err(OrderError::Invalid(problems));
        }
        if order.payment_received_paise > 0 {
            return Ok(order.id);
        }
        match self.reconcile_payment(&order).await {
            Ok(_) => {}
            // The provider could not say (or the bank is still deciding): the webhook
            // or the sweeper settles it; the buyer sees the order still pending.
            Err(OrderError::Provider(message)) => {
                tracing::info!(order_id = %order.id, message, "confirmation left to the webhook");
            }
            Err(e) => return Err(e),
        }
        Ok(order.id)
    }
}
