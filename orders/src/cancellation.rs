//! Invoice cancellation before the invoice is reported, and the per-month marker
//! that it has been.
//!
//! An invoice can be cancelled (by an admin or the cooperative's manager, with a
//! reason) while the cooperative's GSTR-1 for the invoice's month has not been marked
//! filed. The cancelled number stays in the series (GSTR-1's table 13 counts it as
//! cancelled; it is reported nowhere else), its document still renders, marked
//! CANCELLED, and the same supply gets a fresh invoice under the next number, dated
//! the day of the cancellation, in the same transaction: the fulfilment always has one
//! live invoice once shipped. After the return is filed the invoice is in the
//! recipient's GSTR-2B, so a correction is a credit note (and a fresh invoice), never
//! a cancellation.
//!
//! An invoice already corrected by a credit or debit note cannot be cancelled either:
//! the notes refer to its number.

use chrono::{NaiveDate, Utc};
use kernel::{FieldError, FieldErrorCode};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::{
    HistoryStatus, Invoice, OrderError, OrderService, Party,
    entity::{cancelled_invoice, fulfilment, gstr1_filing, tax_note},
    history,
    invoices::{InvoiceCancellation, next_invoice_number},
    returns::ReturnPeriod,
    store,
};

/// A cancelled invoice number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelledInvoice {
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub number: String,
    pub date: NaiveDate,
    pub reason: String,
    /// The number issued in its place for the same supply.
    pub replaced_by: String,
    pub cancelled_at: chrono::DateTime<Utc>,
}

impl CancelledInvoice {
    /// Where the cancelled document is rendered (HTML, marked CANCELLED).
    pub fn url(&self) -> String {
        format!("/cancelled-invoices/{}", self.id)
    }
}

impl From<cancelled_invoice::Model> for CancelledInvoice {
    fn from(m: cancelled_invoice::Model) -> Self {
        Self {
            id: m.id,
            cooperative_id: m.cooperative_id,
            order_id: m.order_id,
            fulfilment_id: m.fulfilment_id,
            number: m.number,
            date: m.invoice_date,
            reason: m.reason,
            replaced_by: m.replaced_by,
            cancelled_at: m.cancelled_at,
        }
    }
}

/// The marker that a cooperative's GSTR-1 for a month has been filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gstr1Filing {
    pub cooperative_id: Uuid,
    pub period: ReturnPeriod,
    /// The acknowledgement reference number the portal gave, when recorded.
    pub arn: Option<String>,
    pub filed_at: chrono::DateTime<Utc>,
}

impl From<gstr1_filing::Model> for Gstr1Filing {
    fn from(m: gstr1_filing::Model) -> Self {
        Self {
            cooperative_id: m.cooperative_id,
            period: ReturnPeriod::of(m.period_start),
            arn: m.arn,
            filed_at: m.filed_at,
        }
    }
}

async fn filing_of(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
    period: ReturnPeriod,
) -> Result<Option<gstr1_filing::Model>, OrderError> {
    Ok(gstr1_filing::Entity::find()
        .filter(gstr1_filing::Column::CooperativeId.eq(cooperative_id))
        .filter(gstr1_filing::Column::PeriodStart.eq(period.first_day()))
        .one(db)
        .await?)
}

/// The cancelled invoice numbers of a fulfilment, oldest first.
pub(crate) async fn cancelled_of_fulfilment(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<Vec<CancelledInvoice>, OrderError> {
    Ok(cancelled_invoice::Entity::find()
        .filter(cancelled_invoice::Column::FulfilmentId.eq(fulfilment_id))
        .order_by_asc(cancelled_invoice::Column::CancelledAt)
        .order_by_asc(cancelled_invoice::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// An ARN is 15 letters and digits (`AA3811260123456`).
fn valid_arn(arn: &str) -> bool {
    arn.len() == 15 && arn.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl OrderService {
    /// `gstr1MarkFiled`: records that the cooperative's GSTR-1 for `period` has been
    /// filed (admins). Marking it again keeps the first record and fills in an ARN
    /// not recorded before.
    pub async fn mark_gstr1_filed(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        period: ReturnPeriod,
        arn: Option<String>,
    ) -> Result<Gstr1Filing, OrderError> {
        party.require_signed_in()?;
        if !party.is_admin() {
            return Err(OrderError::Forbidden(
                "only admins mark a return as filed".into(),
            ));
        }
        let arn = arn
            .map(|a| a.trim().to_ascii_uppercase())
            .filter(|a| !a.is_empty());
        if let Some(arn) = &arn
            && !valid_arn(arn)
        {
            return Err(OrderError::invalid(
                "arn",
                FieldErrorCode::Invalid,
                "the ARN is the 15 letters and digits the portal acknowledged the filing with",
            ));
        }
        catalog::cooperatives_by_ids(&self.db, &[cooperative_id])
            .await?
            .remove(&cooperative_id)
            .ok_or_else(|| {
                OrderError::invalid(
                    "cooperativeId",
                    FieldErrorCode::NotFound,
                    "no such cooperative",
                )
            })?;
        if let Some(existing) = filing_of(&self.db, cooperative_id, period).await? {
            if existing.arn.is_none() && arn.is_some() {
                let mut active: gstr1_filing::ActiveModel = existing.into();
                active.arn = Set(arn);
                let updated = gstr1_filing::Entity::update(active).exec(&self.db).await?;
                return Ok(updated.into());
            }
            return Ok(existing.into());
        }
        let model = gstr1_filing::Model {
            id: Uuid::now_v7(),
            cooperative_id,
            period_start: period.first_day(),
            arn,
            actor_user_id: party.user_id(),
            filed_at: Utc::now(),
        };
        gstr1_filing::Entity::insert(gstr1_filing::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.db)
            .await?;
        Ok(model.into())
    }

    /// Whether the cooperative's GSTR-1 for `period` is marked filed, for its managers
    /// and admins.
    pub async fn gstr1_filing(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        period: ReturnPeriod,
    ) -> Result<Option<Gstr1Filing>, OrderError> {
        party.require_signed_in()?;
        if !(party.is_admin() || party.is_manager_of(cooperative_id)) {
            return Err(OrderError::Forbidden(
                "only the cooperative's managers and admins see its returns".into(),
            ));
        }
        Ok(filing_of(&self.db, cooperative_id, period)
            .await?
            .map(Into::into))
    }

    /// `invoiceCancel`: cancels a fulfilment's invoice before its month's GSTR-1 is
    /// filed and issues the same supply a fresh invoice under the next number (admins
    /// and the cooperative's managers).
    pub async fn cancel_invoice(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
        reason: &str,
    ) -> Result<CancelledInvoice, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        match store::visibility(party, &order) {
            Some(None) if party.is_admin() => {}
            Some(Some(own)) if own == fulfilment.cooperative_id => {
                if !party.is_manager_of(own) {
                    return Err(OrderError::Forbidden(
                        "invoices are cancelled by the cooperative's managers and admins".into(),
                    ));
                }
            }
            Some(None) => {
                return Err(OrderError::Forbidden(
                    "invoices are cancelled by the cooperative's managers and admins".into(),
                ));
            }
            _ => return Err(OrderError::NotFound("fulfilment")),
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(OrderError::invalid(
                "reason",
                FieldErrorCode::Required,
                "say why the invoice is cancelled (at most 500 characters)",
            ));
        }
        let (Some(number), Some(date)) =
            (fulfilment.invoice_number.clone(), fulfilment.invoice_date)
        else {
            return Err(OrderError::Conflict(
                "this fulfilment has no invoice yet: it is issued when it ships".into(),
            ));
        };
        let period = ReturnPeriod::of(date);
        if filing_of(&self.db, fulfilment.cooperative_id, period)
            .await?
            .is_some()
        {
            return Err(OrderError::Invalid(vec![FieldError::new(
                "fulfilmentId",
                FieldErrorCode::NotAllowed,
                format!(
                    "invoice {number} is in the GSTR-1 for {period}, already filed: it can no longer be cancelled; issue a credit note against it instead (and a fresh invoice if the supply stands)"
                ),
            )]));
        }
        let notes = tax_note::Entity::find()
            .filter(tax_note::Column::FulfilmentId.eq(fulfilment.id))
            .count(&self.db)
            .await?;
        if notes > 0 {
            return Err(OrderError::Invalid(vec![FieldError::new(
                "fulfilmentId",
                FieldErrorCode::NotAllowed,
                format!(
                    "invoice {number} has credit or debit notes against it: correct it with another note, not a cancellation"
                ),
            )]));
        }
        let txn = kernel::begin_write(&self.db).await?;
        let (replacement, replacement_date) = next_invoice_number(&txn, &fulfilment).await?;
        // Compare-and-set on the number: of two concurrent cancellations one wins, the
        // other finds the invoice changed.
        let updated = fulfilment::Entity::update_many()
            .col_expr(
                fulfilment::Column::InvoiceNumber,
                sea_orm::sea_query::Expr::value(replacement.clone()),
            )
            .col_expr(
                fulfilment::Column::InvoiceDate,
                sea_orm::sea_query::Expr::value(replacement_date),
            )
            .col_expr(
                fulfilment::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(fulfilment::Column::Id.eq(fulfilment.id))
            .filter(fulfilment::Column::InvoiceNumber.eq(number.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(OrderError::Conflict(
                "the invoice changed meanwhile: look at it again".into(),
            ));
        }
        let model = cancelled_invoice::Model {
            id: Uuid::now_v7(),
            cooperative_id: fulfilment.cooperative_id,
            order_id: fulfilment.order_id,
            fulfilment_id: fulfilment.id,
            number: number.clone(),
            invoice_date: date,
            reason: reason.to_owned(),
            replaced_by: replacement.clone(),
            actor_user_id: party.user_id(),
            cancelled_at: Utc::now(),
        };
        cancelled_invoice::Entity::insert(cancelled_invoice::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await?;
        history::record(
            &txn,
            fulfilment.order_id,
            Some(fulfilment.id),
            None,
            HistoryStatus::InvoiceCancelled,
            party,
            Some(&format!(
                "{number} cancelled, {replacement} issued: {reason}"
            )),
        )
        .await?;
        txn.commit().await?;
        Ok(model.into())
    }

    /// A fulfilment's cancelled invoice numbers (callers have checked that the
    /// fulfilment is visible to the reader).
    pub async fn cancelled_invoices_of(
        &self,
        fulfilment_id: Uuid,
    ) -> Result<Vec<CancelledInvoice>, OrderError> {
        cancelled_of_fulfilment(&self.db, fulfilment_id).await
    }

    /// A cancelled invoice as it was issued, marked CANCELLED, for the readers of the
    /// fulfilment's invoice.
    pub async fn cancelled_invoice_for(
        &self,
        party: &Party,
        cancelled_id: Uuid,
    ) -> Result<Invoice, OrderError> {
        let cancelled: CancelledInvoice = cancelled_invoice::Entity::find_by_id(cancelled_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("invoice"))?
            .into();
        let mut invoice = self.invoice_for(party, cancelled.fulfilment_id).await?;
        invoice.number.clone_from(&cancelled.number);
        invoice.date = cancelled.date;
        // The IRN, if any, belongs to the fresh invoice.
        invoice.registration = None;
        invoice.cancellation = Some(InvoiceCancellation {
            reason: cancelled.reason,
            cancelled_at: cancelled.cancelled_at,
            replaced_by: cancelled.replaced_by,
        });
        Ok(invoice)
    }
}
