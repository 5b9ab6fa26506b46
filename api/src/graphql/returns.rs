//! GST return exports over GraphQL: a cooperative's GSTR-1 (its managers and admins)
//! and the platform's GSTR-8 (admins), each as the JSON text the GST portal's offline
//! tool imports. The rules live in `orders::returns`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{
    ApiError, UserError,
    context::ContextExt,
    errors::{respond, top_error},
    ids::parse_id,
};

fn parse_period(period: &str) -> Result<orders::returns::ReturnPeriod> {
    period
        .parse()
        .map_err(|message: String| ApiError::BadUserInput(format!("`period`: {message}")).into())
}

/// The marker that a cooperative's GSTR-1 for a month has been filed on the portal:
/// from then on that month's invoices are corrected by credit notes, not cancelled.
#[derive(SimpleObject)]
pub struct Gstr1Filing {
    pub cooperative_id: ID,
    /// `MMYYYY`.
    pub period: String,
    /// The acknowledgement reference number, when recorded.
    pub arn: Option<String>,
    pub filed_at: DateTime<Utc>,
}

impl From<orders::Gstr1Filing> for Gstr1Filing {
    fn from(f: orders::Gstr1Filing) -> Self {
        Self {
            cooperative_id: ID(f.cooperative_id.to_string()),
            period: f.period.fp(),
            arn: f.arn,
            filed_at: f.filed_at,
        }
    }
}

#[derive(InputObject)]
pub struct Gstr1MarkFiledInput {
    pub cooperative_id: ID,
    /// `MMYYYY`.
    pub period: String,
    /// The ARN the portal acknowledged the filing with (15 letters and digits).
    pub arn: Option<String>,
}

#[derive(SimpleObject)]
pub struct Gstr1MarkFiledPayload {
    pub filing: Option<Gstr1Filing>,
    pub errors: Vec<UserError>,
}

/// What the Invoice Registration Portal returned for a registered e-invoice.
#[derive(SimpleObject)]
pub struct EinvoiceRegistration {
    /// The invoice reference number (64 hexadecimal digits).
    pub irn: String,
    pub ack_no: String,
    pub ack_date: DateTime<Utc>,
    /// The IRP's signed QR code (a JWT), printed on the invoice.
    pub signed_qr_code: String,
}

#[derive(InputObject)]
pub struct EinvoiceRecordInput {
    pub fulfilment_id: ID,
    pub irn: String,
    pub ack_no: String,
    pub ack_date: DateTime<Utc>,
    pub signed_qr_code: String,
}

#[derive(SimpleObject)]
pub struct EinvoiceRecordPayload {
    pub registration: Option<EinvoiceRegistration>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ReturnsMutation;

#[Object]
impl ReturnsMutation {
    /// Records that a cooperative's GSTR-1 for a month has been filed (admins). Marking
    /// it again keeps the first record (and adds an ARN not recorded before).
    async fn gstr1_mark_filed(
        &self,
        ctx: &Context<'_>,
        input: Gstr1MarkFiledInput,
    ) -> Result<Gstr1MarkFiledPayload> {
        let cooperative_id = parse_id("cooperativeId", &input.cooperative_id)?;
        let result = match input.period.parse::<orders::returns::ReturnPeriod>() {
            Ok(period) => {
                ctx.orders()?
                    .mark_gstr1_filed(&ctx.party()?, cooperative_id, period, input.arn)
                    .await
            }
            Err(message) => Err(orders::OrderError::invalid(
                "period",
                kernel::FieldErrorCode::Invalid,
                message,
            )),
        };
        respond(result, |done, errors| Gstr1MarkFiledPayload {
            filing: done.map(Into::into),
            errors,
        })
    }

    /// Records the IRN, acknowledgement and signed QR code the Invoice Registration
    /// Portal returned for a fulfilment's e-invoice (admins); the invoice prints them
    /// from then on. Each is checked (`input.irn`, `input.ackNo`, `input.ackDate`,
    /// `input.signedQrCode`); recording again replaces the record.
    async fn einvoice_record(
        &self,
        ctx: &Context<'_>,
        input: EinvoiceRecordInput,
    ) -> Result<EinvoiceRecordPayload> {
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = ctx
            .orders()?
            .record_einvoice(
                &ctx.party()?,
                orders::returns::EinvoiceRegistrationInput {
                    fulfilment_id,
                    irn: input.irn,
                    ack_no: input.ack_no,
                    ack_date: input.ack_date,
                    signed_qr: input.signed_qr_code,
                },
            )
            .await;
        respond(result, |done, errors| EinvoiceRecordPayload {
            registration: done.map(|r| EinvoiceRegistration {
                irn: r.irn,
                ack_no: r.ack_no,
                ack_date: r.ack_date,
                signed_qr_code: r.signed_qr,
            }),
            errors,
        })
    }
}

#[derive(Default)]
pub struct ReturnsQuery;

#[Object]
impl ReturnsQuery {
    /// A cooperative's GSTR-1 data for a month (`period` is `MMYYYY`, e.g. `112026`),
    /// as the JSON text of the GST portal's offline-tool layout: `b2b`, `b2cl`,
    /// `b2cs`, `cdnr`, `cdnur` (credit and debit notes dated in the month), `nil`,
    /// `hsn`, `doc_issue`, `supeco`. Amounts are rupees with two decimals. For the
    /// cooperative's managers and admins.
    async fn gstr1_export(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        period: String,
    ) -> Result<String> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let period = parse_period(&period)?;
        let data = ctx
            .orders()?
            .gstr1(&ctx.party()?, cooperative_id, period)
            .await
            .map_err(top_error)?;
        orders::returns::gstr1_json(&data).map_err(top_error)
    }

    /// Whether a cooperative's GSTR-1 for a month is marked filed (null while it is
    /// not). For the cooperative's managers and admins.
    async fn gstr1_filing(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        period: String,
    ) -> Result<Option<Gstr1Filing>> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let period = parse_period(&period)?;
        Ok(ctx
            .orders()?
            .gstr1_filing(&ctx.party()?, cooperative_id, period)
            .await
            .map_err(top_error)?
            .map(Into::into))
    }

    /// The platform's GSTR-8 data (TCS as e-commerce operator) for a month, as the
    /// JSON text of the portal's layout: per supplier GSTIN, supplies and returns to
    /// registered and unregistered buyers, the net amount and TCS by head. Admins only.
    async fn gstr8_export(&self, ctx: &Context<'_>, period: String) -> Result<String> {
        let period = parse_period(&period)?;
        let data = ctx
            .orders()?
            .gstr8(&ctx.party()?, period)
            .await
            .map_err(top_error)?;
        orders::returns::gstr8_json(&data).map_err(top_error)
    }

    /// The e-invoice of a shipped fulfilment's tax invoice, as the JSON text the
    /// Invoice Registration Portal takes (GSTN's schema INV-01, version 1.1): for a
    /// cooperative above the e-invoicing threshold (`turnoverBand` `ABOVE_5_CRORE`) and
    /// a buyer with a GSTIN. For the cooperative's staff and admins; submitting it to
    /// the IRP is the supplier's (see docs/ORDERS.md).
    async fn einvoice_payload(&self, ctx: &Context<'_>, fulfilment_id: ID) -> Result<String> {
        let fulfilment_id = parse_id("fulfilmentId", &fulfilment_id)?;
        let einvoice = ctx
            .orders()?
            .einvoice(&ctx.party()?, fulfilment_id)
            .await
            .map_err(top_error)?;
        orders::returns::einvoice_json(&einvoice).map_err(top_error)
    }

    /// The e-way bill data of a shipped fulfilment (CGST Rule 138), as JSON text: a list
    /// with one NIC "Generate E-way bill" request (API v1.03, Part A) per consignment
    /// whose value is above the threshold (Rs 50,000 by default), empty when none is.
    /// For the cooperative's staff and admins.
    async fn eway_bill_payload(&self, ctx: &Context<'_>, fulfilment_id: ID) -> Result<String> {
        let fulfilment_id = parse_id("fulfilmentId", &fulfilment_id)?;
        let file = ctx
            .orders()?
            .eway_bill(&ctx.party()?, fulfilment_id)
            .await
            .map_err(top_error)?;
        orders::returns::eway_bill_json(&file).map_err(top_error)
    }
}
