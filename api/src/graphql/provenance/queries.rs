//! GI tags, and what a printed batch code proves.

use async_graphql::{Context, Object, Result};
use chrono::Utc;

use crate::graphql::{
    ApiError,
    catalog::{Product, Variant},
    context::ContextExt,
};

use super::*;

#[derive(Default)]
pub struct ProvenanceQuery;

#[Object]
impl ProvenanceQuery {
    /// The GI register.
    async fn gi_tags(&self, ctx: &Context<'_>) -> Result<Vec<GiTag>> {
        Ok(catalog::list_gi_tags(ctx.db()?)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(GiTag)
            .collect())
    }

    /// Checks a printed batch code (or the URL in its QR code): the product, the
    /// cooperative, the GI claims with their validity, the batch and its events, and
    /// whether the event chain is intact. Public.
    async fn verify_provenance(&self, ctx: &Context<'_>, code: String) -> Result<ProvenanceReport> {
        let provenance = catalog::verify_provenance(ctx.db()?, &ctx.actor()?, &code)
            .await
            .map_err(ApiError::from)?;
        let today = Utc::now().date_naive();
        let epcis_url = format!("/provenance/{}/epcis.jsonld", provenance.batch.code);
        let voided = provenance.batch.voided_at.is_some();
        Ok(ProvenanceReport {
            record_status: provenance.record.status.into(),
            record_changed_at: provenance.record.changed_at,
            record_note: provenance.record.note(),
            record_reason: provenance.record.reason,
            gi_claims: provenance
                .claims
                .into_iter()
                .map(|batch_claim| BatchGiClaim {
                    // A voided batch backs no claim, today or ever.
                    valid_now: !voided && batch_claim.claim.valid_on(today),
                    gi_tag: GiTag(batch_claim.claim.gi_tag.clone()),
                    authorisation: batch_claim
                        .claim
                        .authorised_user
                        .clone()
                        .map(AuthorisedUser),
                    valid_for_batch: batch_claim.valid_for_batch,
                })
                .collect(),
            events: provenance.events.into_iter().map(ProvenanceEvent).collect(),
            chain_intact: provenance.chain.intact,
            first_broken_sequence: provenance.chain.first_broken_sequence,
            batch: Batch(provenance.batch),
            product: Product(provenance.product),
            variant: Variant(provenance.variant),
            cooperative: provenance.cooperative.into(),
            epcis_url,
        })
    }
}
