//! GI tags, authorised users, GI claims, batches and their provenance events.

use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::graphql::{
    catalog::{Cooperative, Product, Variant},
    context::ContextExt,
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
    /// Slugs of the categories whose goods the registration covers (with their
    /// subcategories); a claim on a product in any other category is refused.
    async fn covered_categories(&self) -> &[String] {
        &self.0.covered_categories
    }
    /// HSN code prefixes of the covered goods; a claimed product's HSN must match one.
    async fn hsn_prefixes(&self) -> &[String] {
        &self.0.hsn_prefixes
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
        Ok(ctx
            .loaders()?
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

/// What a certificate is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CertificateKind", remote = "catalog::CertificateKind")]
pub enum CertificateKindValue {
    /// A laboratory's analysis of the batch.
    LabReport,
    /// An organic certification (NPOP, PGS-India).
    Organic,
    /// A food-safety test to FSSAI's standards.
    FssaiTest,
    /// A fibre-diameter test of pashmina.
    PashminaMicronTest,
    Other,
}

/// A document backing a batch.
#[derive(SimpleObject, Clone)]
pub struct Certificate {
    pub kind: CertificateKindValue,
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
                kind: c.kind.into(),
                issuer: c.issuer.clone(),
                number: c.number.clone(),
                issued_on: c.issued_on,
                document_url: c.document_url.clone(),
            })
            .collect()
    }
    /// When the batch was voided; null while it stands.
    async fn voided_at(&self) -> Option<DateTime<Utc>> {
        self.0.voided_at
    }
    /// Why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }
    /// The batch's provenance events, in order.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<ProvenanceEvent>> {
        Ok(ctx
            .loaders()?
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
    /// The batch's record was corrected; `data` holds the changes and the reason.
    Corrected,
    /// The batch was voided; `notes` holds the reason.
    Voided,
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

/// Whether a batch's record stands as first written.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "catalog::BatchRecordStatus")]
pub enum BatchRecordStatus {
    /// Never corrected nor voided.
    Original,
    /// Corrected at least once; the CORRECTED events in the chain say what and why.
    Corrected,
    /// Withdrawn: no longer sold, and it backs no GI claim.
    Voided,
}

/// What a printed batch code proves.
#[derive(SimpleObject)]
pub struct ProvenanceReport {
    /// Original, corrected or voided.
    pub record_status: BatchRecordStatus,
    /// When the record last changed status (the void, else the latest correction).
    pub record_changed_at: Option<DateTime<Utc>>,
    /// The reason given for it.
    pub record_reason: Option<String>,
    /// The record's status in plain words, for buyers; null for an original record.
    pub record_note: Option<String>,
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
