//! A credit or debit note as HTML, laid out like the invoice it corrects (Rule 53):
//! the supplier's and recipient's names, addresses and GSTINs, the note's own number
//! and date, the original invoice's number and date, and per line the taxable value
//! and each tax head with its rate. Money cells carry `data-col`/`data-sum` as on
//! invoices, so taxable value + every tax = total can be checked line by line and on
//! the note.

use std::fmt::Write as _;

use catalog::GstRegime;
use uuid::Uuid;

use crate::{
    DocumentCopy, DocumentKind, EcommerceOperator, InvoiceParty, NoteKind, OrderError,
    OrderService, Party,
    invoices::{
        Head, address_lines, escape, open_document, rate, rate_half, rupees, supplier_party,
        supply_and_parties,
    },
    notes::queries::{TaxNote, note_by_id},
    store,
    tax::{SupplyKind, supply_kind},
};

/// Everything printed on a note.
#[derive(Debug, Clone)]
pub struct NoteDocument {
    pub note: TaxNote,
    pub order_number: String,
    pub supplier: InvoiceParty,
    pub recipient: InvoiceParty,
    /// The kind of the document the note corrects (a bill of supply's note has no
    /// tax columns).
    pub document_kind: DocumentKind,
    pub supplier_regime: GstRegime,
    /// How each of the note's lines is taxed.
    pub line_supply: Vec<SupplyKind>,
    pub operator: Option<EcommerceOperator>,
}

impl OrderService {
    /// A note, for the order's buyer, the fulfilment's cooperative or an admin.
    pub async fn note_for(&self, party: &Party, note_id: Uuid) -> Result<NoteDocument, OrderError> {
        party.require_signed_in()?;
        let note = note_by_id(&self.db, note_id).await?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, note.fulfilment_id).await?;
        match store::visibility(party, &order) {
            Some(None) => {}
            Some(Some(cooperative_id)) if cooperative_id == fulfilment.cooperative_id => {}
            _ => return Err(OrderError::NotFound("note")),
        }
        let cooperative = catalog::cooperatives_by_ids(&self.db, &[fulfilment.cooperative_id])
            .await?
            .remove(&fulfilment.cooperative_id)
            .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))?;
        let address: crate::Address =
            serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
        let mut supplier = supplier_party(&cooperative);
        // The supplier's State as it was when the note was issued.
        supplier.state_code.clone_from(&note.supplier_state_code);
        let line_supply = note
            .lines
            .iter()
            .map(|line| supply_kind(&note.supplier_state_code, &line.place_of_supply))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(NoteDocument {
            order_number: order.number.clone(),
            supplier,
            recipient: InvoiceParty {
                name: address.name.clone(),
                address_lines: address_lines(&address),
                state_code: address.state_code.clone(),
                gstin: address.gstin.clone(),
            },
            document_kind: fulfilment.document_kind,
            supplier_regime: fulfilment.supplier_regime,
            line_supply,
            operator: self
                .settings
                .operator
                .clone()
                .filter(|_| order.source_channel.is_none()),
            note,
        })
    }
}

/// The note as a self-contained HTML page.
pub fn render_note_html(doc: &NoteDocument, copy: DocumentCopy) -> String {
    let note = &doc.note;
    let heads: Vec<Head> = if doc.document_kind == DocumentKind::BillOfSupply {
        Vec::new()
    } else {
        Head::ALL
            .into_iter()
            .filter(|head| doc.line_supply.iter().any(|k| head.applies_to(*k)))
            .collect()
    };
    let title = note.kind.title();
    let mut out = open_document(
        title,
        &note.number,
        copy,
        doc.supplier_regime == GstRegime::Composition,
    );
    let _ = write!(
        out,
        "<h1 id=\"document-kind\" data-kind=\"{}\">{title}</h1><p>",
        note.kind.as_str()
    );
    let _ = write!(
        out,
        "Number: <strong id=\"note-number\">{}</strong><br>Date: {}<br>",
        escape(&note.number),
        note.date.format("%d-%m-%Y"),
    );
    let _ = write!(
        out,
        "Against {} <strong id=\"original-invoice\">{}</strong> dated <span id=\"original-invoice-date\">{}</span><br>Order: {}<br>Reason: <span id=\"reason\">{}</span><br>",
        doc.document_kind.title().to_lowercase(),
        escape(&note.invoice_number),
        note.invoice_date.format("%d-%m-%Y"),
        escape(&doc.order_number),
        escape(&note.reason),
    );
    let mut places: Vec<&str> = Vec::new();
    for line in &note.lines {
        if !places.contains(&line.place_of_supply.as_str()) {
            places.push(&line.place_of_supply);
        }
    }
    supply_and_parties(
        &mut out,
        places,
        &note.supplier_state_code,
        [&doc.supplier, &doc.recipient],
        doc.operator.as_ref(),
    );
    out.push_str("<table><thead><tr><th class=\"l\">#</th><th class=\"l\">Description</th><th class=\"l\">HSN</th><th>Qty returned</th><th class=\"l\">UQC</th><th>Value</th><th>Taxable value</th>");
    for head in &heads {
        let _ = write!(out, "<th>{0} rate</th><th>{0}</th>", head.name());
    }
    out.push_str("</tr></thead><tbody>");
    for (i, line) in note.lines.iter().enumerate() {
        let _ = write!(
            out,
            "<tr data-line=\"{}\"><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td data-col=\"total\">{}</td><td data-col=\"taxable\">{}</td>",
            i + 1,
            i + 1,
            escape(&line.description),
            escape(&line.hsn),
            line.quantity,
            line.uqc.code(),
            rupees(line.total_paise),
            rupees(line.taxable_paise),
        );
        let kind = doc.line_supply.get(i).copied();
        for head in &heads {
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
                rupees(head.pick(
                    line.cgst_paise,
                    line.sgst_paise,
                    line.utgst_paise,
                    line.igst_paise
                ))
            );
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</tbody><tfoot><tr><th class=\"l\" colspan=\"5\">Total</th><th id=\"note-total\" data-sum=\"total\">{}</th><th data-sum=\"taxable\">{}</th>",
        rupees(note.total_paise),
        rupees(note.taxable_paise)
    );
    for head in &heads {
        let _ = write!(
            out,
            "<th></th><th data-sum=\"tax\" data-head=\"{}\">{}</th>",
            head.name(),
            rupees(head.pick(
                note.cgst_paise,
                note.sgst_paise,
                note.utgst_paise,
                note.igst_paise
            ))
        );
    }
    let effect = match note.kind {
        NoteKind::CreditNote => "reduces",
        NoteKind::DebitNote => "adds to",
    };
    let _ = write!(
        out,
        "</tr></tfoot></table><p>Amounts in Indian rupees. This note {effect} the taxable value and tax of the invoice above (CGST s.34).</p>"
    );
    let _ = write!(
        out,
        "<p>For {}<br><br>Authorised signatory</p></body></html>",
        escape(&doc.supplier.name)
    );
    out
}
