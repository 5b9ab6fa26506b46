//! A cooperative's settlement statement: what it sold through the marketplace in a
//! period (by invoice date), the GST in it, the TCS the platform collected as
//! e-commerce operator, refunds, and what the platform owes the cooperative.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{OrderError, OrderService, Party, entity::fulfilment, tax::TaxError};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettlementStatement {
    pub cooperative_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub invoices: u64,
    /// Invoiced value, tax included.
    pub gross_sales_paise: i64,
    pub taxable_value_paise: i64,
    pub gst_paise: i64,
    pub tcs_paise: i64,
    pub refunds_paise: i64,
    /// Gross sales less refunds and TCS.
    pub net_payable_paise: i64,
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
        let fulfilments = fulfilment::Entity::find()
            .filter(fulfilment::Column::CooperativeId.eq(cooperative_id))
            .filter(fulfilment::Column::InvoiceDate.gte(from))
            .filter(fulfilment::Column::InvoiceDate.lte(to))
            .all(&self.db)
            .await?;
        let mut statement = SettlementStatement {
            cooperative_id,
            from,
            to,
            ..SettlementStatement::default()
        };
        // Sums of stored amounts: an overflow is an error, never a wrapped figure.
        let add = |a: i64, b: i64| a.checked_add(b).ok_or(TaxError::Overflow);
        for f in &fulfilments {
            statement.invoices += 1;
            statement.gross_sales_paise = add(statement.gross_sales_paise, f.total_paise)?;
            statement.taxable_value_paise = add(statement.taxable_value_paise, f.taxable_paise)?;
            let gst = [f.sgst_paise, f.utgst_paise, f.igst_paise]
                .into_iter()
                .try_fold(f.cgst_paise, add)?;
            statement.gst_paise = add(statement.gst_paise, gst)?;
            statement.tcs_paise = add(statement.tcs_paise, f.tcs_paise)?;
            statement.refunds_paise = add(statement.refunds_paise, f.refunded_paise)?;
        }
        statement.net_payable_paise = statement
            .gross_sales_paise
            .checked_sub(statement.refunds_paise)
            .and_then(|n| n.checked_sub(statement.tcs_paise))
            .ok_or(TaxError::Overflow)?;
        Ok(statement)
    }
}
