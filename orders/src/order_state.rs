//! An order's status follows from its payment, its refunds and its fulfilments; every
//! write that changes one of those refreshes it here, and fulfilments move by
//! compare-and-set on their current status.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, Party, PaymentMethod,
    entity::fulfilment,
    entity::order,
    history,
    status::{OrderFacts, OrderStatus, derive_order_status},
    store,
};

/// Moves one fulfilment from `from` to `to` if it is still in `from`.
pub(crate) async fn compare_and_set(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
    from: FulfilmentStatus,
    to: FulfilmentStatus,
    extra: Vec<(fulfilment::Column, sea_orm::Value)>,
) -> Result<(), OrderError> {
    let mut update = fulfilment::Entity::update_many()
        .col_expr(fulfilment::Column::Status, Expr::value(to))
        .col_expr(fulfilment::Column::UpdatedAt, Expr::value(Utc::now()));
    for (column, value) in extra {
        update = update.col_expr(column, Expr::value(value));
    }
    let done = update
        .filter(fulfilment::Column::Id.eq(fulfilment_id))
        .filter(fulfilment::Column::Status.eq(from))
        .exec(db)
        .await?;
    if done.rows_affected == 1 {
        Ok(())
    } else {
        Err(OrderError::Conflict(
            "the fulfilment changed meanwhile; reload it and try again".into(),
        ))
    }
}

/// Recomputes an order's status from its payment, refunds and fulfilments, and
/// records the change.
pub(crate) async fn refresh_order_status(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    party: &Party,
    reason: Option<&str>,
) -> Result<OrderStatus, OrderError> {
    let order = store::load_order(db, order_id).await?;
    let fulfilments = store::fulfilments_of(db, order_id).await?;
    // Cash on delivery is collected per fulfilment: the order is paid when every part
    // not cancelled is (a part cancelled before shipping was never collected).
    let due_paise = if order.payment_method == PaymentMethod::CashOnDelivery {
        fulfilments
            .iter()
            .filter(|f| !f.status.is_void())
            .try_fold(0_i64, |sum, f| sum.checked_add(f.total_paise))
            .ok_or_else(|| OrderError::corrupt("order total overflows"))?
    } else {
        order.total_paise
    };
    let next = derive_order_status(OrderFacts {
        on_credit_terms: order.payment_method.on_credit_terms(),
        total_paise: due_paise,
        payment_received_paise: order.payment_received_paise,
        refunded_paise: order.refunded_paise,
        all_fulfilments_cancelled: fulfilments.iter().all(|f| f.status.is_void()),
    });
    if next != order.status {
        order::Entity::update_many()
            .col_expr(order::Column::Status, Expr::value(next))
            .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(order::Column::Id.eq(order_id))
            .exec(db)
            .await?;
        history::record(
            db,
            order_id,
            None,
            Some(order.status.into()),
            next.into(),
            party,
            reason,
        )
        .await?;
    }
    Ok(next)
}
