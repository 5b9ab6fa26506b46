//! Moving fulfilments through their states: packing, shipping (which issues the GST
//! invoice), delivery, the consignee's acceptance, and cancellation. Each change is a
//! compare-and-set on the current status inside a transaction with its history entry.

use kernel::{Actor, FieldError, FieldErrorCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    FulfilmentAction, FulfilmentStatus, OrderError, OrderKind, OrderService, OrderStatus, Party,
    PaymentMethod, PaymentProvider,
    entity::{fulfilment, order},
    history, invoices, notes,
    order_state::{compare_and_set, refresh_order_status},
    payments::refunds::RefundRequest,
    rerate, reservations, store, tcs,
};

/// What shipping records.
#[derive(Debug, Clone, Default)]
pub struct ShipmentDetails {
    pub carrier: String,
    pub tracking_number: String,
}

fn owns_order(party: &Party, order: &order::Model) -> bool {
    store::visibility(party, order) == Some(None) && !party.is_admin()
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
        FulfilmentAction::ReturnUndelivered => party.actor.can_manage(fulfilment.cooperative_id),
    };
    if allowed {
        Ok(())
    } else if store::visibility(party, order).is_none() {
        Err(OrderError::NotFound("fulfilment"))
    } else {
        Err(OrderError::Forbidden(format!(
            "a {} may not {} this fulfilment",
            party.role().as_str().to_lowercase(),
            action.as_str().to_lowercase()
        )))
    }
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
        if matches!(
            action,
            FulfilmentAction::Cancel
                | FulfilmentAction::Pay
                | FulfilmentAction::ReturnUndelivered
                | FulfilmentAction::Accept
        ) {
            return Err(OrderError::corrupt(
                "cancel, pay, return and accept have their own entry points",
            ));
        }
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        authorise(party, action, &fulfilment, &order)?;
        let from = fulfilment.status;
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
        let txn = kernel::begin_write(&self.db).await?;
        if action == FulfilmentAction::Ship {
            let (number, date) = invoices::next_invoice_number(&txn, &fulfilment).await?;
            extra.push((fulfilment::Column::InvoiceNumber, number.into()));
            extra.push((fulfilment::Column::InvoiceDate, date.into()));
            // The rate in force on the invoice date, not the order's.
            let (_, mut taxes) = self.rerate_fulfilment(&txn, &fulfilment, date).await?;
            extra.append(&mut taxes);
            // On the re-rated lines, and only where the platform collects the money.
            let tcs =
                tcs::invoice_tcs(&txn, &fulfilment, &order, self.settings.tcs_rate_bp).await?;
            extra.push((fulfilment::Column::TcsPaise, tcs.into()));
        }
        compare_and_set(&txn, fulfilment_id, from, to, extra).await?;
        // A retail parcel delivered: its Route transfer is released. An institutional
        // one waits for the consignee's acceptance.
        if action == FulfilmentAction::Deliver && order.kind != OrderKind::Institutional {
            crate::payments::route::plan_release(&txn, fulfilment_id).await?;
        }
        if action == FulfilmentAction::Ship {
            rerate::refresh_order_taxes(&txn, order.id).await?;
        }
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(from.into()),
            to.into(),
            party,
            note.as_deref(),
        )
        .await?;
        refresh_order_status(&txn, order.id, party, None).await?;
        match action {
            FulfilmentAction::Ship => self.notify_shipped(&txn, fulfilment_id).await?,
            FulfilmentAction::Deliver => self.notify_delivered(&txn, fulfilment_id).await?,
            _ => {}
        }
        txn.commit().await?;
        Ok(order.id)
    }

    /// `fulfilmentReturnUndelivered`: a shipped cash-on-delivery parcel came back
    /// without being delivered. Its units go back to stock through the stock ledger,
    /// the invoice is reversed in full by a credit note (the supply did not happen),
    /// no TCS is due (the platform collected nothing) and no refund is recorded (no
    /// cash was collected). By the cooperative's staff or an admin.
    pub async fn return_undelivered(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
        reason: &str,
    ) -> Result<Uuid, OrderError> {
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        authorise(
            party,
            FulfilmentAction::ReturnUndelivered,
            &fulfilment,
            &order,
        )?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(OrderError::invalid(
                "reason",
                FieldErrorCode::Required,
                "say why the parcel came back (at most 500 characters)",
            ));
        }
        if order.payment_method != PaymentMethod::CashOnDelivery {
            return Err(OrderError::Conflict(
                "only a cash-on-delivery parcel is returned undelivered; refund a paid order instead"
                    .into(),
            ));
        }
        if fulfilment.cash_collected_paise > 0 {
            return Err(OrderError::Conflict(
                "cash was collected for this parcel, so it was delivered; refund it instead".into(),
            ));
        }
        let from = fulfilment.status;
        let to = from
            .after(FulfilmentAction::ReturnUndelivered)
            .ok_or_else(|| {
                OrderError::Conflict(format!(
                    "a {from} fulfilment cannot be returned undelivered (only a shipped one)"
                ))
            })?;
        let note = format!("returned undelivered: {reason}");
        let txn = kernel::begin_write(&self.db).await?;
        compare_and_set(
            &txn,
            fulfilment_id,
            from,
            to,
            vec![(fulfilment::Column::TcsPaise, 0_i64.into())],
        )
        .await?;
        reservations::release(&txn, order.id, Some(fulfilment_id)).await?;
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(from.into()),
            to.into(),
            party,
            Some(&note),
        )
        .await?;
        if fulfilment.invoice_number.is_some() {
            notes::issue_credit_note(
                &txn,
                &fulfilment,
                notes::Credit::Everything,
                &notes::NoteOrigin {
                    reason: &note,
                    refund_id: None,
                    party,
                },
            )
            .await?;
        }
        refresh_order_status(&txn, order.id, party, Some(&note)).await?;
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
        let order = store::load_order(&self.db, order_id).await?;
        let scope = store::visibility(party, &order).ok_or(OrderError::NotFound("order"))?;
        let mut select =
            fulfilment::Entity::find().filter(fulfilment::Column::OrderId.eq(order_id));
        if let Some(id) = fulfilment_id {
            select = select.filter(fulfilment::Column::Id.eq(id));
        }
        if let Some(cooperative_id) = scope {
            select = select.filter(fulfilment::Column::CooperativeId.eq(cooperative_id));
        }
        let visible = select.all(&self.db).await?;
        // Staff of a cooperative with no part in the order cannot see it (as `order`
        // says), rather than being told it is already cancelled.
        if visible.is_empty() && scope.is_some() {
            return Err(match fulfilment_id {
                Some(_) => OrderError::NotFound("fulfilment"),
                None => OrderError::NotFound("order"),
            });
        }
        let targets: Vec<fulfilment::Model> = visible
            .into_iter()
            .filter(|f| fulfilment_id.is_some() || f.status != FulfilmentStatus::Cancelled)
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
            let from = target.status;
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
        let txn = kernel::begin_write(&self.db).await?;
        for target in &targets {
            let from = target.status;
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
                Some(from.into()),
                FulfilmentStatus::Cancelled.into(),
                party,
                Some(reason),
            )
            .await?;
        }
        let status = refresh_order_status(&txn, order_id, party, Some(reason)).await?;
        let cancelled: Vec<Uuid> = targets.iter().map(|t| t.id).collect();
        self.notify_cancelled(&txn, order_id, &cancelled, reason)
            .await?;
        txn.commit().await?;
        if status == OrderStatus::Cancelled
            && order.payment_received_paise == 0
            && order.payment_provider != PaymentProvider::Manual
        {
            // Nothing may be paid for a cancelled order: its payment is cancelled at the
            // provider. If the provider cannot be reached now, the client secret stays
            // stored (never handed out again) and the sweeper retries.
            let current = store::load_order(&self.db, order_id).await?;
            if let Err(e) = self.cancel_provider_payment(&current).await {
                tracing::warn!(%order_id, error = %e, "provider payment not cancelled yet; the sweeper retries");
            }
        }
        if order.payment_received_paise > 0 {
            for target in &targets {
                // Cash on delivery: only what was collected for this part goes back
                // (nothing, before it shipped).
                let paid_for = if order.payment_method == PaymentMethod::CashOnDelivery {
                    target.cash_collected_paise
                } else {
                    target.total_paise
                };
                let refundable = paid_for - target.refunded_paise;
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
}
