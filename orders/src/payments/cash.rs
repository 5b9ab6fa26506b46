//! Cash on delivery across several cooperatives: each cooperative's parcel is paid for
//! at the door, so each fulfilment's cash is recorded on its own, by that
//! cooperative's manager (or an admin), for that fulfilment's amount. The order is paid
//! when every part not cancelled is; a part cancelled before it shipped was never
//! collected and has nothing to refund.

use chrono::Utc;
use kernel::{FieldErrorCode, Money};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, OrderStatus, Party, PaymentMethod,
    entity::{fulfilment, order},
    history,
    order_state::refresh_order_status,
    store,
};

impl OrderService {
    /// `fulfilmentCashCollected`: the cash for one fulfilment of a cash-on-delivery
    /// order was collected (`amount_paise` must be that fulfilment's amount).
    pub async fn record_cash_collected(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
        amount_paise: i64,
        reference: &str,
    ) -> Result<Uuid, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        if !(party.is_admin() || party.is_manager_of(fulfilment.cooperative_id)) {
            return Err(match store::visibility(party, &order) {
                None => OrderError::NotFound("fulfilment"),
                Some(_) => OrderError::Forbidden(
                    "cash is recorded by the manager of the fulfilment's cooperative, or an admin"
                        .into(),
                ),
            });
        }
        if order.payment_method != PaymentMethod::CashOnDelivery {
            return Err(OrderError::Conflict(
                "only cash-on-delivery orders collect cash per fulfilment; record other payments with paymentMarkReceived".into(),
            ));
        }
        let reference = reference.trim();
        if reference.is_empty()
            || reference.chars().count() > 100
            || reference.chars().any(char::is_control)
        {
            return Err(OrderError::invalid(
                "reference",
                FieldErrorCode::Required,
                "give the cash receipt or the carrier's remittance reference (at most 100 characters)",
            ));
        }
        if fulfilment.cash_collected_paise > 0 {
            return Err(OrderError::Conflict(
                "the cash for this fulfilment is already recorded".into(),
            ));
        }
        let status = fulfilment.status;
        if !matches!(
            status,
            FulfilmentStatus::Shipped | FulfilmentStatus::Delivered | FulfilmentStatus::Accepted
        ) {
            return Err(OrderError::Conflict(format!(
                "cash is collected on delivery: a {status} fulfilment has not gone out"
            )));
        }
        if order.payment_received_paise >= order.total_paise {
            return Err(OrderError::Conflict("this order is already paid".into()));
        }
        let due = fulfilment.total_paise - fulfilment.refunded_paise;
        if amount_paise != due {
            return Err(OrderError::invalid(
                "amountPaise",
                FieldErrorCode::Invalid,
                format!(
                    "this fulfilment's amount is {}",
                    Money::inr(due).for_people()
                ),
            ));
        }
        let now = Utc::now();
        let txn = kernel::begin_write(&self.db).await?;
        let claimed = fulfilment::Entity::update_many()
            .col_expr(
                fulfilment::Column::CashCollectedPaise,
                Expr::value(amount_paise),
            )
            .col_expr(fulfilment::Column::CashCollectedAt, Expr::value(now))
            .col_expr(fulfilment::Column::CashReference, Expr::value(reference))
            .col_expr(fulfilment::Column::UpdatedAt, Expr::value(now))
            .filter(fulfilment::Column::Id.eq(fulfilment_id))
            .filter(fulfilment::Column::CashCollectedPaise.eq(0))
            .filter(fulfilment::Column::Status.eq(status))
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            txn.rollback().await?;
            return Err(OrderError::Conflict(
                "the fulfilment changed meanwhile; reload it and try again".into(),
            ));
        }
        order::Entity::update_many()
            .col_expr(
                order::Column::PaymentReceivedPaise,
                Expr::col(order::Column::PaymentReceivedPaise).add(amount_paise),
            )
            .col_expr(order::Column::UpdatedAt, Expr::value(now))
            .filter(order::Column::Id.eq(order.id))
            .exec(&txn)
            .await?;
        let note = format!(
            "cash collected: {} ({reference})",
            Money::inr(amount_paise).for_people()
        );
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(status.into()),
            status.into(),
            party,
            Some(&note),
        )
        .await?;
        let next = refresh_order_status(&txn, order.id, party, Some(&note)).await?;
        if next == OrderStatus::Paid {
            order::Entity::update_many()
                .col_expr(order::Column::PaidAt, Expr::value(now))
                .filter(order::Column::Id.eq(order.id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(order.id)
    }
}
