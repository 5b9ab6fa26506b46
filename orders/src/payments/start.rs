//! Starting an order's payment at the provider after `placeOrder`.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, OrderStatus, PaymentProvider, entity::order,
    payments::gateway::PaymentRequest, store,
};

impl OrderService {
    /// A provider-paid order gets its payment, created once with an idempotency key.
    /// Returns why the payment could not be started (the order stays, and placing it
    /// again with the same key retries), or None.
    pub(crate) async fn start_payment(&self, order_id: Uuid) -> Result<Option<String>, OrderError> {
        let order = store::load_order(&self.db, order_id).await?;
        if order.payment_provider == PaymentProvider::Manual
            || order.payment_reference.is_some()
            || order.status != OrderStatus::PendingPayment
        {
            return Ok(None);
        }
        let Some(gateway) = self.gateway_for(order.payment_provider) else {
            return Ok(Some(format!(
                "the payment provider {} is not configured",
                order.payment_provider
            )));
        };
        let key = format!("order-{}-payment-intent", order.id);
        let request = PaymentRequest {
            order_id: order.id,
            order_number: &order.number,
            amount_paise: order.total_paise,
            currency: &order.currency,
            idempotency_key: &key,
        };
        match gateway.create_payment(request).await {
            Ok(payment) => {
                order::Entity::update_many()
                    .col_expr(
                        order::Column::PaymentReference,
                        Expr::value(payment.reference),
                    )
                    .col_expr(
                        order::Column::PaymentClientSecret,
                        Expr::value(payment.client_secret),
                    )
                    .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(order::Column::Id.eq(order.id))
                    .filter(order::Column::PaymentReference.is_null())
                    .exec(&self.db)
                    .await?;
                Ok(None)
            }
            Err(e) => {
                tracing::warn!(order_id = %order.id, error = %e, "could not start the payment");
                Ok(Some(format!(
                    "the {} payment could not be started ({e}); place the order again with the same idempotencyKey",
                    gateway.display_name()
                )))
            }
        }
    }
}
