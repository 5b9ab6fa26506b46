//! Refunds, per fulfilment so that each cooperative's settlement shows its own. The
//! amount is claimed against the fulfilment in the database first (a conditional
//! update, so concurrent refunds cannot exceed what was paid), then sent to the
//! provider with an idempotency key derived from the refund, so a retry never pays
//! twice.

use chrono::Utc;
use kernel::FieldErrorCode;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    HistoryStatus, OrderError, OrderService, Party, PaymentMethod, PaymentProvider, RefundStatus,
    entity::{fulfilment, order, refund},
    order_state::refresh_order_status,
    payments::{gateway::ProviderFailure, route},
    store,
};

#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    /// None refunds everything not yet refunded.
    pub amount_paise: Option<i64>,
    pub reason: String,
    pub idempotency_key: String,
}

use crate::records::RefundView;

async fn adjust_amounts(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    delta: i64,
) -> Result<bool, OrderError> {
    let claimed = fulfilment::Entity::update_many()
        .col_expr(
            fulfilment::Column::RefundedPaise,
            Expr::col(fulfilment::Column::RefundedPaise).add(delta),
        )
        .col_expr(fulfilment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(fulfilment::Column::Id.eq(fulfilment.id))
        .filter(
            Expr::col(fulfilment::Column::RefundedPaise)
                .add(delta)
                .lte(Expr::col(fulfilment::Column::TotalPaise)),
        )
        .filter(
            Expr::col(fulfilment::Column::RefundedPaise)
                .add(delta)
                .gte(0),
        )
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    order::Entity::update_many()
        .col_expr(
            order::Column::RefundedPaise,
            Expr::col(order::Column::RefundedPaise).add(delta),
        )
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(order::Column::Id.eq(fulfilment.order_id))
        .exec(db)
        .await?;
    // TCS is not rewritten here: the refund's credit note takes it back in the month
    // of the note (see `crate::tcs`).
    Ok(true)
}

impl OrderService {
    /// `orderRefund`: admins, or the manager of the fulfilment's cooperative.
    pub async fn refund(
        &self,
        party: &Party,
        request: RefundRequest,
    ) -> Result<RefundView, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, request.fulfilment_id).await?;
        if fulfilment.order_id != request.order_id {
            return Err(OrderError::NotFound("fulfilment"));
        }
        if !(party.is_admin() || party.is_manager_of(fulfilment.cooperative_id)) {
            return Err(match store::visibility(party, &order) {
                None => OrderError::NotFound("order"),
                Some(_) => OrderError::Forbidden(
                    "refunds are made by admins or the cooperative's manager".into(),
                ),
            });
        }
        self.refund_as(party, request).await
    }

    pub(crate) async fn refund_as(
        &self,
        party: &Party,
        request: RefundRequest,
    ) -> Result<RefundView, OrderError> {
        let key = request.idempotency_key.trim().to_owned();
        if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(OrderError::invalid(
                "idempotencyKey",
                FieldErrorCode::Invalid,
                "idempotencyKey must be 1 to 100 printable ASCII characters",
            ));
        }
        let reason = request.reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(OrderError::invalid(
                "reason",
                FieldErrorCode::Required,
                "say why the money is refunded (at most 500 characters)",
            ));
        }
        if let Some(existing) = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(request.order_id))
            .filter(refund::Column::IdempotencyKey.eq(key.as_str()))
            .one(&self.db)
            .await?
        {
            let same = existing.fulfilment_id == request.fulfilment_id
                && request
                    .amount_paise
                    .is_none_or(|a| a == existing.amount_paise);
            if !same {
                return Err(OrderError::Conflict(
                    "this idempotencyKey was already used for a different refund".into(),
                ));
            }
            if existing.status == RefundStatus::Pending
                && existing.provider != PaymentProvider::Manual
            {
                return self.send_refund(existing).await;
            }
            return Ok(existing.into());
        }
        let (fulfilment, order) = store::load_fulfilment(&self.db, request.fulfilment_id).await?;
        if order.payment_received_paise <= 0 {
            return Err(OrderError::Conflict(
                "nothing was paid for this order; cancel it instead".into(),
            ));
        }
        // Cash on delivery is collected per fulfilment: only that is refundable.
        let paid_for = if order.payment_method == PaymentMethod::CashOnDelivery {
            fulfilment.cash_collected_paise
        } else {
            fulfilment.total_paise
        };
        let refundable = paid_for - fulfilment.refunded_paise;
        if refundable <= 0 && fulfilment.refunded_paise == 0 {
            return Err(OrderError::Conflict(
                "no cash was collected for this fulfilment; cancel it instead".into(),
            ));
        }
        let amount = request.amount_paise.unwrap_or(refundable);
        if amount <= 0 || amount > refundable {
            return Err(OrderError::invalid(
                "amountPaise",
                FieldErrorCode::OutOfRange,
                format!(
                    "at most {} of this fulfilment can be refunded",
                    kernel::Money::inr(refundable).for_people()
                ),
            ));
        }
        // Manual payments are returned by hand; the others through their provider.
        let through_provider = order.payment_provider != PaymentProvider::Manual;
        let now = Utc::now();
        let txn = kernel::begin_write(&self.db).await?;
        if !adjust_amounts(&txn, &fulfilment, amount).await? {
            txn.rollback().await?;
            return Err(OrderError::invalid(
                "amountPaise",
                FieldErrorCode::OutOfRange,
                "another refund took part of this amount; reload and try again",
            ));
        }
        let model = refund::Model {
            id: Uuid::now_v7(),
            order_id: order.id,
            fulfilment_id: fulfilment.id,
            amount_paise: amount,
            reason: reason.clone(),
            idempotency_key: key,
            provider: order.payment_provider,
            provider_reference: None,
            // A manual refund's record is the instruction to pay it back.
            status: if through_provider {
                RefundStatus::Pending
            } else {
                RefundStatus::Succeeded
            },
            failure_message: None,
            actor_user_id: party.user_id(),
            created_at: now,
            updated_at: now,
        };
        refund::Entity::insert(refund::ActiveModel {
            id: Set(model.id),
            order_id: Set(model.order_id),
            fulfilment_id: Set(model.fulfilment_id),
            amount_paise: Set(model.amount_paise),
            reason: Set(model.reason.clone()),
            idempotency_key: Set(model.idempotency_key.clone()),
            provider: Set(model.provider),
            provider_reference: Set(None),
            status: Set(model.status),
            failure_message: Set(None),
            actor_user_id: Set(model.actor_user_id),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&txn)
        .await?;
        // A manual refund is done when recorded: after invoicing, its credit note
        // goes with it. A provider's refund gets its note once the provider confirms.
        if model.status == RefundStatus::Succeeded {
            crate::notes::credit_for_refund(&txn, &model).await?;
            self.notify_refunded(&txn, &model).await?;
        }
        crate::history::record(
            &txn,
            order.id,
            Some(fulfilment.id),
            None,
            HistoryStatus::Refund,
            party,
            Some(&format!("{amount} paise: {reason}")),
        )
        .await?;
        // A fulfilment paid to its cooperative through Route: that part of the transfer
        // is reversed first, by a job that then sends this refund.
        let waits = through_provider && route::plan_reversal(&txn, &fulfilment, &model).await?;
        refresh_order_status(&txn, order.id, party, Some(&reason)).await?;
        txn.commit().await?;
        if waits {
            Ok(model.into())
        } else if through_provider {
            self.send_refund(model).await
        } else {
            Ok(model.into())
        }
    }

    /// Sends a recorded refund to the payment provider. A refusal gives the amount back to the
    /// fulfilment; an unknown outcome (timeout) leaves it PENDING for a retry with the
    /// same key.
    pub(crate) async fn send_refund(
        &self,
        refund: refund::Model,
    ) -> Result<RefundView, OrderError> {
        if route::reversal_pending(&self.db, refund.id).await? {
            // The cooperative holds this money until its transfer is reversed: the
            // buyer is not refunded from the platform's pocket meanwhile.
            return Ok(refund.into());
        }
        let gateway = self.gateway_for(refund.provider).ok_or_else(|| {
            OrderError::Provider(format!(
                "the payment provider {} is not configured",
                refund.provider
            ))
        })?;
        let order = store::load_order(&self.db, refund.order_id).await?;
        let intent = order
            .payment_reference
            .clone()
            .ok_or_else(|| OrderError::Conflict("the order has no card payment".into()))?;
        match gateway
            .refund(
                &intent,
                refund.amount_paise,
                &format!("refund-{}", refund.id),
            )
            .await
        {
            Ok(created) => {
                let status = if created.failed {
                    RefundStatus::Failed
                } else {
                    RefundStatus::Succeeded
                };
                let txn = kernel::begin_write(&self.db).await?;
                let updated = refund::Entity::update_many()
                    .col_expr(refund::Column::Status, Expr::value(status))
                    .col_expr(
                        refund::Column::ProviderReference,
                        Expr::value(created.reference.clone()),
                    )
                    .col_expr(refund::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(refund::Column::Id.eq(refund.id))
                    .filter(refund::Column::Status.eq(RefundStatus::Pending))
                    .exec(&txn)
                    .await?;
                if status == RefundStatus::Failed && updated.rows_affected == 1 {
                    self.give_back(&txn, &refund).await?;
                }
                if status == RefundStatus::Succeeded && updated.rows_affected == 1 {
                    crate::notes::credit_for_refund(&txn, &refund).await?;
                    self.notify_refunded(&txn, &refund).await?;
                }
                txn.commit().await?;
            }
            Err(ProviderFailure::Refused(message)) => {
                let txn = kernel::begin_write(&self.db).await?;
                let updated = refund::Entity::update_many()
                    .col_expr(refund::Column::Status, Expr::value(RefundStatus::Failed))
                    .col_expr(refund::Column::FailureMessage, Expr::value(message.clone()))
                    .col_expr(refund::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(refund::Column::Id.eq(refund.id))
                    .filter(refund::Column::Status.eq(RefundStatus::Pending))
                    .exec(&txn)
                    .await?;
                if updated.rows_affected == 1 {
                    self.give_back(&txn, &refund).await?;
                }
                txn.commit().await?;
                return Err(OrderError::Provider(format!(
                    "{} refused the refund: {message}",
                    gateway.display_name()
                )));
            }
            Err(ProviderFailure::Unavailable(message)) => {
                return Err(OrderError::Provider(format!(
                    "{} did not answer ({message}); repeat the refund with the same idempotencyKey",
                    gateway.display_name()
                )));
            }
        }
        Ok(refund::Entity::find_by_id(refund.id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("refund"))?
            .into())
    }

    async fn give_back(
        &self,
        db: &impl ConnectionTrait,
        refund: &refund::Model,
    ) -> Result<(), OrderError> {
        let (fulfilment, _) = store::load_fulfilment(db, refund.fulfilment_id).await?;
        adjust_amounts(db, &fulfilment, -refund.amount_paise).await?;
        refresh_order_status(
            db,
            refund.order_id,
            &Party::system(),
            Some("refund failed at the provider"),
        )
        .await?;
        Ok(())
    }

    /// The provider says a refund it had accepted failed. One still pending gives its
    /// amount back to the fulfilment (it can be refunded again); one already counted
    /// as done (and credited) is flagged for an admin, who settles it with the buyer:
    /// the marketplace does not silently rewrite a refund it told the buyer of.
    pub(crate) async fn refund_failed_at_provider(
        &self,
        gateway: &dyn crate::PaymentGateway,
        order_id: Uuid,
        reference: &str,
    ) -> Result<String, OrderError> {
        let Some(found) = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(order_id))
            .filter(refund::Column::ProviderReference.eq(reference))
            .one(&self.db)
            .await?
        else {
            crate::payments::recording::flag(
                &self.db,
                order_id,
                &format!(
                    "{} reports that refund {reference}, unknown to the marketplace, failed",
                    gateway.display_name()
                ),
            )
            .await?;
            return Ok("flagged: unknown refund failed".into());
        };
        match found.status {
            RefundStatus::Failed => Ok("refund already failed".into()),
            RefundStatus::Pending => {
                let txn = kernel::begin_write(&self.db).await?;
                let updated = refund::Entity::update_many()
                    .col_expr(refund::Column::Status, Expr::value(RefundStatus::Failed))
                    .col_expr(
                        refund::Column::FailureMessage,
                        Expr::value(format!(
                            "{} reported the refund failed",
                            gateway.display_name()
                        )),
                    )
                    .col_expr(refund::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(refund::Column::Id.eq(found.id))
                    .filter(refund::Column::Status.eq(RefundStatus::Pending))
                    .exec(&txn)
                    .await?;
                if updated.rows_affected == 1 {
                    self.give_back(&txn, &found).await?;
                }
                txn.commit().await?;
                Ok("refund failed: the amount is refundable again".into())
            }
            RefundStatus::Succeeded => {
                crate::payments::recording::flag(
                    &self.db,
                    order_id,
                    &format!(
                        "{} reports that the refund of {} ({reference}) failed after accepting it: the money did not go back",
                        gateway.display_name(),
                        kernel::Money::inr(found.amount_paise).for_people()
                    ),
                )
                .await?;
                Ok("flagged: an accepted refund failed".into())
            }
        }
    }

    /// Money that came in after release goes back, through the provider.
    pub(crate) async fn refund_late_payment(&self, order_id: Uuid) -> Result<(), OrderError> {
        let fulfilments = store::fulfilments_of(&self.db, order_id).await?;
        for f in fulfilments {
            let refundable = f.total_paise - f.refunded_paise;
            if refundable > 0 {
                self.refund_as(
                    &Party::system(),
                    RefundRequest {
                        order_id,
                        fulfilment_id: f.id,
                        amount_paise: Some(refundable),
                        reason: "payment arrived after the order was released".into(),
                        idempotency_key: format!("late-{}", f.id),
                    },
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The refunds of an order.
    pub async fn refunds_of(&self, order_id: Uuid) -> Result<Vec<RefundView>, OrderError> {
        Ok(refund::Entity::find()
            .filter(refund::Column::OrderId.eq(order_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(RefundView::from)
            .collect())
    }
}
