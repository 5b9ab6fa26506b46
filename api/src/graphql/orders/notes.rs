//! Debit notes issued by admins (credit notes follow refunds and returns by themselves).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    UserError, context::ContextExt, errors::respond, ids::parse_id, money::Paise, orders::TaxNote,
};

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
}
