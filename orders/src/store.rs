//! The order tables' row loaders, shared by every use case: one place that reads
//! orders, fulfilments, lines, consignees and history, decides what a party may see,
//! and builds the domain views. Use cases call the store instead of each other.

use std::collections::HashMap;

use chrono::Utc;
use kernel::Actor;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::{
    OrderError, Party,
    entity::{consignee, fulfilment, order, order_event, order_line},
    records::{ConsigneeView, FulfilmentView, HistoryEntry, OrderLineView, OrderPage, OrderView},
};

/// An order by id.
pub(crate) async fn load_order(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<order::Model, OrderError> {
    order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .ok_or(OrderError::NotFound("order"))
}

/// A fulfilment and its order.
pub(crate) async fn load_fulfilment(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<(fulfilment::Model, order::Model), OrderError> {
    let fulfilment = fulfilment::Entity::find_by_id(fulfilment_id)
        .one(db)
        .await?
        .ok_or(OrderError::NotFound("fulfilment"))?;
    let order = order::Entity::find_by_id(fulfilment.order_id)
        .one(db)
        .await?
        .ok_or_else(|| OrderError::corrupt("fulfilment without order"))?;
    Ok((fulfilment, order))
}

/// Every fulfilment of an order.
pub(crate) async fn fulfilments_of(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<fulfilment::Model>, OrderError> {
    Ok(fulfilment::Entity::find()
        .filter(fulfilment::Column::OrderId.eq(order_id))
        .all(db)
        .await?)
}

/// The order whose payment the provider knows as `reference`.
pub(crate) async fn order_by_payment_reference(
    db: &impl ConnectionTrait,
    reference: &str,
) -> Result<Option<order::Model>, OrderError> {
    Ok(order::Entity::find()
        .filter(order::Column::PaymentReference.eq(reference))
        .one(db)
        .await?)
}

/// A fulfilment's lines, as printed on its invoice.
pub(crate) async fn lines_of_fulfilment(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<Vec<OrderLineView>, OrderError> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.eq(fulfilment_id))
        .all(db)
        .await?
        .into_iter()
        .map(OrderLineView::from)
        .collect())
}

/// An order's consignees.
pub(crate) async fn consignees_of(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<ConsigneeView>, OrderError> {
    Ok(consignee::Entity::find()
        .filter(consignee::Column::OrderId.eq(order_id))
        .all(db)
        .await?
        .into_iter()
        .map(ConsigneeView::from)
        .collect())
}

/// Whether `party` sees the whole order (`Some(None)`), only one cooperative's part
/// (`Some(Some(id))`), or nothing.
pub(crate) fn visibility(party: &Party, order: &order::Model) -> Option<Option<Uuid>> {
    match party.actor {
        Actor::Admin { .. } | Actor::System => Some(None),
        Actor::Buyer { user_id } => (order.buyer_user_id == user_id).then_some(None),
        Actor::Institution { user_id } => (order.buyer_user_id == user_id
            || (order.buyer_organisation_id.is_some()
                && order.buyer_organisation_id == party.organisation_id))
            .then_some(None),
        Actor::CooperativeStaff { cooperative_id, .. } => Some(Some(cooperative_id)),
        Actor::Anonymous => None,
    }
}

pub(crate) fn overdue(order: &order::Model, f: &fulfilment::Model) -> bool {
    f.payment_due_at.is_some_and(|due| due < Utc::now())
        && order.payment_received_paise < order.total_paise
        && !f.status.is_void()
}

/// Assembles views of `orders` in five queries, whatever their number.
pub(crate) async fn assemble(
    db: &impl ConnectionTrait,
    orders: Vec<order::Model>,
    only_cooperative: Option<Uuid>,
) -> Result<Vec<OrderView>, OrderError> {
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let mut fulfilments = fulfilment::Entity::find()
        .filter(fulfilment::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(fulfilment::Column::Id);
    if let Some(cooperative_id) = only_cooperative {
        fulfilments = fulfilments.filter(fulfilment::Column::CooperativeId.eq(cooperative_id));
    }
    let fulfilments = fulfilments.all(db).await?;
    let mut lines: HashMap<Uuid, Vec<order_line::Model>> = HashMap::new();
    for line in order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?
    {
        lines.entry(line.fulfilment_id).or_default().push(line);
    }
    let mut consignees: HashMap<Uuid, Vec<consignee::Model>> = HashMap::new();
    for c in consignee::Entity::find()
        .filter(consignee::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(consignee::Column::Position)
        .all(db)
        .await?
    {
        consignees.entry(c.order_id).or_default().push(c);
    }
    let visible: std::collections::HashSet<Uuid> = fulfilments.iter().map(|f| f.id).collect();
    let mut history: HashMap<Uuid, Vec<order_event::Model>> = HashMap::new();
    for event in order_event::Entity::find()
        .filter(order_event::Column::OrderId.is_in(ids))
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await?
    {
        // A cooperative sees the order-level entries and its own fulfilment's.
        if event.fulfilment_id.is_none_or(|id| visible.contains(&id)) {
            history.entry(event.order_id).or_default().push(event);
        }
    }
    let mut by_order: HashMap<Uuid, Vec<fulfilment::Model>> = HashMap::new();
    for f in fulfilments {
        by_order.entry(f.order_id).or_default().push(f);
    }
    orders
        .into_iter()
        .map(|order| {
            let fulfilments: Vec<FulfilmentView> = by_order
                .remove(&order.id)
                .unwrap_or_default()
                .into_iter()
                .map(|f| FulfilmentView {
                    payment_overdue: overdue(&order, &f),
                    lines: lines
                        .remove(&f.id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(OrderLineView::from)
                        .collect(),
                    fulfilment: f.into(),
                })
                .collect();
            Ok(OrderView {
                consignees: consignees
                    .remove(&order.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(ConsigneeView::from)
                    .collect(),
                history: history
                    .remove(&order.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(HistoryEntry::from)
                    .collect(),
                order: match only_cooperative {
                    Some(_) => own_part(order.into(), &fulfilments)?,
                    None => order.into(),
                },
                fulfilments,
            })
        })
        .collect()
}

/// A cooperative's view of a shared order: the order's figures are those of its own
/// fulfilments, so that nothing of another cooperative's amounts shows through the
/// order's totals. The payment received is capped at its own total (the part paid
/// towards it as far as anyone can tell).
fn own_part(
    mut order: crate::OrderRecord,
    fulfilments: &[FulfilmentView],
) -> Result<crate::OrderRecord, OrderError> {
    let sum = |figure: fn(&FulfilmentView) -> i64| {
        fulfilments
            .iter()
            .try_fold(0_i64, |sum, f| sum.checked_add(figure(f)))
            .ok_or_else(|| OrderError::corrupt("a cooperative's share of an order overflows"))
    };
    order.goods_paise = sum(|f| f.fulfilment.goods_paise)?;
    order.shipping_paise = sum(|f| f.fulfilment.shipping_paise)?;
    order.taxable_paise = sum(|f| f.fulfilment.taxable_paise)?;
    order.cgst_paise = sum(|f| f.fulfilment.cgst_paise)?;
    order.sgst_paise = sum(|f| f.fulfilment.sgst_paise)?;
    order.utgst_paise = sum(|f| f.fulfilment.utgst_paise)?;
    order.igst_paise = sum(|f| f.fulfilment.igst_paise)?;
    order.total_paise = sum(|f| f.fulfilment.total_paise)?;
    order.refunded_paise = sum(|f| f.fulfilment.refunded_paise)?;
    order.payment_received_paise = order.payment_received_paise.min(order.total_paise);
    Ok(order)
}

pub(crate) async fn page(
    db: &impl ConnectionTrait,
    select: Select<order::Entity>,
    first: u64,
    after: Option<Uuid>,
    only_cooperative: Option<Uuid>,
) -> Result<OrderPage, OrderError> {
    let total_count = select.clone().count(db).await?;
    let mut select = select.order_by_desc(order::Column::Id);
    if let Some(after) = after {
        select = select.filter(order::Column::Id.lt(after));
    }
    let mut orders = select.limit(first + 1).all(db).await?;
    let has_next_page = orders.len() as u64 > first;
    orders.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(OrderPage {
        orders: assemble(db, orders, only_cooperative).await?,
        has_next_page,
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sea_orm::{ActiveValue::Set, ConnectionTrait, Database, EntityTrait};
    use uuid::Uuid;

    use crate::{ReservationStatus, entity::stock_reservation};

    /// A stored value outside the enum is an error (hence INTERNAL, logged), never a
    /// default.
    #[tokio::test]
    async fn a_corrupt_status_fails_to_decode() -> Result<(), Box<dyn std::error::Error>> {
        let db = Database::connect("sqlite::memory:").await?;
        db.execute_unprepared(
            "CREATE TABLE stock_reservations (id BLOB PRIMARY KEY, order_id BLOB NOT NULL, \
             fulfilment_id BLOB NOT NULL, variant_id BLOB NOT NULL, quantity INTEGER NOT NULL, \
             status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        )
        .await?;
        let id = Uuid::now_v7();
        stock_reservation::Entity::insert(stock_reservation::ActiveModel {
            id: Set(id),
            order_id: Set(Uuid::now_v7()),
            fulfilment_id: Set(Uuid::now_v7()),
            variant_id: Set(Uuid::now_v7()),
            quantity: Set(1),
            status: Set(ReservationStatus::Held),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        })
        .exec(&db)
        .await?;
        let stored = stock_reservation::Entity::find_by_id(id).one(&db).await?;
        assert_eq!(stored.map(|r| r.status), Some(ReservationStatus::Held));
        db.execute_unprepared("UPDATE stock_reservations SET status = 'LOST'")
            .await?;
        assert!(
            stock_reservation::Entity::find_by_id(id)
                .one(&db)
                .await
                .is_err()
        );
        Ok(())
    }
}
