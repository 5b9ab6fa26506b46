//! Debit notes issued by admins (credit notes follow refunds and returns by
//! themselves), and invoices cancelled before they are reported.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    UserError,
    context::ContextExt,
    errors::respond,
    ids::parse_id,
    money::Paise,
    orders::{CancelledInvoice, TaxNote},
};

#[derive(InputObject)]
pub struct InvoiceCancelInput {
    pub fulfilment_id: ID,
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct InvoiceCancelPayload {
    /// The cancelled number, with the number issued in its place (`replacedBy`).
    pub cancelled_invoice: Option<CancelledInvoice>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct DebitNoteLineInput {
    /// A line of the fulfilment's invoice.
    pub line_id: ID,
    /// What is added to the line, tax included, in paise.
    pub amount_paise: Paise,
}

#[derive(InputObject)]
pub struct DebitNoteIssueInput {
    pub fulfilment_id: ID,
    pub reason: String,
    pub lines: Vec<DebitNoteLineInput>,
}

#[derive(SimpleObject)]
pub struct DebitNotePayload {
    pub debit_note: Option<TaxNote>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct NoteMutation;

#[Object]
impl NoteMutation {
    /// Raises the value of an invoice already issued (a price correction, a charge
    /// left off) with a debit note (admins).
    async fn debit_note_issue(
        &self,
        ctx: &Context<'_>,
        input: DebitNoteIssueInput,
    ) -> Result<DebitNotePayload> {
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        for (i, line) in input.lines.iter().enumerate() {
            lines.push((
                parse_id(&format!("lines.{i}.lineId"), &line.line_id)?,
                line.amount_paise.0,
            ));
        }
        let result = ctx
            .orders()?
            .issue_debit_note(
                &ctx.party()?,
                orders::DebitNoteRequest {
                    fulfilment_id,
                    reason: input.reason,
                    lines,
                },
            )
            .await;
        respond(result, |done, errors| DebitNotePayload {
            debit_note: done.map(TaxNote),
            errors,
        })
    }

    /// Cancels a fulfilment's invoice before its month's GSTR-1 is marked filed, with a
    /// reason, and issues the same supply a fresh invoice under the next number (the
    /// cooperative's managers and admins). Once the return is filed the answer is a
    /// field error on `input.fulfilmentId`: correct the invoice with a credit note.
    async fn invoice_cancel(
        &self,
        ctx: &Context<'_>,
        input: InvoiceCancelInput,
    ) -> Result<InvoiceCancelPayload> {
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .cancel_invoice(&ctx.party()?, fulfilment_id, &input.reason)
            .await;
        respond(result, |done, errors| InvoiceCancelPayload {
            cancelled_invoice: done.map(CancelledInvoice),
            errors,
        })
    }
}
