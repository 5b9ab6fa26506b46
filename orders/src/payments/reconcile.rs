//! Settling an unpaid order with its payment provider: an order whose reservation
//! expires is first asked about (a payment whose webhook never came is recorded as
//! paid, never cancelled), and an order that ends unpaid (expired or cancelled) has its
//! payment cancelled at the provider, so that the buyer's client secret can no longer
//! take money for it.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, Party,
    entity::order,
    payments::{
        gateway::{PaymentState, ProviderFailure, ProviderPayment},
        recording::PaymentRecord,
    },
};

/// How an unpaid order's payment stands at its provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reconciled {
    /// It was paid, and is now recorded (or refunded, if the order had been released).
    Paid,
    /// Not paid and still open: the buyer could still pay it.
    Open,
    /// Cancelled at the provider: it can never be paid.
    Cancelled,
}

impl OrderService {
    /// Asks the provider about an unpaid order's payment; an error when the provider
    /// could not say or the buyer is still paying.
    pub(crate) async fn reconcile_payment(
        &self,
        order: &order::Model,
    ) -> Result<Reconciled, OrderError> {
        let (Some(gateway), Some(reference)) = (
            self.gateway_for(order.payment_provider),
            &order.payment_reference,
        ) else {
            return Ok(Reconciled::Open);
        };
        let payment = gateway
            .fetch_payment(reference)
            .await
            .map_err(|e| OrderError::Provider(e.to_string()))?;
        self.apply_provider_state(order, &payment, "reconciled")
            .await
    }

    /// Cancels an unpaid order's payment at the provider and forgets its client secret.
    /// A payment the provider will not cancel is asked about instead: one that was paid
    /// meanwhile is recorded (and refunded if the order was released), one already
    /// cancelled counts as cancelled. An error leaves it for the next sweep.
    pub(crate) async fn cancel_provider_payment(
        &self,
        order: &order::Model,
    ) -> Result<Reconciled, OrderError> {
        let Some(reference) = order
            .payment_reference
            .as_ref()
            .filter(|_| !self.gateways.is_empty())
        else {
            forget_client_secret(&self.db, order.id).await?;
            return Ok(Reconciled::Cancelled);
        };
        let Some(gateway) = self.gateway_for(order.payment_provider) else {
            // Another provider's payment: nothing here can cancel it.
            return Ok(Reconciled::Open);
        };
        let payment = match gateway.cancel_payment(reference).await {
            Ok(payment) => payment,
            // Refused: already cancelled, or paid meanwhile; ask which.
            Err(ProviderFailure::Refused(_)) => gateway
                .fetch_payment(reference)
                .await
                .map_err(|e| OrderError::Provider(e.to_string()))?,
            Err(e) => return Err(OrderError::Provider(e.to_string())),
        };
        let state = self
            .apply_provider_state(order, &payment, "paid before it could be cancelled")
            .await?;
        match state {
            Reconciled::Open => Err(OrderError::Provider(format!(
                "the payment is still {} after cancelling",
                payment.provider_status
            ))),
            Reconciled::Paid | Reconciled::Cancelled => {
                forget_client_secret(&self.db, order.id).await?;
                Ok(state)
            }
        }
    }

    async fn apply_provider_state(
        &self,
        order: &order::Model,
        payment: &ProviderPayment,
        note: &str,
    ) -> Result<Reconciled, OrderError> {
        let order_id = order.id;
        let provider = self
            .gateway_for(order.payment_provider)
            .map_or("the provider", |g| g.display_name());
        match payment.state {
            PaymentState::Succeeded => {
                let record = self
                    .record_payment(
                        order_id,
                        payment.amount_received_paise,
                        &payment.currency,
                        &Party::system(),
                        &format!("{provider}: {note}"),
                    )
                    .await?;
                if record == PaymentRecord::ArrivedAfterRelease {
                    self.refund_late_payment(order_id).await?;
                }
                Ok(Reconciled::Paid)
            }
            // The buyer is still paying: give it until the next sweep.
            PaymentState::InProgress => Err(OrderError::Provider(format!(
                "payment still {}",
                payment.provider_status
            ))),
            PaymentState::NotPaid => Ok(Reconciled::Open),
            PaymentState::Cancelled => Ok(Reconciled::Cancelled),
        }
    }
}

/// The order can no longer be paid: its client secret is not handed out again.
pub(crate) async fn forget_client_secret(
    db: &impl sea_orm::ConnectionTrait,
    order_id: Uuid,
) -> Result<(), OrderError> {
    order::Entity::update_many()
        .col_expr(
            order::Column::PaymentClientSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(order::Column::Id.eq(order_id))
        .filter(order::Column::PaymentClientSecret.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}
