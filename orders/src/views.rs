//! Orders as their readers may see them: a buyer (or the buyer's organisation) sees
//! the whole order, a cooperative only its own fulfilments, admins everything.

use std::collections::HashMap;

use catalog::Actor;
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, sea_query::ExprTrait,
};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party,
    entity::{consignee, fulfilment, order, order_event, order_line},
};

pub type OrderLineView = order_line::Model;
pub type ConsigneeView = consignee::Model;

#[derive(Debug, Clone)]
pub struct FulfilmentView {
    pub fulfilment: fulfilment::Model,
    pub lines: Vec<OrderLineView>,
    /// Accepted, past its payment due date, and the order is not paid.
    pub payment_overdue: bool,
}

#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: order::Model,
    /// All of them, or only the viewing cooperative's.
    pub fulfilments: Vec<FulfilmentView>,
    pub consignees: Vec<ConsigneeView>,
    pub history: Vec<order_event::Model>,
}

impl OrderView {
    pub fn lines(&self) -> impl Iterator<Item = &OrderLineView> {
        self.fulfilments.iter().flat_map(|f| f.lines.iter())
    }
}

/// Which of a cooperative's orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<FulfilmentStatus>,
    /// Only fulfilments whose payment is overdue.
    pub overdue_only: bool,
}

#[derive(Debug, Clone)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub has_next_page: bool,
    pub total_count: u64,
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

fn overdue(order: &order::Model, f: &fulfilment::Model) -> bool {
    f.payment_due_at.is_some_and(|due| due < Utc::now())
        && order.payment_received_paise < order.total_paise
        && f.status != FulfilmentStatus::Cancelled.as_str()
}

/// Assembles views of `orders` in five queries, whatever their number.
async fn assemble(
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
    Ok(orders
        .into_iter()
        .map(|order| {
            let fulfilments = by_order
                .remove(&order.id)
                .unwrap_or_default()
                .into_iter()
                .map(|f| FulfilmentView {
                    payment_overdue: overdue(&order, &f),
                    lines: lines.remove(&f.id).unwrap_or_default(),
                    fulfilment: f,
                })
                .collect();
            OrderView {
                consignees: consignees.remove(&order.id).unwrap_or_default(),
                history: history.remove(&order.id).unwrap_or_default(),
                fulfilments,
                order,
            }
        })
        .collect())
}

async fn page(
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

impl OrderService {
    /// One order as `party` may see it; someone else's order is not found.
    pub async fn order_for(&self, party: &Party, order_id: Uuid) -> Result<OrderView, OrderError> {
        party.require_signed_in()?;
        let order = order::Entity::find_by_id(order_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("order"))?;
        let scope = visibility(party, &order).ok_or(OrderError::NotFound("order"))?;
        let mut views = assemble(&self.db, vec![order], scope).await?;
        let view = views.pop().ok_or(OrderError::NotFound("order"))?;
        if scope.is_some() && view.fulfilments.is_empty() {
            return Err(OrderError::NotFound("order"));
        }
        Ok(view)
    }

    /// The caller's orders, newest first (an institution user sees the organisation's).
    pub async fn my_orders(
        &self,
        party: &Party,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<OrderPage, OrderError> {
        let user_id = party.require_purchaser()?;
        let select = match (party.actor, party.organisation_id) {
            (Actor::Institution { .. }, Some(org)) => order::Entity::find().filter(
                sea_orm::Condition::any()
                    .add(order::Column::BuyerOrganisationId.eq(org))
                    .add(order::Column::BuyerUserId.eq(user_id)),
            ),
            _ => order::Entity::find().filter(order::Column::BuyerUserId.eq(user_id)),
        };
        page(&self.db, select, first, after, None).await
    }

    /// A cooperative's orders, each with only that cooperative's fulfilment.
    pub async fn cooperative_orders(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        filter: &OrderFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<OrderPage, OrderError> {
        party.require_signed_in()?;
        if !party.actor.can_manage(cooperative_id) {
            return Err(OrderError::Forbidden(
                "only the cooperative's staff and admins see its orders".into(),
            ));
        }
        let mut fulfilments = sea_orm::sea_query::Query::select()
            .column(fulfilment::Column::OrderId)
            .from(fulfilment::Entity)
            .and_where(fulfilment::Column::CooperativeId.eq(cooperative_id))
            .to_owned();
        if let Some(status) = filter.status {
            fulfilments.and_where(fulfilment::Column::Status.eq(status.as_str()));
        }
        if filter.overdue_only {
            fulfilments
                .and_where(fulfilment::Column::PaymentDueAt.lt(Utc::now()))
                .and_where(fulfilment::Column::Status.ne(FulfilmentStatus::Cancelled.as_str()));
        }
        let mut select = order::Entity::find().filter(order::Column::Id.in_subquery(fulfilments));
        if filter.overdue_only {
            select = select.filter(
                sea_orm::sea_query::Expr::col(order::Column::PaymentReceivedPaise)
                    .lt(sea_orm::sea_query::Expr::col(order::Column::TotalPaise)),
            );
        }
        page(&self.db, select, first, after, Some(cooperative_id)).await
    }
}
