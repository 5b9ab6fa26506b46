//! Reading credit and debit notes: a fulfilment's, one by id, and a cooperative's in a
//! period by note date (what GSTR-1's CDNR and CDNUR sections are built from, with the
//! recipient's GSTIN from the order's address deciding which).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    NoteKind, OrderError,
    entity::{order_line, tax_note, tax_note_line},
};

/// One line of a note: the invoice line it corrects and the change in its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxNoteLine {
    pub order_line_id: Uuid,
    pub position: i32,
    pub description: String,
    pub hsn: String,
    /// Units returned with the note; 0 for a change of value only.
    pub quantity: i32,
    /// The unit the corrected invoice line counted in (its variant's UQC at the order).
    pub uqc: catalog::Uqc,
    pub rate_bp: i32,
    pub place_of_supply: String,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
}

/// A credit or debit note, with its lines. Amounts are positive: the kind says in
/// which direction they change the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxNote {
    pub id: Uuid,
    pub kind: NoteKind,
    pub cooperative_id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub number: String,
    pub date: NaiveDate,
    pub financial_year: String,
    /// The invoice the note corrects.
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    pub reason: String,
    pub supplier_state_code: String,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
    /// The refund the credit note records, if any.
    pub refund_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<TaxNoteLine>,
}

impl TaxNote {
    /// Where the note is rendered (HTML).
    pub fn url(&self) -> String {
        match self.kind {
            NoteKind::CreditNote => format!("/credit-notes/{}", self.id),
            NoteKind::DebitNote => format!("/debit-notes/{}", self.id),
        }
    }
}

fn view(
    note: tax_note::Model,
    lines: &[tax_note_line::Model],
    corrected: &[order_line::Model],
) -> TaxNote {
    let mut own: Vec<TaxNoteLine> = lines
        .iter()
        .filter(|l| l.note_id == note.id)
        .map(|l| TaxNoteLine {
            order_line_id: l.order_line_id,
            position: l.position,
            description: l.description.clone(),
            hsn: l.hsn.clone(),
            quantity: l.quantity,
            uqc: corrected
                .iter()
                .find(|o| o.id == l.order_line_id)
                .map_or(catalog::Uqc::Nos, |o| o.uqc),
            rate_bp: l.rate_bp,
            place_of_supply: l.place_of_supply.clone(),
            taxable_paise: l.taxable_paise,
            cgst_paise: l.cgst_paise,
            sgst_paise: l.sgst_paise,
            utgst_paise: l.utgst_paise,
            igst_paise: l.igst_paise,
            total_paise: l.total_paise,
        })
        .collect();
    own.sort_by_key(|l| l.position);
    TaxNote {
        id: note.id,
        kind: note.kind,
        cooperative_id: note.cooperative_id,
        order_id: note.order_id,
        fulfilment_id: note.fulfilment_id,
        number: note.number,
        date: note.note_date,
        financial_year: note.financial_year,
        invoice_number: note.invoice_number,
        invoice_date: note.invoice_date,
        reason: note.reason,
        supplier_state_code: note.supplier_state_code,
        taxable_paise: note.taxable_paise,
        cgst_paise: note.cgst_paise,
        sgst_paise: note.sgst_paise,
        utgst_paise: note.utgst_paise,
        igst_paise: note.igst_paise,
        total_paise: note.total_paise,
        refund_id: note.refund_id,
        created_at: note.created_at,
        lines: own,
    }
}

async fn with_lines(
    db: &impl ConnectionTrait,
    notes: Vec<tax_note::Model>,
) -> Result<Vec<TaxNote>, OrderError> {
    let lines = tax_note_line::Entity::find()
        .filter(tax_note_line::Column::NoteId.is_in(notes.iter().map(|n| n.id)))
        .all(db)
        .await?;
    let corrected = order_line::Entity::find()
        .filter(order_line::Column::Id.is_in(lines.iter().map(|l| l.order_line_id)))
        .all(db)
        .await?;
    Ok(notes
        .into_iter()
        .map(|n| view(n, &lines, &corrected))
        .collect())
}

/// One note by id.
pub async fn note_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<TaxNote, OrderError> {
    let note = tax_note::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(OrderError::NotFound("note"))?;
    with_lines(db, vec![note])
        .await?
        .pop()
        .ok_or(OrderError::NotFound("note"))
}

/// A fulfilment's notes, oldest first.
pub async fn notes_of_fulfilment(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<Vec<TaxNote>, OrderError> {
    let notes = tax_note::Entity::find()
        .filter(tax_note::Column::FulfilmentId.eq(fulfilment_id))
        .order_by_asc(tax_note::Column::CreatedAt)
        .order_by_asc(tax_note::Column::Id)
        .all(db)
        .await?;
    with_lines(db, notes).await
}

/// A cooperative's notes (every cooperative's with `None`) dated from `from` to `to`
/// (inclusive), by date and number.
pub async fn notes_in_period(
    db: &impl ConnectionTrait,
    cooperative_id: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TaxNote>, OrderError> {
    let mut select = tax_note::Entity::find();
    if let Some(id) = cooperative_id {
        select = select.filter(tax_note::Column::CooperativeId.eq(id));
    }
    let notes = select
        .filter(tax_note::Column::NoteDate.gte(from))
        .filter(tax_note::Column::NoteDate.lte(to))
        .order_by_asc(tax_note::Column::NoteDate)
        .order_by_asc(tax_note::Column::Number)
        .all(db)
        .await?;
    with_lines(db, notes).await
}
