//! Releasing an unpaid order: its fulfilments are cancelled and its stock goes back.
//! Reservation expiry (after the payment was cancelled at the provider) and a payment
//! cancelled at the provider both end here; a declined card does not (the payment
//! stays open for another attempt).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party,
    entity::fulfilment,
    history,
    order_state::{compare_and_set, refresh_order_status},
    payments::reconcile::forget_client_secret,
    reservations, store,
};

impl OrderService {
    /// Cancels an unpaid order's fulfilments and releases its stock: reservation
    /// expiry, or a payment cancelled at the provider. Its client secret is forgotten.
    pub(crate) async fn release_unpaid(
        &self,
        order_id: Uuid,
        reason: &str,
    ) -> Result<bool, OrderError> {
        let party = Party::system();
        let txn = kernel::begin_write(&self.db).await?;
        let pending = fulfilment::Entity::find()
            .filter(fulfilment::Column::OrderId.eq(order_id))
            .filter(fulfilment::Column::Status.eq(FulfilmentStatus::PendingPayment))
            .all(&txn)
            .await?;
        let order = store::load_order(&txn, order_id).await?;
        if pending.is_empty() || order.payment_received_paise > 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        for f in &pending {
            compare_and_set(
                &txn,
                f.id,
                FulfilmentStatus::PendingPayment,
                FulfilmentStatus::Cancelled,
                Vec::new(),
            )
            .await?;
            history::record(
                &txn,
                order_id,
                Some(f.id),
                Some(FulfilmentStatus::PendingPayment.into()),
                FulfilmentStatus::Cancelled.into(),
                &party,
                Some(reason),
            )
            .await?;
        }
        reservations::release(&txn, order_id, None).await?;
        forget_client_secret(&txn, order_id).await?;
        refresh_order_status(&txn, order_id, &party, Some(reason)).await?;
        let cancelled: Vec<Uuid> = pending.iter().map(|f| f.id).collect();
        self.notify_cancelled(&txn, order_id, &cancelled, reason)
            .await?;
        txn.commit().await?;
        Ok(true)
    }
}
