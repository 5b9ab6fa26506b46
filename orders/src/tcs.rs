//! TCS (CGST s.52): what the platform, as e-commerce operator, collects from the
//! consideration it receives on a supplier's behalf, and the ledger of it that the
//! settlement statement and GSTR-8 share.
//!
//! The rules, in one place:
//! - TCS is due only where the platform collects the consideration (s.52(1): "the
//!   consideration with respect to which is collected by the operator"): a card
//!   payment, or a bank transfer into the marketplace's account. Not cash on delivery
//!   (the cooperative's courier collects it), not a purchase order or GeM contract
//!   (the buyer organisation pays the cooperative), not a bank transfer into the
//!   cooperative's own account, not a sales channel's order (the channel settles).
//! - The base is the taxable value of lines that bear GST: nil-rated and exempt value
//!   collects none, nor does a supplier without a GSTIN (an enrolled cooperative).
//! - Between States the whole rate is IGST; within one, half is CGST and half SGST or
//!   UTGST (0.5% = 0.25% + 0.25%).
//! - A credit note reduces the base in the month of its date, a debit note adds to it
//!   in its month; the invoice's month is never rewritten.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    Collector, NoteKind, OrderError, PaymentInstructions, PaymentMethod,
    entity::{fulfilment, order, order_line, tax_note, tax_note_line},
    returns::recipient_gstin,
    tax::{SupplyKind, TaxError, supply_kind},
};

/// Whether the platform collected (or will collect) the consideration for an order.
pub fn platform_collects(order: &order::Model) -> bool {
    if order.source_channel.is_some() || order.gem_contract_number.is_some() {
        return false;
    }
    match order.payment_method {
        PaymentMethod::Stripe | PaymentMethod::Razorpay => true,
        // Paid to the account the instructions named when the order was placed; an
        // order without instructions has no account of the cooperative's to go to,
        // so the marketplace settles it.
        PaymentMethod::BankTransfer => order
            .payment_instructions
            .clone()
            .and_then(|json| serde_json::from_value::<PaymentInstructions>(json).ok())
            .and_then(|i| i.collector())
            .is_none_or(|c| c == Collector::Marketplace),
        PaymentMethod::CashOnDelivery | PaymentMethod::PurchaseOrder | PaymentMethod::Channel => {
            false
        }
    }
}

/// TCS by head.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcsByHead {
    pub cgst_paise: i64,
    /// SGST or UTGST: GSTR-8 has one column (`samt`) for both.
    pub sgst_paise: i64,
    pub igst_paise: i64,
}

impl TcsByHead {
    pub fn total(&self) -> Result<i64, TaxError> {
        self.cgst_paise
            .checked_add(self.sgst_paise)
            .and_then(|t| t.checked_add(self.igst_paise))
            .ok_or(TaxError::Overflow)
    }
}

/// `amount × numerator / denominator`, rounded half away from zero, in i128.
pub(crate) fn scaled(amount: i64, numerator: i64, denominator: i64) -> Result<i64, TaxError> {
    if denominator <= 0 {
        return Ok(0);
    }
    let product = i128::from(amount) * i128::from(numerator);
    let den = i128::from(denominator);
    let half = den / 2;
    let rounded = if product >= 0 {
        (product + half) / den
    } else {
        (product - half) / den
    };
    i64::try_from(rounded).map_err(|_| TaxError::Overflow)
}

/// TCS on net bases: the whole rate of the inter-State base as IGST, half of it each
/// as CGST and SGST/UTGST of the intra-State base, each rounded half up to the paisa.
pub fn tcs_on(
    net_intra_state_paise: i64,
    net_inter_state_paise: i64,
    rate_bp: i64,
) -> Result<TcsByHead, TaxError> {
    let half = scaled(net_intra_state_paise, rate_bp, 20_000)?;
    Ok(TcsByHead {
        cgst_paise: half,
        sgst_paise: half,
        igst_paise: scaled(net_inter_state_paise, rate_bp, 10_000)?,
    })
}

/// Which of a document's movements a ledger entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcsMovement {
    Invoice,
    CreditNote,
    DebitNote,
}

/// One document's contribution to the TCS base, on the document's own date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcsEntry {
    pub cooperative_id: Uuid,
    pub fulfilment_id: Uuid,
    pub date: NaiveDate,
    /// The supplier's GSTIN.
    pub stin: String,
    pub registered_buyer: bool,
    pub movement: TcsMovement,
    /// Taxable value of the lines bearing GST, within one State and between States,
    /// as the document states them (a credit note's positive: it is subtracted).
    pub intra_state_paise: i64,
    pub inter_state_paise: i64,
}

impl TcsEntry {
    /// The entry's value, positive.
    pub fn value(&self) -> Result<i64, TaxError> {
        self.intra_state_paise
            .checked_add(self.inter_state_paise)
            .ok_or(TaxError::Overflow)
    }

    /// +1 for what adds to the base, −1 for returns.
    pub const fn sign(&self) -> i64 {
        match self.movement {
            TcsMovement::Invoice | TcsMovement::DebitNote => 1,
            TcsMovement::CreditNote => -1,
        }
    }
}

fn add(a: i64, b: i64) -> Result<i64, TaxError> {
    a.checked_add(b).ok_or(TaxError::Overflow)
}

/// Splits taxed value by supply: `(rate_bp, place_of_supply, taxable)` per line.
fn bases<'a>(
    supplier_state: &str,
    lines: impl Iterator<Item = (i32, &'a str, i64)>,
) -> Result<(i64, i64), TaxError> {
    let (mut intra, mut inter) = (0, 0);
    for (rate_bp, place, taxable) in lines {
        if rate_bp <= 0 {
            continue;
        }
        if supply_kind(supplier_state, place)? == SupplyKind::InterState {
            inter = add(inter, taxable)?;
        } else {
            intra = add(intra, taxable)?;
        }
    }
    Ok((intra, inter))
}

/// The TCS on one invoice, as recorded on its fulfilment when it is issued: zero
/// when the platform does not collect, or the supplier has no GSTIN.
pub(crate) async fn invoice_tcs(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    order: &order::Model,
    rate_bp: i64,
) -> Result<i64, OrderError> {
    if !platform_collects(order) {
        return Ok(0);
    }
    let Some(cooperative) = catalog::cooperatives_by_ids(db, &[fulfilment.cooperative_id])
        .await?
        .remove(&fulfilment.cooperative_id)
    else {
        return Ok(0);
    };
    if cooperative.gstin.is_none() {
        return Ok(0);
    }
    let lines = order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.eq(fulfilment.id))
        .all(db)
        .await?;
    let (intra, inter) = bases(
        &cooperative.state_code,
        lines
            .iter()
            .map(|l| (l.rate_bp, l.place_of_supply.as_str(), l.taxable_paise)),
    )?;
    Ok(tcs_on(intra, inter, rate_bp)?.total()?)
}

/// The TCS ledger of `[from, to]` (dates in India): every invoice, credit note and
/// debit note dated in it on which the platform collects TCS, of one cooperative or
/// all. Documents of orders the platform did not collect, and of suppliers without a
/// GSTIN, are left out.
pub(crate) async fn tcs_entries(
    db: &impl ConnectionTrait,
    cooperative_id: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TcsEntry>, OrderError> {
    let mut invoices = fulfilment::Entity::find()
        .filter(fulfilment::Column::InvoiceNumber.is_not_null())
        .filter(fulfilment::Column::InvoiceDate.gte(from))
        .filter(fulfilment::Column::InvoiceDate.lte(to));
    let mut notes = tax_note::Entity::find()
        .filter(tax_note::Column::NoteDate.gte(from))
        .filter(tax_note::Column::NoteDate.lte(to));
    if let Some(id) = cooperative_id {
        invoices = invoices.filter(fulfilment::Column::CooperativeId.eq(id));
        notes = notes.filter(tax_note::Column::CooperativeId.eq(id));
    }
    let invoices = invoices.all(db).await?;
    let notes = notes.all(db).await?;
    let mut order_ids: Vec<Uuid> = invoices.iter().map(|f| f.order_id).collect();
    order_ids.extend(notes.iter().map(|n| n.order_id));
    let orders: HashMap<Uuid, order::Model> = order::Entity::find()
        .filter(order::Column::Id.is_in(order_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut cooperative_ids: Vec<Uuid> = invoices.iter().map(|f| f.cooperative_id).collect();
    cooperative_ids.extend(notes.iter().map(|n| n.cooperative_id));
    let suppliers = catalog::cooperatives_by_ids(db, &cooperative_ids).await?;
    // A supplier's GSTIN and the buyer's registration, or None when no TCS is due.
    let party_of = |cooperative: Uuid,
                    order_id: Uuid|
     -> Result<Option<(String, bool, String)>, OrderError> {
        let (Some(order), Some(supplier)) = (orders.get(&order_id), suppliers.get(&cooperative))
        else {
            return Ok(None);
        };
        let Some(stin) = supplier.gstin.clone() else {
            return Ok(None);
        };
        if !platform_collects(order) {
            return Ok(None);
        }
        Ok(Some((
            stin,
            recipient_gstin(order)?.is_some(),
            supplier.state_code.clone(),
        )))
    };

    let invoice_ids: Vec<Uuid> = invoices.iter().map(|f| f.id).collect();
    let mut invoice_lines: HashMap<Uuid, Vec<order_line::Model>> = HashMap::new();
    for line in order_line::Entity::find()
        .filter(order_line::Column::FulfilmentId.is_in(invoice_ids))
        .all(db)
        .await?
    {
        invoice_lines
            .entry(line.fulfilment_id)
            .or_default()
            .push(line);
    }
    let note_ids: Vec<Uuid> = notes.iter().map(|n| n.id).collect();
    let mut note_lines: HashMap<Uuid, Vec<tax_note_line::Model>> = HashMap::new();
    for line in tax_note_line::Entity::find()
        .filter(tax_note_line::Column::NoteId.is_in(note_ids))
        .all(db)
        .await?
    {
        note_lines.entry(line.note_id).or_default().push(line);
    }

    let mut entries = Vec::new();
    for f in &invoices {
        let (Some(date), Some((stin, registered_buyer, state))) =
            (f.invoice_date, party_of(f.cooperative_id, f.order_id)?)
        else {
            continue;
        };
        let (intra, inter) = bases(
            &state,
            invoice_lines
                .get(&f.id)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|l| (l.rate_bp, l.place_of_supply.as_str(), l.taxable_paise)),
        )?;
        entries.push(TcsEntry {
            cooperative_id: f.cooperative_id,
            fulfilment_id: f.id,
            date,
            stin,
            registered_buyer,
            movement: TcsMovement::Invoice,
            intra_state_paise: intra,
            inter_state_paise: inter,
        });
    }
    for n in &notes {
        let Some((stin, registered_buyer, _)) = party_of(n.cooperative_id, n.order_id)? else {
            continue;
        };
        // The supplier's State as the note states it (the invoice's).
        let (intra, inter) = bases(
            &n.supplier_state_code,
            note_lines
                .get(&n.id)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|l| (l.rate_bp, l.place_of_supply.as_str(), l.taxable_paise)),
        )?;
        entries.push(TcsEntry {
            cooperative_id: n.cooperative_id,
            fulfilment_id: n.fulfilment_id,
            date: n.note_date,
            stin,
            registered_buyer,
            movement: match n.kind {
                NoteKind::CreditNote => TcsMovement::CreditNote,
                NoteKind::DebitNote => TcsMovement::DebitNote,
            },
            intra_state_paise: intra,
            inter_state_paise: inter,
        });
    }
    Ok(entries)
}

/// The net bases of a set of entries: `(intra-State, inter-State)`.
pub(crate) fn net_bases<'a>(
    entries: impl Iterator<Item = &'a TcsEntry>,
) -> Result<(i64, i64), TaxError> {
    let (mut intra, mut inter) = (0_i64, 0_i64);
    for e in entries {
        let sign = e.sign();
        intra = add(
            intra,
            e.intra_state_paise
                .checked_mul(sign)
                .ok_or(TaxError::Overflow)?,
        )?;
        inter = add(
            inter,
            e.inter_state_paise
                .checked_mul(sign)
                .ok_or(TaxError::Overflow)?,
        )?;
    }
    Ok((intra, inter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcs_rounds_half_away_from_zero() {
        assert_eq!(scaled(40_000, 50, 20_000).unwrap(), 100);
        assert_eq!(scaled(10_002, 50, 20_000).unwrap(), 25);
        assert_eq!(scaled(-10_002, 50, 20_000).unwrap(), -25);
        assert_eq!(scaled(5, 1, 0).unwrap(), 0);
    }

    #[test]
    fn heads_split_by_supply() {
        // Rs 400 within Ladakh: 1.00 + 1.00; Rs 1,000 to Delhi: 5.00 IGST.
        let tcs = tcs_on(40_000, 100_000, 50).unwrap();
        assert_eq!(
            tcs,
            TcsByHead {
                cgst_paise: 100,
                sgst_paise: 100,
                igst_paise: 500
            }
        );
        assert_eq!(tcs.total().unwrap(), 700);
    }
}
