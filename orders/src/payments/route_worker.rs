//! The Route jobs (`route_jobs`): create a held transfer, release it, reverse part of
//! it and then send the refund that waited for the reversal. A job whose call
//! failed with an unknown outcome (a timeout, a 5xx) is retried by the queue with
//! backoff; every call is safe to repeat (see `TransferGateway`). A transfer Razorpay
//! refuses is marked FAILED and flagged on the order for staff, never retried blindly.

use std::time::Duration;

use chrono::Utc;
use kernel::{
    queue::{Disposition, Failure, Queue, QueueColumns, RetryPolicy},
    worker::{Round, Task, TaskError},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, PaymentProvider, RefundStatus, RouteJobKind, RouteTransferStatus,
    entity::{refund, route_job, route_reversal, route_transfer},
    payments::{
        gateway::{ProviderFailure, ProviderTransfer, TransferRequest},
        recording::flag,
    },
    store,
};

const QUEUE: Queue<route_job::Entity> = Queue::new(
    route_job::Entity,
    QueueColumns {
        id: route_job::Column::Id,
        locked_by: route_job::Column::LockedBy,
        locked_until: route_job::Column::LockedUntil,
        available_at: Some(route_job::Column::AvailableAt),
        attempts: Some(route_job::Column::Attempts),
        last_error: Some(route_job::Column::LastError),
        dead_at: Some(route_job::Column::DeadAt),
    },
);

const BATCH: u64 = 20;
const LEASE: Duration = Duration::from_secs(120);
/// Razorpay down for a while is waited out (about a day in all), then the job is
/// dead-lettered for an admin.
const RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(10),
    cap: Duration::from_secs(3_600),
    max_attempts: Some(30),
};

/// Runs Route jobs in the background (and in tests' drains).
pub struct RouteWorker {
    pub service: OrderService,
    pub worker_id: String,
}

/// What a job did.
enum Done {
    Finished,
    /// Not yet possible (the transfer it needs is not made yet): tried again later.
    Wait(String),
}

#[async_trait::async_trait]
impl Task for RouteWorker {
    async fn run_once(&self, round: Round) -> Result<usize, TaskError> {
        let db = &self.service.db;
        let jobs = QUEUE
            .claim(db, &self.worker_id, BATCH, LEASE, round.due)
            .await?;
        let count = jobs.len();
        for job in jobs {
            let message = match self.service.run_route_job(&job).await {
                Ok(Done::Finished) => {
                    QUEUE.complete(db, &[job.id]).await?;
                    continue;
                }
                Ok(Done::Wait(why)) => why,
                Err(e) => e.to_string(),
            };
            match QUEUE
                .fail(db, job.id, job.attempts, Failure::Error(&message), &RETRY)
                .await?
            {
                Disposition::RetryAt(at) => {
                    tracing::warn!(job = job.id, kind = %job.kind, error = %message, retry_at = %at, "Route job failed; retrying");
                }
                Disposition::DeadLettered { attempts } => {
                    tracing::error!(job = job.id, kind = %job.kind, error = %message, attempts, "Route job given up");
                }
            }
        }
        Ok(count)
    }
}

impl OrderService {
    async fn run_route_job(&self, job: &route_job::Model) -> Result<Done, OrderError> {
        let transfer = route_transfer::Entity::find_by_id(job.route_transfer_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("transfer"))?;
        match job.kind {
            RouteJobKind::Create => self.create_route_transfer(&transfer).await,
            RouteJobKind::Release => self.release_route_transfer(&transfer).await,
            RouteJobKind::Reverse => {
                let refund_id = job
                    .refund_id
                    .ok_or_else(|| OrderError::corrupt("a reversal job without its refund"))?;
                self.reverse_then_refund(&transfer, refund_id).await
            }
        }
    }

    fn transfer_gateway(
        &self,
    ) -> Result<&dyn crate::payments::gateway::TransferGateway, OrderError> {
        self.gateway_for(PaymentProvider::Razorpay)
            .and_then(|g| g.transfers())
            .ok_or_else(|| OrderError::Provider("Razorpay is not configured".into()))
    }

    /// Records Razorpay's refusal of a transfer call: the transfer is FAILED and the
    /// order flagged for staff.
    async fn transfer_refused(
        &self,
        transfer: &route_transfer::Model,
        what: &str,
        message: &str,
    ) -> Result<Done, OrderError> {
        let txn = kernel::begin_write(&self.db).await?;
        route_transfer::Entity::update_many()
            .col_expr(
                route_transfer::Column::Status,
                Expr::value(RouteTransferStatus::Failed),
            )
            .col_expr(route_transfer::Column::Failure, Expr::value(message))
            .col_expr(route_transfer::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(route_transfer::Column::Id.eq(transfer.id))
            .exec(&txn)
            .await?;
        flag(
            &txn,
            transfer.order_id,
            &format!(
                "Razorpay refused to {what} the Route transfer of {} to {}: {message}",
                kernel::Money::inr(transfer.amount_paise).for_people(),
                transfer.linked_account_id
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(Done::Finished)
    }

    async fn create_route_transfer(
        &self,
        transfer: &route_transfer::Model,
    ) -> Result<Done, OrderError> {
        if transfer.transfer_reference.is_some() || transfer.status == RouteTransferStatus::Failed {
            return Ok(Done::Finished);
        }
        let order = store::load_order(&self.db, transfer.order_id).await?;
        let reference = order
            .payment_reference
            .clone()
            .ok_or_else(|| OrderError::corrupt("a paid Razorpay order without its reference"))?;
        let gateway = self.transfer_gateway()?;
        match gateway
            .create_transfer(TransferRequest {
                payment_reference: &reference,
                account: &transfer.linked_account_id,
                amount_paise: transfer.amount_paise,
                currency: &order.currency,
                key: transfer.id,
                on_hold: true,
            })
            .await
        {
            Ok(made) => {
                self.record_transfer(transfer, &made).await?;
                Ok(Done::Finished)
            }
            Err(ProviderFailure::Refused(message)) => {
                self.transfer_refused(transfer, "make", &message).await
            }
            Err(ProviderFailure::Unavailable(message)) => Err(OrderError::Provider(message)),
        }
    }

    async fn record_transfer(
        &self,
        transfer: &route_transfer::Model,
        made: &ProviderTransfer,
    ) -> Result<(), OrderError> {
        // The reference once; CREATED only from PENDING (a webhook may have moved it on).
        route_transfer::Entity::update_many()
            .col_expr(
                route_transfer::Column::TransferReference,
                Expr::value(made.reference.clone()),
            )
            .col_expr(route_transfer::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(route_transfer::Column::Id.eq(transfer.id))
            .filter(route_transfer::Column::TransferReference.is_null())
            .exec(&self.db)
            .await?;
        route_transfer::Entity::update_many()
            .col_expr(
                route_transfer::Column::Status,
                Expr::value(RouteTransferStatus::Created),
            )
            .filter(route_transfer::Column::Id.eq(transfer.id))
            .filter(route_transfer::Column::Status.eq(RouteTransferStatus::Pending))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn release_route_transfer(
        &self,
        transfer: &route_transfer::Model,
    ) -> Result<Done, OrderError> {
        if transfer.released_at.is_some() || transfer.status == RouteTransferStatus::Failed {
            return Ok(Done::Finished);
        }
        let Some(reference) = transfer.transfer_reference.as_deref() else {
            return Ok(Done::Wait("the transfer is not made yet".into()));
        };
        if transfer.reversed_paise >= transfer.amount_paise {
            // Wholly reversed: nothing is left to release.
            return Ok(Done::Finished);
        }
        match self.transfer_gateway()?.release_transfer(reference).await {
            Ok(_) => {
                route_transfer::Entity::update_many()
                    .col_expr(route_transfer::Column::OnHold, Expr::value(false))
                    .col_expr(route_transfer::Column::ReleasedAt, Expr::value(Utc::now()))
                    .col_expr(route_transfer::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(route_transfer::Column::Id.eq(transfer.id))
                    .filter(route_transfer::Column::ReleasedAt.is_null())
                    .exec(&self.db)
                    .await?;
                Ok(Done::Finished)
            }
            Err(ProviderFailure::Refused(message)) => {
                self.transfer_refused(transfer, "release", &message).await
            }
            Err(ProviderFailure::Unavailable(message)) => Err(OrderError::Provider(message)),
        }
    }

    /// Reverses the refund's part of the transfer, then sends the refund. The refund
    /// is sent only once the reversal is recorded; a reversal that fails leaves it
    /// waiting, retried with the job.
    async fn reverse_then_refund(
        &self,
        transfer: &route_transfer::Model,
        refund_id: Uuid,
    ) -> Result<Done, OrderError> {
        let reversal = route_reversal::Entity::find_by_id(refund_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("reversal"))?;
        if reversal.reversed_at.is_none() {
            if transfer.status == RouteTransferStatus::Failed {
                // Nothing reached the cooperative: nothing to take back.
                self.mark_reversed(&reversal, 0, None).await?;
            } else {
                let Some(reference) = transfer.transfer_reference.as_deref() else {
                    return Ok(Done::Wait("the transfer is not made yet".into()));
                };
                // Everything reversed before this one, and this one.
                let mut target = 0_i64;
                for r in route_reversal::Entity::find()
                    .filter(route_reversal::Column::RouteTransferId.eq(transfer.id))
                    .filter(route_reversal::Column::ReversedAt.is_not_null())
                    .all(&self.db)
                    .await?
                {
                    target = target.saturating_add(r.amount_paise);
                }
                let target = target.saturating_add(reversal.amount_paise);
                match self
                    .transfer_gateway()?
                    .reverse_transfer(reference, target)
                    .await
                {
                    Ok(after) => {
                        self.mark_reversed(&reversal, after.reversed_paise, Some(transfer))
                            .await?;
                    }
                    Err(ProviderFailure::Refused(message)) => {
                        flag(
                            &self.db,
                            transfer.order_id,
                            &format!(
                                "Razorpay refused to reverse {} of the Route transfer to {} ({message}); the refund waits",
                                kernel::Money::inr(reversal.amount_paise).for_people(),
                                transfer.linked_account_id
                            ),
                        )
                        .await?;
                        return Err(OrderError::Provider(message));
                    }
                    Err(ProviderFailure::Unavailable(message)) => {
                        return Err(OrderError::Provider(message));
                    }
                }
            }
        }
        let refund = refund::Entity::find_by_id(refund_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("refund"))?;
        if refund.status != RefundStatus::Pending {
            return Ok(Done::Finished);
        }
        // The refund waited for the reversal; now it is sent. An unknown outcome keeps
        // it PENDING and the job retries with the same idempotency key.
        let sent = self.send_refund(refund).await;
        let still_pending = refund::Entity::find_by_id(refund_id)
            .one(&self.db)
            .await?
            .is_some_and(|r| r.status == RefundStatus::Pending);
        match sent {
            Err(e) if still_pending => Err(e),
            _ => Ok(Done::Finished),
        }
    }

    async fn mark_reversed(
        &self,
        reversal: &route_reversal::Model,
        provider_reversed_paise: i64,
        transfer: Option<&route_transfer::Model>,
    ) -> Result<(), OrderError> {
        let txn = kernel::begin_write(&self.db).await?;
        route_reversal::Entity::update_many()
            .col_expr(route_reversal::Column::ReversedAt, Expr::value(Utc::now()))
            .filter(route_reversal::Column::RefundId.eq(reversal.refund_id))
            .filter(route_reversal::Column::ReversedAt.is_null())
            .exec(&txn)
            .await?;
        if let Some(transfer) = transfer {
            route_transfer::Entity::update_many()
                .col_expr(
                    route_transfer::Column::ReversedPaise,
                    Expr::value(provider_reversed_paise),
                )
                .col_expr(route_transfer::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(route_transfer::Column::Id.eq(transfer.id))
                .filter(route_transfer::Column::ReversedPaise.lt(provider_reversed_paise))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

impl OrderService {
    /// Razorpay's `transfer.processed` / `transfer.failed`, found by the transfer's
    /// id or by our key in its notes. The status only moves forward, so a late or
    /// repeated event changes nothing; a failure is flagged on the order for staff and
    /// is not retried by itself (the linked account may be suspended: an admin looks).
    pub(crate) async fn apply_transfer_event(
        &self,
        reference: &str,
        key: Option<Uuid>,
        failure: Option<&str>,
    ) -> Result<(Option<Uuid>, String), OrderError> {
        let mut found = route_transfer::Entity::find()
            .filter(route_transfer::Column::TransferReference.eq(reference))
            .one(&self.db)
            .await?;
        if found.is_none()
            && let Some(key) = key
        {
            found = route_transfer::Entity::find_by_id(key)
                .one(&self.db)
                .await?;
        }
        let Some(transfer) = found else {
            return Ok((None, "no transfer of the marketplace's".into()));
        };
        let to = if failure.is_some() {
            RouteTransferStatus::Failed
        } else {
            RouteTransferStatus::Processed
        };
        let txn = kernel::begin_write(&self.db).await?;
        let mut update = route_transfer::Entity::update_many()
            .col_expr(route_transfer::Column::Status, Expr::value(to))
            .col_expr(route_transfer::Column::UpdatedAt, Expr::value(Utc::now()));
        if transfer.transfer_reference.is_none() {
            update = update.col_expr(
                route_transfer::Column::TransferReference,
                Expr::value(reference),
            );
        }
        if let Some(message) = failure {
            update = update.col_expr(route_transfer::Column::Failure, Expr::value(message));
        }
        let moved = update
            .filter(route_transfer::Column::Id.eq(transfer.id))
            .filter(
                route_transfer::Column::Status
                    .is_in([RouteTransferStatus::Pending, RouteTransferStatus::Created]),
            )
            .exec(&txn)
            .await?;
        let outcome = if moved.rows_affected != 1 {
            format!("transfer already {}", transfer.status)
        } else if let Some(message) = failure {
            flag(
                &txn,
                transfer.order_id,
                &format!(
                    "the Razorpay Route transfer of {} to {} failed ({message}): the money is with the platform, which owes it to the cooperative",
                    kernel::Money::inr(transfer.amount_paise).for_people(),
                    transfer.linked_account_id
                ),
            )
            .await?;
            "transfer failed: flagged".to_owned()
        } else {
            "transfer processed".to_owned()
        };
        txn.commit().await?;
        Ok((Some(transfer.order_id), outcome))
    }
}
