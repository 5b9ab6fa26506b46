//! GSTR-8: the platform's statement of TCS collected as e-commerce operator (CGST
//! s.52), per supplier GSTIN and month. Layout of the portal's GSTR-8 save payload:
//! `{"gstin", "fp", "tcs": [{"stin", "supR", "retsupR", "supU", "retsupU", "amt",
//! "iamt", "camt", "samt"}]}` (GSTR-8 API on developer.gst.gov.in; the same keys in
//! the public client kiransgbd744/digigst, `dto/gstr8/TcsDto.java`): supplies to
//! registered (R) and unregistered (U) buyers, their returns, the net amount liable
//! to TCS and the TCS by head.
//!
//! The base is the taxable value of the lines bearing GST (nil-rated and exempt value
//! collects no TCS) of invoices dated in the month, made through the platform (not a
//! sales channel's orders) by suppliers with a GSTIN. Returns are the taxable part of
//! refunds completed in the month, whatever month the invoice was in, as s.52(4)
//! reports them.

use std::collections::{BTreeMap, HashMap};

use sea_orm::ConnectionTrait;
use serde::Serialize;
use uuid::Uuid;

use super::{
    ReturnPeriod,
    json::Rupees,
    model::{invoiced_in, notes_in, recipient_gstin},
};
use crate::{
    EcommerceOperator, NoteKind, OrderError,
    entity::{fulfilment, order},
    records::OrderLineView,
    tax::{SupplyKind, TaxError, supply_kind},
};

/// One supplier's row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gstr8Supplier {
    pub gstin: String,
    pub supplies_registered_paise: i64,
    pub returns_registered_paise: i64,
    pub supplies_unregistered_paise: i64,
    pub returns_unregistered_paise: i64,
    /// Net of supplies and returns between States (IGST) and within one (CGST and
    /// SGST/UTGST), the bases of each head.
    pub net_inter_state_paise: i64,
    pub net_intra_state_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
}

impl Gstr8Supplier {
    pub fn net_paise(&self) -> Result<i64, TaxError> {
        self.net_inter_state_paise
            .checked_add(self.net_intra_state_paise)
            .ok_or(TaxError::Overflow)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gstr8Return {
    pub gstin: String,
    pub period: ReturnPeriod,
    pub tcs_rate_bp: i64,
    /// In GSTIN order.
    pub suppliers: Vec<Gstr8Supplier>,
}

fn add(a: i64, b: i64) -> Result<i64, TaxError> {
    a.checked_add(b).ok_or(TaxError::Overflow)
}

/// `amount × numerator / denominator`, rounded half away from zero, in i128.
fn scaled(amount: i64, numerator: i64, denominator: i64) -> Result<i64, TaxError> {
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

/// The taxable value of a document's lines that bear GST.
fn taxed_value(lines: &[OrderLineView]) -> Result<i64, TaxError> {
    lines
        .iter()
        .filter(|l| l.rate_bp > 0)
        .try_fold(0, |sum, l| add(sum, l.taxable_paise))
}

struct Supply {
    stin: String,
    registered_buyer: bool,
    inter_state: bool,
}

fn supply_of(
    f: &fulfilment::Model,
    order: &order::Model,
    suppliers: &HashMap<Uuid, catalog::Cooperative>,
) -> Result<Option<Supply>, OrderError> {
    let Some(cooperative) = suppliers.get(&f.cooperative_id) else {
        return Ok(None);
    };
    let Some(stin) = cooperative.gstin.clone() else {
        return Ok(None);
    };
    if order.source_channel.is_some() {
        return Ok(None);
    }
    let kind = supply_kind(&cooperative.state_code, &order.place_of_supply)?;
    Ok(Some(Supply {
        stin,
        registered_buyer: recipient_gstin(order)?.is_some(),
        inter_state: kind == SupplyKind::InterState,
    }))
}

pub(super) async fn load_gstr8(
    db: &impl ConnectionTrait,
    operator: Option<&EcommerceOperator>,
    tcs_rate_bp: i64,
    period: ReturnPeriod,
) -> Result<Gstr8Return, OrderError> {
    let operator = operator.ok_or_else(|| {
        OrderError::Conflict(
            "the platform's GSTIN as e-commerce operator (PLATFORM_GSTIN) is not set".into(),
        )
    })?;
    let invoiced = invoiced_in(db, None, period).await?;
    let notes = notes_in(db, None, period).await?;
    let mut cooperative_ids: Vec<Uuid> =
        invoiced.iter().map(|(f, _, _)| f.cooperative_id).collect();
    cooperative_ids.extend(notes.iter().map(|(n, _, _, _)| n.cooperative_id));
    let suppliers = catalog::cooperatives_by_ids(db, &cooperative_ids).await?;

    let mut rows: BTreeMap<String, Gstr8Supplier> = BTreeMap::new();
    for (f, order, lines) in &invoiced {
        let Some(supply) = supply_of(f, order, &suppliers)? else {
            continue;
        };
        let value = taxed_value(lines)?;
        let row = rows
            .entry(supply.stin.clone())
            .or_insert_with(|| Gstr8Supplier {
                gstin: supply.stin.clone(),
                ..Gstr8Supplier::default()
            });
        if supply.registered_buyer {
            row.supplies_registered_paise = add(row.supplies_registered_paise, value)?;
        } else {
            row.supplies_unregistered_paise = add(row.supplies_unregistered_paise, value)?;
        }
        if supply.inter_state {
            row.net_inter_state_paise = add(row.net_inter_state_paise, value)?;
        } else {
            row.net_intra_state_paise = add(row.net_intra_state_paise, value)?;
        }
    }
    for (note, f, order, _) in &notes {
        let Some(supply) = supply_of(f, order, &suppliers)? else {
            continue;
        };
        let value = note
            .lines
            .iter()
            .filter(|l| l.rate_bp > 0)
            .try_fold(0, |sum, l| add(sum, l.taxable_paise))?;
        let row = rows
            .entry(supply.stin.clone())
            .or_insert_with(|| Gstr8Supplier {
                gstin: supply.stin.clone(),
                ..Gstr8Supplier::default()
            });
        let (registered, unregistered, signed) = match note.kind {
            NoteKind::CreditNote => (
                &mut row.returns_registered_paise,
                &mut row.returns_unregistered_paise,
                value.checked_neg().ok_or(TaxError::Overflow)?,
            ),
            NoteKind::DebitNote => (
                &mut row.supplies_registered_paise,
                &mut row.supplies_unregistered_paise,
                value,
            ),
        };
        if supply.registered_buyer {
            *registered = add(*registered, value)?;
        } else {
            *unregistered = add(*unregistered, value)?;
        }
        if supply.inter_state {
            row.net_inter_state_paise = add(row.net_inter_state_paise, signed)?;
        } else {
            row.net_intra_state_paise = add(row.net_intra_state_paise, signed)?;
        }
    }
    let mut suppliers_out = Vec::with_capacity(rows.len());
    for (_, mut row) in rows {
        // IGST at the whole rate between States; CGST and SGST/UTGST at half each
        // within one (0.5% = 0.25% + 0.25%), each rounded half up to the paisa.
        row.igst_paise = scaled(row.net_inter_state_paise, tcs_rate_bp, 10_000)?;
        row.cgst_paise = scaled(row.net_intra_state_paise, tcs_rate_bp, 20_000)?;
        row.sgst_paise = row.cgst_paise;
        suppliers_out.push(row);
    }
    Ok(Gstr8Return {
        gstin: operator.gstin.clone(),
        period,
        tcs_rate_bp,
        suppliers: suppliers_out,
    })
}

#[derive(Serialize)]
struct TcsRow {
    stin: String,
    #[serde(rename = "supR")]
    sup_r: Rupees,
    #[serde(rename = "retsupR")]
    retsup_r: Rupees,
    #[serde(rename = "supU")]
    sup_u: Rupees,
    #[serde(rename = "retsupU")]
    retsup_u: Rupees,
    amt: Rupees,
    iamt: Rupees,
    camt: Rupees,
    samt: Rupees,
}

#[derive(Serialize)]
struct Gstr8File {
    gstin: String,
    fp: String,
    tcs: Vec<TcsRow>,
}

/// The GSTR-8 file as JSON text.
pub fn gstr8_json(ret: &Gstr8Return) -> Result<String, OrderError> {
    let tcs = ret
        .suppliers
        .iter()
        .map(|s| {
            Ok(TcsRow {
                stin: s.gstin.clone(),
                sup_r: Rupees(s.supplies_registered_paise),
                retsup_r: Rupees(s.returns_registered_paise),
                sup_u: Rupees(s.supplies_unregistered_paise),
                retsup_u: Rupees(s.returns_unregistered_paise),
                amt: Rupees(s.net_paise()?),
                iamt: Rupees(s.igst_paise),
                camt: Rupees(s.cgst_paise),
                samt: Rupees(s.sgst_paise),
            })
        })
        .collect::<Result<Vec<_>, TaxError>>()?;
    serde_json::to_string_pretty(&Gstr8File {
        gstin: ret.gstin.clone(),
        fp: ret.period.fp(),
        tcs,
    })
    .map_err(OrderError::corrupt)
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
}
