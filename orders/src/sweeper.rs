//! The reservation sweeper: unpaid orders past their reservation time are first
//! reconciled with the payment provider (a paid order whose webhook never came is
//! recorded as paid, never cancelled), their payment is cancelled at the provider,
//! then they are released: cancelled, stock returned. It also retries cancelling the
//! provider payment of orders cancelled while the provider could not be reached.
//!
//! Every replica may run it: releasing is a compare-and-set on each row's status, so
//! two sweepers racing over one order release its stock once.

use chrono::Utc;
use kernel::worker::{Round, Task, TaskError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    OrderError, OrderService, OrderStatus, PaymentProvider, entity::order,
    payments::reconcile::Reconciled,
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub paid: usize,
    pub released: usize,
    /// Left for the next sweep because the provider could not say.
    pub deferred: usize,
    /// Payments of cancelled orders cancelled at the provider on a later try.
    pub provider_cancelled: usize,
}

/// The sweep as a task of the process's [`kernel::worker::WorkerSet`], which runs it at
/// its interval.
#[derive(Debug)]
pub struct Sweeper {
    service: OrderService,
}

impl Sweeper {
    pub fn new(service: OrderService) -> Self {
        Self { service }
    }
}

#[async_trait::async_trait]
impl Task for Sweeper {
    /// Orders settled (paid or released) count as work; deferred ones wait for the next
    /// sweep at the interval.
    async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
        let report = self.service.sweep_expired_reservations(100).await?;
        if report != SweepReport::default() {
            tracing::info!(?report, "reservation sweep");
        }
        Ok(report.paid + report.released + report.provider_cancelled)
    }
}

impl OrderService {
    /// One sweep over at most `limit` expired reservations.
    pub async fn sweep_expired_reservations(&self, limit: u64) -> Result<SweepReport, OrderError> {
        let expired = order::Entity::find()
            .filter(order::Column::Status.eq(OrderStatus::PendingPayment))
            .filter(order::Column::ReservationExpiresAt.lte(Utc::now()))
            .order_by_asc(order::Column::ReservationExpiresAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut report = SweepReport::default();
        for order in expired {
            if order.payment_provider != PaymentProvider::Manual
                && order.payment_reference.is_some()
            {
                // Asked first, so that a paid order is never cancelled; then cancelled
                // at the provider before the stock goes, so that the buyer cannot pay
                // for goods already released.
                let settled = match self.reconcile_payment(&order).await {
                    Ok(Reconciled::Open) => self.cancel_provider_payment(&order).await,
                    other => other,
                };
                match settled {
                    Ok(Reconciled::Paid) => {
                        report.paid += 1;
                        continue;
                    }
                    Ok(Reconciled::Cancelled) => {}
                    Ok(Reconciled::Open) | Err(_) => {
                        if let Err(e) = settled {
                            tracing::info!(order_id = %order.id, error = %e, "reconciliation deferred");
                        }
                        report.deferred += 1;
                        continue;
                    }
                }
            }
            if self
                .release_unpaid(
                    order.id,
                    "payment did not arrive before the reservation expired",
                )
                .await?
            {
                report.released += 1;
            }
        }
        // Orders cancelled while the provider could not be reached still hold a live
        // payment (their client secret is kept until it is cancelled).
        let uncancelled = order::Entity::find()
            .filter(order::Column::Status.eq(OrderStatus::Cancelled))
            .filter(order::Column::PaymentProvider.ne(PaymentProvider::Manual))
            .filter(order::Column::PaymentReceivedPaise.eq(0))
            .filter(order::Column::PaymentClientSecret.is_not_null())
            .order_by_asc(order::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        for order in uncancelled {
            match self.cancel_provider_payment(&order).await {
                Ok(Reconciled::Open) => report.deferred += 1,
                Ok(_) => report.provider_cancelled += 1,
                Err(e) => {
                    tracing::info!(order_id = %order.id, error = %e, "provider cancellation deferred");
                    report.deferred += 1;
                }
            }
        }
        Ok(report)
    }
}
