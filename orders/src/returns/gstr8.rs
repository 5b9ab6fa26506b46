//! GSTR-8: the platform's statement of TCS collected as e-commerce operator (CGST
//! s.52), per supplier GSTIN and month. Layout of the portal's GSTR-8 save payload:
//! `{"gstin", "fp", "tcs": [{"stin", "supR", "retsupR", "supU", "retsupU", "amt",
//! "iamt", "camt", "samt"}]}` (GSTR-8 API on developer.gst.gov.in; the same keys in
//! the public client kiransgbd744/digigst, `dto/gstr8/TcsDto.java`): supplies to
//! registered (R) and unregistered (U) buyers, their returns, the net amount liable
//! to TCS and the TCS by head.
//!
//! The base and its rules are the TCS ledger's (`crate::tcs`): the taxable value of
//! lines bearing GST on invoices dated in the month, of orders whose consideration
//! the platform collected, by suppliers with a GSTIN. Returns are the credit notes
//! dated in the month, whatever month the invoice was in, as s.52(4) reports them;
//! debit notes dated in the month add to the supplies.

use std::collections::BTreeMap;

use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::{ReturnPeriod, json::Rupees};
use crate::{
    EcommerceOperator, OrderError,
    tax::TaxError,
    tcs::{TcsMovement, tcs_entries, tcs_on},
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

fn sub(a: i64, b: i64) -> Result<i64, TaxError> {
    a.checked_sub(b).ok_or(TaxError::Overflow)
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
    let entries = tcs_entries(db, None, period.first_day(), period.last_day()).await?;
    let mut rows: BTreeMap<String, Gstr8Supplier> = BTreeMap::new();
    for entry in &entries {
        let row = rows
            .entry(entry.stin.clone())
            .or_insert_with(|| Gstr8Supplier {
                gstin: entry.stin.clone(),
                ..Gstr8Supplier::default()
            });
        let value = entry.value()?;
        let field = match (entry.movement, entry.registered_buyer) {
            (TcsMovement::Invoice | TcsMovement::DebitNote, true) => {
                &mut row.supplies_registered_paise
            }
            (TcsMovement::Invoice | TcsMovement::DebitNote, false) => {
                &mut row.supplies_unregistered_paise
            }
            (TcsMovement::CreditNote, true) => &mut row.returns_registered_paise,
            (TcsMovement::CreditNote, false) => &mut row.returns_unregistered_paise,
        };
        *field = add(*field, value)?;
        let apply = if entry.sign() < 0 { sub } else { add };
        row.net_intra_state_paise = apply(row.net_intra_state_paise, entry.intra_state_paise)?;
        row.net_inter_state_paise = apply(row.net_inter_state_paise, entry.inter_state_paise)?;
    }
    let mut suppliers_out = Vec::with_capacity(rows.len());
    for (_, mut row) in rows {
        let tcs = tcs_on(
            row.net_intra_state_paise,
            row.net_inter_state_paise,
            tcs_rate_bp,
        )?;
        row.igst_paise = tcs.igst_paise;
        row.cgst_paise = tcs.cgst_paise;
        row.sgst_paise = tcs.sgst_paise;
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
