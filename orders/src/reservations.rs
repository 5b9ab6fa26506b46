//! Stock held for orders. A reservation is HELD from checkout until the order is paid
//! (CONSUMED) or released (RELEASED: expiry, payment failure or cancellation, which
//! puts the units back in stock). Each change is a compare-and-set on the row's status,
//! so two processes releasing the same reservation return its units once.

use catalog::release_stock_for_order;
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{OrderError, ReservationStatus, entity::stock_reservation};

/// Payment arrived: the held units are sold.
pub(crate) async fn consume(db: &impl ConnectionTrait, order_id: Uuid) -> Result<(), OrderError> {
    stock_reservation::Entity::update_many()
        .col_expr(
            stock_reservation::Column::Status,
            ReservationStatus::Consumed.into(),
        )
        .col_expr(stock_reservation::Column::UpdatedAt, Utc::now().into())
        .filter(stock_reservation::Column::OrderId.eq(order_id))
        .filter(stock_reservation::Column::Status.eq(ReservationStatus::Held))
        .exec(db)
        .await?;
    Ok(())
}

/// Returns the units of a fulfilment (or of the whole order) to stock.
pub(crate) async fn release(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    fulfilment_id: Option<Uuid>,
) -> Result<(), OrderError> {
    let mut select = stock_reservation::Entity::find()
        .filter(stock_reservation::Column::OrderId.eq(order_id))
        .filter(
            stock_reservation::Column::Status
                .is_in([ReservationStatus::Held, ReservationStatus::Consumed]),
        );
    if let Some(fulfilment_id) = fulfilment_id {
        select = select.filter(stock_reservation::Column::FulfilmentId.eq(fulfilment_id));
    }
    for reservation in select.all(db).await? {
        let claimed = stock_reservation::Entity::update_many()
            .col_expr(
                stock_reservation::Column::Status,
                ReservationStatus::Released.into(),
            )
            .col_expr(stock_reservation::Column::UpdatedAt, Utc::now().into())
            .filter(stock_reservation::Column::Id.eq(reservation.id))
            .filter(stock_reservation::Column::Status.eq(reservation.status))
            .exec(db)
            .await?;
        if claimed.rows_affected == 1 {
            release_stock_for_order(db, reservation.variant_id, reservation.quantity, order_id)
                .await?;
        }
    }
    Ok(())
}
