//! GI provenance over GraphQL: the GI register, authorised users, products' GI claims,
//! batches and their hash-chained events, and the public `verifyProvenance`.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::graphql::{
    ApiError, UserError,
    accounts::{actor, db},
    catalog::{Cooperative, Product, Variant, loaders, parse_id},
    errors::respond,
    loaders::loader_error,
};

/// A registered Geographical Indication. Facts not yet confirmed from the register
/// are null until an admin corrects them.
pub struct GiTag(pub catalog::GiTag);

#[Object]
impl GiTag {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn application_number(&self) -> Option<&str> {
        self.0.application_number.as_deref()
    }
    async fn class_of_goods(&self) -> Option<&str> {
        self.0.class_of_goods.as_deref()
    }
    async fn goods_description(&self) -> &str {
        &self.0.goods_description
    }
    async fn registered_proprietor(&self) -> Option<&str> {
        self.0.registered_proprietor.as_deref()
    }
    /// Districts inside the GI's geographical area.
    async fn area_districts(&self) -> &[String] {
        &self.0.area_districts
    }
    async fn area_description(&self) -> &str {
        &self.0.area_description
    }
    async fn registration_date(&self) -> Option<NaiveDate> {
        self.0.registration_date
    }
    async fn expiry_date(&self) -> Option<NaiveDate> {
        self.0.expiry_date
    }
    /// Whether the registration is in force today.
    async fn in_force(&self) -> bool {
        self.0.in_force_on(Utc::now().date_naive())
    }
    /// False while any fact still awaits confirmation from the GI register.
    async fn facts_confirmed(&self) -> bool {
        self.0.facts_confirmed
    }
    /// Where the facts come from and which are unconfirmed.
    async fn source_note(&self) -> &str {
        &self.0.source_note
    }
}

/// Where an authorised-user registration stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "catalog::AuthorisedUserStatus")]
pub enum AuthorisedUserStatus {
    Pending,
    Verified,
    Revoked,
}

/// A cooperative's registration as an authorised user of a GI.
pub struct AuthorisedUser(pub catalog::AuthorisedUser);

#[Object]
impl AuthorisedUser {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn gi_tag_id(&self) -> ID {
        ID(self.0.gi_tag_id.to_string())
    }
    async fn cooperative_id(&self) -> ID {
        ID(self.0.cooperative_id.to_string())
    }
    /// The authorised-user registration number from the GI register.
    async fn au_number(&self) -> &str {
        &self.0.au_number
    }
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    async fn valid_until(&self) -> NaiveDate {
        self.0.valid_until
    }
    async fn status(&self) -> AuthorisedUserStatus {
        self.0.status.into()
    }
    /// Verified and within its validity today.
    async fn valid_now(&self) -> bool {
        self.0.valid_on(Utc::now().date_naive())
    }
}

/// A product's claim to a GI.
pub struct GiClaim {
    pub claim: catalog::GiClaim,
    pub cooperative_id: Uuid,
}

impl GiClaim {
    async fn registration(&self, ctx: &Context<'_>) -> Result<Option<catalog::AuthorisedUser>> {
        if let Some(registration) = &self.claim.authorised_user {
            return Ok(Some(registration.clone()));
        }
        let today = Utc::now().date_naive();
        Ok(loaders(ctx)?
            .authorised_users
            .load_one(self.cooperative_id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .filter(|au| au.gi_tag_id == self.claim.gi_tag.id)
            .max_by_key(|au| (au.valid_on(today), au.valid_until)))
    }
}

#[Object]
impl GiClaim {
    async fn gi_tag(&self) -> GiTag {
        GiTag(self.claim.gi_tag.clone())
    }
    async fn claimed_at(&self) -> DateTime<Utc> {
        self.claim.claimed_at
    }
    /// The authorised-user registration behind the claim.
    async fn authorisation(&self, ctx: &Context<'_>) -> Result<Option<AuthorisedUser>> {
        Ok(self.registration(ctx).await?.map(AuthorisedUser))
    }
    /// The GI is in force and the cooperative's authorisation verified and current.
    async fn valid_now(&self, ctx: &Context<'_>) -> Result<bool> {
        let mut claim = self.claim.clone();
        claim.authorised_user = self.registration(ctx).await?;
        Ok(claim.valid_on(Utc::now().date_naive()))
    }
}

/// A document backing a batch.
#[derive(SimpleObject, Clone)]
pub struct Certificate {
    pub kind: String,
    pub issuer: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub document_url: String,
}

/// A production batch; its code is printed on the packs.
pub struct Batch(pub catalog::Batch);

#[Object]
impl Batch {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn origin_village(&self) -> &str {
        &self.0.origin_village
    }
    async fn origin_district(&self) -> &str {
        &self.0.origin_district
    }
    /// Harvest or production date.
    async fn produced_on(&self) -> NaiveDate {
        self.0.produced_on
    }
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    async fn certificates(&self) -> Vec<Certificate> {
        self.0
            .certificates
            .iter()
            .map(|c| Certificate {
                kind: c.kind.clone(),
                issuer: c.issuer.clone(),
                number: c.number.clone(),
                issued_on: c.issued_on,
                document_url: c.document_url.clone(),
            })
            .collect()
    }
    /// The batch's provenance events, in order.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<ProvenanceEvent>> {
        Ok(loaders(ctx)?
            .events
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(ProvenanceEvent)
            .collect())
    }
}

/// A step in a batch's life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ProvenanceEventKind", remote = "catalog::EventKind")]
pub enum EventKindValue {
    Harvested,
    Dried,
    Processed,
    Sorted,
    Spun,
    Woven,
    Dyed,
    Packed,
    Certified,
    ShippedToWarehouse,
}

/// A recorded provenance event with its place in the hash chain.
pub struct ProvenanceEvent(pub catalog::ProvenanceEvent);

#[Object]
impl ProvenanceEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    async fn kind(&self) -> EventKindValue {
        self.0.kind.into()
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    async fn data(&self) -> Json<serde_json::Value> {
        Json(self.0.data.clone())
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    /// SHA-256 of the previous event (64 zeros for the first).
    async fn previous_hash(&self) -> &str {
        &self.0.previous_hash
    }
    /// SHA-256 of this event's canonical content and `previousHash`.
    async fn content_hash(&self) -> &str {
        &self.0.content_hash
    }
}

/// A GI claim as it stood for the verified batch.
#[derive(SimpleObject)]
pub struct BatchGiClaim {
    pub gi_tag: GiTag,
    pub authorisation: Option<AuthorisedUser>,
    /// The GI was in force, the cooperative a verified authorised user on the batch's
    /// production date, and the batch came from inside the GI's area.
    pub valid_for_batch: bool,
    /// The same holds today.
    pub valid_now: bool,
}

/// What a printed batch code proves.
#[derive(SimpleObject)]
pub struct ProvenanceReport {
    pub batch: Batch,
    pub product: Product,
    pub variant: Variant,
    pub cooperative: Cooperative,
    pub gi_claims: Vec<BatchGiClaim>,
    pub events: Vec<ProvenanceEvent>,
    /// Every stored event still matches its hash and links to the one before it.
    pub chain_intact: bool,
    /// The first event that does not, when the chain is broken.
    pub first_broken_sequence: Option<i32>,
    /// Where the batch's trail can be fetched as GS1 EPCIS 2.0 JSON-LD.
    pub epcis_url: String,
}

#[derive(Default)]
pub struct ProvenanceQuery;

#[Object]
impl ProvenanceQuery {
    /// The GI register.
    async fn gi_tags(&self, ctx: &Context<'_>) -> Result<Vec<GiTag>> {
        Ok(catalog::list_gi_tags(db(ctx)?)
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
        let provenance = catalog::verify_provenance(db(ctx)?, &code)
            .await
            .map_err(ApiError::from)?;
        let today = Utc::now().date_naive();
        let epcis_url = format!("/provenance/{}/epcis.jsonld", provenance.batch.code);
        Ok(ProvenanceReport {
            gi_claims: provenance
                .claims
                .into_iter()
                .map(|batch_claim| BatchGiClaim {
                    valid_now: batch_claim.claim.valid_on(today),
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
    /// LAB_REPORT, ORGANIC, FSSAI_TEST, PASHMINA_MICRON_TEST or OTHER.
    pub kind: String,
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
            db(ctx)?,
            &actor(ctx)?,
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
            db(ctx)?,
            &actor(ctx)?,
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
            db(ctx)?,
            &actor(ctx)?,
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
        let db = db(ctx)?;
        let actor = actor(ctx)?;
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
            db(ctx)?,
            &actor(ctx)?,
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
            db(ctx)?,
            &actor(ctx)?,
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
                        kind: c.kind,
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

    /// Appends an event to a batch's hash chain.
    async fn provenance_event_add(
        &self,
        ctx: &Context<'_>,
        input: ProvenanceEventAddInput,
    ) -> Result<ProvenanceEventAddPayload> {
        let added = catalog::add_event(
            db(ctx)?,
            &actor(ctx)?,
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
