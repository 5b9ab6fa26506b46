//! Cooperatives: the sellers. Admins register them (PENDING) and verify or suspend
//! them; only VERIFIED cooperatives and their active products are public.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{self, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, SqlErr,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Actor, CatalogError, FieldErrorCode, Page, PageRequest,
    changes::reindex_products_where,
    districts::district_exists,
    entity::{cooperative, cooperative_verification},
    identifiers::{
        LADAKH_STATE_CODE, parse_fssai_licence, parse_gstin, parse_pin_code, parse_state_code,
    },
    slug::{check_slug, slugify},
    status::{GstRegime, TurnoverBand, VerificationStatus},
};
use kernel::FieldErrors;
use kernel::paging::fetch_page;

/// A cooperative as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooperative {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub registration_number: String,
    pub registrar: String,
    pub district: String,
    pub village: String,
    pub address_line: String,
    pub pin_code: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub gstin: Option<String>,
    pub gst_regime: GstRegime,
    /// Sets the HSN digits its documents carry (4 up to Rs 5 crore, else 6).
    pub turnover_band: TurnoverBand,
    /// The GST code of the State or UT where it is registered: the State it supplies
    /// from.
    pub state_code: String,
    pub fssai_licence: Option<String>,
    pub verification_status: VerificationStatus,
    /// A change of GSTIN, regime, State or FSSAI licence made after verification,
    /// not in effect until an admin verifies it.
    pub pending_registration: Option<PendingRegistration>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The registration a verified cooperative asked to change to: every field as it
/// would be, so that the change is checked (and applied) as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingRegistration {
    pub gstin: Option<String>,
    pub gst_regime: GstRegime,
    pub state_code: String,
    pub fssai_licence: Option<String>,
}

/// One verification decision, as admins read the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub from_status: VerificationStatus,
    pub to_status: VerificationStatus,
    pub gstin: Option<String>,
    pub gst_regime: GstRegime,
    pub state_code: String,
    pub fssai_licence: Option<String>,
    pub applied_change: bool,
    pub reason: String,
    pub actor_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<cooperative::Model> for Cooperative {
    type Error = CatalogError;
    fn try_from(model: cooperative::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            verification_status: model.verification_status,
            turnover_band: model.turnover_band,
            id: model.id,
            slug: model.slug,
            name: model.name,
            registration_number: model.registration_number,
            registrar: model.registrar,
            district: model.district,
            village: model.village,
            address_line: model.address_line,
            pin_code: model.pin_code,
            contact_email: model.contact_email,
            contact_phone: model.contact_phone,
            gstin: model.gstin,
            gst_regime: model.gst_regime,
            state_code: model.state_code,
            fssai_licence: model.fssai_licence,
            pending_registration: model
                .pending_registration
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| CatalogError::Corrupt(format!("pending registration: {e}")))?,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

/// The fields of a cooperative that its staff and admins edit. `None` leaves a field
/// as it is on update; on create the required ones must be present.
#[derive(Debug, Clone, Default)]
pub struct CooperativeFields {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub registration_number: Option<String>,
    pub registrar: Option<String>,
    pub district: Option<String>,
    pub village: Option<String>,
    pub address_line: Option<String>,
    pub pin_code: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// `Some("")` clears it.
    pub gstin: Option<String>,
    /// On create, REGULAR with a GSTIN and ENROLLED without one unless given.
    pub gst_regime: Option<GstRegime>,
    /// On create, Ladakh (38) unless given.
    pub state_code: Option<String>,
    /// `Some("")` clears it.
    pub fssai_licence: Option<String>,
    /// On create, UP_TO_5_CRORE unless given. Raising it is refused while a product of
    /// the cooperative has a shorter HSN code than the band needs.
    pub turnover_band: Option<TurnoverBand>,
}

/// The value an active model will have once saved.
fn current<T: Clone + Into<sea_orm::Value>>(value: &ActiveValue<T>) -> Option<T> {
    match value {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Some(v.clone()),
        ActiveValue::NotSet => None,
    }
}

/// The GST registration must hang together, so that checkout never finds out
/// otherwise: a GSTIN for the regimes that have one and none for an enrolment, and a
/// GSTIN issued in the State the cooperative is registered in.
fn check_registration(
    model: &cooperative::ActiveModel,
    regime_given: bool,
    errors: &mut FieldErrors,
) {
    let (Some(gstin), Some(regime), Some(state)) = (
        current(&model.gstin),
        current(&model.gst_regime),
        current(&model.state_code),
    ) else {
        return;
    };
    let regime_field = if regime_given { "gstRegime" } else { "gstin" };
    match (&gstin, regime.needs_gstin()) {
        (None, true) => errors.push(
            regime_field,
            FieldErrorCode::Required,
            format!(
                "a {} cooperative needs a GSTIN; one enrolled without a GSTIN is ENROLLED",
                regime.as_str()
            ),
        ),
        (Some(_), false) => errors.push(
            regime_field,
            FieldErrorCode::Invalid,
            "an ENROLLED cooperative has no GSTIN; with one it is REGULAR or COMPOSITION",
        ),
        (Some(gstin), true) => {
            let code = gstin.get(..2).unwrap_or_default();
            if code != state {
                errors.push(
                    "gstin",
                    FieldErrorCode::Invalid,
                    format!(
                        "this GSTIN was issued in State code {code}, but the cooperative is registered in State code {state}"
                    ),
                );
            }
        }
        (None, false) => {}
    }
}

async fn apply_fields(
    db: &impl ConnectionTrait,
    model: &mut cooperative::ActiveModel,
    fields: CooperativeFields,
    creating: bool,
) -> Result<(), CatalogError> {
    let mut errors = FieldErrors::default();
    let required = |errors: &mut FieldErrors, field: &str, value: &Option<String>| {
        if creating && value.is_none() {
            errors.push(
                field,
                FieldErrorCode::Required,
                format!("{field} is required"),
            );
        }
    };
    for (field, value) in [
        ("name", &fields.name),
        ("registrationNumber", &fields.registration_number),
        ("registrar", &fields.registrar),
        ("district", &fields.district),
        ("village", &fields.village),
        ("addressLine", &fields.address_line),
        ("pinCode", &fields.pin_code),
        ("contactEmail", &fields.contact_email),
        ("contactPhone", &fields.contact_phone),
    ] {
        required(&mut errors, field, value);
    }
    if let Some(name) = &fields.name {
        let name = errors.text("name", name, 200, true);
        if creating && fields.slug.is_none() {
            model.slug = Set(slugify(&name));
        }
        model.name = Set(name);
    }
    if let Some(slug) = &fields.slug {
        match check_slug(slug) {
            Ok(()) => model.slug = Set(slug.clone()),
            Err(message) => errors.push("slug", FieldErrorCode::Invalid, message),
        }
    }
    if let Some(value) = &fields.registration_number {
        model.registration_number = Set(errors.text("registrationNumber", value, 100, true));
    }
    if let Some(value) = &fields.registrar {
        model.registrar = Set(errors.text("registrar", value, 200, true));
    }
    if let Some(value) = &fields.district {
        let district = errors.text("district", value, 100, true);
        if !district.is_empty() && !district_exists(db, &district).await? {
            errors.push(
                "district",
                FieldErrorCode::NotFound,
                format!("{district} is not a known district"),
            );
        }
        model.district = Set(district);
    }
    if let Some(value) = &fields.village {
        model.village = Set(errors.text("village", value, 100, true));
    }
    if let Some(value) = &fields.address_line {
        model.address_line = Set(errors.text("addressLine", value, 300, true));
    }
    if let Some(value) = &fields.pin_code {
        match parse_pin_code(value) {
            Ok(pin) => model.pin_code = Set(pin),
            Err(message) => errors.push("pinCode", FieldErrorCode::Invalid, message),
        }
    }
    if let Some(value) = &fields.contact_email {
        let email = errors.text("contactEmail", value, 254, true);
        if !email.is_empty() && !email.contains('@') {
            errors.push(
                "contactEmail",
                FieldErrorCode::Invalid,
                "contactEmail must be an email address",
            );
        }
        model.contact_email = Set(email);
    }
    if let Some(value) = &fields.contact_phone {
        model.contact_phone = Set(errors.text("contactPhone", value, 40, true));
    }
    match fields.gstin.as_deref().map(str::trim) {
        Some("") => model.gstin = Set(None),
        Some(value) => match parse_gstin(value) {
            Ok(gstin) => model.gstin = Set(Some(gstin)),
            Err(message) => errors.push("gstin", FieldErrorCode::Invalid, message),
        },
        None if creating => model.gstin = Set(None),
        None => {}
    }
    let mut registration_ok = true;
    if let Some(value) = &fields.state_code {
        match parse_state_code(value) {
            Ok(code) => model.state_code = Set(code),
            Err(message) => {
                registration_ok = false;
                errors.push("stateCode", FieldErrorCode::Invalid, message);
            }
        }
    } else if creating {
        model.state_code = Set(LADAKH_STATE_CODE.to_owned());
    }
    if let Some(regime) = fields.gst_regime {
        model.gst_regime = Set(regime);
    } else if creating {
        let has_gstin = current(&model.gstin).flatten().is_some();
        model.gst_regime = Set(if has_gstin {
            GstRegime::Regular
        } else {
            GstRegime::Enrolled
        });
    }
    if errors
        .0
        .iter()
        .any(|e| e.field.first().is_some_and(|f| f == "gstin"))
    {
        registration_ok = false;
    }
    if registration_ok {
        check_registration(model, fields.gst_regime.is_some(), &mut errors);
    }
    match fields.fssai_licence.as_deref().map(str::trim) {
        Some("") => model.fssai_licence = Set(None),
        Some(value) => match parse_fssai_licence(value) {
            Ok(licence) => model.fssai_licence = Set(Some(licence)),
            Err(message) => errors.push("fssaiLicence", FieldErrorCode::Invalid, message),
        },
        None if creating => model.fssai_licence = Set(None),
        None => {}
    }
    match fields.turnover_band {
        Some(band) => {
            // A band that needs more digits than some products carry is refused, so
            // that no invoice is ever printed with too short a code.
            if let (false, Some(id)) = (creating, current(&model.id)) {
                let short = crate::hsn::products_short_of(db, id, band).await?;
                if !short.is_empty() {
                    let listed: Vec<String> = short
                        .iter()
                        .take(5)
                        .map(|(slug, hsn)| format!("{slug} ({hsn})"))
                        .collect();
                    errors.push(
                        "turnoverBand",
                        FieldErrorCode::NotAllowed,
                        format!(
                            "this band needs HSN codes of at least {} digits, and {} product(s) have fewer: {}; give them a longer hsnCode first",
                            band.min_hsn_digits(),
                            short.len(),
                            listed.join(", ")
                        ),
                    );
                }
            }
            model.turnover_band = Set(band);
        }
        None if creating => model.turnover_band = Set(TurnoverBand::UpTo5Crore),
        None => {}
    }
    Ok(errors.finish()?)
}

fn unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Registers a cooperative (admins only); it starts PENDING.
pub async fn create_cooperative(
    db: &impl kernel::Writer,
    actor: &Actor,
    fields: CooperativeFields,
) -> Result<Cooperative, CatalogError> {
    in_transaction!(db, |txn| create_cooperative_in(&txn, actor, fields))
}

// The body of [`create_cooperative`], inside the transaction it opens.
async fn create_cooperative_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    fields: CooperativeFields,
) -> Result<Cooperative, CatalogError> {
    actor.require_admin()?;
    let now = Utc::now();
    let mut model = cooperative::ActiveModel {
        id: Set(Uuid::now_v7()),
        verification_status: Set(VerificationStatus::Pending),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_fields(db, &mut model, fields, true).await?;
    match model.insert(db).await {
        Ok(inserted) => Cooperative::try_from(inserted),
        Err(error) if unique_violation(&error) => Err(CatalogError::invalid(
            "slug",
            FieldErrorCode::Taken,
            "another cooperative already uses this slug",
        )),
        Err(error) => Err(error.into()),
    }
}

/// Edits a cooperative's details (its managers and admins).
pub async fn update_cooperative(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    fields: CooperativeFields,
) -> Result<Cooperative, CatalogError> {
    in_transaction!(db, |txn| update_cooperative_in(&txn, actor, id, fields))
}

// The body of [`update_cooperative`], inside the transaction it opens.
async fn update_cooperative_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    fields: CooperativeFields,
) -> Result<Cooperative, CatalogError> {
    let existing = cooperative::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::CooperativeNotFound)?;
    actor.require_manager(existing.id)?;
    let before = existing.clone();
    let mut model = existing.into_active_model();
    apply_fields(db, &mut model, fields, false).await?;
    // A verified cooperative's registration was checked by an admin: a change of it
    // waits, whole, for the next verification, and the checked one stays in force.
    if before.verification_status == VerificationStatus::Verified {
        let asked = PendingRegistration {
            gstin: current(&model.gstin).flatten(),
            gst_regime: current(&model.gst_regime).unwrap_or(before.gst_regime),
            state_code: current(&model.state_code).unwrap_or_else(|| before.state_code.clone()),
            fssai_licence: current(&model.fssai_licence).flatten(),
        };
        let in_force = PendingRegistration {
            gstin: before.gstin.clone(),
            gst_regime: before.gst_regime,
            state_code: before.state_code.clone(),
            fssai_licence: before.fssai_licence.clone(),
        };
        if asked != in_force {
            model.gstin = Set(in_force.gstin);
            model.gst_regime = Set(in_force.gst_regime);
            model.state_code = Set(in_force.state_code);
            model.fssai_licence = Set(in_force.fssai_licence);
            model.pending_registration = Set(Some(
                serde_json::to_value(&asked).map_err(|e| CatalogError::Corrupt(e.to_string()))?,
            ));
        }
    }
    model.updated_at = Set(Utc::now());
    match model.update(db).await {
        Ok(updated) => {
            reindex_products_where(
                db,
                crate::entity::product::Column::CooperativeId.eq(updated.id),
            )
            .await?;
            Cooperative::try_from(updated)
        }
        Err(error) if unique_violation(&error) => Err(CatalogError::invalid(
            "slug",
            FieldErrorCode::Taken,
            "another cooperative already uses this slug",
        )),
        Err(error) => Err(error.into()),
    }
}

/// Verifies, suspends or reinstates a cooperative (admins only), with the reason
/// recorded beside what was checked. Its products appear in or vanish from the
/// storefront with it. Verifying an already verified cooperative puts its pending
/// registration change into effect. A cooperative selling food is verified only with
/// an FSSAI licence.
pub async fn set_verification_status(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    next: VerificationStatus,
    reason: &str,
) -> Result<Cooperative, CatalogError> {
    in_transaction!(db, |txn| set_verification_status_in(
        &txn, actor, id, next, reason
    ))
}

// The body of [`set_verification_status`], inside the transaction it opens.
async fn set_verification_status_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    next: VerificationStatus,
    reason: &str,
) -> Result<Cooperative, CatalogError> {
    actor.require_admin()?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 || reason.chars().any(char::is_control) {
        return Err(CatalogError::invalid(
            "reason",
            FieldErrorCode::Required,
            "say what was checked and why (at most 1000 characters)",
        ));
    }
    let existing = cooperative::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::CooperativeNotFound)?;
    let current = existing.verification_status;
    let pending: Option<PendingRegistration> = existing
        .pending_registration
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| CatalogError::Corrupt(format!("pending registration: {e}")))?;
    let reverify = current == VerificationStatus::Verified
        && next == VerificationStatus::Verified
        && pending.is_some();
    if !current.can_become(next) && !reverify {
        return Err(CatalogError::Conflict(format!(
            "a {} cooperative cannot become {}",
            current.as_str(),
            next.as_str()
        )));
    }
    // Verification puts a pending change into effect; a suspension leaves it pending.
    let applied = if next == VerificationStatus::Verified {
        pending
    } else {
        None
    };
    let effective = applied.clone().unwrap_or_else(|| PendingRegistration {
        gstin: existing.gstin.clone(),
        gst_regime: existing.gst_regime,
        state_code: existing.state_code.clone(),
        fssai_licence: existing.fssai_licence.clone(),
    });
    if next == VerificationStatus::Verified && effective.fssai_licence.is_none() {
        let food = food_product_count(db, id).await?;
        if food > 0 {
            return Err(CatalogError::Conflict(format!(
                "the cooperative lists {food} food product(s) and has no FSSAI licence: it cannot be verified without one"
            )));
        }
    }
    // Conditional on the status read above, so two admins cannot both apply a change.
    let mut update = cooperative::Entity::update_many()
        .col_expr(cooperative::Column::VerificationStatus, Expr::value(next))
        .col_expr(cooperative::Column::UpdatedAt, Utc::now().into())
        .filter(cooperative::Column::Id.eq(id))
        .filter(cooperative::Column::VerificationStatus.eq(current));
    if applied.is_some() {
        update = update
            .col_expr(
                cooperative::Column::Gstin,
                Expr::value(effective.gstin.clone()),
            )
            .col_expr(
                cooperative::Column::GstRegime,
                Expr::value(effective.gst_regime),
            )
            .col_expr(
                cooperative::Column::StateCode,
                Expr::value(effective.state_code.clone()),
            )
            .col_expr(
                cooperative::Column::FssaiLicence,
                Expr::value(effective.fssai_licence.clone()),
            )
            .col_expr(
                cooperative::Column::PendingRegistration,
                Expr::value(Option::<serde_json::Value>::None),
            );
    }
    let updated = update.exec(db).await?;
    if updated.rows_affected != 1 {
        return Err(CatalogError::Conflict(
            "the cooperative's status changed meanwhile".to_owned(),
        ));
    }
    cooperative_verification::Entity::insert(cooperative_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        cooperative_id: Set(id),
        from_status: Set(current),
        to_status: Set(next),
        gstin: Set(effective.gstin),
        gst_regime: Set(effective.gst_regime),
        state_code: Set(effective.state_code),
        fssai_licence: Set(effective.fssai_licence),
        applied_change: Set(applied.is_some()),
        reason: Set(reason.to_owned()),
        actor_user_id: Set(actor.user_id()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    reindex_products_where(db, crate::entity::product::Column::CooperativeId.eq(id)).await?;
    tracing::info!(cooperative_id = %id, from = current.as_str(), to = next.as_str(), "cooperative status changed");
    find_cooperative(db, id).await
}

/// A cooperative's verification history, oldest first (admins only).
pub async fn verification_history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<VerificationRecord>, CatalogError> {
    actor.require_admin()?;
    let rows = cooperative_verification::Entity::find()
        .filter(cooperative_verification::Column::CooperativeId.eq(id))
        .order_by_asc(cooperative_verification::Column::CreatedAt)
        .order_by_asc(cooperative_verification::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| VerificationRecord {
            id: r.id,
            cooperative_id: r.cooperative_id,
            from_status: r.from_status,
            to_status: r.to_status,
            gstin: r.gstin,
            gst_regime: r.gst_regime,
            state_code: r.state_code,
            fssai_licence: r.fssai_licence,
            applied_change: r.applied_change,
            reason: r.reason,
            actor_user_id: r.actor_user_id,
            created_at: r.created_at,
        })
        .collect())
}

async fn find_cooperative(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Cooperative, CatalogError> {
    cooperative::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::CooperativeNotFound)
        .and_then(Cooperative::try_from)
}

/// Lists cooperatives, oldest first: verified ones for everybody; admins may ask for
/// any status.
pub async fn list_cooperatives(
    db: &impl ConnectionTrait,
    actor: &Actor,
    status: Option<VerificationStatus>,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<Cooperative>, CatalogError> {
    let status = match status {
        Some(status) if status != VerificationStatus::Verified => {
            actor.require_admin()?;
            status
        }
        _ => VerificationStatus::Verified,
    };
    let select =
        cooperative::Entity::find().filter(cooperative::Column::VerificationStatus.eq(status));
    fetch_page(
        db,
        select,
        cooperative::Column::Id,
        false,
        request,
        default_size,
    )
    .await?
    .try_map(Cooperative::try_from)
}

/// Finds a cooperative by id or slug: verified ones for everybody, any for its own
/// staff and admins.
pub async fn find_cooperative_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Option<Uuid>,
    slug: Option<&str>,
) -> Result<Cooperative, CatalogError> {
    let model = match (id, slug) {
        (Some(id), _) => cooperative::Entity::find_by_id(id).one(db).await?,
        (None, Some(slug)) => {
            cooperative::Entity::find()
                .filter(cooperative::Column::Slug.eq(slug))
                .one(db)
                .await?
        }
        (None, None) => None,
    };
    let cooperative = model
        .ok_or(CatalogError::CooperativeNotFound)
        .and_then(Cooperative::try_from)?;
    if cooperative.verification_status == VerificationStatus::Verified
        || actor.can_manage(cooperative.id)
    {
        Ok(cooperative)
    } else {
        Err(CatalogError::CooperativeNotFound)
    }
}

/// Loads cooperatives by id in one query, whatever their status: the caller decides
/// what a viewer may see of them.
pub async fn cooperatives_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Cooperative>, CatalogError> {
    cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|model| Cooperative::try_from(model).map(|coop| (coop.id, coop)))
        .collect()
}

/// Tells whether a cooperative exists, whatever its status.
pub async fn cooperative_exists(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, CatalogError> {
    Ok(cooperative::Entity::find()
        .filter(cooperative::Column::Id.eq(id))
        .count(db)
        .await?
        > 0)
}

/// How many of a cooperative's active products are in a food category (which needs an
/// FSSAI licence).
async fn food_product_count(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
) -> Result<u64, CatalogError> {
    let food_categories: Vec<Uuid> = crate::entity::category::Entity::find()
        .filter(crate::entity::category::Column::IsFood.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(crate::entity::product::Entity::find()
        .filter(crate::entity::product::Column::CooperativeId.eq(cooperative_id))
        .filter(crate::entity::product::Column::Status.eq(crate::status::ProductStatus::Active))
        .filter(crate::entity::product::Column::CategoryId.is_in(food_categories))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::VerificationStatus::*;

    #[test]
    fn verification_transitions() {
        assert!(Pending.can_become(Verified));
        assert!(Verified.can_become(Suspended));
        assert!(Suspended.can_become(Verified));
        assert!(!Verified.can_become(Pending));
        assert!(!Suspended.can_become(Pending));
        assert!(!Verified.can_become(Verified));
    }
}
