//! Reconciliation before a reservation expires: an unpaid order whose payment the
//! provider knows is asked about, so that a payment whose webhook never came is
//! recorded as paid, never cancelled.

use crate::{
    OrderError, OrderService, Party,
    entity::order,
    payments::{gateway::PaymentState, recording::PaymentRecord},
};

impl OrderService {
    /// Asks the provider about an unpaid order's payment: true when it was paid (and is
    /// now recorded), false when it was not, an error when the provider could not say.
    pub(crate) async fn reconcile_payment(&self, order: &order::Model) -> Result<bool, OrderError> {
        let (Some(gateway), Some(reference)) = (&self.gateway, &order.payment_reference) else {
            return Ok(false);
        };
        if gateway.provider() != order.payment_provider {
            return Ok(false);
        }
        let payment = gateway
            .fetch_payment(reference)
            .await
            .map_err(|e| OrderError::Provider(e.to_string()))?;
        match payment.state {
            PaymentState::Succeeded => {
                let record = self
                    .record_payment(
                        order.id,
                        payment.amount_received_paise,
                        &payment.currency,
                        &Party::system(),
                        &format!("{}: reconciled before expiry", gateway.display_name()),
                    )
                    .await?;
                if record == PaymentRecord::ArrivedAfterRelease {
                    self.refund_late_payment(order.id).await?;
                }
                Ok(true)
            }
            // The buyer is still paying: give it until the next sweep.
            PaymentState::InProgress => Err(OrderError::Provider(format!(
                "payment still {}",
                payment.provider_status
            ))),
            PaymentState::NotPaid => Ok(false),
        }
    }
}
