//! GI register corrections, authorised-user registrations, product GI claims,
//! batches and provenance events.

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::{ApiError, UserError, context::ContextExt, errors::respond, ids::parse_id};

use super::*;

#[derive(InputObject)]
pub struct GiTagUpdateInput {
    pub id: ID,
    /// An empty string clears it.
    pub application_number: Option<String>,
    pub class_of_goods: Option<String>,
    pub registered_proprietor: Option<String>,
    pub goods_description: Option<String>,
    pub area_districts: Option<Vec<String>>,
    pub area_description: Option<String>,
    pub registration_date: Option<NaiveDate>,
    pub expiry_date: Option<NaiveDate>,
    pub facts_confirmed: Option<bool>,
    pub source_note: Option<String>,
    /// Replaces the covered categories (slugs).
    pub covered_categories: Option<Vec<String>>,
    /// Replaces the covered HSN prefixes.
    pub hsn_prefixes: Option<Vec<String>>,
}

#[derive(SimpleObject, Default)]
pub struct GiTagUpdatePayload {
    pub gi_tag: Option<GiTag>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct GiAuthorisedUserRegisterInput {
    pub gi_tag_id: ID,
    pub cooperative_id: ID,
    pub au_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

#[derive(SimpleObject, Default)]
pub struct GiAuthorisedUserPayload {
    pub authorised_user: Option<AuthorisedUser>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct GiAuthorisedUserVerifyInput {
    pub id: ID,
    /// True verifies the registration; false revokes it.
    pub approve: bool,
}

#[derive(InputObject)]
pub struct ProductGiClaimInput {
    pub product_id: ID,
    pub gi_tag_id: ID,
}

#[derive(SimpleObject, Default)]
pub struct ProductGiClaimPayload {
    pub gi_claim: Option<GiClaim>,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct ProductGiClaimWithdrawPayload {
    pub withdrawn: bool,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CertificateInput {
    pub kind: CertificateKindValue,
    pub issuer: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub document_url: String,
}

#[derive(InputObject)]
pub struct BatchCreateInput {
    pub variant_id: ID,
    /// Printed on the packs: 4 to 24 upper-case letters, digits and hyphens.
    pub code: String,
    pub origin_village: String,
    pub origin_district: String,
    /// Harvest or production date.
    pub produced_on: NaiveDate,
    pub quantity: i32,
    #[graphql(default)]
    pub certificates: Vec<CertificateInput>,
}

#[derive(SimpleObject, Default)]
pub struct BatchCreatePayload {
    pub batch: Option<Batch>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ProvenanceEventAddInput {
    pub batch_code: String,
    pub kind: EventKindValue,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    #[graphql(default)]
    pub notes: String,
    /// Small facts of the step, e.g. `{"moisture_pct": 14}`.
    pub data: Option<Json<serde_json::Value>>,
}

#[derive(SimpleObject, Default)]
pub struct ProvenanceEventAddPayload {
    pub event: Option<ProvenanceEvent>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct BatchCorrectInput {
    pub batch_code: String,
    /// The corrected values; an omitted one stays as it is.
    pub origin_village: Option<String>,
    /// A known district.
    pub origin_district: Option<String>,
    pub produced_on: Option<NaiveDate>,
    /// The difference moves through the stock ledger.
    pub quantity: Option<i32>,
    /// Why the record was wrong (3 to 500 characters); buyers are shown it.
    pub reason: String,
}

#[derive(InputObject)]
pub struct BatchVoidInput {
    pub batch_code: String,
    /// Why the batch is withdrawn (3 to 500 characters); buyers are shown it.
    pub reason: String,
}

#[derive(SimpleObject, Default)]
pub struct BatchChangePayload {
    pub batch: Option<Batch>,
    /// The CORRECTED or VOIDED event appended to the batch's chain.
    pub event: Option<ProvenanceEvent>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ProvenanceMutation;

#[Object]
impl ProvenanceMutation {
    /// Corrects a GI's register entry as facts are confirmed (admins only).
    async fn gi_tag_update(
        &self,
        ctx: &Context<'_>,
        input: GiTagUpdateInput,
    ) -> Result<GiTagUpdatePayload> {
        let id = parse_id("id", &input.id)?;
        let updated = catalog::update_gi_tag(
            ctx.db()?,
            &ctx.actor()?,
            id,
            catalog::GiTagChanges {
                application_number: input.application_number,
                class_of_goods: input.class_of_goods,
                registered_proprietor: input.registered_proprietor,
                goods_description: input.goods_description,
                area_districts: input.area_districts,
                area_description: input.area_description,
                registration_date: input.registration_date,
                expiry_date: input.expiry_date,
                facts_confirmed: input.facts_confirmed,
                source_note: input.source_note,
                covered_categories: input.covered_categories,
                hsn_prefixes: input.hsn_prefixes,
            },
        )
        .await;
        respond(updated, |tag, errors| GiTagUpdatePayload {
            gi_tag: tag.map(GiTag),
            errors,
        })
    }

    /// Records a cooperative as an authorised user of a GI (its managers or admins);
    /// it counts once an admin verifies it.
    async fn gi_authorised_user_register(
        &self,
        ctx: &Context<'_>,
        input: GiAuthorisedUserRegisterInput,
    ) -> Result<GiAuthorisedUserPayload> {
        let registered = catalog::register_authorised_user(
            ctx.db()?,
            &ctx.actor()?,
            catalog::NewAuthorisedUser {
                gi_tag_id: parse_id("giTagId", &input.gi_tag_id)?,
                cooperative_id: parse_id("cooperativeId", &input.cooperative_id)?,
                au_number: input.au_number,
                valid_from: input.valid_from,
                valid_until: input.valid_until,
            },
        )
        .await;
        respond(registered, |au, errors| GiAuthorisedUserPayload {
            authorised_user: au.map(AuthorisedUser),
            errors,
        })
    }

    /// Verifies or revokes an authorised-user registration (admins only).
    async fn gi_authorised_user_verify(
        &self,
        ctx: &Context<'_>,
        input: GiAuthorisedUserVerifyInput,
    ) -> Result<GiAuthorisedUserPayload> {
        let decided = catalog::decide_authorised_user(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("id", &input.id)?,
            input.approve,
        )
        .await;
        respond(decided, |au, errors| GiAuthorisedUserPayload {
            authorised_user: au.map(AuthorisedUser),
            errors,
        })
    }

    /// Claims a GI for a product: allowed only when the cooperative is a verified
    /// authorised user on every batch's production date and every batch comes from
    /// inside the GI's area.
    async fn product_gi_claim(
        &self,
        ctx: &Context<'_>,
        input: ProductGiClaimInput,
    ) -> Result<ProductGiClaimPayload> {
        let product_id = parse_id("productId", &input.product_id)?;
        let db = ctx.db()?;
        let actor = ctx.actor()?;
        let product =
            catalog::find_product_for(db, &actor, &catalog::ProductLookup::Id(product_id))
                .await
                .map_err(ApiError::from)?;
        let claimed = catalog::claim_gi(
            db,
            &actor,
            product.id,
            parse_id("giTagId", &input.gi_tag_id)?,
        )
        .await;
        respond(claimed, |claim, errors| ProductGiClaimPayload {
            gi_claim: claim.map(|claim| GiClaim {
                claim,
                cooperative_id: product.cooperative_id,
            }),
            errors,
        })
    }

    /// Withdraws a product's GI claim.
    async fn product_gi_claim_withdraw(
        &self,
        ctx: &Context<'_>,
        input: ProductGiClaimInput,
    ) -> Result<ProductGiClaimWithdrawPayload> {
        let withdrawn = catalog::withdraw_gi_claim(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("productId", &input.product_id)?,
            parse_id("giTagId", &input.gi_tag_id)?,
        )
        .await;
        respond(withdrawn, |done, errors| ProductGiClaimWithdrawPayload {
            withdrawn: done.is_some(),
            errors,
        })
    }

    /// Records a production batch; its quantity is added to the variant's stock.
    async fn batch_create(
        &self,
        ctx: &Context<'_>,
        input: BatchCreateInput,
    ) -> Result<BatchCreatePayload> {
        let created = catalog::create_batch(
            ctx.db()?,
            &ctx.actor()?,
            catalog::NewBatch {
                variant_id: parse_id("variantId", &input.variant_id)?,
                code: input.code,
                origin_village: input.origin_village,
                origin_district: input.origin_district,
                produced_on: input.produced_on,
                quantity: input.quantity,
                certificates: input
                    .certificates
                    .into_iter()
                    .map(|c| catalog::Certificate {
                        kind: c.kind.into(),
                        issuer: c.issuer,
                        number: c.number,
                        issued_on: c.issued_on,
                        document_url: c.document_url,
                    })
                    .collect(),
            },
        )
        .await;
        respond(created, |batch, errors| BatchCreatePayload {
            batch: batch.map(Batch),
            errors,
        })
    }

    /// Corrects a batch's origin, production date or quantity (the cooperative's staff
    /// and admins), with a reason: the change is appended to the batch's chain as a
    /// CORRECTED event holding what changed from what to what, and the verify page
    /// says the record was corrected. A voided batch cannot be corrected.
    async fn batch_correct(
        &self,
        ctx: &Context<'_>,
        input: BatchCorrectInput,
    ) -> Result<BatchChangePayload> {
        let corrected = catalog::correct_batch(
            ctx.db()?,
            &ctx.actor()?,
            &input.batch_code,
            catalog::BatchCorrection {
                origin_village: input.origin_village,
                origin_district: input.origin_district,
                produced_on: input.produced_on,
                quantity: input.quantity,
                reason: input.reason,
            },
        )
        .await;
        respond(corrected, |done, errors| {
            let (batch, event) = done.map_or((None, None), |(b, e)| (Some(b), Some(e)));
            BatchChangePayload {
                batch: batch.map(Batch),
                event: event.map(ProvenanceEvent),
                errors,
            }
        })
    }

    /// Voids a batch (the cooperative's staff and admins), with a reason: a VOIDED event
    /// closes its chain, its units still on hand leave the stock (BATCH_VOIDED), and it
    /// backs no GI claim from then on.
    async fn batch_void(
        &self,
        ctx: &Context<'_>,
        input: BatchVoidInput,
    ) -> Result<BatchChangePayload> {
        let voided =
            catalog::void_batch(ctx.db()?, &ctx.actor()?, &input.batch_code, &input.reason).await;
        respond(voided, |done, errors| {
            let (batch, event) = done.map_or((None, None), |(b, e)| (Some(b), Some(e)));
            BatchChangePayload {
                batch: batch.map(Batch),
                event: event.map(ProvenanceEvent),
                errors,
            }
        })
    }

    /// Appends an event to a batch's hash chain.
    async fn provenance_event_add(
        &self,
        ctx: &Context<'_>,
        input: ProvenanceEventAddInput,
    ) -> Result<ProvenanceEventAddPayload> {
        let added = catalog::add_event(
            ctx.db()?,
            &ctx.actor()?,
            &input.batch_code,
            catalog::NewEvent {
                kind: input.kind.into(),
                occurred_at: input.occurred_at,
                location: input.location,
                notes: input.notes,
                data: input
                    .data
                    .map_or_else(|| serde_json::json!({}), |json| json.0),
            },
        )
        .await;
        respond(added, |event, errors| ProvenanceEventAddPayload {
            event: event.map(ProvenanceEvent),
            errors,
        })
    }
}
