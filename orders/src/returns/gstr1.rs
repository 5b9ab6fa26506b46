//! GSTR-1 sections, one function each over the typed return, and the file the
//! offline tool imports. Keys follow the portal's JSON (GSTR-1 API / offline tool
//! format, see the module above): `b2b` (table 4), `b2cl` (table 5), `b2cs`
//! (table 7), `nil` (table 8), `hsn` (table 12, split into `hsn_b2b` and `hsn_b2c`
//! since the portal's 2025 change), `doc_issue` (table 13) and `supeco` (table 14,
//! supplies through an e-commerce operator that collects TCS, `clttx`).
//!
//! Credit and debit notes dated in the period (whatever the invoice's month) are in
//! table 9B: `cdnr` for registered recipients, `cdnur` (`typ` `B2CL`) for notes on
//! large inter-State invoices to unregistered buyers. Notes on the other supplies to
//! unregistered buyers are netted into `b2cs`, as the portal expects (table 7 is
//! reported net of its notes); every note is netted into the HSN summary
//! (`hsn_b2b` for registered recipients, `hsn_b2c` for the others), into `nil` for
//! nil-rated lines and into `supeco`; the note series are counted in `doc_issue`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    json::{Percent, Rupees},
    model::{Gstr1Return, ReturnDocument, ReturnLine, ReturnNote},
};
use crate::NoteKind;
use crate::tax::TaxError;

/// Amounts of one rate within a document or a summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemDetail {
    pub txval: Rupees,
    pub rt: Percent,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iamt: Option<Rupees>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camt: Option<Rupees>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samt: Option<Rupees>,
    pub csamt: Rupees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub num: u32,
    pub itm_det: ItemDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct B2bInvoice {
    pub inum: String,
    /// `dd-mm-yyyy`.
    pub idt: String,
    pub val: Rupees,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct B2bRecipient {
    pub ctin: String,
    pub inv: Vec<B2bInvoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct B2clInvoice {
    pub inum: String,
    pub idt: String,
    pub val: Rupees,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etin: Option<String>,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct B2clPlace {
    pub pos: String,
    pub inv: Vec<B2clInvoice>,
}

/// A note to a registered recipient (table 9B, `cdnr`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CdnrNote {
    /// `C` credit note, `D` debit note.
    pub ntty: &'static str,
    pub nt_num: String,
    /// `dd-mm-yyyy`.
    pub nt_dt: String,
    pub val: Rupees,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CdnrRecipient {
    pub ctin: String,
    pub nt: Vec<CdnrNote>,
}

/// A note to an unregistered buyer on a large inter-State invoice (table 9B,
/// `cdnur`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CdnurNote {
    /// `B2CL`: the kind of supply the note corrects (exports would be `EXPWP`).
    pub typ: &'static str,
    pub ntty: &'static str,
    pub nt_num: String,
    pub nt_dt: String,
    pub pos: String,
    pub val: Rupees,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct B2csRow {
    /// `INTRA` or `INTER`.
    pub sply_ty: &'static str,
    pub pos: String,
    /// `E` through an e-commerce operator (with its `etin`), `OE` otherwise.
    pub typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etin: Option<String>,
    #[serde(flatten)]
    pub amounts: ItemDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NilRow {
    /// `INTRB2B`, `INTRAB2B`, `INTRB2C` or `INTRAB2C`.
    pub sply_ty: &'static str,
    pub nil_amt: Rupees,
    pub expt_amt: Rupees,
    pub ngsup_amt: Rupees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NilSection {
    pub inv: Vec<NilRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsnRow {
    pub num: u32,
    pub hsn_sc: String,
    pub desc: String,
    pub uqc: String,
    pub qty: i64,
    pub rt: Percent,
    pub txval: Rupees,
    pub iamt: Rupees,
    pub camt: Rupees,
    pub samt: Rupees,
    pub csamt: Rupees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsnSection {
    pub hsn_b2b: Vec<HsnRow>,
    pub hsn_b2c: Vec<HsnRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocRange {
    pub num: u32,
    pub from: String,
    pub to: String,
    pub totnum: i64,
    pub cancel: i64,
    pub net_issue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocKind {
    /// 1: invoices for outward supply (our one series carries tax invoices, bills of
    /// supply and invoices-cum-bills alike).
    pub doc_num: u32,
    pub doc_typ: &'static str,
    pub docs: Vec<DocRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocIssue {
    pub doc_det: Vec<DocKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupecoRow {
    /// The operator's GSTIN.
    pub etin: String,
    /// Net value of the taxable supplies made through it.
    pub suppval: Rupees,
    pub igst: Rupees,
    pub cgst: Rupees,
    pub sgst: Rupees,
    pub cess: Rupees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supeco {
    pub clttx: Vec<SupecoRow>,
}

/// The whole file, in the portal's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gstr1File {
    pub gstin: String,
    pub fp: String,
    pub b2b: Vec<B2bRecipient>,
    pub b2cl: Vec<B2clPlace>,
    pub b2cs: Vec<B2csRow>,
    pub cdnr: Vec<CdnrRecipient>,
    pub cdnur: Vec<CdnurNote>,
    pub nil: NilSection,
    pub hsn: HsnSection,
    pub doc_issue: DocIssue,
    pub supeco: Supeco,
}

fn add(a: i64, b: i64) -> Result<i64, TaxError> {
    a.checked_add(b).ok_or(TaxError::Overflow)
}

/// Running sums of one rate.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    taxable: i64,
    igst: i64,
    cgst: i64,
    sgst: i64,
    quantity: i64,
}

impl Sums {
    fn add_line(&mut self, line: &ReturnLine) -> Result<(), TaxError> {
        self.add_signed(line, 1)
    }

    /// Adds a line (`sign` 1) or takes it away (−1, a credit note's line).
    fn add_signed(&mut self, line: &ReturnLine, sign: i64) -> Result<(), TaxError> {
        let signed = |v: i64| v.checked_mul(sign).ok_or(TaxError::Overflow);
        self.taxable = add(self.taxable, signed(line.taxable_paise)?)?;
        self.igst = add(self.igst, signed(line.igst_paise)?)?;
        self.cgst = add(self.cgst, signed(line.cgst_paise)?)?;
        self.sgst = add(self.sgst, signed(line.sgst_paise)?)?;
        self.quantity = add(self.quantity, signed(line.quantity)?)?;
        Ok(())
    }

    /// Whether nothing is left (a row whose notes cancel its supplies).
    const fn is_zero(&self) -> bool {
        self.taxable == 0
            && self.igst == 0
            && self.cgst == 0
            && self.sgst == 0
            && self.quantity == 0
    }

    /// The heads that apply: IGST between States, CGST and SGST/UTGST within one.
    fn detail(&self, rate_bp: i64, inter_state: bool) -> ItemDetail {
        ItemDetail {
            txval: Rupees(self.taxable),
            rt: Percent(rate_bp),
            iamt: inter_state.then_some(Rupees(self.igst)),
            camt: (!inter_state).then_some(Rupees(self.cgst)),
            samt: (!inter_state).then_some(Rupees(self.sgst)),
            csamt: Rupees(0),
        }
    }
}

/// A document's taxed lines summed per rate, numbered from 1.
fn items(document: &ReturnDocument) -> Result<Vec<Item>, TaxError> {
    items_of(&document.lines, document.inter_state())
}

/// Taxed lines summed per rate, numbered from 1.
fn items_of(lines: &[ReturnLine], inter_state: bool) -> Result<Vec<Item>, TaxError> {
    let mut by_rate: BTreeMap<i64, Sums> = BTreeMap::new();
    for line in lines.iter().filter(|l| !l.is_nil()) {
        by_rate.entry(line.rate_bp).or_default().add_line(line)?;
    }
    Ok(by_rate
        .iter()
        .zip(1..)
        .map(|((rate, sums), num)| Item {
            num,
            itm_det: sums.detail(*rate, inter_state),
        })
        .collect())
}

fn note_date_text(note: &ReturnNote) -> String {
    note.date.format("%d-%m-%Y").to_string()
}

const fn note_type(note: &ReturnNote) -> &'static str {
    match note.kind {
        NoteKind::CreditNote => "C",
        NoteKind::DebitNote => "D",
    }
}

fn note_has_taxed_lines(note: &ReturnNote) -> bool {
    note.lines.iter().any(|l| !l.is_nil())
}

/// Whether a note to an unregistered buyer corrects a large inter-State invoice
/// (table 5): such a note is reported on its own in `cdnur`, the others are netted
/// into table 7.
fn is_cdnur(ret: &Gstr1Return, note: &ReturnNote) -> bool {
    note.recipient_gstin.is_none()
        && note.inter_state()
        && note.invoice_total_paise > ret.b2cl_threshold_paise
}

fn date_text(document: &ReturnDocument) -> String {
    document.date.format("%d-%m-%Y").to_string()
}

fn has_taxed_lines(document: &ReturnDocument) -> bool {
    document.lines.iter().any(|l| !l.is_nil())
}

/// Whether an unregistered buyer's document is a large inter-State one (table 5).
fn is_b2cl(ret: &Gstr1Return, document: &ReturnDocument) -> bool {
    document.recipient_gstin.is_none()
        && document.inter_state()
        && document.total_paise > ret.b2cl_threshold_paise
}

/// Table 4: taxed supplies to registered buyers, per recipient GSTIN. A document
/// whose goods are all nil-rated is only in table 8.
pub fn b2b(ret: &Gstr1Return) -> Result<Vec<B2bRecipient>, TaxError> {
    let mut by_recipient: BTreeMap<&str, Vec<B2bInvoice>> = BTreeMap::new();
    for document in ret.documents.iter().filter(|d| has_taxed_lines(d)) {
        let Some(ctin) = document.recipient_gstin.as_deref() else {
            continue;
        };
        by_recipient.entry(ctin).or_default().push(B2bInvoice {
            inum: document.number.clone(),
            idt: date_text(document),
            val: Rupees(document.total_paise),
            pos: document.place_of_supply.clone(),
            rchrg: "N",
            inv_typ: "R",
            itms: items(document)?,
        });
    }
    Ok(by_recipient
        .into_iter()
        .map(|(ctin, inv)| B2bRecipient {
            ctin: ctin.to_owned(),
            inv,
        })
        .collect())
}

/// Table 5: inter-State supplies to unregistered buyers above the threshold,
/// invoice by invoice, per place of supply.
pub fn b2cl(ret: &Gstr1Return) -> Result<Vec<B2clPlace>, TaxError> {
    let mut by_place: BTreeMap<&str, Vec<B2clInvoice>> = BTreeMap::new();
    for document in ret.documents.iter().filter(|d| has_taxed_lines(d)) {
        if !is_b2cl(ret, document) {
            continue;
        }
        by_place
            .entry(&document.place_of_supply)
            .or_default()
            .push(B2clInvoice {
                inum: document.number.clone(),
                idt: date_text(document),
                val: Rupees(document.total_paise),
                etin: document.tcs_operator().map(str::to_owned),
                itms: items(document)?,
            });
    }
    Ok(by_place
        .into_iter()
        .map(|(pos, inv)| B2clPlace {
            pos: pos.to_owned(),
            inv,
        })
        .collect())
}

/// Table 7: the other supplies to unregistered buyers, summed per supply type, place
/// of supply, rate and operator.
pub fn b2cs(ret: &Gstr1Return) -> Result<Vec<B2csRow>, TaxError> {
    type Key<'a> = (&'static str, &'a str, i64, Option<&'a str>);
    let mut rows: BTreeMap<Key<'_>, Sums> = BTreeMap::new();
    for document in &ret.documents {
        if document.recipient_gstin.is_some() || is_b2cl(ret, document) {
            continue;
        }
        let kind = if document.inter_state() {
            "INTER"
        } else {
            "INTRA"
        };
        for line in document.lines.iter().filter(|l| !l.is_nil()) {
            rows.entry((
                kind,
                &document.place_of_supply,
                line.rate_bp,
                document.tcs_operator(),
            ))
            .or_default()
            .add_line(line)?;
        }
    }
    for note in &ret.notes {
        if note.recipient_gstin.is_some() || is_cdnur(ret, note) {
            continue;
        }
        let kind = if note.inter_state() { "INTER" } else { "INTRA" };
        for line in note.lines.iter().filter(|l| !l.is_nil()) {
            rows.entry((
                kind,
                &note.place_of_supply,
                line.rate_bp,
                note.tcs_operator(),
            ))
            .or_default()
            .add_signed(line, note.sign())?;
        }
    }
    Ok(rows
        .into_iter()
        .filter(|(_, sums)| !sums.is_zero())
        .map(|((kind, pos, rate, etin), sums)| B2csRow {
            sply_ty: kind,
            pos: pos.to_owned(),
            typ: if etin.is_some() { "E" } else { "OE" },
            etin: etin.map(str::to_owned),
            amounts: sums.detail(rate, kind == "INTER"),
        })
        .collect())
}

/// Table 9B: notes to registered recipients, per recipient GSTIN, with their taxed
/// value per rate. A note whose lines are all nil-rated is only netted in table 8.
pub fn cdnr(ret: &Gstr1Return) -> Result<Vec<CdnrRecipient>, TaxError> {
    let mut by_recipient: BTreeMap<&str, Vec<CdnrNote>> = BTreeMap::new();
    for note in ret.notes.iter().filter(|n| note_has_taxed_lines(n)) {
        let Some(ctin) = note.recipient_gstin.as_deref() else {
            continue;
        };
        by_recipient.entry(ctin).or_default().push(CdnrNote {
            ntty: note_type(note),
            nt_num: note.number.clone(),
            nt_dt: note_date_text(note),
            val: Rupees(note.total_paise),
            pos: note.place_of_supply.clone(),
            rchrg: "N",
            inv_typ: "R",
            itms: items_of(&note.lines, note.inter_state())?,
        });
    }
    Ok(by_recipient
        .into_iter()
        .map(|(ctin, nt)| CdnrRecipient {
            ctin: ctin.to_owned(),
            nt,
        })
        .collect())
}

/// Table 9B: notes to unregistered buyers on large inter-State (B2CL) invoices, note
/// by note.
pub fn cdnur(ret: &Gstr1Return) -> Result<Vec<CdnurNote>, TaxError> {
    ret.notes
        .iter()
        .filter(|n| note_has_taxed_lines(n) && is_cdnur(ret, n))
        .map(|note| {
            Ok(CdnurNote {
                typ: "B2CL",
                ntty: note_type(note),
                nt_num: note.number.clone(),
                nt_dt: note_date_text(note),
                pos: note.place_of_supply.clone(),
                val: Rupees(note.total_paise),
                itms: items_of(&note.lines, note.inter_state())?,
            })
        })
        .collect()
}

/// Table 8: nil-rated and exempt value, by inter/intra-State and registered or not.
/// The rate table marks goods at 0% without telling nil-rated from exempt, so the
/// value is reported as nil-rated (docs/ORDERS.md: a chartered accountant confirms).
pub fn nil(ret: &Gstr1Return) -> Result<NilSection, TaxError> {
    let kinds = ["INTRB2B", "INTRAB2B", "INTRB2C", "INTRAB2C"];
    let mut sums: BTreeMap<&'static str, i64> = BTreeMap::new();
    for document in &ret.documents {
        let kind = match (document.recipient_gstin.is_some(), document.inter_state()) {
            (true, true) => "INTRB2B",
            (true, false) => "INTRAB2B",
            (false, true) => "INTRB2C",
            (false, false) => "INTRAB2C",
        };
        for line in document.lines.iter().filter(|l| l.is_nil()) {
            let sum = sums.entry(kind).or_default();
            *sum = add(*sum, line.taxable_paise)?;
        }
    }
    // Notes on nil-rated lines net the value of the month they are dated in.
    for note in &ret.notes {
        let kind = match (note.recipient_gstin.is_some(), note.inter_state()) {
            (true, true) => "INTRB2B",
            (true, false) => "INTRAB2B",
            (false, true) => "INTRB2C",
            (false, false) => "INTRAB2C",
        };
        for line in note.lines.iter().filter(|l| l.is_nil()) {
            let signed = line
                .taxable_paise
                .checked_mul(note.sign())
                .ok_or(TaxError::Overflow)?;
            let sum = sums.entry(kind).or_default();
            *sum = add(*sum, signed)?;
        }
    }
    Ok(NilSection {
        inv: kinds
            .into_iter()
            .filter_map(|kind| {
                sums.get(kind).filter(|a| **a != 0).map(|amount| NilRow {
                    sply_ty: kind,
                    nil_amt: Rupees(*amount),
                    expt_amt: Rupees(0),
                    ngsup_amt: Rupees(0),
                })
            })
            .collect(),
    })
}

/// Table 12: per HSN, UQC and rate, supplies to registered buyers and to the others
/// apart. Nil-rated goods are listed too, at rate 0.
pub fn hsn(ret: &Gstr1Return) -> Result<HsnSection, TaxError> {
    type Key = (String, String, i64);
    let mut b2b: BTreeMap<Key, (Sums, String)> = BTreeMap::new();
    let mut b2c: BTreeMap<Key, (Sums, String)> = BTreeMap::new();
    for document in &ret.documents {
        let target = if document.recipient_gstin.is_some() {
            &mut b2b
        } else {
            &mut b2c
        };
        for line in &document.lines {
            let (sums, _) = target
                .entry((line.hsn.clone(), line.uqc.clone(), line.rate_bp))
                .or_insert_with(|| (Sums::default(), line.description.clone()));
            sums.add_line(line)?;
        }
    }
    for note in &ret.notes {
        let target = if note.recipient_gstin.is_some() {
            &mut b2b
        } else {
            &mut b2c
        };
        for line in &note.lines {
            let (sums, _) = target
                .entry((line.hsn.clone(), line.uqc.clone(), line.rate_bp))
                .or_insert_with(|| (Sums::default(), line.description.clone()));
            sums.add_signed(line, note.sign())?;
        }
    }
    let rows = |table: BTreeMap<Key, (Sums, String)>| -> Vec<HsnRow> {
        table
            .into_iter()
            .filter(|(_, (sums, _))| !sums.is_zero())
            .zip(1..)
            .map(|(((hsn, uqc, rate), (sums, desc)), num)| HsnRow {
                num,
                hsn_sc: hsn,
                desc: desc.chars().take(30).collect(),
                uqc,
                qty: sums.quantity,
                rt: Percent(rate),
                txval: Rupees(sums.taxable),
                iamt: Rupees(sums.igst),
                camt: Rupees(sums.cgst),
                samt: Rupees(sums.sgst),
                csamt: Rupees(0),
            })
            .collect()
    };
    Ok(HsnSection {
        hsn_b2b: rows(b2b),
        hsn_b2c: rows(b2c),
    })
}

/// A document number's series and serial: `SAGD/2627/000012` is serial 12 of
/// `SAGD/2627/`.
fn series_and_serial(number: &str) -> Option<(&str, i64)> {
    let cut = number.rfind('/').map_or(0, |i| i + 1);
    let serial = number.get(cut..)?.parse().ok()?;
    Some((number.get(..cut)?, serial))
}

/// Per series of `numbers`, the first and last number issued in the period, how many
/// numbers that range holds, and how many of them are not live documents: numbers
/// `cancelled` (an invoice cancelled before its return was filed) and numbers missing
/// from the range.
fn ranges(numbers: &[&str], cancelled: &[&str]) -> Vec<DocRange> {
    let mut series: BTreeMap<&str, Vec<(i64, &str, bool)>> = BTreeMap::new();
    let all = numbers
        .iter()
        .map(|n| (*n, false))
        .chain(cancelled.iter().map(|n| (*n, true)));
    for (number, is_cancelled) in all {
        if let Some((prefix, serial)) = series_and_serial(number) {
            series
                .entry(prefix)
                .or_default()
                .push((serial, number, is_cancelled));
        }
    }
    series
        .into_values()
        .zip(1..)
        .filter_map(|(mut numbers, num)| {
            numbers.sort_unstable();
            numbers.dedup_by_key(|(serial, _, _)| *serial);
            let (first, from, _) = numbers.first().copied()?;
            let (last, to, _) = numbers.last().copied()?;
            let live = numbers.iter().filter(|(_, _, c)| !c).count();
            let issued = i64::try_from(live).ok()?;
            let total = last.checked_sub(first)?.checked_add(1)?;
            Some(DocRange {
                num,
                from: from.to_owned(),
                to: to.to_owned(),
                totnum: total,
                cancel: total.checked_sub(issued)?,
                net_issue: issued,
            })
        })
        .collect()
}

/// Table 13: invoices (doc_num 1, one series for tax invoices, bills of supply and
/// invoices-cum-bills; cancelled invoices counted as cancelled), debit notes (4) and
/// credit notes (5), each per series.
pub fn doc_issue(ret: &Gstr1Return) -> DocIssue {
    let invoices: Vec<&str> = ret.documents.iter().map(|d| d.number.as_str()).collect();
    let cancelled: Vec<&str> = ret.cancelled.iter().map(String::as_str).collect();
    let notes_of = |kind: NoteKind| -> Vec<&str> {
        ret.notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.number.as_str())
            .collect()
    };
    let kinds = [
        (
            1,
            "Invoices for outward supply",
            ranges(&invoices, &cancelled),
        ),
        (4, "Debit Note", ranges(&notes_of(NoteKind::DebitNote), &[])),
        (
            5,
            "Credit Note",
            ranges(&notes_of(NoteKind::CreditNote), &[]),
        ),
    ];
    DocIssue {
        doc_det: kinds
            .into_iter()
            .filter(|(_, _, docs)| !docs.is_empty())
            .map(|(doc_num, doc_typ, docs)| DocKind {
                doc_num,
                doc_typ,
                docs,
            })
            .collect(),
    }
}

/// Table 14(a): taxable supplies made through an e-commerce operator that collects
/// TCS, per operator GSTIN. Only supplies whose consideration the operator collected
/// are counted (`tcs::platform_collects`, the rule TCS itself follows): a supply
/// through the platform paid in cash to the cooperative, on a purchase order or into
/// the cooperative's own account carries no TCS and is not in the table.
pub fn supeco(ret: &Gstr1Return) -> Result<Supeco, TaxError> {
    let mut by_operator: BTreeMap<&str, Sums> = BTreeMap::new();
    for document in &ret.documents {
        let Some(etin) = document.tcs_operator() else {
            continue;
        };
        let sums = by_operator.entry(etin).or_default();
        for line in document.lines.iter().filter(|l| !l.is_nil()) {
            sums.add_line(line)?;
        }
    }
    // Net of the notes dated in the period on supplies made through the operator.
    for note in &ret.notes {
        let Some(etin) = note.tcs_operator() else {
            continue;
        };
        let sums = by_operator.entry(etin).or_default();
        for line in note.lines.iter().filter(|l| !l.is_nil()) {
            sums.add_signed(line, note.sign())?;
        }
    }
    Ok(Supeco {
        clttx: by_operator
            .into_iter()
            .filter(|(_, sums)| !sums.is_zero())
            .map(|(etin, sums)| SupecoRow {
                etin: etin.to_owned(),
                suppval: Rupees(sums.taxable),
                igst: Rupees(sums.igst),
                cgst: Rupees(sums.cgst),
                sgst: Rupees(sums.sgst),
                cess: Rupees(0),
            })
            .collect(),
    })
}

/// Every section, in the portal's layout.
pub fn gstr1_file(ret: &Gstr1Return) -> Result<Gstr1File, TaxError> {
    Ok(Gstr1File {
        gstin: ret.gstin.clone(),
        fp: ret.period.fp(),
        b2b: b2b(ret)?,
        b2cl: b2cl(ret)?,
        b2cs: b2cs(ret)?,
        cdnr: cdnr(ret)?,
        cdnur: cdnur(ret)?,
        nil: nil(ret)?,
        hsn: hsn(ret)?,
        doc_issue: doc_issue(ret),
        supeco: supeco(ret)?,
    })
}

/// The file as JSON text (amounts written from paise, see `json`).
pub fn gstr1_json(ret: &Gstr1Return) -> Result<String, crate::OrderError> {
    let file = gstr1_file(ret)?;
    serde_json::to_string_pretty(&file).map_err(crate::OrderError::corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_split_into_series_and_serial() {
        assert_eq!(
            series_and_serial("SAGD/2627/000012"),
            Some(("SAGD/2627/", 12))
        );
        assert_eq!(series_and_serial("x/abc"), None);
    }
}
