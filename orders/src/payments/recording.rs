//! Recording payments. Nothing marks an order paid but a verified provider event, a
//! reconciliation answer from the provider, or an authorised manual confirmation, and
//! all three go through [`OrderService::record_payment`].

use chrono::Utc;
use kernel::FieldErrorCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party, PaymentProvider,
    entity::{fulfilment, order},
    history,
    order_state::refresh_order_status,
    reservations, store,
};

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentRecord {
    Recorded,
    /// The order was already paid: nothing changed.
    AlreadyPaid,
    /// The amount or currency differs from the order's; flagged, not trusted.
    Mismatch(String),
    /// The order had been released before the money arrived; it must be refunded.
    ArrivedAfterRelease,
}

pub(crate) async fn flag(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    issue: &str,
) -> Result<(), OrderError> {
    order::Entity::update_many()
        .col_expr(order::Column::PaymentIssue, Expr::value(issue))
        .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(order::Column::Id.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

impl OrderService {
    /// Records that the order's total arrived, once: unpaid fulfilments become PAID and
    /// their held stock is sold.
    pub(crate) async fn record_payment(
        &self,
        order_id: Uuid,
        amount_paise: i64,
        currency: &str,
        party: &Party,
        note: &str,
    ) -> Result<PaymentRecord, OrderError> {
        let txn = kernel::begin_write(&self.db).await?;
        let order = store::load_order(&txn, order_id).await?;
        if order.payment_received_paise > 0 {
            txn.rollback().await?;
            return Ok(PaymentRecord::AlreadyPaid);
        }
        if amount_paise != order.total_paise || !currency.eq_ignore_ascii_case(&order.currency) {
            let issue = format!(
                "payment of {amount_paise} {} does not match the order total of {} {}",
                currency.to_uppercase(),
                order.total_paise,
                order.currency
            );
            flag(&txn, order_id, &issue).await?;
            txn.commit().await?;
            tracing::warn!(%order_id, issue, "payment mismatch flagged");
            return Ok(PaymentRecord::Mismatch(issue));
        }
        let fulfilments = store::fulfilments_of(&txn, order_id).await?;
        if fulfilments
            .iter()
            .all(|f| f.status == FulfilmentStatus::Cancelled)
        {
            // Money for an order already released: keep the fact, refund it.
            order::Entity::update_many()
                .col_expr(
                    order::Column::PaymentReceivedPaise,
                    Expr::value(amount_paise),
                )
                .col_expr(order::Column::PaidAt, Expr::value(Utc::now()))
                .col_expr(
                    order::Column::PaymentIssue,
                    Expr::value("payment arrived after the order was released; refunded"),
                )
                .filter(order::Column::Id.eq(order_id))
                .filter(order::Column::PaymentReceivedPaise.eq(0))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Ok(PaymentRecord::ArrivedAfterRelease);
        }
        let updated = order::Entity::update_many()
            .col_expr(
                order::Column::PaymentReceivedPaise,
                Expr::value(amount_paise),
            )
            .col_expr(order::Column::PaidAt, Expr::value(Utc::now()))
            .col_expr(
                order::Column::ReservationExpiresAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(order::Column::Id.eq(order_id))
            .filter(order::Column::PaymentReceivedPaise.eq(0))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(PaymentRecord::AlreadyPaid);
        }
        for f in fulfilments
            .iter()
            .filter(|f| f.status == FulfilmentStatus::PendingPayment)
        {
            fulfilment::Entity::update_many()
                .col_expr(
                    fulfilment::Column::Status,
                    Expr::value(FulfilmentStatus::Paid),
                )
                .col_expr(fulfilment::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(fulfilment::Column::Id.eq(f.id))
                .filter(fulfilment::Column::Status.eq(FulfilmentStatus::PendingPayment))
                .exec(&txn)
                .await?;
            history::record(
                &txn,
                order_id,
                Some(f.id),
                Some(FulfilmentStatus::PendingPayment.into()),
                FulfilmentStatus::Paid.into(),
                party,
                Some(note),
            )
            .await?;
        }
        reservations::consume(&txn, order_id).await?;
        refresh_order_status(&txn, order_id, party, Some(note)).await?;
        txn.commit().await?;
        Ok(PaymentRecord::Recorded)
    }

    /// `paymentMarkReceived`: staff confirm a cash, bank-transfer or purchase-order
    /// payment. Admins may confirm any; a cooperative's manager only an order wholly
    /// fulfilled by that cooperative (the money came to them).
    pub async fn mark_payment_received(
        &self,
        party: &Party,
        order_id: Uuid,
        amount_paise: i64,
        reference: &str,
    ) -> Result<Uuid, OrderError> {
        party.require_signed_in()?;
        let order = store::load_order(&self.db, order_id).await?;
        let fulfilments = store::fulfilments_of(&self.db, order_id).await?;
        let allowed = party.is_admin()
            || (!fulfilments.is_empty()
                && fulfilments
                    .iter()
                    .all(|f| party.is_manager_of(f.cooperative_id)));
        if !allowed {
            return Err(match store::visibility(party, &order) {
                None => OrderError::NotFound("order"),
                Some(_) => OrderError::Forbidden(
                    "only admins, or the manager of the only cooperative in the order, confirm payments"
                        .into(),
                ),
            });
        }
        if order.payment_provider != PaymentProvider::Manual {
            return Err(OrderError::Conflict(
                "card payments are confirmed by the payment provider, not by hand".into(),
            ));
        }
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().count() > 100 {
            return Err(OrderError::invalid(
                "reference",
                FieldErrorCode::Required,
                "give the receipt, transfer or cheque reference (at most 100 characters)",
            ));
        }
        if order.payment_received_paise > 0 {
            return Err(OrderError::Conflict("this order is already paid".into()));
        }
        if amount_paise != order.total_paise {
            return Err(OrderError::invalid(
                "amountPaise",
                FieldErrorCode::Invalid,
                format!("the order total is {} paise", order.total_paise),
            ));
        }
        if fulfilments
            .iter()
            .all(|f| f.status == FulfilmentStatus::Cancelled)
        {
            return Err(OrderError::Conflict("this order was cancelled".into()));
        }
        let note = format!("payment received by hand: {reference}");
        match self
            .record_payment(order_id, amount_paise, &order.currency, party, &note)
            .await?
        {
            PaymentRecord::Recorded => Ok(order_id),
            PaymentRecord::AlreadyPaid => {
                Err(OrderError::Conflict("this order is already paid".into()))
            }
            PaymentRecord::Mismatch(issue) => Err(OrderError::Conflict(issue)),
            PaymentRecord::ArrivedAfterRelease => {
                Err(OrderError::Conflict("this order was cancelled".into()))
            }
        }
    }
}
