//! Correcting and voiding a batch. A batch's row is what the catalogue reads, but the
//! hash-chained events are what a buyer is shown: so every correction and every void
//! appends an event (`CORRECTED` with what changed from what to what, `VOIDED`) with
//! its reason, in the same transaction as the change to the row. The chain then shows
//! that the record was changed, when and why, and stays intact.
//!
//! A voided batch is withdrawn: its units leave the variant's stock through the ledger
//! (`BATCH_VOIDED`, at most what is on hand; units already sold are gone), it takes no
//! further events or corrections, and it backs no GI claim (new claims ignore it, and
//! its verify page shows no claim as valid for it).

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{Map, Value, json};

use crate::{
    Actor, Batch, CatalogError, FieldErrorCode, ProvenanceEvent,
    batches::find_batch_by_code,
    entity::batch,
    gi::{BatchOrigin, authorised_users_of, claim_problem, claimed_tags},
    provenance::{NewEvent, append_event},
    status::{EventKind, StockReason},
    variants::{load_variant, move_stock},
};
use kernel::{FieldError, FieldErrors};

/// What a correction changes; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct BatchCorrection {
    pub origin_village: Option<String>,
    pub origin_district: Option<String>,
    pub produced_on: Option<NaiveDate>,
    pub quantity: Option<i32>,
    /// Why the record was wrong; shown to buyers.
    pub reason: String,
}

const MAX_REASON: usize = 500;

fn check_reason(errors: &mut FieldErrors, reason: &str) {
    let length = reason.trim().chars().count();
    if !(3..=MAX_REASON).contains(&length) {
        errors.push(
            "reason",
            FieldErrorCode::Required,
            format!("say why, in 3 to {MAX_REASON} characters: buyers are shown it"),
        );
    }
}

fn refuse_voided(batch: &Batch) -> Result<(), CatalogError> {
    match batch.voided_at {
        Some(_) => Err(CatalogError::invalid(
            "batchCode",
            FieldErrorCode::NotAllowed,
            format!("batch {} was voided and can no longer change", batch.code),
        )),
        None => Ok(()),
    }
}

/// Records `from` → `to` under `field` when they differ.
fn change(changes: &mut Map<String, Value>, field: &str, from: Value, to: Value) {
    if from != to {
        changes.insert(field.to_owned(), json!({ "from": from, "to": to }));
    }
}

/// Corrects a batch's origin, production date or quantity, with a reason, and appends
/// the `CORRECTED` event that shows it. A new quantity moves the difference through the
/// stock ledger (`CORRECTION`); a new origin or date must still satisfy the product's
/// GI claims, as a new batch would.
pub async fn correct_batch(
    db: &impl kernel::Writer,
    actor: &Actor,
    batch_code: &str,
    correction: BatchCorrection,
) -> Result<(Batch, ProvenanceEvent), CatalogError> {
    in_transaction!(db, |txn| correct_batch_in(
        &txn, actor, batch_code, correction
    ))
}

async fn correct_batch_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    batch_code: &str,
    correction: BatchCorrection,
) -> Result<(Batch, ProvenanceEvent), CatalogError> {
    let current = find_batch_by_code(db, batch_code).await?;
    actor.require_manage(current.cooperative_id)?;
    refuse_voided(&current)?;
    let mut errors = FieldErrors::default();
    check_reason(&mut errors, &correction.reason);
    let village = correction
        .origin_village
        .as_deref()
        .map_or(current.origin_village.clone(), |v| v.trim().to_owned());
    if village.is_empty() || village.chars().count() > 100 {
        errors.push(
            "originVillage",
            FieldErrorCode::Required,
            "originVillage must have 1 to 100 characters",
        );
    }
    let district = correction
        .origin_district
        .as_deref()
        .map_or(current.origin_district.clone(), |d| d.trim().to_owned());
    let known = district == current.origin_district
        || crate::districts::district_exists(db, &district).await?;
    if !known {
        errors.push(
            "originDistrict",
            FieldErrorCode::NotFound,
            format!("{district} is not a known district"),
        );
    }
    let produced_on = correction.produced_on.unwrap_or(current.produced_on);
    if produced_on > Utc::now().date_naive() {
        errors.push(
            "producedOn",
            FieldErrorCode::OutOfRange,
            "the production date cannot be in the future",
        );
    }
    let quantity = correction.quantity.unwrap_or(current.quantity);
    if quantity < 1 {
        errors.push(
            "quantity",
            FieldErrorCode::OutOfRange,
            "a batch has at least one unit",
        );
    }
    let mut changes = Map::new();
    change(
        &mut changes,
        "originVillage",
        json!(current.origin_village),
        json!(village),
    );
    change(
        &mut changes,
        "originDistrict",
        json!(current.origin_district),
        json!(district),
    );
    change(
        &mut changes,
        "producedOn",
        json!(current.produced_on),
        json!(produced_on),
    );
    change(
        &mut changes,
        "quantity",
        json!(current.quantity),
        json!(quantity),
    );
    if changes.is_empty() {
        errors.push(
            "batchCode",
            FieldErrorCode::Invalid,
            "the correction changes nothing: give a new originVillage, originDistrict, producedOn or quantity",
        );
    }
    // The corrected origin must still carry the product's GI claims.
    let variant = load_variant(db, current.variant_id).await?;
    // An unknown district is reported as such, not also as outside every GI's area.
    let tags = claimed_tags(db, current.product_id).await?;
    if known && !tags.is_empty() {
        let registrations = authorised_users_of(db, current.cooperative_id).await?;
        let origin = BatchOrigin {
            code: current.code.clone(),
            produced_on,
            origin_district: district.clone(),
        };
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
    let delta = quantity.checked_sub(current.quantity).ok_or_else(|| {
        CatalogError::invalid("quantity", FieldErrorCode::OutOfRange, "too large")
    })?;
    if delta != 0 {
        move_stock(
            db,
            &variant,
            delta,
            StockReason::Correction,
            Some(current.id),
            Some(format!("batch {} corrected", current.code)),
            actor.user_id(),
        )
        .await
        .map_err(|error| match error {
            // The movement is the quantity's difference: name the field the caller gave.
            CatalogError::Invalid(problems) => CatalogError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError::new("quantity", p.code, p.message))
                    .collect(),
            ),
            other => other,
        })?;
    }
    let reason = correction.reason.trim().to_owned();
    let updated = batch::ActiveModel {
        id: Set(current.id),
        origin_village: Set(village),
        origin_district: Set(district.clone()),
        produced_on: Set(produced_on),
        quantity: Set(quantity),
        ..Default::default()
    }
    .update(db)
    .await?;
    let batch = Batch::try_from(updated)?;
    let event = append_event(
        db,
        &batch,
        NewEvent {
            kind: EventKind::Corrected,
            occurred_at: Utc::now(),
            location: district,
            notes: reason.clone(),
            data: json!({ "reason": reason, "changes": changes }),
        },
        actor.user_id(),
    )
    .await?;
    Ok((batch, event))
}

/// Voids a batch with a reason: appends the `VOIDED` event, takes its units off sale
/// (at most what is on hand) and closes its record.
pub async fn void_batch(
    db: &impl kernel::Writer,
    actor: &Actor,
    batch_code: &str,
    reason: &str,
) -> Result<(Batch, ProvenanceEvent), CatalogError> {
    in_transaction!(db, |txn| void_batch_in(&txn, actor, batch_code, reason))
}

async fn void_batch_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    batch_code: &str,
    reason: &str,
) -> Result<(Batch, ProvenanceEvent), CatalogError> {
    let current = find_batch_by_code(db, batch_code).await?;
    actor.require_manage(current.cooperative_id)?;
    refuse_voided(&current)?;
    let mut errors = FieldErrors::default();
    check_reason(&mut errors, reason);
    errors.finish()?;
    let reason = reason.trim().to_owned();
    let variant = load_variant(db, current.variant_id).await?;
    // Stock is counted per variant, not per batch: the batch's units still on hand are
    // at most its quantity and at most what the variant has.
    let withdrawn = current.quantity.min(variant.stock_on_hand).max(0);
    if withdrawn > 0 {
        move_stock(
            db,
            &variant,
            -withdrawn,
            StockReason::BatchVoided,
            Some(current.id),
            Some(format!("batch {} voided", current.code)),
            actor.user_id(),
        )
        .await?;
    }
    let now = Utc::now();
    let updated = batch::ActiveModel {
        id: Set(current.id),
        voided_at: Set(Some(now)),
        void_reason: Set(Some(reason.clone())),
        ..Default::default()
    }
    .update(db)
    .await?;
    let batch = Batch::try_from(updated)?;
    let event = append_event(
        db,
        &batch,
        NewEvent {
            kind: EventKind::Voided,
            occurred_at: now,
            location: batch.origin_district.clone(),
            notes: reason.clone(),
            data: json!({ "reason": reason, "unitsWithdrawn": withdrawn }),
        },
        actor.user_id(),
    )
    .await?;
    Ok((batch, event))
}
