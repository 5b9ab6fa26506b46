//! Production batches: where a variant's stock comes from. A batch records its origin
//! (village and district), its production or harvest date, its quantity and its
//! certificates; creating it adds its quantity to the variant's stock through the
//! ledger, in the same transaction. A batch of a product that claims a GI must satisfy
//! the claim's rules.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, SqlErr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Actor, CatalogError, FieldErrorCode,
    entity::batch,
    gi::{BatchOrigin, authorised_users_of, claim_problem, claimed_tags},
    status::StockReason,
    variants::{load_variant, move_stock},
};
use kernel::{FieldError, FieldErrors};

/// A document backing a batch: a lab report, an organic certificate, a micron test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub kind: CertificateKind,
    pub issuer: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub document_url: String,
}

/// A production batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: Uuid,
    pub code: String,
    pub product_id: Uuid,
    pub variant_id: Uuid,
    pub cooperative_id: Uuid,
    pub origin_village: String,
    pub origin_district: String,
    pub produced_on: NaiveDate,
    pub quantity: i32,
    pub certificates: Vec<Certificate>,
    pub created_at: DateTime<Utc>,
    /// Set when the batch was voided: it is then no longer sold, takes no new events
    /// and backs no GI claim.
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

impl TryFrom<batch::Model> for Batch {
    type Error = CatalogError;
    fn try_from(model: batch::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            certificates: serde_json::from_value(model.certificates)
                .map_err(|e| CatalogError::Corrupt(format!("certificates: {e}")))?,
            id: model.id,
            code: model.code,
            product_id: model.product_id,
            variant_id: model.variant_id,
            cooperative_id: model.cooperative_id,
            origin_village: model.origin_village,
            origin_district: model.origin_district,
            produced_on: model.produced_on,
            quantity: model.quantity,
            created_at: model.created_at,
            voided_at: model.voided_at,
            void_reason: model.void_reason,
        })
    }
}

/// A batch a cooperative records.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub variant_id: Uuid,
    pub code: String,
    pub origin_village: String,
    pub origin_district: String,
    pub produced_on: NaiveDate,
    pub quantity: i32,
    pub certificates: Vec<Certificate>,
}

/// What a certificate is. Stored inside the batch's JSON as its upper-case name, so the
/// records written while the kind was a free string read back unchanged (only these five
/// were ever accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateKind {
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

/// Checks the shape of a printed batch code: 4 to 24 upper-case letters, digits and
/// hyphens, so that it survives printing, QR codes and being typed in by a buyer.
pub fn check_batch_code(code: &str) -> Result<(), String> {
    let valid = (4..=24).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err("batch code must be 4 to 24 upper-case letters, digits and hyphens".to_owned())
    }
}

fn check_new_batch(new: &NewBatch, today: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if let Err(message) = check_batch_code(&new.code) {
        errors.push("code", FieldErrorCode::Invalid, message);
    }
    for (field, value) in [
        ("originVillage", &new.origin_village),
        ("originDistrict", &new.origin_district),
    ] {
        if value.trim().is_empty() || value.chars().count() > 100 {
            errors.push(
                field,
                FieldErrorCode::Required,
                format!("{field} must have 1 to 100 characters"),
            );
        }
    }
    if new.produced_on > today {
        errors.push(
            "producedOn",
            FieldErrorCode::OutOfRange,
            "the production date cannot be in the future",
        );
    }
    if let Some(problem) = crate::variants::movement_problem("quantity", new.quantity) {
        errors.0.push(problem);
    }
    for (index, certificate) in new.certificates.iter().enumerate() {
        let field = format!("certificates.{index}");
        if !certificate.document_url.starts_with("https://") {
            errors.push(
                &format!("{field}.documentUrl"),
                FieldErrorCode::Invalid,
                "document URL must be https",
            );
        }
        if certificate.issuer.trim().is_empty() || certificate.number.trim().is_empty() {
            errors.push(
                &field,
                FieldErrorCode::Required,
                "a certificate names its issuer and number",
            );
        }
        if certificate.issued_on > today {
            errors.push(
                &format!("{field}.issuedOn"),
                FieldErrorCode::OutOfRange,
                "a certificate cannot be issued in the future",
            );
        }
    }
    errors
}

/// Records a batch and adds its quantity to the variant's stock, in one transaction.
pub async fn create_batch(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewBatch,
) -> Result<Batch, CatalogError> {
    let txn = kernel::begin_write(db).await?;
    let batch = create_batch_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(batch)
}

pub(crate) async fn create_batch_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    new: NewBatch,
) -> Result<Batch, CatalogError> {
    let variant = load_variant(db, new.variant_id).await?;
    actor.require_manage(variant.cooperative_id)?;
    let mut errors = check_new_batch(&new, Utc::now().date_naive());
    // A GI's area is a list of districts: an origin spelt any other way could never be
    // checked against it, so it must be one the marketplace knows (admins add more).
    let district = new.origin_district.trim();
    if !district.is_empty() && !crate::districts::district_exists(db, district).await? {
        errors.push(
            "originDistrict",
            FieldErrorCode::NotFound,
            format!("{district} is not a known district"),
        );
    }
    let origin = BatchOrigin {
        code: new.code.clone(),
        produced_on: new.produced_on,
        origin_district: new.origin_district.trim().to_owned(),
    };
    let tags = claimed_tags(db, variant.product_id).await?;
    if !tags.is_empty() {
        let registrations = authorised_users_of(db, variant.cooperative_id).await?;
        for tag in &tags {
            if let Some((field, message)) = claim_problem(tag, &registrations, &origin) {
                errors.push(
                    field,
                    FieldErrorCode::NotAllowed,
                    format!("the product claims {}: {message}", tag.name),
                );
            }
        }
    }
    errors.finish()?;
    let certificates = serde_json::to_value(&new.certificates)
        .map_err(|e| CatalogError::Corrupt(e.to_string()))?;
    let inserted = batch::Entity::insert(batch::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(new.code.clone()),
        product_id: Set(variant.product_id),
        variant_id: Set(variant.id),
        cooperative_id: Set(variant.cooperative_id),
        origin_village: Set(new.origin_village.trim().to_owned()),
        origin_district: Set(origin.origin_district),
        produced_on: Set(new.produced_on),
        quantity: Set(new.quantity),
        certificates: Set(certificates),
        created_at: Set(Utc::now()),
        voided_at: Set(None),
        void_reason: Set(None),
    })
    .exec_with_returning(db)
    .await;
    let batch = match inserted {
        Ok(model) => Batch::try_from(model)?,
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(CatalogError::invalid(
                "code",
                FieldErrorCode::Taken,
                "this batch code is already used",
            ));
        }
        Err(error) => return Err(error.into()),
    };
    move_stock(
        db,
        &variant,
        batch.quantity,
        StockReason::BatchReceived,
        Some(batch.id),
        None,
        actor.user_id(),
    )
    .await
    .map_err(|error| match error {
        // The movement is the batch's quantity: name the field the caller gave.
        CatalogError::Invalid(problems) => CatalogError::Invalid(
            problems
                .into_iter()
                .map(|p| FieldError::new("quantity", p.code, p.message))
                .collect(),
        ),
        other => other,
    })?;
    Ok(batch)
}

/// Finds a batch by its printed code.
pub async fn find_batch_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Batch, CatalogError> {
    batch::Entity::find()
        .filter(batch::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db)
        .await?
        .ok_or(CatalogError::BatchNotFound)
        .and_then(Batch::try_from)
}

/// The batches of one product, oldest first.
pub async fn batches_of_product(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<Vec<Batch>, CatalogError> {
    batch::Entity::find()
        .filter(batch::Column::ProductId.eq(product_id))
        .order_by_asc(batch::Column::ProducedOn)
        .all(db)
        .await?
        .into_iter()
        .map(Batch::try_from)
        .collect()
}

/// The batches of many products in one query, each product's oldest first.
pub async fn batches_by_product_ids(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Batch>>, CatalogError> {
    let mut by_product: std::collections::HashMap<Uuid, Vec<Batch>> =
        std::collections::HashMap::new();
    for model in batch::Entity::find()
        .filter(batch::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(batch::Column::ProducedOn)
        .all(db)
        .await?
    {
        let batch = Batch::try_from(model)?;
        by_product.entry(batch.product_id).or_default().push(batch);
    }
    Ok(by_product)
}
