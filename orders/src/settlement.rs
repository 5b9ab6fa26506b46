//! A cooperative's settlement statement: the cash the platform handled for it in a
//! period. What the platform collected (card payments and bank transfers into the
//! marketplace's account, by the day the money arrived), what it refunded (by the day
//! the refund went through), the TCS it kept as e-commerce operator (on the invoices
//! and notes dated in the period, as GSTR-8 reports them), and what it therefore
//! owes the cooperative. Money that never came to the platform (cash on delivery the
//! cooperative's courier collected, purchase orders and GeM contracts the buyer paid
//! to the cooperative, channel orders the channel settled, bank transfers into the
//! cooperative's own account) is not in it at all.

use chrono::{Duration, NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    FulfilmentStatus, OrderError, OrderService, Party, RefundStatus,
    entity::{fulfilment, order, refund},
    payments::route::route_figures,
    tax::TaxError,
    tcs::{TcsByHead, net_bases, platform_collects, tcs_entries, tcs_on},
    time::india_date,
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettlementStatement {
    pub cooperative_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Invoices dated in the period on orders the platform collected.
    pub invoices: u64,
    /// Their invoiced value, tax included.
    pub gross_sales_paise: i64,
    pub taxable_value_paise: i64,
    pub gst_paise: i64,
    /// What the platform received for the cooperative's parcels in the period.
    pub collected_paise: i64,
    /// Refunds the platform paid out in the period.
    pub refunds_paise: i64,
    /// TCS kept by the platform, by head, on the period's invoices less its credit
    /// notes (plus its debit notes).
    pub tcs: TcsByHead,
    pub tcs_paise: i64,
    /// Collected less refunds and TCS: what the platform owes the cooperative.
    pub net_payable_paise: i64,
    /// Razorpay Route: transfers of the cooperative's share made in the period.
    pub route_transferred_paise: i64,
    /// The marketplace's commission kept on them.
    pub route_commission_paise: i64,
    /// Of them, what is still on hold (parcels not yet delivered), less reversals.
    pub route_on_hold_paise: i64,
    /// Released in the period (parcels delivered).
    pub route_released_paise: i64,
    /// Reversed in the period (for refunds).
    pub route_reversed_paise: i64,
    /// What the platform still owes outside Route: the net payable less the
    /// commission and what Route transferred and did not take back.
    pub owed_outside_route_paise: i64,
}

/// The instants bounding `[from, to]` as dates in India.
fn india_bounds(
    from: NaiveDate,
    to: NaiveDate,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let ist = Duration::minutes(330);
    (
        from.and_time(NaiveTime::MIN).and_utc() - ist,
        (to.and_time(NaiveTime::MIN) + Duration::days(1)).and_utc() - ist,
    )
}

impl OrderService {
    pub async fn settlement_statement(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SettlementStatement, OrderError> {
        party.require_signed_in()?;
        if !party.actor.can_manage(cooperative_id) {
            return Err(OrderError::Forbidden(
                "only the cooperative's staff and admins see its settlement".into(),
            ));
        }
        if to < from || (to - from).num_days() > 366 {
            return Err(OrderError::invalid(
                "to",
                kernel::FieldErrorCode::OutOfRange,
                "the period runs forwards and spans at most a year",
            ));
        }
        let mut statement = SettlementStatement {
            cooperative_id,
            from,
            to,
            ..SettlementStatement::default()
        };
        // Sums of stored amounts: an overflow is an error, never a wrapped figure.
        let add = |a: i64, b: i64| a.checked_add(b).ok_or(TaxError::Overflow);
        let (start, end) = india_bounds(from, to);

        // Invoices of the period, on orders the platform collected.
        let invoiced = fulfilment::Entity::find()
            .filter(fulfilment::Column::CooperativeId.eq(cooperative_id))
            .filter(fulfilment::Column::InvoiceNumber.is_not_null())
            .filter(fulfilment::Column::InvoiceDate.gte(from))
            .filter(fulfilment::Column::InvoiceDate.lte(to))
            .all(&self.db)
            .await?;
        let invoiced_orders = order::Entity::find()
            .filter(order::Column::Id.is_in(invoiced.iter().map(|f| f.order_id)))
            .all(&self.db)
            .await?;
        for f in &invoiced {
            let collected = invoiced_orders
                .iter()
                .any(|o| o.id == f.order_id && platform_collects(o));
            if !collected {
                continue;
            }
            statement.invoices += 1;
            statement.gross_sales_paise = add(statement.gross_sales_paise, f.total_paise)?;
            statement.taxable_value_paise = add(statement.taxable_value_paise, f.taxable_paise)?;
            let gst = [f.sgst_paise, f.utgst_paise, f.igst_paise]
                .into_iter()
                .try_fold(f.cgst_paise, add)?;
            statement.gst_paise = add(statement.gst_paise, gst)?;
        }

        // Money in: the cooperative's part of each order the platform was paid for in
        // the period. A part cancelled before the payment was not paid for.
        let paid_orders: Vec<order::Model> = order::Entity::find()
            .filter(order::Column::PaidAt.gte(start))
            .filter(order::Column::PaidAt.lt(end))
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|o| {
                o.paid_at
                    .is_some_and(|at| (from..=to).contains(&india_date(at)))
            })
            .filter(platform_collects)
            .collect();
        let paid_parts = fulfilment::Entity::find()
            .filter(fulfilment::Column::CooperativeId.eq(cooperative_id))
            .filter(fulfilment::Column::OrderId.is_in(paid_orders.iter().map(|o| o.id)))
            .all(&self.db)
            .await?;
        for f in &paid_parts {
            if f.status == FulfilmentStatus::Cancelled && f.refunded_paise == 0 {
                continue;
            }
            statement.collected_paise = add(statement.collected_paise, f.total_paise)?;
        }

        // Money out: refunds completed in the period, of what the platform collected.
        let refunds: Vec<refund::Model> = refund::Entity::find()
            .filter(refund::Column::Status.eq(RefundStatus::Succeeded))
            .filter(refund::Column::UpdatedAt.gte(start))
            .filter(refund::Column::UpdatedAt.lt(end))
            .all(&self.db)
            .await?
            .into_iter()
            .filter(|r| (from..=to).contains(&india_date(r.updated_at)))
            .collect();
        let refunded_parts = fulfilment::Entity::find()
            .filter(fulfilment::Column::CooperativeId.eq(cooperative_id))
            .filter(fulfilment::Column::Id.is_in(refunds.iter().map(|r| r.fulfilment_id)))
            .all(&self.db)
            .await?;
        let refunded_orders = order::Entity::find()
            .filter(order::Column::Id.is_in(refunded_parts.iter().map(|f| f.order_id)))
            .all(&self.db)
            .await?;
        for r in &refunds {
            let ours = refunded_parts.iter().any(|f| f.id == r.fulfilment_id);
            let collected = refunded_orders
                .iter()
                .any(|o| o.id == r.order_id && platform_collects(o));
            if ours && collected {
                statement.refunds_paise = add(statement.refunds_paise, r.amount_paise)?;
            }
        }

        // TCS kept: the ledger of the period, as GSTR-8 computes it.
        let entries = tcs_entries(&self.db, Some(cooperative_id), from, to).await?;
        let (intra, inter) = net_bases(entries.iter())?;
        statement.tcs = tcs_on(intra, inter, self.settings.tcs_rate_bp)?;
        statement.tcs_paise = statement.tcs.total()?;

        statement.net_payable_paise = statement
            .collected_paise
            .checked_sub(statement.refunds_paise)
            .and_then(|n| n.checked_sub(statement.tcs_paise))
            .ok_or(TaxError::Overflow)?;

        let route = route_figures(&self.db, cooperative_id, start, end).await?;
        statement.route_transferred_paise = route.transferred_paise;
        statement.route_commission_paise = route.commission_paise;
        statement.route_on_hold_paise = route.on_hold_paise;
        statement.route_released_paise = route.released_paise;
        statement.route_reversed_paise = route.reversed_paise;
        statement.owed_outside_route_paise = statement
            .net_payable_paise
            .checked_sub(route.commission_paise)
            .and_then(|n| n.checked_sub(route.transferred_paise))
            .and_then(|n| n.checked_add(route.reversed_paise))
            .ok_or(TaxError::Overflow)?;
        Ok(statement)
    }
}
