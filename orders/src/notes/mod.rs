//! Credit and debit notes (CGST s.34, Rule 53): after an invoice is issued, a refund
//! or a return lowers the value of the supply by a credit note, and a later increase
//! raises it by a debit note. Each note has its own series per cooperative and
//! financial year (`PREF/C2627/00001` for credit notes, `PREF/D2627/00001` for debit
//! notes: at most 16 characters, separate from the invoices' series), refers to the
//! original invoice's number and date, and carries per line the taxable value and the
//! tax of each head, so that GSTR-1's credit/debit-note sections can be built from it
//! (see `queries`).
//!
//! A credit note for an amount reverses the invoice in proportion: the amount is
//! shared among the lines by what is still outstanding on each (the invoice plus
//! earlier debit notes less earlier credit notes), and each line's share is split into
//! taxable value and tax by the same rule as the invoice (equal CGST and SGST/UTGST
//! halves). A note that takes everything outstanding reverses the remaining figures
//! exactly, so the invoice less its notes comes to zero on every head, to the paisa.

pub mod queries;
mod render;

use chrono::{NaiveDate, Utc};
use kernel::FieldErrorCode;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{
    LineKind, NoteKind, OrderError, OrderService, Party,
    entity::{fulfilment, note_sequence, order_line, refund, tax_note, tax_note_line},
    invoices::invoice_prefix,
    tax::{LineTax, SupplyKind, line_tax, supply_kind},
    time::{financial_year, india_today},
};

pub use queries::{TaxNote, TaxNoteLine};
pub use render::{NoteDocument, render_note_html};

/// What is still outstanding on one invoice line, and how it is taxed.
#[derive(Debug, Clone)]
struct LineState {
    line: order_line::Model,
    supply: SupplyKind,
    outstanding: LineTax,
}

/// One line of a note being issued.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedLine {
    index: usize,
    quantity: i32,
    figures: LineTax,
}

fn add(a: LineTax, b: &LineTax, sign: i64) -> LineTax {
    LineTax {
        rate_bp: a.rate_bp,
        total_paise: a.total_paise + sign * b.total_paise,
        taxable_paise: a.taxable_paise + sign * b.taxable_paise,
        cgst_paise: a.cgst_paise + sign * b.cgst_paise,
        sgst_paise: a.sgst_paise + sign * b.sgst_paise,
        utgst_paise: a.utgst_paise + sign * b.utgst_paise,
        igst_paise: a.igst_paise + sign * b.igst_paise,
    }
}

/// Shares `amount` among the lines in proportion to what is outstanding on each
/// (largest remainder, ties to the earlier line). Everything outstanding reverses the
/// outstanding figures exactly; a share splits by the invoice's own rounding rule.
fn plan_credit(
    states: &[LineState],
    amount: i64,
    whole_quantities: bool,
) -> Result<Vec<PlannedLine>, OrderError> {
    let outstanding: i64 = states
        .iter()
        .map(|s| Ord::max(s.outstanding.total_paise, 0))
        .sum();
    if amount <= 0 || amount > outstanding {
        return Err(OrderError::Conflict(format!(
            "a credit note can take at most {} of this invoice",
            kernel::Money::inr(Ord::max(outstanding, 0)).for_people()
        )));
    }
    let mut shares: Vec<(usize, i64, i128)> = states
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let weight = i128::from(Ord::max(s.outstanding.total_paise, 0));
            let exact = i128::from(amount) * weight;
            let share = exact / i128::from(outstanding);
            let remainder = exact % i128::from(outstanding);
            (index, i64::try_from(share).unwrap_or(0), remainder)
        })
        .collect();
    let mut left = amount - shares.iter().map(|(_, s, _)| s).sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (
            shares.get(*a).map_or(0, |s| s.2),
            shares.get(*b).map_or(0, |s| s.2),
        );
        rb.cmp(&ra).then(a.cmp(b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        if let (Some(share), Some(state)) = (shares.get_mut(i), states.get(i))
            && share.1 < state.outstanding.total_paise
        {
            share.1 += 1;
            left -= 1;
        }
    }
    let mut planned = Vec::new();
    for (index, share, _) in shares {
        let Some(state) = states.get(index) else {
            continue;
        };
        if share <= 0 {
            continue;
        }
        let figures = if share == state.outstanding.total_paise {
            state.outstanding
        } else {
            line_tax(share, i64::from(state.line.rate_bp), state.supply)?
        };
        let quantity = if whole_quantities && state.line.kind == LineKind::Goods {
            state.line.quantity
        } else {
            0
        };
        planned.push(PlannedLine {
            index,
            quantity,
            figures,
        });
    }
    Ok(planned)
}

/// How a credit note's amount is decided.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Credit<'a> {
    /// A refund of this much, tax included, shared among the lines.
    Amount(i64),
    /// The whole supply comes back (a parcel returned undelivered): everything
    /// outstanding, with the goods' quantities.
    Everything,
    /// Units of some goods lines come back (rejected at acceptance): per order line
    /// id, the units; each line's value in proportion to its quantity.
    Units(&'a [(Uuid, i32)]),
}

/// The lines of a credit for returned units: each line's value in proportion to the
/// units returned (the whole outstanding value when all of them are), rounded half up
/// and taxed by the invoice's own rule.
fn plan_units(states: &[LineState], units: &[(Uuid, i32)]) -> Result<Vec<PlannedLine>, OrderError> {
    let mut planned = Vec::new();
    for (line_id, quantity) in units {
        let Some((index, state)) = states
            .iter()
            .enumerate()
            .find(|(_, s)| s.line.id == *line_id)
        else {
            return Err(OrderError::NotFound("order line"));
        };
        if *quantity <= 0 || *quantity > state.line.quantity {
            return Err(OrderError::Conflict(format!(
                "{} units of {} cannot be credited",
                quantity, state.line.sku
            )));
        }
        let figures = if *quantity == state.line.quantity {
            state.outstanding
        } else {
            let numerator = i128::from(state.line.total_paise) * i128::from(*quantity) * 2
                + i128::from(state.line.quantity);
            let amount = i64::try_from(numerator / (2 * i128::from(state.line.quantity)))
                .map_err(OrderError::corrupt)?;
            let amount = Ord::min(amount, state.outstanding.total_paise);
            line_tax(amount, i64::from(state.line.rate_bp), state.supply)?
        };
        if figures.total_paise <= 0 {
            return Err(OrderError::Conflict(format!(
                "nothing is left to credit on {}",
                state.line.sku
            )));
        }
        planned.push(PlannedLine {
            index,
            quantity: *quantity,
            figures,
        });
    }
    planned.sort_by_key(|p| p.index);
    Ok(planned)
}

/// The next number in the cooperative's series of `kind` notes for `date`'s financial
/// year: a counter row created if missing and incremented in place, so concurrent
/// notes get distinct, consecutive numbers.
async fn next_note_number(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
    kind: NoteKind,
    date: NaiveDate,
) -> Result<(String, String), OrderError> {
    let year = financial_year(date);
    note_sequence::Entity::insert(note_sequence::ActiveModel {
        cooperative_id: Set(cooperative_id),
        financial_year: Set(year.clone()),
        kind: Set(kind),
        last_number: Set(0),
    })
    .on_conflict(
        OnConflict::columns([
            note_sequence::Column::CooperativeId,
            note_sequence::Column::FinancialYear,
            note_sequence::Column::Kind,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    note_sequence::Entity::update_many()
        .col_expr(
            note_sequence::Column::LastNumber,
            Expr::col(note_sequence::Column::LastNumber).add(1),
        )
        .filter(note_sequence::Column::CooperativeId.eq(cooperative_id))
        .filter(note_sequence::Column::FinancialYear.eq(year.as_str()))
        .filter(note_sequence::Column::Kind.eq(kind))
        .exec(db)
        .await?;
    let sequence = note_sequence::Entity::find()
        .filter(note_sequence::Column::CooperativeId.eq(cooperative_id))
        .filter(note_sequence::Column::FinancialYear.eq(year.as_str()))
        .filter(note_sequence::Column::Kind.eq(kind))
        .one(db)
        .await?
        .ok_or_else(|| OrderError::corrupt("note sequence vanished"))?;
    if sequence.last_number > 99_999 {
        return Err(OrderError::Conflict(format!(
            "this cooperative's {} series for the year is exhausted",
            kind.title().to_lowercase()
        )));
    }
    let slug = catalog::cooperatives_by_ids(db, &[cooperative_id])
        .await?
        .get(&cooperative_id)
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    Ok((
        format!(
            "{}/{}{year}/{:05}",
            invoice_prefix(&slug),
            kind.series_letter(),
            sequence.last_number
        ),
        year,
    ))
}

/// The lines of an invoiced fulfilment with what is outstanding on each after its
/// notes so far.
async fn line_states(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    supplier_state: &str,
) -> Result<Vec<LineState>, OrderError> {
    let mut lines = order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.eq(fulfilment.id))
        .all(db)
        .await?;
    lines.sort_by_key(|l| l.position);
    let notes = tax_note::Entity::find()
        .filter(tax_note::Column::FulfilmentId.eq(fulfilment.id))
        .all(db)
        .await?;
    let note_lines = tax_note_line::Entity::find()
        .filter(tax_note_line::Column::NoteId.is_in(notes.iter().map(|n| n.id)))
        .all(db)
        .await?;
    lines
        .into_iter()
        .map(|line| {
            let supply = supply_kind(supplier_state, &line.place_of_supply)?;
            let mut outstanding = LineTax {
                rate_bp: i64::from(line.rate_bp),
                total_paise: line.total_paise,
                taxable_paise: line.taxable_paise,
                cgst_paise: line.cgst_paise,
                sgst_paise: line.sgst_paise,
                utgst_paise: line.utgst_paise,
                igst_paise: line.igst_paise,
            };
            for nl in note_lines.iter().filter(|nl| nl.order_line_id == line.id) {
                let sign = match notes.iter().find(|n| n.id == nl.note_id).map(|n| n.kind) {
                    Some(NoteKind::CreditNote) => -1,
                    Some(NoteKind::DebitNote) => 1,
                    None => 0,
                };
                outstanding = add(outstanding, &figures_of(nl), sign);
            }
            Ok(LineState {
                line,
                supply,
                outstanding,
            })
        })
        .collect()
}

const fn figures_of(line: &tax_note_line::Model) -> LineTax {
    LineTax {
        rate_bp: line.rate_bp as i64,
        total_paise: line.total_paise,
        taxable_paise: line.taxable_paise,
        cgst_paise: line.cgst_paise,
        sgst_paise: line.sgst_paise,
        utgst_paise: line.utgst_paise,
        igst_paise: line.igst_paise,
    }
}

/// Who issues a note, and why.
pub(crate) struct NoteOrigin<'a> {
    pub reason: &'a str,
    pub refund_id: Option<Uuid>,
    pub party: &'a Party,
}

/// Writes a note of `kind` with `planned` lines against the fulfilment's invoice.
async fn write_note(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    supplier_state: &str,
    states: &[LineState],
    kind: NoteKind,
    planned: Vec<PlannedLine>,
    origin: &NoteOrigin<'_>,
) -> Result<tax_note::Model, OrderError> {
    let (Some(invoice_number), Some(invoice_date)) =
        (fulfilment.invoice_number.clone(), fulfilment.invoice_date)
    else {
        return Err(OrderError::Conflict(
            "a note corrects an invoice: this fulfilment has none yet".into(),
        ));
    };
    let date = Ord::max(india_today(), invoice_date);
    let (number, year) = next_note_number(db, fulfilment.cooperative_id, kind, date).await?;
    let sum = planned
        .iter()
        .fold(LineTax::default(), |sum, p| add(sum, &p.figures, 1));
    let note = tax_note::Model {
        id: Uuid::now_v7(),
        kind,
        cooperative_id: fulfilment.cooperative_id,
        order_id: fulfilment.order_id,
        fulfilment_id: fulfilment.id,
        number,
        note_date: date,
        financial_year: year,
        invoice_number,
        invoice_date,
        reason: origin.reason.to_owned(),
        supplier_state_code: supplier_state.to_owned(),
        taxable_paise: sum.taxable_paise,
        cgst_paise: sum.cgst_paise,
        sgst_paise: sum.sgst_paise,
        utgst_paise: sum.utgst_paise,
        igst_paise: sum.igst_paise,
        total_paise: sum.total_paise,
        refund_id: origin.refund_id,
        actor_user_id: origin.party.user_id(),
        created_at: Utc::now(),
    };
    tax_note::Entity::insert(tax_note::ActiveModel::from(note.clone()))
        .exec_without_returning(db)
        .await?;
    for (position, p) in planned.iter().enumerate() {
        let Some(state) = states.get(p.index) else {
            continue;
        };
        tax_note_line::Entity::insert(tax_note_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            note_id: Set(note.id),
            order_line_id: Set(state.line.id),
            position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
            description: Set(state.line.description.clone()),
            hsn: Set(state.line.hsn.clone()),
            quantity: Set(p.quantity),
            rate_bp: Set(state.line.rate_bp),
            place_of_supply: Set(state.line.place_of_supply.clone()),
            taxable_paise: Set(p.figures.taxable_paise),
            cgst_paise: Set(p.figures.cgst_paise),
            sgst_paise: Set(p.figures.sgst_paise),
            utgst_paise: Set(p.figures.utgst_paise),
            igst_paise: Set(p.figures.igst_paise),
            total_paise: Set(p.figures.total_paise),
        })
        .exec_without_returning(db)
        .await?;
    }
    crate::history::record(
        db,
        fulfilment.order_id,
        Some(fulfilment.id),
        None,
        match kind {
            NoteKind::CreditNote => crate::HistoryStatus::CreditNote,
            NoteKind::DebitNote => crate::HistoryStatus::DebitNote,
        },
        origin.party,
        Some(&format!("{}: {}", note.number, origin.reason)),
    )
    .await?;
    Ok(note)
}

async fn supplier_state(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
) -> Result<String, OrderError> {
    catalog::cooperatives_by_ids(db, &[cooperative_id])
        .await?
        .remove(&cooperative_id)
        .map(|c| c.state_code)
        .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))
}

/// Issues a credit note against the fulfilment's invoice.
pub(crate) async fn issue_credit_note(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    credit: Credit<'_>,
    origin: &NoteOrigin<'_>,
) -> Result<tax_note::Model, OrderError> {
    let state = supplier_state(db, fulfilment.cooperative_id).await?;
    let states = line_states(db, fulfilment, &state).await?;
    let planned = match credit {
        Credit::Amount(amount) => plan_credit(&states, amount, false)?,
        Credit::Everything => {
            let outstanding = states
                .iter()
                .map(|s| Ord::max(s.outstanding.total_paise, 0))
                .sum();
            plan_credit(&states, outstanding, true)?
        }
        Credit::Units(units) => plan_units(&states, units)?,
    };
    write_note(
        db,
        fulfilment,
        &state,
        &states,
        NoteKind::CreditNote,
        planned,
        origin,
    )
    .await
}

/// The credit note of a refund that has gone through, once the invoice is out (a
/// refund before invoicing lowers the invoice itself). Issued once per refund.
pub(crate) async fn credit_for_refund(
    db: &impl ConnectionTrait,
    refund: &refund::Model,
) -> Result<Option<tax_note::Model>, OrderError> {
    let Some(fulfilment) = fulfilment::Entity::find_by_id(refund.fulfilment_id)
        .one(db)
        .await?
    else {
        return Err(OrderError::NotFound("fulfilment"));
    };
    if fulfilment.invoice_number.is_none() {
        return Ok(None);
    }
    if let Some(existing) = tax_note::Entity::find()
        .filter(tax_note::Column::RefundId.eq(refund.id))
        .one(db)
        .await?
    {
        return Ok(Some(existing));
    }
    issue_credit_note(
        db,
        &fulfilment,
        Credit::Amount(refund.amount_paise),
        &NoteOrigin {
            reason: &refund.reason,
            refund_id: Some(refund.id),
            party: &Party::system(),
        },
    )
    .await
    .map(Some)
}

/// `debitNoteIssue`: what an admin adds to an invoiced fulfilment, per line.
#[derive(Debug, Clone)]
pub struct DebitNoteRequest {
    pub fulfilment_id: Uuid,
    pub reason: String,
    /// (order line id, amount tax included, in paise).
    pub lines: Vec<(Uuid, i64)>,
}

impl OrderService {
    /// A fulfilment's credit and debit notes, oldest first (callers have checked that
    /// the fulfilment is visible to the reader).
    pub async fn notes_of_fulfilment(
        &self,
        fulfilment_id: Uuid,
    ) -> Result<Vec<TaxNote>, OrderError> {
        queries::notes_of_fulfilment(&self.db, fulfilment_id).await
    }

    /// `debitNoteIssue`: raises the value of an invoice already issued (a price
    /// correction, a charge left off), by admins. Each line's amount includes tax and
    /// is split at the line's rate and supply, like the invoice.
    pub async fn issue_debit_note(
        &self,
        party: &Party,
        request: DebitNoteRequest,
    ) -> Result<TaxNote, OrderError> {
        party.require_signed_in()?;
        if !party.is_admin() {
            return Err(OrderError::Forbidden(
                "debit notes are issued by admins".into(),
            ));
        }
        let reason = request.reason.trim();
        let mut problems = Vec::new();
        if reason.is_empty() || reason.chars().count() > 500 {
            problems.push(kernel::FieldError::new(
                "reason",
                FieldErrorCode::Required,
                "say why the value goes up (at most 500 characters)",
            ));
        }
        if request.lines.is_empty() {
            problems.push(kernel::FieldError::new(
                "lines",
                FieldErrorCode::Required,
                "name at least one line of the invoice",
            ));
        }
        let (fulfilment, _) =
            crate::store::load_fulfilment(&self.db, request.fulfilment_id).await?;
        let state = supplier_state(&self.db, fulfilment.cooperative_id).await?;
        let states = line_states(&self.db, &fulfilment, &state).await?;
        let mut planned = Vec::new();
        for (i, (line_id, amount)) in request.lines.iter().enumerate() {
            let position = states.iter().position(|s| s.line.id == *line_id);
            match position {
                None => problems.push(kernel::FieldError::new(
                    &format!("lines.{i}.lineId"),
                    FieldErrorCode::NotFound,
                    "not a line of this fulfilment's invoice",
                )),
                Some(_) if request.lines.iter().filter(|(id, _)| id == line_id).count() > 1 => {
                    problems.push(kernel::FieldError::new(
                        &format!("lines.{i}.lineId"),
                        FieldErrorCode::Invalid,
                        "name each line once",
                    ));
                }
                Some(index) => {
                    if *amount <= 0 || *amount > 10_000_000_000 {
                        problems.push(kernel::FieldError::new(
                            &format!("lines.{i}.amountPaise"),
                            FieldErrorCode::OutOfRange,
                            "the amount is more than zero and at most Rs 10,00,00,000",
                        ));
                        continue;
                    }
                    let Some(s) = states.get(index) else {
                        continue;
                    };
                    planned.push(PlannedLine {
                        index,
                        quantity: 0,
                        figures: line_tax(*amount, i64::from(s.line.rate_bp), s.supply)?,
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(OrderError::Invalid(problems));
        }
        if fulfilment.invoice_number.is_none() {
            return Err(OrderError::Conflict(
                "a debit note corrects an invoice: this fulfilment has none yet".into(),
            ));
        }
        let txn = kernel::begin_write(&self.db).await?;
        let note = write_note(
            &txn,
            &fulfilment,
            &state,
            &states,
            NoteKind::DebitNote,
            planned,
            &NoteOrigin {
                reason,
                refund_id: None,
                party,
            },
        )
        .await?;
        txn.commit().await?;
        queries::note_by_id(&self.db, note.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(total: i64, rate: i64, supply: SupplyKind) -> LineState {
        let outstanding = line_tax(total, rate, supply).unwrap();
        LineState {
            line: order_line::Model {
                id: Uuid::now_v7(),
                order_id: Uuid::nil(),
                fulfilment_id: Uuid::nil(),
                consignee_id: None,
                position: 0,
                kind: LineKind::Goods,
                variant_id: None,
                product_id: None,
                sku: String::new(),
                description: String::new(),
                hsn: String::new(),
                quantity: 2,
                uqc: catalog::Uqc::Nos,
                pieces_per_unit: 1,
                unit_price_paise: total / 2,
                total_paise: total,
                rate_bp: i32::try_from(rate).unwrap(),
                taxable_paise: outstanding.taxable_paise,
                cgst_paise: outstanding.cgst_paise,
                sgst_paise: outstanding.sgst_paise,
                utgst_paise: outstanding.utgst_paise,
                igst_paise: outstanding.igst_paise,
                place_of_supply: "38".into(),
            },
            supply,
            outstanding,
        }
    }

    #[test]
    fn a_partial_credit_is_shared_in_proportion_with_equal_halves() {
        // Rs 720 of apricots and Rs 60 shipping within Ladakh; Rs 390 back (half).
        let states = [
            state(72_000, 500, SupplyKind::IntraUnionTerritory),
            state(6_000, 500, SupplyKind::IntraUnionTerritory),
        ];
        let planned = plan_credit(&states, 39_000, false).unwrap();
        let totals: Vec<i64> = planned.iter().map(|p| p.figures.total_paise).collect();
        assert_eq!(totals, [36_000, 3_000]);
        for p in &planned {
            assert_eq!(p.figures.cgst_paise, p.figures.utgst_paise);
            assert_eq!(
                p.figures.taxable_paise + p.figures.tax_paise(),
                p.figures.total_paise
            );
        }
        // Rs 360 at 5% within a UT: each half 360 × 0.05 / 2.10 = 8.571… → 8.57.
        assert_eq!(planned[0].figures.cgst_paise, 857);
    }

    #[test]
    fn the_odd_paisa_goes_by_largest_remainder_and_everything_reverses_exactly() {
        let states = [
            state(100, 1_800, SupplyKind::InterState),
            state(200, 1_800, SupplyKind::InterState),
        ];
        // 100 paise over 100:200 is 33.3 + 66.6: the second line takes the odd paisa.
        let planned = plan_credit(&states, 100, false).unwrap();
        let totals: Vec<i64> = planned.iter().map(|p| p.figures.total_paise).collect();
        assert_eq!(totals, [33, 67]);
        let all = plan_credit(&states, 300, true).unwrap();
        assert_eq!(all[0].figures, states[0].outstanding);
        assert_eq!(all[1].quantity, 2);
        assert!(plan_credit(&states, 301, false).is_err());
        assert!(plan_credit(&states, 0, false).is_err());
    }
}
