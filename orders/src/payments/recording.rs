//! Recording payments. Nothing marks an order paid but a verified provider event, a
//! reconciliation answer from the provider, or an authorised manual confirmation, and
//! all three go through [`OrderService::record_payment`].

use chrono::Utc;
use kernel::FieldErrorCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party, PaymentMethod, PaymentProvider,
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

/// An amount for a message people read: `Rs 1,430.00`, or the code and minor units of
/// a currency the marketplace does not price in (what a provider reported).
pub(crate) fn people(minor: i64, currency: &str) -> String {
    match kernel::Currency::from_code(&currency.to_uppercase()) {
        Some(currency) => kernel::Money { minor, currency }.for_people(),
        None => format!("{minor} (minor units of {})", currency.to_uppercase()),
    }
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
                "payment of {} does not match the order total of {}",
                people(amount_paise, currency),
                people(order.total_paise, &order.currency)
            );
            flag(&txn, order_id, &issue).await?;
            txn.commit().await?;
            tracing::warn!(%order_id, issue, "payment mismatch flagged");
            return Ok(PaymentRecord::Mismatch(issue));
        }
        let fulfilments = store::fulfilments_of(&txn, order_id).await?;
        if fulfilments.iter().all(|f| f.status.is_void()) {
            // Money for an order already released: keep the fact, refund it. Whoever
            // records it (the webhook, or the sweeper cancelling the payment) refunds
            // it; the other finds it already recorded.
            let recorded = order::Entity::update_many()
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
            if recorded.rows_affected != 1 {
                txn.rollback().await?;
                return Ok(PaymentRecord::AlreadyPaid);
            }
            txn.commit().await?;
            return Ok(PaymentRecord::ArrivedAfterRelease);
        }
        let updated = order::Entity::update_many()
            .col_expr(
                order::Column::PaymentReceivedPaise,
                Expr::value(amount_paise),
            )
            .col_expr(order::Column::PaidAt, Expr::value(Utc::now()))
            // Paid in full: a declined attempt before it, or an amount that did not
            // match, is resolved.
            .col_expr(
                order::Column::PaymentFailure,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                order::Column::PaymentIssue,
                Expr::value(Option::<String>::None),
            )
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
        if order.payment_method == PaymentMethod::CashOnDelivery {
            // The whole order's cash at once: each part counts as collected, so that
            // refunds and cancellations see what was paid for it.
            fulfilment::Entity::update_many()
                .col_expr(
                    fulfilment::Column::CashCollectedPaise,
                    Expr::col(fulfilment::Column::TotalPaise),
                )
                .col_expr(fulfilment::Column::CashCollectedAt, Expr::value(Utc::now()))
                .filter(fulfilment::Column::OrderId.eq(order_id))
                .filter(
                    fulfilment::Column::Status
                        .is_not_in([FulfilmentStatus::Cancelled, FulfilmentStatus::Returned]),
                )
                .filter(fulfilment::Column::CashCollectedPaise.eq(0))
                .exec(&txn)
                .await?;
        }
        reservations::consume(&txn, order_id).await?;
        // Razorpay Route: each cooperative's share, held until delivery, made by a
        // job queued with the payment, whichever path recorded it first.
        self.plan_transfers(&txn, order_id).await?;
        refresh_order_status(&txn, order_id, party, Some(note)).await?;
        self.notify_payment_received(&txn, order_id).await?;
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
        if order.payment_received_paise > 0 && order.payment_received_paise < order.total_paise {
            return Err(OrderError::Conflict(
                "cash for part of this order is recorded: record each fulfilment's with fulfilmentCashCollected".into(),
            ));
        }
        if order.payment_received_paise > 0 {
            return Err(OrderError::Conflict("this order is already paid".into()));
        }
        if amount_paise != order.total_paise {
            return Err(OrderError::invalid(
                "amountPaise",
                FieldErrorCode::Invalid,
                format!(
                    "the order total is {}",
                    kernel::Money::inr(order.total_paise).for_people()
                ),
            ));
        }
        if fulfilments.iter().all(|f| f.status.is_void()) {
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

    /// `orderPaymentIssueResolve`: an admin has dealt with a payment issue (a refund
    /// made outside the marketplace reconciled, a mismatched amount settled with the
    /// buyer) and says how; the issue clears and the note goes into the history. An
    /// order without an issue is left as it is (a repeated call resolves once).
    pub async fn resolve_payment_issue(
        &self,
        party: &Party,
        order_id: Uuid,
        note: &str,
    ) -> Result<Uuid, OrderError> {
        party.require_signed_in()?;
        let order = store::load_order(&self.db, order_id).await?;
        if !party.is_admin() {
            return Err(match store::visibility(party, &order) {
                None => OrderError::NotFound("order"),
                Some(_) => OrderError::Forbidden("admins resolve payment issues".into()),
            });
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            return Err(OrderError::invalid(
                "note",
                FieldErrorCode::Required,
                "say how the issue was resolved (at most 500 characters)",
            ));
        }
        let Some(issue) = order.payment_issue.as_deref() else {
            return Ok(order_id);
        };
        let txn = kernel::begin_write(&self.db).await?;
        let cleared = order::Entity::update_many()
            .col_expr(
                order::Column::PaymentIssue,
                Expr::value(Option::<String>::None),
            )
            .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(order::Column::Id.eq(order_id))
            .filter(order::Column::PaymentIssue.eq(issue))
            .exec(&txn)
            .await?;
        if cleared.rows_affected != 1 {
            txn.rollback().await?;
            return Err(OrderError::Conflict(
                "the payment issue changed meanwhile; reload it".into(),
            ));
        }
        history::record(
            &txn,
            order_id,
            None,
            Some(order.status.into()),
            order.status.into(),
            party,
            Some(&format!(
                "payment issue resolved: {note} (the issue: {issue})"
            )),
        )
        .await?;
        txn.commit().await?;
        Ok(order_id)
    }
}
