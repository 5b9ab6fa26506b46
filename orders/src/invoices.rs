//! GST invoices: one per fulfilment, issued when it ships, numbered in a series per
//! cooperative and financial year (`PREF/2627/000001`: at most 16 characters of
//! letters, digits and '/', consecutive, restarting each April, as Rule 46 requires),
//! and rendered as HTML with every field the rule names.

use std::fmt::Write as _;

use catalog::{Cooperative, GstRegime};
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{
    Address, DocumentKind, EcommerceOperator, OrderError, OrderService, Party,
    entity::{einvoice_registration, fulfilment, invoice_sequence, order},
    records::{ConsigneeView, FulfilmentRecord, OrderLineView},
    state_name, store,
    tax::{SupplyKind, supply_kind},
    time::{financial_year, india_today},
};

/// The four letters that begin a cooperative's invoice numbers: the initials of its
/// name's words, padded from its slug.
pub(crate) fn invoice_prefix(slug: &str) -> String {
    let mut prefix: String = slug
        .split('-')
        .filter_map(|word| word.chars().find(char::is_ascii_alphanumeric))
        .map(|c| c.to_ascii_uppercase())
        .take(4)
        .collect();
    for c in slug.chars().filter(char::is_ascii_alphanumeric).skip(1) {
        if prefix.len() >= 4 {
            break;
        }
        prefix.push(c.to_ascii_uppercase());
    }
    while prefix.len() < 4 {
        prefix.push('X');
    }
    prefix
}

/// The next number in the cooperative's series for today's financial year. The
/// counter row is created if missing and then incremented in place, so concurrent
/// shipments (in any number of processes) get consecutive, distinct numbers.
pub(crate) async fn next_invoice_number(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
) -> Result<(String, NaiveDate), OrderError> {
    let date = india_today();
    let year = financial_year(date);
    invoice_sequence::Entity::insert(invoice_sequence::ActiveModel {
        cooperative_id: Set(fulfilment.cooperative_id),
        financial_year: Set(year.clone()),
        last_number: Set(0),
    })
    .on_conflict(
        OnConflict::columns([
            invoice_sequence::Column::CooperativeId,
            invoice_sequence::Column::FinancialYear,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    invoice_sequence::Entity::update_many()
        .col_expr(
            invoice_sequence::Column::LastNumber,
            Expr::col(invoice_sequence::Column::LastNumber).add(1),
        )
        .filter(invoice_sequence::Column::CooperativeId.eq(fulfilment.cooperative_id))
        .filter(invoice_sequence::Column::FinancialYear.eq(year.as_str()))
        .exec(db)
        .await?;
    let sequence = invoice_sequence::Entity::find()
        .filter(invoice_sequence::Column::CooperativeId.eq(fulfilment.cooperative_id))
        .filter(invoice_sequence::Column::FinancialYear.eq(year.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| OrderError::corrupt("invoice sequence vanished"))?;
    if sequence.last_number > 999_999 {
        return Err(OrderError::Conflict(
            "this cooperative's invoice series for the year is exhausted".into(),
        ));
    }
    let cooperatives = catalog::cooperatives_by_ids(db, &[fulfilment.cooperative_id]).await?;
    let slug = cooperatives
        .get(&fulfilment.cooperative_id)
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    Ok((
        format!(
            "{}/{year}/{:06}",
            invoice_prefix(&slug),
            sequence.last_number
        ),
        date,
    ))
}

/// A party on an invoice.
#[derive(Debug, Clone)]
pub struct InvoiceParty {
    pub name: String,
    pub address_lines: Vec<String>,
    pub state_code: String,
    pub gstin: Option<String>,
}

/// Which of the three copies of a goods document is printed (Rule 48(1)): the
/// original for the recipient, the duplicate for the transporter, the triplicate for
/// the supplier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocumentCopy {
    #[default]
    Original,
    Duplicate,
    Triplicate,
}

impl DocumentCopy {
    /// The marking printed at the top of the copy.
    pub const fn marking(self) -> &'static str {
        match self {
            Self::Original => "Original for recipient",
            Self::Duplicate => "Duplicate for transporter",
            Self::Triplicate => "Triplicate for supplier",
        }
    }
}

impl std::str::FromStr for DocumentCopy {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "original" => Ok(Self::Original),
            "duplicate" => Ok(Self::Duplicate),
            "triplicate" => Ok(Self::Triplicate),
            other => Err(format!(
                "copy must be original, duplicate or triplicate, not {other}"
            )),
        }
    }
}

/// Everything printed on a fulfilment's tax invoice.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub number: String,
    pub date: NaiveDate,
    pub order_number: String,
    pub supplier: InvoiceParty,
    pub recipient: InvoiceParty,
    pub place_of_supply: String,
    pub fulfilment: FulfilmentRecord,
    pub lines: Vec<OrderLineView>,
    /// How each line is taxed, from the supplier's State and the line's place of supply.
    pub line_supply: Vec<SupplyKind>,
    /// Consignee addresses by id, for institutional deliveries.
    pub consignees: Vec<ConsigneeView>,
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    /// The platform as e-commerce operator, for supplies made through it (not for a
    /// sales channel's orders, whose operator is the channel).
    pub operator: Option<EcommerceOperator>,
    /// Set on a cancelled invoice: the number and date above are the cancelled ones,
    /// and the document is marked CANCELLED.
    pub cancellation: Option<InvoiceCancellation>,
    /// The IRP's answer for this invoice number, once recorded (e-invoicing).
    pub registration: Option<InvoiceRegistration>,
}

/// What the Invoice Registration Portal returned for a registered e-invoice (Rule
/// 48(4)): printed on the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRegistration {
    pub irn: String,
    pub ack_no: String,
    pub ack_date: chrono::DateTime<chrono::Utc>,
    /// The IRP's signed QR code (a JWT), which the printed invoice carries.
    pub signed_qr: String,
}

/// What a cancelled invoice prints about its cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceCancellation {
    pub reason: String,
    pub cancelled_at: chrono::DateTime<chrono::Utc>,
    /// The number issued in its place for the same supply.
    pub replaced_by: String,
}

pub(crate) fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    lines.extend(address.line2.clone());
    lines.push(format!("{} {}", address.city, address.pin_code));
    lines.push(format!(
        "{} (State code {})",
        state_name(&address.state_code).unwrap_or("?"),
        address.state_code
    ));
    lines
}

pub(crate) fn supplier_party(cooperative: &Cooperative) -> InvoiceParty {
    let state = cooperative.state_code.clone();
    InvoiceParty {
        name: cooperative.name.clone(),
        address_lines: vec![
            cooperative.address_line.clone(),
            format!(
                "{}, {} {}",
                cooperative.village, cooperative.district, cooperative.pin_code
            ),
            format!("{} (State code {state})", state_name(&state).unwrap_or("?")),
        ],
        state_code: state,
        gstin: cooperative.gstin.clone(),
    }
}

impl OrderService {
    /// The invoice of a shipped fulfilment, for its buyer, its cooperative or an admin.
    pub async fn invoice_for(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
    ) -> Result<Invoice, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        match store::visibility(party, &order) {
            Some(None) => {}
            Some(Some(cooperative_id)) if cooperative_id == fulfilment.cooperative_id => {}
            _ => return Err(OrderError::NotFound("fulfilment")),
        }
        self.invoice_of(&self.db, fulfilment, order).await
    }

    /// The invoice of a shipped fulfilment, read through `db` (the shipping
    /// transaction, for the copy mailed to the buyer); whoever calls has authorised.
    pub(crate) async fn invoice_of(
        &self,
        db: &impl ConnectionTrait,
        fulfilment: fulfilment::Model,
        order: order::Model,
    ) -> Result<Invoice, OrderError> {
        let (Some(number), Some(date)) =
            (fulfilment.invoice_number.clone(), fulfilment.invoice_date)
        else {
            return Err(OrderError::Conflict(
                "the invoice is issued when the fulfilment ships".into(),
            ));
        };
        let cooperative = catalog::cooperatives_by_ids(db, &[fulfilment.cooperative_id])
            .await?
            .remove(&fulfilment.cooperative_id)
            .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))?;
        let address: Address =
            serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
        let lines = store::lines_of_fulfilment(db, fulfilment.id).await?;
        // Only this document's consignees: the others are on their own place of
        // supply's document.
        let mut consignees = store::consignees_of(db, order.id).await?;
        consignees.retain(|c| lines.iter().any(|l| l.consignee_id == Some(c.id)));
        let supplier = supplier_party(&cooperative);
        let line_supply = lines
            .iter()
            .map(|line| supply_kind(&supplier.state_code, &line.place_of_supply))
            .collect::<Result<Vec<_>, _>>()?;
        let order: order::Model = order;
        let registration = einvoice_registration::Entity::find_by_id(fulfilment.id)
            .filter(einvoice_registration::Column::InvoiceNumber.eq(number.as_str()))
            .one(&self.db)
            .await?
            .map(|r| InvoiceRegistration {
                irn: r.irn,
                ack_no: r.ack_no,
                ack_date: r.ack_date,
                signed_qr: r.signed_qr,
            });
        Ok(Invoice {
            number,
            date,
            order_number: order.number.clone(),
            supplier,
            recipient: InvoiceParty {
                name: address.name.clone(),
                address_lines: address_lines(&address),
                state_code: address.state_code.clone(),
                gstin: address.gstin.clone(),
            },
            place_of_supply: order.place_of_supply.clone(),
            fulfilment: fulfilment.into(),
            lines,
            line_supply,
            consignees,
            operator: self
                .settings
                .operator
                .clone()
                .filter(|_| order.source_channel.is_none()),
            purchase_order_number: order.purchase_order_number,
            gem_contract_number: order.gem_contract_number,
            cancellation: None,
            registration,
        })
    }
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Rupees with two decimals from paise, e.g. 123456 → "1234.56".
pub fn rupees(paise: i64) -> String {
    let sign = if paise < 0 { "-" } else { "" };
    let paise = paise.unsigned_abs();
    format!("{sign}{}.{:02}", paise / 100, paise % 100)
}

pub(crate) fn rate(bp: i32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Half a rate, for each of CGST and SGST/UTGST: 5% is 2.50% + 2.50%, 18% is 9% + 9%.
pub(crate) fn rate_half(bp: i32) -> String {
    let half_hundredths = bp * 50; // in ten-thousandths of a percent
    format!(
        "{}.{:02}%",
        half_hundredths / 10_000,
        (half_hundredths % 10_000) / 100
    )
}

fn line_kind(invoice: &Invoice, index: usize) -> Option<SupplyKind> {
    invoice.line_supply.get(index).copied()
}

/// The start of every tax document (invoices, bills of supply, credit and debit notes):
/// the page head, the copy's marking (Rule 48) and a composition supplier's declaration
/// (Rule 5(1)(g)).
pub(crate) fn open_document(
    title: &str,
    number: &str,
    copy: DocumentCopy,
    composition: bool,
) -> String {
    let mut out =
        String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    let _ = write!(out, "{title} {}", escape(number));
    out.push_str("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:4px;text-align:right}td.l,th.l{text-align:left}</style></head><body>");
    let _ = write!(
        out,
        "<p id=\"copy\" style=\"text-align:right\"><strong>{}</strong></p>",
        copy.marking()
    );
    if composition {
        let _ = write!(
            out,
            "<p class=\"declaration\"><strong>{COMPOSITION_DECLARATION}</strong></p>"
        );
    }
    out
}

/// Each place of supply with the supply's character, the reverse-charge flag (closing
/// the header paragraph), the supplier and recipient, and the e-commerce operator when
/// the supply went through one. The character follows the places (supplier's State
/// against the place of supply), never which tax happens to be non-zero: a nil-rated
/// inter-State supply is still inter-State.
pub(crate) fn supply_and_parties<'a>(
    out: &mut String,
    places: impl IntoIterator<Item = &'a str>,
    supplier_state: &str,
    [supplier, recipient]: [&InvoiceParty; 2],
    operator: Option<&EcommerceOperator>,
) {
    for place in places {
        let _ = write!(
            out,
            "Place of supply: {} (State code {})<br>Supply: <span class=\"supply\">{}</span><br>",
            escape(state_name(place).unwrap_or("?")),
            escape(place),
            if place == supplier_state {
                "intra-State"
            } else {
                "inter-State"
            }
        );
    }
    out.push_str("Tax payable on reverse charge: No</p>");
    party_block(out, "Supplier", supplier);
    party_block(out, "Recipient", recipient);
    if let Some(operator) = operator {
        let _ = write!(
            out,
            "<p id=\"operator\">Supplied through the e-commerce operator {}, GSTIN {} (CGST s.52)</p>",
            escape(&operator.name),
            escape(&operator.gstin)
        );
    }
}

pub(crate) fn party_block(out: &mut String, title: &str, party: &InvoiceParty) {
    let _ = write!(
        out,
        "<section><h2>{}</h2><p><strong>{}</strong><br>",
        escape(title),
        escape(&party.name)
    );
    for line in &party.address_lines {
        let _ = write!(out, "{}<br>", escape(line));
    }
    match &party.gstin {
        Some(gstin) => {
            let _ = write!(out, "GSTIN: {}", escape(gstin));
        }
        None => out.push_str("GSTIN: none (unregistered)"),
    }
    out.push_str("</p></section>");
}

/// A GST head a document prints a column for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head {
    Cgst,
    Sgst,
    Utgst,
    Igst,
}

impl Head {
    pub(crate) const ALL: [Self; 4] = [Self::Cgst, Self::Sgst, Self::Utgst, Self::Igst];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Cgst => "CGST",
            Self::Sgst => "SGST",
            Self::Utgst => "UTGST",
            Self::Igst => "IGST",
        }
    }

    /// Whether a supply of this kind is taxed under this head.
    pub(crate) const fn applies_to(self, kind: SupplyKind) -> bool {
        matches!(
            (self, kind),
            (
                Self::Cgst,
                SupplyKind::IntraState | SupplyKind::IntraUnionTerritory
            ) | (Self::Sgst, SupplyKind::IntraState)
                | (Self::Utgst, SupplyKind::IntraUnionTerritory)
                | (Self::Igst, SupplyKind::InterState)
        )
    }

    /// This head's figure among (CGST, SGST, UTGST, IGST).
    pub(crate) const fn pick(self, cgst: i64, sgst: i64, utgst: i64, igst: i64) -> i64 {
        match self {
            Self::Cgst => cgst,
            Self::Sgst => sgst,
            Self::Utgst => utgst,
            Self::Igst => igst,
        }
    }

    const fn of_line(self, line: &OrderLineView) -> i64 {
        match self {
            Self::Cgst => line.cgst_paise,
            Self::Sgst => line.sgst_paise,
            Self::Utgst => line.utgst_paise,
            Self::Igst => line.igst_paise,
        }
    }

    const fn of_fulfilment(self, f: &FulfilmentRecord) -> i64 {
        match self {
            Self::Cgst => f.cgst_paise,
            Self::Sgst => f.sgst_paise,
            Self::Utgst => f.utgst_paise,
            Self::Igst => f.igst_paise,
        }
    }
}

/// The words Rule 5(1)(g) of the CGST Rules puts at the top of a composition taxable
/// person's bill of supply.
pub const COMPOSITION_DECLARATION: &str =
    "composition taxable person, not eligible to collect tax on supplies";

/// The places of supply of a document's lines, in the order they first appear.
/// The line's description, saying what a unit of several pieces holds: the quantity
/// and UQC count units sold (2 PAC), the description how many pieces each has.
fn line_description(line: &OrderLineView) -> String {
    if line.pieces_per_unit > 1 {
        format!(
            "{} (pack of {} pieces)",
            line.description, line.pieces_per_unit
        )
    } else {
        line.description.clone()
    }
}

fn places_of_supply(lines: &[OrderLineView]) -> Vec<&str> {
    let mut places: Vec<&str> = Vec::new();
    for line in lines {
        if !places.contains(&line.place_of_supply.as_str()) {
            places.push(&line.place_of_supply);
        }
    }
    places
}

/// Why a document bears no GST, or only on some lines.
fn no_tax_reason(invoice: &Invoice) -> Option<&'static str> {
    match (
        invoice.fulfilment.supplier_regime,
        invoice.fulfilment.document_kind,
    ) {
        (GstRegime::Enrolled, _) => Some(
            "The supplier is enrolled for GST without a GSTIN (Notif. 34/2023-CT) and charges no GST.",
        ),
        (GstRegime::Composition, _) => Some(
            "The supplier pays tax under the composition scheme (CGST s.10) and charges no GST.",
        ),
        (GstRegime::Regular, DocumentKind::BillOfSupply) => {
            Some("The goods are nil-rated or exempt from GST.")
        }
        (GstRegime::Regular, DocumentKind::InvoiceCumBillOfSupply) => Some(
            "Lines at 0.00% are nil-rated or exempt goods (Rule 46A: one invoice-cum-bill of supply).",
        ),
        (GstRegime::Regular, DocumentKind::TaxInvoice) => None,
    }
}

/// The document as a self-contained HTML page: a tax invoice, a bill of supply or an
/// invoice-cum-bill of supply as the fulfilment's document kind says. Every money
/// cell carries `data-col` (`total`, `taxable`, `tax`) on lines and `data-sum` in the
/// footer, so that a reader (and the tests) can check that taxable value + every tax
/// printed = the total, on each line and on the document.
pub fn render_invoice_html(invoice: &Invoice, copy: DocumentCopy) -> String {
    let f = &invoice.fulfilment;
    let kind = f.document_kind;
    let supplier_state = invoice.supplier.state_code.as_str();
    let heads: Vec<Head> = if kind == DocumentKind::BillOfSupply {
        Vec::new()
    } else {
        Head::ALL
            .into_iter()
            .filter(|head| invoice.line_supply.iter().any(|k| head.applies_to(*k)))
            .collect()
    };
    let mut out = open_document(
        kind.title(),
        &invoice.number,
        copy,
        f.supplier_regime == GstRegime::Composition,
    );
    if let Some(cancelled) = &invoice.cancellation {
        let _ = write!(
            out,
            "<p id=\"cancelled\" style=\"font-size:2em;color:#b00\"><strong>CANCELLED</strong></p><p class=\"cancellation\">Cancelled on {} before it was reported: {}. Replaced by invoice {} for the same supply.</p>",
            crate::time::india_date(cancelled.cancelled_at).format("%d-%m-%Y"),
            escape(&cancelled.reason),
            escape(&cancelled.replaced_by)
        );
    }
    let _ = write!(
        out,
        "<h1 id=\"document-kind\" data-kind=\"{}\">{}</h1><p>",
        kind.as_str(),
        kind.title()
    );
    let _ = write!(
        out,
        "Number: <strong id=\"invoice-number\">{}</strong><br>Date: {}<br>Order: {}<br>",
        escape(&invoice.number),
        invoice.date.format("%d-%m-%Y"),
        escape(&invoice.order_number)
    );
    if let Some(registration) = &invoice.registration {
        let _ = write!(
            out,
            "IRN: <span id=\"irn\">{}</span><br>Ack No: <span id=\"ack-no\">{}</span><br>Ack Date: {}<br>",
            escape(&registration.irn),
            escape(&registration.ack_no),
            crate::time::india_date(registration.ack_date).format("%d-%m-%Y"),
        );
    }
    if let Some(po) = &invoice.purchase_order_number {
        let _ = write!(out, "Purchase order: {}<br>", escape(po));
    }
    if let Some(contract) = &invoice.gem_contract_number {
        let _ = write!(out, "GeM contract: {}<br>", escape(contract));
    }
    // The supply's character follows the places (supplier's State against the place
    // of supply), never which tax happens to be non-zero: a nil-rated inter-State
    // supply is still inter-State.
    supply_and_parties(
        &mut out,
        places_of_supply(&invoice.lines),
        supplier_state,
        [&invoice.supplier, &invoice.recipient],
        invoice.operator.as_ref(),
    );
    if !invoice.consignees.is_empty() {
        out.push_str("<section><h2>Delivery addresses</h2><ul>");
        for c in &invoice.consignees {
            let address: Option<Address> = serde_json::from_value(c.address.clone()).ok();
            let _ = write!(
                out,
                "<li>{}: {}</li>",
                escape(&c.name),
                escape(
                    &address
                        .map(|a| address_lines(&a).join(", "))
                        .unwrap_or_default()
                )
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("<table><thead><tr><th class=\"l\">#</th><th class=\"l\">Description</th><th class=\"l\">HSN</th><th>Qty</th><th class=\"l\">UQC</th><th>Unit price</th><th>Total</th><th>Taxable value</th>");
    for head in &heads {
        let _ = write!(out, "<th>{0} rate</th><th>{0}</th>", head.name());
    }
    out.push_str("</tr></thead><tbody>");
    for (i, line) in invoice.lines.iter().enumerate() {
        let _ = write!(
            out,
            "<tr data-line=\"{}\"><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td data-col=\"total\">{}</td><td data-col=\"taxable\">{}</td>",
            i + 1,
            i + 1,
            escape(&line_description(line)),
            escape(&line.hsn),
            line.quantity,
            line.uqc.code(),
            rupees(line.unit_price_paise),
            rupees(line.total_paise),
            rupees(line.taxable_paise),
        );
        for (head, kind) in heads.iter().map(|h| (h, line_kind(invoice, i))) {
            // Each head at its own rate: IGST at the whole rate, CGST and SGST/UTGST
            // at half each; a head the line's supply does not bear is blank.
            let head_rate = match kind {
                Some(kind) if head.applies_to(kind) && kind == SupplyKind::InterState => {
                    rate(line.rate_bp)
                }
                Some(kind) if head.applies_to(kind) => rate_half(line.rate_bp),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "<td>{head_rate}</td><td data-col=\"tax\" data-head=\"{}\">{}</td>",
                head.name(),
                rupees(head.of_line(line))
            );
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</tbody><tfoot><tr><th class=\"l\" colspan=\"6\">Total</th><th id=\"invoice-total\" data-sum=\"total\">{}</th><th data-sum=\"taxable\">{}</th>",
        rupees(f.total_paise),
        rupees(f.taxable_paise)
    );
    for head in &heads {
        let _ = write!(
            out,
            "<th></th><th data-sum=\"tax\" data-head=\"{}\">{}</th>",
            head.name(),
            rupees(head.of_fulfilment(f))
        );
    }
    out.push_str(
        "</tr></tfoot></table><p>Amounts in Indian rupees. Prices include any GST shown.</p>",
    );
    if let Some(reason) = no_tax_reason(invoice) {
        let _ = write!(out, "<p class=\"no-tax\">{}</p>", escape(reason));
    }
    if let Some(registration) = &invoice.registration {
        // The signed QR code as the IRP returned it, for the printed copy's QR image.
        let _ = write!(
            out,
            "<p>Signed QR code (IRP):</p><pre id=\"signed-qr\" style=\"white-space:pre-wrap;word-break:break-all\">{}</pre>",
            escape(&registration.signed_qr)
        );
    }
    let _ = write!(
        out,
        "<p>For {}<br><br>Authorised signatory</p></body></html>",
        escape(&invoice.supplier.name)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_numbers_fit_sixteen_characters() {
        let prefix = invoice_prefix("leh-apricot-growers-cooperative");
        assert_eq!(prefix, "LAGC");
        assert_eq!(format!("{prefix}/2627/{:06}", 999_999).len(), 16);
        assert_eq!(invoice_prefix("nubra"), "NUBR");
        assert_eq!(invoice_prefix("a"), "AXXX");
    }

    #[test]
    fn half_rates_are_printed_per_head() {
        assert_eq!(rate_half(500), "2.50%");
        assert_eq!(rate_half(1_800), "9.00%");
        assert_eq!(rate_half(4_000), "20.00%");
        assert_eq!(rate_half(25), "0.12%");
        assert_eq!(rate(500), "5.00%");
    }

    #[test]
    fn copies_are_marked() {
        assert_eq!(
            "duplicate"
                .parse::<DocumentCopy>()
                .map(DocumentCopy::marking),
            Ok("Duplicate for transporter")
        );
        assert!("quadruplicate".parse::<DocumentCopy>().is_err());
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(rupees(123_456), "1234.56");
        assert_eq!(rupees(5), "0.05");
    }
}
