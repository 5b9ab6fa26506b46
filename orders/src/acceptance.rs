//! The consignee's receipt and acceptance of an institutional fulfilment, as GeM runs
//! it: a provisional receipt (PRC) when the goods arrive, then the Consignee Receipt
//! and Acceptance Certificate (CRAC) after inspection, with the ordered, accepted and
//! rejected quantities per consignee and line. Recorded by a user of the buying
//! organisation, or by an admin keying in what the consignee issued on GeM (which has
//! no seller API).
//!
//! Rejected units never stay on the invoice: a credit note takes their value off it
//! (CGST s.34), and units that came back return to stock through the stock ledger.
//! Payment falls due at the order's terms after the CRAC; a GeM contract's terms are
//! fixed at 10 days after it.

use chrono::{Duration, Utc};
use kernel::{Actor, FieldError, FieldErrorCode};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    DEFAULT_PAYMENT_TERMS_DAYS, FulfilmentStatus, GEM_PAYMENT_DAYS_AFTER_CRAC, LineKind,
    OrderError, OrderKind, OrderService, Party, RejectedDisposition,
    entity::{acceptance_line, fulfilment, order, order_line},
    history, notes,
    order_state::{compare_and_set, refresh_order_status},
    store,
};

/// One line of a CRAC as given: the order line and how many of its units the
/// consignee accepted and rejected.
#[derive(Debug, Clone)]
pub struct AcceptanceLineInput {
    pub order_line_id: Uuid,
    pub accepted: i32,
    pub rejected: i32,
    pub disposition: Option<RejectedDisposition>,
}

/// One recorded line of a CRAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceLine {
    pub order_line_id: Uuid,
    pub consignee_id: Option<Uuid>,
    pub sku: String,
    pub ordered: i32,
    pub accepted: i32,
    pub rejected: i32,
    pub disposition: Option<RejectedDisposition>,
}

/// The consignee's organisation, or an admin.
fn authorise(party: &Party, order: &order::Model) -> Result<(), OrderError> {
    party.require_signed_in()?;
    let own = matches!(party.actor, Actor::Institution { .. })
        && store::visibility(party, order).is_some();
    if own || party.is_admin() {
        Ok(())
    } else if store::visibility(party, order).is_none() {
        Err(OrderError::NotFound("fulfilment"))
    } else {
        Err(OrderError::Forbidden(
            "receipt and acceptance are the consignee's (or an admin's) to record".into(),
        ))
    }
}

async fn load(
    service: &OrderService,
    party: &Party,
    fulfilment_id: Uuid,
) -> Result<(fulfilment::Model, order::Model), OrderError> {
    let (fulfilment, order) = store::load_fulfilment(&service.db, fulfilment_id).await?;
    authorise(party, &order)?;
    if order.kind != OrderKind::Institutional {
        return Err(OrderError::Conflict(
            "only institutional orders have a receipt-and-acceptance step".into(),
        ));
    }
    if fulfilment.status != FulfilmentStatus::Delivered {
        return Err(OrderError::Conflict(format!(
            "a {} fulfilment cannot be received or accepted (only a delivered one)",
            fulfilment.status
        )));
    }
    Ok((fulfilment, order))
}

/// A goods line with its accepted and rejected units and the rejected units' fate.
type PlannedLine = (order_line::Model, i32, i32, Option<RejectedDisposition>);

/// Checks the CRAC's lines against the fulfilment's goods lines: every goods line
/// gets a row, all accepted where the input leaves it out.
fn plan(
    lines: &[order_line::Model],
    input: &[AcceptanceLineInput],
) -> Result<Vec<PlannedLine>, OrderError> {
    let mut problems = Vec::new();
    for (index, given) in input.iter().enumerate() {
        let field = |name: &str| format!("lines.{index}.{name}");
        let line = lines
            .iter()
            .find(|l| l.id == given.order_line_id && l.kind == LineKind::Goods);
        let Some(line) = line else {
            problems.push(FieldError::new(
                &field("orderLineId"),
                FieldErrorCode::NotFound,
                "not a goods line of this fulfilment",
            ));
            continue;
        };
        if input
            .iter()
            .take(index)
            .any(|other| other.order_line_id == given.order_line_id)
        {
            problems.push(FieldError::new(
                &field("orderLineId"),
                FieldErrorCode::Invalid,
                "each line is accepted once",
            ));
        }
        if given.accepted < 0 || given.rejected < 0 {
            problems.push(FieldError::new(
                &field("rejected"),
                FieldErrorCode::OutOfRange,
                "quantities cannot be negative",
            ));
        } else if i64::from(given.accepted) + i64::from(given.rejected) != i64::from(line.quantity)
        {
            problems.push(FieldError::new(
                &field("rejected"),
                FieldErrorCode::Invalid,
                format!(
                    "accepted and rejected units of {} must add up to the {} ordered",
                    line.sku, line.quantity
                ),
            ));
        }
        if given.rejected > 0 && given.disposition.is_none() {
            problems.push(FieldError::new(
                &field("disposition"),
                FieldErrorCode::Required,
                "say whether the rejected units return to stock or are written off",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(OrderError::Invalid(problems));
    }
    Ok(lines
        .iter()
        .filter(|l| l.kind == LineKind::Goods)
        .map(|line| {
            input.iter().find(|g| g.order_line_id == line.id).map_or(
                (line.clone(), line.quantity, 0, None),
                |g| {
                    (
                        line.clone(),
                        g.accepted,
                        g.rejected,
                        g.disposition.filter(|_| g.rejected > 0),
                    )
                },
            )
        })
        .collect())
}

impl OrderService {
    /// `fulfilmentReceive`: the consignee's provisional receipt (GeM's PRC) of a
    /// delivered fulfilment, once.
    pub async fn record_receipt(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
    ) -> Result<Uuid, OrderError> {
        let (fulfilment, order) = load(self, party, fulfilment_id).await?;
        if fulfilment.received_at.is_some() {
            return Err(OrderError::Conflict(
                "the provisional receipt is already recorded".into(),
            ));
        }
        let txn = kernel::begin_write(&self.db).await?;
        let updated = fulfilment::Entity::update_many()
            .col_expr(fulfilment::Column::ReceivedAt, Utc::now().into())
            .col_expr(fulfilment::Column::ReceivedBy, party.user_id().into())
            .col_expr(fulfilment::Column::UpdatedAt, Utc::now().into())
            .filter(fulfilment::Column::Id.eq(fulfilment_id))
            .filter(fulfilment::Column::Status.eq(FulfilmentStatus::Delivered))
            .filter(fulfilment::Column::ReceivedAt.is_null())
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(OrderError::Conflict(
                "the fulfilment changed meanwhile; reload it".into(),
            ));
        }
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(FulfilmentStatus::Delivered.into()),
            FulfilmentStatus::Delivered.into(),
            party,
            Some("provisional receipt (PRC)"),
        )
        .await?;
        txn.commit().await?;
        Ok(order.id)
    }

    /// `fulfilmentAccept`: the consignee's receipt and acceptance (GeM's CRAC),
    /// DELIVERED → ACCEPTED. Rejected units are credited back by one credit note, and
    /// those that came back return to stock; payment falls due at the order's terms
    /// after it (10 days for a GeM contract). Without a PRC on record, the CRAC is the
    /// receipt too.
    pub async fn accept_fulfilment(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
        input: &[AcceptanceLineInput],
        note: Option<&str>,
    ) -> Result<Uuid, OrderError> {
        let (fulfilment, order) = load(self, party, fulfilment_id).await?;
        let lines = order_line::Entity::find()
            .filter(order_line::Column::FulfilmentId.eq(fulfilment_id))
            .order_by_asc(order_line::Column::Position)
            .all(&self.db)
            .await?;
        let planned = plan(&lines, input)?;
        let now = Utc::now();
        let days = if order.gem_contract_number.is_some() {
            GEM_PAYMENT_DAYS_AFTER_CRAC
        } else {
            order
                .payment_terms_days
                .unwrap_or(DEFAULT_PAYMENT_TERMS_DAYS)
        };
        let mut extra: Vec<(fulfilment::Column, sea_orm::Value)> = vec![
            (fulfilment::Column::AcceptedAt, now.into()),
            (fulfilment::Column::AcceptedBy, party.user_id().into()),
            (
                fulfilment::Column::PaymentDueAt,
                (now + Duration::days(i64::from(days))).into(),
            ),
        ];
        if fulfilment.received_at.is_none() {
            extra.push((fulfilment::Column::ReceivedAt, now.into()));
            extra.push((fulfilment::Column::ReceivedBy, party.user_id().into()));
        }
        let rejected: Vec<(Uuid, i32)> = planned
            .iter()
            .filter(|(_, _, rejected, _)| *rejected > 0)
            .map(|(line, _, rejected, _)| (line.id, *rejected))
            .collect();
        let summary = planned
            .iter()
            .filter(|(_, _, rejected, _)| *rejected > 0)
            .map(|(line, accepted, rejected, disposition)| {
                format!(
                    "{}: {} ordered, {accepted} accepted, {rejected} rejected ({})",
                    line.sku,
                    line.quantity,
                    disposition.map_or("", RejectedDisposition::as_str)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let reason = match (
            note.map(str::trim).filter(|n| !n.is_empty()),
            summary.is_empty(),
        ) {
            (Some(n), true) => format!("CRAC: {n}"),
            (Some(n), false) => format!("CRAC: {summary}. {n}"),
            (None, true) => "CRAC: all accepted".to_owned(),
            (None, false) => format!("CRAC: {summary}"),
        };
        if reason.chars().count() > 2000 {
            return Err(OrderError::invalid(
                "note",
                FieldErrorCode::OutOfRange,
                "the note is too long",
            ));
        }

        let txn = kernel::begin_write(&self.db).await?;
        compare_and_set(
            &txn,
            fulfilment_id,
            FulfilmentStatus::Delivered,
            FulfilmentStatus::Accepted,
            extra,
        )
        .await?;
        crate::payments::route::plan_release(&txn, fulfilment_id).await?;
        for (line, accepted, rejected, disposition) in &planned {
            acceptance_line::Entity::insert(acceptance_line::ActiveModel {
                id: Set(Uuid::now_v7()),
                fulfilment_id: Set(fulfilment_id),
                order_line_id: Set(line.id),
                consignee_id: Set(line.consignee_id),
                ordered: Set(line.quantity),
                accepted: Set(*accepted),
                rejected: Set(*rejected),
                disposition: Set(*disposition),
                created_at: Set(now),
            })
            .exec(&txn)
            .await?;
            if *disposition == Some(RejectedDisposition::ReturnToStock)
                && let Some(variant_id) = line.variant_id
            {
                catalog::return_stock_for_order(
                    &txn,
                    variant_id,
                    *rejected,
                    order.id,
                    party.user_id(),
                )
                .await?;
            }
        }
        if !rejected.is_empty() && fulfilment.invoice_number.is_some() {
            notes::issue_credit_note(
                &txn,
                &fulfilment,
                notes::Credit::Units(&rejected),
                &notes::NoteOrigin {
                    reason: &reason,
                    refund_id: None,
                    party,
                },
            )
            .await?;
        }
        history::record(
            &txn,
            order.id,
            Some(fulfilment_id),
            Some(FulfilmentStatus::Delivered.into()),
            FulfilmentStatus::Accepted.into(),
            party,
            Some(&reason),
        )
        .await?;
        refresh_order_status(&txn, order.id, party, None).await?;
        txn.commit().await?;
        Ok(order.id)
    }

    /// The CRAC's lines of a fulfilment, in line order; empty before acceptance.
    pub async fn acceptance_lines(
        &self,
        fulfilment_id: Uuid,
    ) -> Result<Vec<AcceptanceLine>, OrderError> {
        let rows = acceptance_line::Entity::find()
            .filter(acceptance_line::Column::FulfilmentId.eq(fulfilment_id))
            .all(&self.db)
            .await?;
        let lines = order_line::Entity::find()
            .filter(order_line::Column::FulfilmentId.eq(fulfilment_id))
            .order_by_asc(order_line::Column::Position)
            .all(&self.db)
            .await?;
        Ok(lines
            .iter()
            .filter_map(|line| {
                rows.iter()
                    .find(|r| r.order_line_id == line.id)
                    .map(|r| AcceptanceLine {
                        order_line_id: line.id,
                        consignee_id: r.consignee_id,
                        sku: line.sku.clone(),
                        ordered: r.ordered,
                        accepted: r.accepted,
                        rejected: r.rejected,
                        disposition: r.disposition,
                    })
            })
            .collect())
    }
}
