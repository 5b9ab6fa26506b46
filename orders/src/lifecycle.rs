//! Moving fulfilments through their states: packing, shipping (which issues the GST
//! invoice), delivery, the consignee's acceptance, and cancellation. Each change is a
//! compare-and-set on the current status inside a transaction with its history entry.

use catalog::{Actor, FieldError, FieldErrorCode};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    FulfilmentAction, FulfilmentStatus, OrderError, OrderService, Party,
    entity::{fulfilment, order},
    history, invoices,
    refunds::RefundRequest,
    reservations,
    status::{OrderFacts, OrderStatus, derive_order_status},
};

/// What shipping records.
#[derive(Debug, Clone, Default)]
pub struct ShipmentDetails {
    pub carrier: String,
    pub tracking_number: String,
}

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

fn parse_status(text: &str) -> Result<FulfilmentStatus, OrderError> {
    text.parse().map_err(OrderError::Corrupt)
}

fn owns_order(party: &Party, order: &order::Model) -> bool {
    crate::views::visibility(party, order) == Some(None) && !party.is_admin()
}

/// May `party` make `action` on this fulfilment at all (whatever its state)?
fn authorise(
    party: &Party,
    action: FulfilmentAction,
    fulfilment: &fulfilment::Model,
    order: &order::Model,
) -> Result<(), OrderError> {
    party.require_signed_in()?;
    let allowed = match action {
        FulfilmentAction::Pay => party.is_admin(),
        FulfilmentAction::Pack | FulfilmentAction::Ship | FulfilmentAction::Deliver => {
            party.actor.can_manage(fulfilment.cooperative_id)
        }
        // The consignee accepts; for a channel's order the acceptance arrives through
        // the channel (GeM's CRAC) and an admin records it.
        FulfilmentAction::Accept => {
            (matches!(party.actor, Actor::Institution { .. }) && owns_order(party, order))
                || (party.is_admin() && order.source_channel.is_some())
        }
        FulfilmentAction::Cancel => {
            party.actor.can_manage(fulfilment.cooperative_id) || owns_order(party, order)
        }
    };
    if allowed {
        Ok(())
    } else if crate::views::visibility(party, order).is_none() {
        Err(OrderError::NotFound("fulfilment"))
    } else {
        Err(OrderError::Forbidden(format!(
            "a {} may not {} this fulfilment",
            party.role().to_lowercase(),
            action.as_str().to_lowercase()
        )))
    }
}

/// Moves one fulfilment from `from` to `to` if it is still in `from`.
async fn compare_and_set(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
    from: FulfilmentStatus,
    to: FulfilmentStatus,
    extra: Vec<(fulfilment::Column, sea_orm::Value)>,
) -> Result<(), OrderError> {
    let mut update = fulfilment::Entity::update_many()
        .col_expr(fulfilment::Column::Status, Expr::value(to.as_str()))
        .col_expr(fulfilment::Column::UpdatedAt, Expr::value(Utc::now()));
    for (column, value) in extra {
        update = update.col_expr(column, Expr::value(value));
    }
    let done = update
        .filter(fulfilment::Column::Id.eq(fulfilment_id))
        .filter(fulfilment::Column::Status.eq(from.as_str()))
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
    let order = order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .ok_or(OrderError::NotFound("order"))?;
    let fulfilments = fulfilment::Entity::find()
        .filter(fulfilment::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let method: crate::PaymentMethod = order.payment_method.parse().map_err(OrderError::Corrupt)?;
    let next = derive_order_status(OrderFacts {
        on_credit_terms: method.on_credit_terms(),
        total_paise: order.total_paise,
        payment_received_paise: order.payment_received_paise,
        refunded_paise: order.refunded_paise,
        all_fulfilments_cancelled: fulfilments
            .iter()
            .all(|f| f.status == FulfilmentStatus::Cancelled.as_str()),
    });
    if next.as_str() != order.status {
        order::Entity::update_many()
            .col_expr(order::Column::Status, Expr::value(next.as_str()))
            .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(order::Column::Id.eq(order_id))
            .exec(db)
            .await?;
        history::record(
            db,
            order_id,
            None,
            Some(&order.status),
            next.as_str(),
            party,
            reason,
        )
        .await?;
    }
    Ok(next)
}

impl OrderService {
    /// `fulfilmentPack`, `fulfilmentShip`, `fulfilmentDeliver`, `fulfilmentAccept`.
    pub async fn fulfilment_transition(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
        action: FulfilmentAction,
        shipment: Option<ShipmentDetails>,
        note: Option<String>,
    ) -> Result<Uuid, OrderError> {
        if matches!(action, FulfilmentAction::Cancel | FulfilmentAction::Pay) {
            return Err(OrderError::corrupt(
                "cancel and pay have their own entry points",
            ));
        }
        let (fulfilment, order) = load_fulfilment(&self.db, fulfilment_id).await?;
        authorise(party, action, &fulfilment, &order)?;
        let from = parse_status(&fulfilment.status)?;
        if action == FulfilmentAction::Accept && order.kind != "INSTITUTIONAL" {
            return Err(OrderError::Conflict(
                "only institutional orders have a receipt-and-acceptance step".into(),
            ));
        }
        let to = from.after(action).ok_or_else(|| {
            OrderError::Conflict(format!(
                "a {from} fulfilment cannot be {}",
                match action {
                    FulfilmentAction::Pack => "packed",
                    FulfilmentAction::Ship => "shipped",
                    FulfilmentAction::Deliver => "delivered",
                    _ => "accepted",
                }
            ))
        })?;
        let mut extra: Vec<(fulfilment::Column, sea_orm::Value)> = Vec::new();
        if action == FulfilmentAction::Ship {
            let details = shipment.unwrap_or_default();
            let mut problems = Vec::new();
            for (field, value) in [
                ("carrier", details.carrier.trim()),
                ("trackingNumber", details.tracking_number.trim()),
            ] {
                if value.is_empty()
                    || value.chars().count() > 100
                    || value.chars().any(char::is_control)
                {
                    problems.push(FieldError::new(
                        field,
                        FieldErrorCode::Required,
                        format!("{field} is required (at most 100 characters)"),
                    ));
                }
            }
            if !problems.is_empty() {
                return Err(OrderError::Invalid(problems));
            }
            extra.push((fulfilment::Column::Carrier, details.carrier.trim().into()));
            extra.push((
                fulfilment::Column::TrackingNumber,
                details.tracking_number.trim().into(),
            ));
        }
        let txn = catalog::transaction::begin_write(&self.db).await?;
        if action == FulfilmentAction::Ship {
            let (number, date) = invoices::next_invoice_number(&txn, &fulfilment).await?;
            extra.push((fulfilment::Column::InvoiceNumber, number.into()));
            extra.push((fulfilment::Column::InvoiceDate, date.into()));
            let tcs = invoices::tcs_paise(
                fulfilment.taxable_paise,
                fulfilment.total_paise,
                fulfilment.refunded_paise,
                self.settings.tcs_rate_bp,
            );
            extra.push((fulfilment::Column::TcsPaise, tcs.into()));
        }
        if action == FulfilmentAction::Accept {
            let now = Utc::now();
            let days = order
                .payment_terms_days
                .unwrap_or(crate::DEFAULT_PAYMENT_TERMS_DAYS);
            extra.push((fulfilment::Column::AcceptedAt, now.into()));
            extra.push((
                fulfilment::Column::PaymentDueAt,
                (now + Duration::days(i64::from(days))).into(),
            ));
        }
        compare_and_set(&txn, fulfilment_id, from, to, extra).await?;
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(from.as_str()),
            to.as_str(),
            party,
            note.as_deref(),
        )
        .await?;
        refresh_order_status(&txn, order.id, party, None).await?;
        txn.commit().await?;
        Ok(order.id)
    }

    /// `orderCancel`: cancels one fulfilment, or every one the caller may cancel, before
    /// shipping. Their stock goes back; money already paid for them is refunded.
    pub async fn cancel(
        &self,
        party: &Party,
        order_id: Uuid,
        fulfilment_id: Option<Uuid>,
        reason: &str,
    ) -> Result<Uuid, OrderError> {
        party.require_signed_in()?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(OrderError::invalid(
                "reason",
                FieldErrorCode::Required,
                "say why the order is cancelled (at most 500 characters)",
            ));
        }
        let order = order::Entity::find_by_id(order_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("order"))?;
        let scope = crate::views::visibility(party, &order).ok_or(OrderError::NotFound("order"))?;
        let mut select =
            fulfilment::Entity::find().filter(fulfilment::Column::OrderId.eq(order_id));
        if let Some(id) = fulfilment_id {
            select = select.filter(fulfilment::Column::Id.eq(id));
        }
        if let Some(cooperative_id) = scope {
            select = select.filter(fulfilment::Column::CooperativeId.eq(cooperative_id));
        }
        let targets: Vec<fulfilment::Model> = select
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|f| fulfilment_id.is_some() || f.status != FulfilmentStatus::Cancelled.as_str())
            .collect();
        if targets.is_empty() {
            return Err(match fulfilment_id {
                Some(_) => OrderError::NotFound("fulfilment"),
                None => OrderError::Conflict("the order is already cancelled".into()),
            });
        }
        let buyer = matches!(party.actor, Actor::Buyer { .. } | Actor::Institution { .. });
        for target in &targets {
            authorise(party, FulfilmentAction::Cancel, target, &order)?;
            let from = parse_status(&target.status)?;
            if from.after(FulfilmentAction::Cancel).is_none() {
                return Err(OrderError::Conflict(format!(
                    "a {from} fulfilment cannot be cancelled"
                )));
            }
            if buyer && from == FulfilmentStatus::Packed {
                return Err(OrderError::Conflict(
                    "the cooperative has packed this order; ask it to cancel".into(),
                ));
            }
        }
        let txn = catalog::transaction::begin_write(&self.db).await?;
        for target in &targets {
            let from = parse_status(&target.status)?;
            compare_and_set(
                &txn,
                target.id,
                from,
                FulfilmentStatus::Cancelled,
                Vec::new(),
            )
            .await?;
            reservations::release(&txn, order_id, Some(target.id)).await?;
            history::record(
                &txn,
                order_id,
                Some(target.id),
                Some(from.as_str()),
                FulfilmentStatus::Cancelled.as_str(),
                party,
                Some(reason),
            )
            .await?;
        }
        refresh_order_status(&txn, order_id, party, Some(reason)).await?;
        txn.commit().await?;
        if order.payment_received_paise > 0 {
            for target in &targets {
                let refundable = target.total_paise - target.refunded_paise;
                if refundable <= 0 {
                    continue;
                }
                self.refund_as(
                    &Party::system(),
                    RefundRequest {
                        order_id,
                        fulfilment_id: target.id,
                        amount_paise: Some(refundable),
                        reason: format!("cancelled: {reason}"),
                        idempotency_key: format!("cancel-{}", target.id),
                    },
                )
                .await?;
            }
        }
        Ok(order_id)
    }

    /// Cancels an unpaid order's fulfilments and releases its stock: reservation
    /// expiry, or a payment that failed or was cancelled at the provider.
    pub(crate) async fn release_unpaid(
        &self,
        order_id: Uuid,
        reason: &str,
    ) -> Result<bool, OrderError> {
        let party = Party::system();
        let txn = catalog::transaction::begin_write(&self.db).await?;
        let pending = fulfilment::Entity::find()
            .filter(fulfilment::Column::OrderId.eq(order_id))
            .filter(fulfilment::Column::Status.eq(FulfilmentStatus::PendingPayment.as_str()))
            .all(&txn)
            .await?;
        let order = order::Entity::find_by_id(order_id)
            .one(&txn)
            .await?
            .ok_or(OrderError::NotFound("order"))?;
        if pending.is_empty() || order.payment_received_paise > 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        for f in &pending {
            compare_and_set(
                &txn,
                f.id,
                FulfilmentStatus::PendingPayment,
                FulfilmentStatus::Cancelled,
                Vec::new(),
            )
            .await?;
            history::record(
                &txn,
                order_id,
                Some(f.id),
                Some(FulfilmentStatus::PendingPayment.as_str()),
                FulfilmentStatus::Cancelled.as_str(),
                &party,
                Some(reason),
            )
            .await?;
        }
        reservations::release(&txn, order_id, None).await?;
        refresh_order_status(&txn, order_id, &party, Some(reason)).await?;
        txn.commit().await?;
        Ok(true)
    }
}
