//! GST return exports over GraphQL: a cooperative's GSTR-1 (its managers and admins)
//! and the platform's GSTR-8 (admins), each as the JSON text the GST portal's offline
//! tool imports. The rules live in `orders::returns`.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::{ApiError, context::ContextExt, errors::top_error, ids::parse_id};

fn parse_period(period: &str) -> Result<orders::returns::ReturnPeriod> {
    period
        .parse()
        .map_err(|message: String| ApiError::BadUserInput(format!("`period`: {message}")).into())
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

    /// The e-way bill data of a shipped fulfilment (CGST Rule 138), as the JSON text
    /// of the NIC e-way bill system's bulk-generation layout: one bill (Part A) per
    /// consignment whose value is above the threshold (Rs 50,000 by default), an
    /// empty `billLists` when none is. For the cooperative's staff and admins.
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
