//! The typed return: a cooperative's documents of one month with only what the
//! returns need, built from the stored fulfilments and lines, and its credit and
//! debit notes of the month (by note date, whatever the invoice's month). Every
//! section of GSTR-1 is a function of this model (see `gstr1`).

use std::collections::HashMap;

use catalog::GstRegime;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    Address, EcommerceOperator, LineKind, NoteKind, OrderError,
    entity::{cancelled_invoice, fulfilment, order, order_line},
    notes::queries::{TaxNote, TaxNoteLine, notes_in_period},
    records::OrderLineView,
    tax::{SupplyKind, supply_kind},
};

use super::{ReturnPeriod, ReturnPolicy};

/// The HSN code a line is reported under: the line's stored code, which is the
/// product's own HSN when it overrides its category's, as at the order.
pub fn line_hsn(line: &OrderLineView) -> &str {
    &line.hsn
}

/// The unit quantity code (GST's UQC list) a line is reported in: the variant's, as
/// copied onto the order line when the order was placed.
pub fn line_uqc(line: &OrderLineView) -> String {
    line.uqc.code()
}

/// The UQC a document's line is reported in. The shipping line adds value but no
/// quantity to its goods (a composite supply), so it takes the UQC of the document's
/// goods line of the same HSN code: the HSN summary then has one row per code, unit and
/// rate instead of a row of value without quantity.
fn document_line_uqc(line: &OrderLineView, lines: &[OrderLineView]) -> String {
    match line.kind {
        LineKind::Goods => line_uqc(line),
        LineKind::Shipping => lines
            .iter()
            .find(|goods| goods.kind == LineKind::Goods && goods.hsn == line.hsn)
            .map_or_else(|| line_uqc(line), line_uqc),
    }
}

/// One line of a document, as the returns see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    pub hsn: String,
    pub description: String,
    pub uqc: String,
    /// Units of goods; 0 on the shipping line, whose value follows its goods
    /// (a composite supply) but which adds no quantity.
    pub quantity: i64,
    pub rate_bp: i64,
    pub taxable_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    /// SGST or UTGST: the return has one column (`samt`) for both.
    pub sgst_paise: i64,
}

impl ReturnLine {
    /// Nil-rated or exempt: reported in table 8, not with the taxed supplies.
    pub const fn is_nil(&self) -> bool {
        self.rate_bp == 0
    }
}

/// One issued document (a tax invoice, bill of supply or invoice-cum-bill).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDocument {
    pub number: String,
    pub date: NaiveDate,
    /// The document's value, tax included.
    pub total_paise: i64,
    /// The place of supply's State code.
    pub place_of_supply: String,
    pub supply: SupplyKind,
    /// The recipient's GSTIN, when the buyer is registered.
    pub recipient_gstin: Option<String>,
    /// The e-commerce operator's GSTIN, for supplies made through the platform.
    pub operator_gstin: Option<String>,
    /// The operator collected the consideration (`tcs::platform_collects`), so it
    /// collects TCS on the supply: what GSTR-1 table 14 (`supeco`) counts.
    pub operator_collects: bool,
    pub lines: Vec<ReturnLine>,
}

impl ReturnDocument {
    pub const fn inter_state(&self) -> bool {
        matches!(self.supply, SupplyKind::InterState)
    }

    /// The operator's GSTIN where it collects TCS on this supply: GSTR-1 reports a
    /// supply against an operator (`etin`, B2CS type `E`, table 14) only then, so the
    /// supplier's figures per operator match what the operator's GSTR-8 declares.
    pub fn tcs_operator(&self) -> Option<&str> {
        self.operator_gstin
            .as_deref()
            .filter(|_| self.operator_collects)
    }
}

/// A credit or debit note dated in the period, as the returns see it. Amounts are
/// positive; `kind` says in which direction they change the supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnNote {
    pub kind: NoteKind,
    pub number: String,
    pub date: NaiveDate,
    /// The note's value, tax included.
    pub total_paise: i64,
    pub place_of_supply: String,
    pub supply: SupplyKind,
    pub recipient_gstin: Option<String>,
    pub operator_gstin: Option<String>,
    /// The operator collected the invoice's consideration (see `ReturnDocument`).
    pub operator_collects: bool,
    /// The value of the invoice the note corrects: it decides whether a note to an
    /// unregistered buyer corrects a large (B2CL) invoice.
    pub invoice_total_paise: i64,
    pub lines: Vec<ReturnLine>,
}

impl ReturnNote {
    pub const fn inter_state(&self) -> bool {
        matches!(self.supply, SupplyKind::InterState)
    }

    /// As [`ReturnDocument::tcs_operator`], by the invoice the note corrects.
    pub fn tcs_operator(&self) -> Option<&str> {
        self.operator_gstin
            .as_deref()
            .filter(|_| self.operator_collects)
    }

    /// +1 for a debit note (raises the supplies), −1 for a credit note.
    pub const fn sign(&self) -> i64 {
        match self.kind {
            NoteKind::CreditNote => -1,
            NoteKind::DebitNote => 1,
        }
    }
}

/// A cooperative's GSTR-1 data for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gstr1Return {
    pub gstin: String,
    pub period: ReturnPeriod,
    pub b2cl_threshold_paise: i64,
    /// The documents dated in the period, in number order.
    pub documents: Vec<ReturnDocument>,
    /// The credit and debit notes dated in the period, by date and number.
    pub notes: Vec<ReturnNote>,
    /// Numbers of the cooperative's invoices dated in the period that were cancelled
    /// before the period's return was filed: counted in `doc_issue`, reported nowhere
    /// else.
    pub cancelled: Vec<String>,
}

pub(super) fn return_line(
    line: &OrderLineView,
    lines: &[OrderLineView],
    supply: SupplyKind,
) -> ReturnLine {
    let quantity = match line.kind {
        LineKind::Goods => i64::from(line.quantity),
        LineKind::Shipping => 0,
    };
    let (cgst, sgst) = match supply {
        SupplyKind::InterState => (0, 0),
        SupplyKind::IntraState | SupplyKind::IntraUnionTerritory => (
            line.cgst_paise,
            line.sgst_paise.saturating_add(line.utgst_paise),
        ),
    };
    ReturnLine {
        hsn: line_hsn(line).to_owned(),
        description: line.description.clone(),
        uqc: document_line_uqc(line, lines),
        quantity,
        rate_bp: i64::from(line.rate_bp),
        taxable_paise: line.taxable_paise,
        igst_paise: line.igst_paise,
        cgst_paise: cgst,
        sgst_paise: sgst,
    }
}

/// The invoiced fulfilments of a cooperative dated in the period, with their orders
/// and lines.
pub(super) async fn invoiced_in(
    db: &impl ConnectionTrait,
    cooperative_id: Option<Uuid>,
    period: ReturnPeriod,
) -> Result<Vec<(fulfilment::Model, order::Model, Vec<OrderLineView>)>, OrderError> {
    let mut select = fulfilment::Entity::find()
        .filter(fulfilment::Column::InvoiceNumber.is_not_null())
        .filter(fulfilment::Column::InvoiceDate.gte(period.first_day()))
        .filter(fulfilment::Column::InvoiceDate.lte(period.last_day()));
    if let Some(id) = cooperative_id {
        select = select.filter(fulfilment::Column::CooperativeId.eq(id));
    }
    let fulfilments = select
        .order_by_asc(fulfilment::Column::InvoiceNumber)
        .all(db)
        .await?;
    let order_ids: Vec<Uuid> = fulfilments.iter().map(|f| f.order_id).collect();
    let fulfilment_ids: Vec<Uuid> = fulfilments.iter().map(|f| f.id).collect();
    let orders: HashMap<Uuid, order::Model> = order::Entity::find()
        .filter(order::Column::Id.is_in(order_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut lines: HashMap<Uuid, Vec<OrderLineView>> = HashMap::new();
    for line in order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.is_in(fulfilment_ids))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?
    {
        lines
            .entry(line.fulfilment_id)
            .or_default()
            .push(line.into());
    }
    fulfilments
        .into_iter()
        .map(|f| {
            let order = orders
                .get(&f.order_id)
                .cloned()
                .ok_or_else(|| OrderError::corrupt("fulfilment without order"))?;
            let lines = lines.remove(&f.id).unwrap_or_default();
            Ok((f, order, lines))
        })
        .collect()
}

/// The recipient's GSTIN as the invoice printed it.
pub(crate) fn recipient_gstin(order: &order::Model) -> Result<Option<String>, OrderError> {
    let address: Address =
        serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
    Ok(address.gstin.filter(|g| !g.trim().is_empty()))
}

/// The operator's GSTIN for supplies made through the platform (not a sales
/// channel's orders, whose operator is the channel), as the invoices print it.
pub(super) fn through_operator(
    order: &order::Model,
    operator: Option<&EcommerceOperator>,
) -> Option<String> {
    operator
        .filter(|_| order.source_channel.is_none())
        .map(|o| o.gstin.clone())
}

/// A note's line as the returns see it: heads as on its invoice, the UQC of the line
/// it corrects (the shipping line's that of its goods, as on the invoice).
fn note_return_line(
    line: &TaxNoteLine,
    invoice_lines: &[OrderLineView],
    supply: SupplyKind,
) -> ReturnLine {
    let uqc = invoice_lines
        .iter()
        .find(|l| l.id == line.order_line_id)
        .map_or_else(|| line.uqc.code(), |l| document_line_uqc(l, invoice_lines));
    let (cgst, sgst) = match supply {
        SupplyKind::InterState => (0, 0),
        SupplyKind::IntraState | SupplyKind::IntraUnionTerritory => (
            line.cgst_paise,
            line.sgst_paise.saturating_add(line.utgst_paise),
        ),
    };
    ReturnLine {
        hsn: line.hsn.clone(),
        description: line.description.clone(),
        uqc,
        quantity: i64::from(line.quantity),
        rate_bp: i64::from(line.rate_bp),
        taxable_paise: line.taxable_paise,
        igst_paise: line.igst_paise,
        cgst_paise: cgst,
        sgst_paise: sgst,
    }
}

/// The notes of `cooperative_id` (or of every cooperative) dated in the period, with
/// the fulfilments, orders and invoice lines they correct.
pub(super) async fn notes_in(
    db: &impl ConnectionTrait,
    cooperative_id: Option<Uuid>,
    period: ReturnPeriod,
) -> Result<Vec<(TaxNote, fulfilment::Model, order::Model, Vec<OrderLineView>)>, OrderError> {
    let notes = notes_in_period(db, cooperative_id, period.first_day(), period.last_day()).await?;
    let fulfilment_ids: Vec<Uuid> = notes.iter().map(|n| n.fulfilment_id).collect();
    let fulfilments: HashMap<Uuid, fulfilment::Model> = fulfilment::Entity::find()
        .filter(fulfilment::Column::Id.is_in(fulfilment_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let orders: HashMap<Uuid, order::Model> = order::Entity::find()
        .filter(order::Column::Id.is_in(fulfilments.values().map(|f| f.order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut lines: HashMap<Uuid, Vec<OrderLineView>> = HashMap::new();
    for line in order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.is_in(fulfilment_ids))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?
    {
        lines
            .entry(line.fulfilment_id)
            .or_default()
            .push(line.into());
    }
    notes
        .into_iter()
        .map(|note| {
            let f = fulfilments
                .get(&note.fulfilment_id)
                .cloned()
                .ok_or_else(|| OrderError::corrupt("note without fulfilment"))?;
            let order = orders
                .get(&f.order_id)
                .cloned()
                .ok_or_else(|| OrderError::corrupt("fulfilment without order"))?;
            let invoice_lines = lines.get(&f.id).cloned().unwrap_or_default();
            Ok((note, f, order, invoice_lines))
        })
        .collect()
}

pub(super) async fn load_gstr1(
    db: &impl ConnectionTrait,
    policy: &ReturnPolicy,
    operator: Option<&EcommerceOperator>,
    cooperative_id: Uuid,
    period: ReturnPeriod,
) -> Result<Gstr1Return, OrderError> {
    let cooperative = catalog::cooperatives_by_ids(db, &[cooperative_id])
        .await?
        .remove(&cooperative_id)
        .ok_or(OrderError::NotFound("cooperative"))?;
    let gstin = match (cooperative.gst_regime, cooperative.gstin.clone()) {
        (GstRegime::Regular, Some(gstin)) => gstin,
        (GstRegime::Composition, _) => {
            return Err(OrderError::Conflict(format!(
                "{} pays tax under the composition scheme and files CMP-08 and GSTR-4, not GSTR-1",
                cooperative.name
            )));
        }
        _ => {
            return Err(OrderError::Conflict(format!(
                "{} has no GSTIN and files no GSTR-1",
                cooperative.name
            )));
        }
    };
    let mut documents = Vec::new();
    for (f, order, lines) in invoiced_in(db, Some(cooperative_id), period).await? {
        // A supply made while the cooperative was under composition or only enrolled
        // is not an outward supply of a regular taxpayer: it has no place in GSTR-1.
        if f.supplier_regime != GstRegime::Regular {
            continue;
        }
        let (Some(number), Some(date)) = (f.invoice_number.clone(), f.invoice_date) else {
            continue;
        };
        let place = lines
            .first()
            .map(|l| l.place_of_supply.clone())
            .unwrap_or_else(|| order.place_of_supply.clone());
        if lines.iter().any(|l| l.place_of_supply != place) {
            return Err(OrderError::corrupt(format!(
                "document {number} has lines with different places of supply"
            )));
        }
        let supply = supply_kind(&cooperative.state_code, &place)?;
        documents.push(ReturnDocument {
            number,
            date,
            total_paise: f.total_paise,
            place_of_supply: place,
            supply,
            recipient_gstin: recipient_gstin(&order)?,
            operator_gstin: through_operator(&order, operator),
            operator_collects: crate::tcs::platform_collects(&order),
            lines: lines
                .iter()
                .map(|l| return_line(l, &lines, supply))
                .collect(),
        });
    }
    let mut notes = Vec::new();
    for (note, f, order, invoice_lines) in notes_in(db, Some(cooperative_id), period).await? {
        if f.supplier_regime != GstRegime::Regular {
            continue;
        }
        let place = note
            .lines
            .first()
            .map(|l| l.place_of_supply.clone())
            .or_else(|| invoice_lines.first().map(|l| l.place_of_supply.clone()))
            .unwrap_or_else(|| order.place_of_supply.clone());
        let supply = supply_kind(&note.supplier_state_code, &place)?;
        notes.push(ReturnNote {
            kind: note.kind,
            number: note.number.clone(),
            date: note.date,
            total_paise: note.total_paise,
            place_of_supply: place,
            supply,
            recipient_gstin: recipient_gstin(&order)?,
            operator_gstin: through_operator(&order, operator),
            operator_collects: crate::tcs::platform_collects(&order),
            invoice_total_paise: f.total_paise,
            lines: note
                .lines
                .iter()
                .map(|l| note_return_line(l, &invoice_lines, supply))
                .collect(),
        });
    }
    Ok(Gstr1Return {
        gstin,
        period,
        b2cl_threshold_paise: policy.b2cl_threshold_paise,
        documents,
        notes,
        cancelled: cancelled_invoice::Entity::find()
            .filter(cancelled_invoice::Column::CooperativeId.eq(cooperative_id))
            .filter(cancelled_invoice::Column::InvoiceDate.gte(period.first_day()))
            .filter(cancelled_invoice::Column::InvoiceDate.lte(period.last_day()))
            .order_by_asc(cancelled_invoice::Column::Number)
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.number)
            .collect(),
    })
}
