//! Orders as their readers may see them: a buyer (or the buyer's organisation) sees
//! the whole order, a cooperative only its own fulfilments, admins everything.

use chrono::Utc;
use kernel::Actor;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::ExprTrait};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party,
    entity::{fulfilment, order},
    records::{AdminOrderFilter, OrderFilter, OrderPage, OrderView},
    store,
};

impl OrderService {
    /// One order as `party` may see it; someone else's order is not found.
    pub async fn order_for(&self, party: &Party, order_id: Uuid) -> Result<OrderView, OrderError> {
        party.require_signed_in()?;
        let order = store::load_order(&self.db, order_id).await?;
        let scope = store::visibility(party, &order).ok_or(OrderError::NotFound("order"))?;
        let mut views = store::assemble(&self.db, vec![order], scope).await?;
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
        store::page(&self.db, select, first, after, None).await
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
            fulfilments.and_where(fulfilment::Column::Status.eq(status));
        }
        if filter.overdue_only {
            fulfilments
                .and_where(fulfilment::Column::PaymentDueAt.lt(Utc::now()))
                .and_where(
                    fulfilment::Column::Status
                        .is_not_in([FulfilmentStatus::Cancelled, FulfilmentStatus::Returned]),
                );
        }
        let mut select = order::Entity::find().filter(order::Column::Id.in_subquery(fulfilments));
        if filter.overdue_only {
            select = select.filter(
                sea_orm::sea_query::Expr::col(order::Column::PaymentReceivedPaise)
                    .lt(sea_orm::sea_query::Expr::col(order::Column::TotalPaise)),
            );
        }
        store::page(&self.db, select, first, after, Some(cooperative_id)).await
    }

    /// Every order of the marketplace matching `filter`, newest first, each whole
    /// (admins only).
    pub async fn all_orders(
        &self,
        party: &Party,
        filter: &AdminOrderFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<OrderPage, OrderError> {
        party.require_signed_in()?;
        if !matches!(party.actor, Actor::Admin { .. }) {
            return Err(OrderError::Forbidden(
                "only platform admins may do this".into(),
            ));
        }
        let mut select = order::Entity::find();
        if let Some(status) = filter.status {
            select = select.filter(order::Column::Status.eq(status));
        }
        if let Some(method) = filter.payment_method {
            select = select.filter(order::Column::PaymentMethod.eq(method));
        }
        if let Some(from) = filter.placed_from {
            select = select.filter(order::Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.placed_to {
            select = select.filter(order::Column::CreatedAt.lt(to));
        }
        if let Some(cooperative_id) = filter.cooperative_id {
            let fulfilments = sea_orm::sea_query::Query::select()
                .column(fulfilment::Column::OrderId)
                .from(fulfilment::Entity)
                .and_where(fulfilment::Column::CooperativeId.eq(cooperative_id))
                .to_owned();
            select = select.filter(order::Column::Id.in_subquery(fulfilments));
        }
        store::page(&self.db, select, first, after, None).await
    }
}
