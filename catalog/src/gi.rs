//! The Geographical Indications register, the cooperatives registered as authorised
//! users of a GI (Part B of the register), and products' GI claims.
//!
//! A product may claim a GI only while its cooperative is a verified authorised user
//! valid on the production date of every batch of the product, and every batch comes
//! from inside the GI's area. Facts the register holds that are not confirmed stay
//! null and are corrected by admins, never hard-coded.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Actor, CatalogError, FieldErrorCode,
    entity::{batch, gi_authorised_user, gi_tag, product_gi_claim},
    status::AuthorisedUserStatus,
    store::load_product,
};
use kernel::FieldErrors;

/// A registered Geographical Indication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiTag {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub application_number: Option<String>,
    pub class_of_goods: Option<String>,
    pub goods_description: String,
    pub registered_proprietor: Option<String>,
    /// Districts inside the GI's geographical area.
    pub area_districts: Vec<String>,
    pub area_description: String,
    pub registration_date: Option<NaiveDate>,
    pub expiry_date: Option<NaiveDate>,
    /// False while any fact above still awaits confirmation from the register.
    pub facts_confirmed: bool,
    pub source_note: String,
    /// Slugs of the categories whose goods the registration covers (a category covers
    /// its subcategories). Empty: no goods are covered and no claim is accepted.
    pub covered_categories: Vec<String>,
    /// HSN code prefixes of the covered goods; a claimed product's HSN code must start
    /// with one of them as well. Empty: the categories alone decide.
    pub hsn_prefixes: Vec<String>,
}

impl GiTag {
    /// Whether goods in a category (given with its ancestors' slugs, root first) and
    /// under an HSN code are goods this registration covers.
    pub fn covers_goods(&self, category_path: &[&str], hsn_code: &str) -> bool {
        let in_category = category_path
            .iter()
            .any(|slug| self.covered_categories.iter().any(|c| c == slug));
        let hsn = hsn_code.trim();
        let hsn_matches = self.hsn_prefixes.is_empty()
            || self
                .hsn_prefixes
                .iter()
                .any(|p| hsn.starts_with(p.as_str()));
        in_category && hsn_matches
    }

    /// Whether the registration is in force on a date (an unknown expiry counts as in
    /// force; an unknown registration date does not stop it).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.registration_date.is_none_or(|from| from <= date)
            && self.expiry_date.is_none_or(|until| date <= until)
    }

    pub fn covers_district(&self, district: &str) -> bool {
        self.area_districts
            .iter()
            .any(|d| d.eq_ignore_ascii_case(district.trim()))
    }
}

impl TryFrom<gi_tag::Model> for GiTag {
    type Error = CatalogError;
    fn try_from(model: gi_tag::Model) -> Result<Self, Self::Error> {
        let list =
            |value: Option<serde_json::Value>, what: &str| -> Result<Vec<String>, CatalogError> {
                value
                    .map(serde_json::from_value)
                    .transpose()
                    .map(Option::unwrap_or_default)
                    .map_err(|e| CatalogError::Corrupt(format!("GI {what}: {e}")))
            };
        Ok(Self {
            covered_categories: list(model.covered_categories, "covered categories")?,
            hsn_prefixes: list(model.hsn_prefixes, "HSN prefixes")?,
            area_districts: serde_json::from_value(model.area_districts)
                .map_err(|e| CatalogError::Corrupt(format!("GI area: {e}")))?,
            id: model.id,
            slug: model.slug,
            name: model.name,
            application_number: model.application_number,
            class_of_goods: model.class_of_goods,
            goods_description: model.goods_description,
            registered_proprietor: model.registered_proprietor,
            area_description: model.area_description,
            registration_date: model.registration_date,
            expiry_date: model.expiry_date,
            facts_confirmed: model.facts_confirmed,
            source_note: model.source_note,
        })
    }
}

/// A cooperative's registration as an authorised user of a GI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisedUser {
    pub id: Uuid,
    pub gi_tag_id: Uuid,
    pub cooperative_id: Uuid,
    pub au_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: AuthorisedUserStatus,
    pub verified_at: Option<DateTime<Utc>>,
}

impl AuthorisedUser {
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.status == AuthorisedUserStatus::Verified
            && self.valid_from <= date
            && date <= self.valid_until
    }
}

impl TryFrom<gi_authorised_user::Model> for AuthorisedUser {
    type Error = CatalogError;
    fn try_from(model: gi_authorised_user::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            status: model.status,
            id: model.id,
            gi_tag_id: model.gi_tag_id,
            cooperative_id: model.cooperative_id,
            au_number: model.au_number,
            valid_from: model.valid_from,
            valid_until: model.valid_until,
            verified_at: model.verified_at,
        })
    }
}

/// The GI register, by name.
pub async fn list_gi_tags(db: &impl ConnectionTrait) -> Result<Vec<GiTag>, CatalogError> {
    gi_tag::Entity::find()
        .order_by_asc(gi_tag::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(GiTag::try_from)
        .collect()
}

pub(crate) async fn load_gi_tag(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<GiTag, CatalogError> {
    gi_tag::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::GiTagNotFound)
        .and_then(GiTag::try_from)
}

/// Corrections an admin makes to a GI's register entry as facts are confirmed.
#[derive(Debug, Clone, Default)]
pub struct GiTagChanges {
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
    pub covered_categories: Option<Vec<String>>,
    pub hsn_prefixes: Option<Vec<String>>,
}

/// Corrects a GI's register entry (admins only).
pub async fn update_gi_tag(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    changes: GiTagChanges,
) -> Result<GiTag, CatalogError> {
    in_transaction!(db, |txn| update_gi_tag_in(&txn, actor, id, changes))
}

// The body of [`update_gi_tag`], inside the transaction it opens.
async fn update_gi_tag_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    changes: GiTagChanges,
) -> Result<GiTag, CatalogError> {
    actor.require_admin()?;
    let mut tag = load_gi_tag(db, id).await?;
    let blank_to_none = |value: String| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(value) = changes.application_number {
        tag.application_number = blank_to_none(value);
    }
    if let Some(value) = changes.class_of_goods {
        tag.class_of_goods = blank_to_none(value);
    }
    if let Some(value) = changes.registered_proprietor {
        tag.registered_proprietor = blank_to_none(value);
    }
    if let Some(value) = changes.goods_description {
        tag.goods_description = value.trim().to_owned();
    }
    if let Some(value) = changes.area_districts {
        tag.area_districts = value
            .into_iter()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
    }
    if let Some(value) = changes.area_description {
        tag.area_description = value.trim().to_owned();
    }
    if let Some(value) = changes.registration_date {
        tag.registration_date = Some(value);
    }
    if let Some(value) = changes.expiry_date {
        tag.expiry_date = Some(value);
    }
    if let Some(value) = changes.facts_confirmed {
        tag.facts_confirmed = value;
    }
    if let Some(value) = changes.source_note {
        tag.source_note = value.trim().to_owned();
    }
    let mut errors = FieldErrors::default();
    if let Some(value) = changes.covered_categories {
        let known: Vec<String> = crate::list_categories(db)
            .await?
            .into_iter()
            .map(|c| c.slug)
            .collect();
        let slugs: Vec<String> = value.into_iter().map(|s| s.trim().to_owned()).collect();
        for slug in slugs.iter().filter(|s| !known.contains(s)) {
            errors.push(
                "coveredCategories",
                FieldErrorCode::Invalid,
                format!("no category {slug}"),
            );
        }
        tag.covered_categories = slugs;
    }
    if let Some(value) = changes.hsn_prefixes {
        let prefixes: Vec<String> = value.into_iter().map(|s| s.trim().to_owned()).collect();
        if prefixes
            .iter()
            .any(|p| !(2..=8).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_digit()))
        {
            errors.push(
                "hsnPrefixes",
                FieldErrorCode::Invalid,
                "an HSN prefix has 2 to 8 digits",
            );
        }
        tag.hsn_prefixes = prefixes;
    }
    if tag.area_districts.is_empty() {
        errors.push(
            "areaDistricts",
            FieldErrorCode::Required,
            "a GI's area names at least one district",
        );
    }
    if let (Some(from), Some(until)) = (tag.registration_date, tag.expiry_date)
        && until <= from
    {
        errors.push(
            "expiryDate",
            FieldErrorCode::OutOfRange,
            "expiry must come after registration",
        );
    }
    errors.finish()?;
    gi_tag::Entity::update_many()
        .col_expr(
            gi_tag::Column::ApplicationNumber,
            tag.application_number.clone().into(),
        )
        .col_expr(
            gi_tag::Column::ClassOfGoods,
            tag.class_of_goods.clone().into(),
        )
        .col_expr(
            gi_tag::Column::RegisteredProprietor,
            tag.registered_proprietor.clone().into(),
        )
        .col_expr(
            gi_tag::Column::GoodsDescription,
            tag.goods_description.clone().into(),
        )
        .col_expr(
            gi_tag::Column::AreaDistricts,
            Expr::value(
                serde_json::to_value(&tag.area_districts)
                    .map_err(|e| CatalogError::Corrupt(e.to_string()))?,
            ),
        )
        .col_expr(
            gi_tag::Column::AreaDescription,
            tag.area_description.clone().into(),
        )
        .col_expr(
            gi_tag::Column::RegistrationDate,
            tag.registration_date.into(),
        )
        .col_expr(gi_tag::Column::ExpiryDate, tag.expiry_date.into())
        .col_expr(gi_tag::Column::FactsConfirmed, tag.facts_confirmed.into())
        .col_expr(gi_tag::Column::SourceNote, tag.source_note.clone().into())
        .col_expr(
            gi_tag::Column::CoveredCategories,
            Expr::value(
                serde_json::to_value(&tag.covered_categories)
                    .map_err(|e| CatalogError::Corrupt(e.to_string()))?,
            ),
        )
        .col_expr(
            gi_tag::Column::HsnPrefixes,
            Expr::value(
                serde_json::to_value(&tag.hsn_prefixes)
                    .map_err(|e| CatalogError::Corrupt(e.to_string()))?,
            ),
        )
        .col_expr(gi_tag::Column::UpdatedAt, Utc::now().into())
        .filter(gi_tag::Column::Id.eq(id))
        .exec(db)
        .await?;
    let claimants = sea_orm::sea_query::Query::select()
        .column(product_gi_claim::Column::ProductId)
        .from(product_gi_claim::Entity)
        .and_where(product_gi_claim::Column::GiTagId.eq(id))
        .to_owned();
    crate::changes::reindex_products_where(
        db,
        crate::entity::product::Column::Id.in_subquery(claimants),
    )
    .await?;
    Ok(tag)
}

/// A cooperative's application to be recorded as an authorised user of a GI.
#[derive(Debug, Clone)]
pub struct NewAuthorisedUser {
    pub gi_tag_id: Uuid,
    pub cooperative_id: Uuid,
    pub au_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// Records an authorised-user registration (the cooperative's managers or admins); it
/// counts only once an admin has verified it against the register.
pub async fn register_authorised_user(
    db: &impl ConnectionTrait,
    actor: &Actor,
    new: NewAuthorisedUser,
) -> Result<AuthorisedUser, CatalogError> {
    actor.require_manager(new.cooperative_id)?;
    let tag = load_gi_tag(db, new.gi_tag_id).await?;
    if !crate::cooperative_exists(db, new.cooperative_id).await? {
        return Err(CatalogError::CooperativeNotFound);
    }
    let mut errors = FieldErrors::default();
    let au_number = new.au_number.trim().to_owned();
    if au_number.is_empty() || au_number.chars().count() > 64 {
        errors.push(
            "auNumber",
            FieldErrorCode::Required,
            "the authorised-user number has 1 to 64 characters",
        );
    }
    if new.valid_until <= new.valid_from {
        errors.push(
            "validUntil",
            FieldErrorCode::OutOfRange,
            "validity must end after it starts",
        );
    }
    if let Some(expiry) = tag.expiry_date
        && new.valid_until > expiry
    {
        errors.push(
            "validUntil",
            FieldErrorCode::OutOfRange,
            format!("an authorisation cannot outlive the GI, which expires on {expiry}"),
        );
    }
    if let Some(registered) = tag.registration_date
        && new.valid_from < registered
    {
        errors.push(
            "validFrom",
            FieldErrorCode::OutOfRange,
            format!("the GI was registered on {registered}"),
        );
    }
    errors.finish()?;
    let model = gi_authorised_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        gi_tag_id: Set(tag.id),
        cooperative_id: Set(new.cooperative_id),
        au_number: Set(au_number),
        valid_from: Set(new.valid_from),
        valid_until: Set(new.valid_until),
        status: Set(AuthorisedUserStatus::Pending),
        verified_by: Set(None),
        verified_at: Set(None),
        created_at: Set(Utc::now()),
        expiry_reminded_for: Set(None),
    };
    match gi_authorised_user::Entity::insert(model)
        .exec_with_returning(db)
        .await
    {
        Ok(inserted) => AuthorisedUser::try_from(inserted),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(CatalogError::invalid(
                "auNumber",
                FieldErrorCode::Taken,
                "this authorised-user number is already recorded for the GI",
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Verifies (or revokes) an authorised-user registration (admins only).
pub async fn decide_authorised_user(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> Result<AuthorisedUser, CatalogError> {
    in_transaction!(db, |txn| decide_authorised_user_in(
        &txn, actor, id, approve
    ))
}

// The body of [`decide_authorised_user`], inside the transaction it opens.
async fn decide_authorised_user_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> Result<AuthorisedUser, CatalogError> {
    actor.require_admin()?;
    let current = gi_authorised_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::AuthorisedUserNotFound)
        .and_then(AuthorisedUser::try_from)?;
    let next = if approve {
        AuthorisedUserStatus::Verified
    } else {
        AuthorisedUserStatus::Revoked
    };
    let allowed = matches!(
        (current.status, next),
        (AuthorisedUserStatus::Pending, _)
            | (
                AuthorisedUserStatus::Verified,
                AuthorisedUserStatus::Revoked
            )
    );
    if !allowed {
        return Err(CatalogError::Conflict(format!(
            "a {} registration cannot become {}",
            current.status.as_str(),
            next.as_str()
        )));
    }
    let now = Utc::now();
    // Verifying a registration that has already lapsed would backdate a right the
    // register no longer grants; the cooperative registers its renewal instead.
    if approve && current.valid_until < now.date_naive() {
        return Err(CatalogError::invalid(
            "id",
            FieldErrorCode::NotAllowed,
            format!(
                "authorisation {} lapsed on {}; register its renewal instead",
                current.au_number, current.valid_until
            ),
        ));
    }
    gi_authorised_user::Entity::update_many()
        .col_expr(gi_authorised_user::Column::Status, Expr::value(next))
        .col_expr(
            gi_authorised_user::Column::VerifiedBy,
            actor.user_id().into(),
        )
        .col_expr(gi_authorised_user::Column::VerifiedAt, Some(now).into())
        .filter(gi_authorised_user::Column::Id.eq(id))
        .filter(gi_authorised_user::Column::Status.eq(current.status))
        .exec(db)
        .await?;
    // The cooperative's claims on this GI change what buyers and channels see.
    let claimants = sea_orm::sea_query::Query::select()
        .column(product_gi_claim::Column::ProductId)
        .from(product_gi_claim::Entity)
        .and_where(product_gi_claim::Column::GiTagId.eq(current.gi_tag_id))
        .to_owned();
    crate::changes::reindex_products_where(
        db,
        sea_orm::Condition::all()
            .add(crate::entity::product::Column::Id.in_subquery(claimants))
            .add(crate::entity::product::Column::CooperativeId.eq(current.cooperative_id)),
    )
    .await?;
    Ok(AuthorisedUser {
        status: next,
        verified_at: Some(now),
        ..current
    })
}

/// A cooperative's authorised-user registrations, for its staff and admins.
pub async fn authorised_users_of(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
) -> Result<Vec<AuthorisedUser>, CatalogError> {
    gi_authorised_user::Entity::find()
        .filter(gi_authorised_user::Column::CooperativeId.eq(cooperative_id))
        .order_by_asc(gi_authorised_user::Column::ValidFrom)
        .all(db)
        .await?
        .into_iter()
        .map(AuthorisedUser::try_from)
        .collect()
}

/// The authorised-user registrations of many cooperatives in one query.
pub async fn authorised_users_by_cooperative_ids(
    db: &impl ConnectionTrait,
    cooperative_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<AuthorisedUser>>, CatalogError> {
    let mut by_cooperative: HashMap<Uuid, Vec<AuthorisedUser>> = HashMap::new();
    for model in gi_authorised_user::Entity::find()
        .filter(gi_authorised_user::Column::CooperativeId.is_in(cooperative_ids.iter().copied()))
        .order_by_asc(gi_authorised_user::Column::ValidFrom)
        .all(db)
        .await?
    {
        let registration = AuthorisedUser::try_from(model)?;
        by_cooperative
            .entry(registration.cooperative_id)
            .or_default()
            .push(registration);
    }
    Ok(by_cooperative)
}

/// A product's claim to a GI, with the facts that make it valid or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiClaim {
    pub product_id: Uuid,
    pub gi_tag: GiTag,
    /// The registration that backs the claim today, if any.
    pub authorised_user: Option<AuthorisedUser>,
    pub claimed_at: DateTime<Utc>,
}

impl GiClaim {
    /// Valid today: the GI is in force and the cooperative's authorisation is verified
    /// and current.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.gi_tag.in_force_on(date)
            && self
                .authorised_user
                .as_ref()
                .is_some_and(|au| au.valid_on(date))
    }
}

/// The periods in which a claim on `tag` backed by these registrations is valid, as
/// inclusive `(from, until)` dates: each verified registration's validity cut to the
/// GI's term. Stored with search documents so the index decides validity on the day it
/// is asked, not on the day the document was written.
pub fn claim_windows(tag: &GiTag, registrations: &[AuthorisedUser]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut windows: Vec<(NaiveDate, NaiveDate)> = registrations
        .iter()
        .filter(|au| au.gi_tag_id == tag.id && au.status == AuthorisedUserStatus::Verified)
        .filter_map(|au| {
            let from = tag
                .registration_date
                .map_or(au.valid_from, |r| r.max(au.valid_from));
            let until = tag
                .expiry_date
                .map_or(au.valid_until, |e| e.min(au.valid_until));
            (from <= until).then_some((from, until))
        })
        .collect();
    windows.sort();
    // Adjacent or overlapping registrations (a renewal) make one period.
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(windows.len());
    for (from, until) in windows {
        match merged.last_mut() {
            Some(last) if from <= last.1.succ_opt().unwrap_or(last.1) => {
                last.1 = last.1.max(until);
            }
            _ => merged.push((from, until)),
        }
    }
    merged
}

/// The batch facts a GI claim is checked against.
#[derive(Debug, Clone)]
pub(crate) struct BatchOrigin {
    pub code: String,
    pub produced_on: NaiveDate,
    pub origin_district: String,
}

/// Why a batch cannot carry a GI, if it cannot.
pub(crate) fn claim_problem(
    tag: &GiTag,
    registrations: &[AuthorisedUser],
    batch: &BatchOrigin,
) -> Option<(&'static str, String)> {
    if !tag.covers_district(&batch.origin_district) {
        return Some((
            "originDistrict",
            format!(
                "batch {} comes from {}, outside the {} area",
                batch.code, batch.origin_district, tag.name
            ),
        ));
    }
    if !tag.in_force_on(batch.produced_on) {
        return Some((
            "producedOn",
            format!(
                "the {} GI was not in force on {}",
                tag.name, batch.produced_on
            ),
        ));
    }
    if !registrations
        .iter()
        .any(|au| au.gi_tag_id == tag.id && au.valid_on(batch.produced_on))
    {
        return Some((
            "producedOn",
            format!(
                "the cooperative was not a verified authorised user of {} on {} (batch {})",
                tag.name, batch.produced_on, batch.code
            ),
        ));
    }
    None
}

pub(crate) async fn batch_origins(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<Vec<BatchOrigin>, CatalogError> {
    // A voided batch backs no claim.
    Ok(batch::Entity::find()
        .filter(batch::Column::ProductId.eq(product_id))
        .filter(batch::Column::VoidedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|b| BatchOrigin {
            code: b.code,
            produced_on: b.produced_on,
            origin_district: b.origin_district,
        })
        .collect())
}

pub(crate) async fn claimed_tags(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<Vec<GiTag>, CatalogError> {
    let tag_ids: Vec<Uuid> = product_gi_claim::Entity::find()
        .filter(product_gi_claim::Column::ProductId.eq(product_id))
        .all(db)
        .await?
        .into_iter()
        .map(|claim| claim.gi_tag_id)
        .collect();
    gi_tag::Entity::find()
        .filter(gi_tag::Column::Id.is_in(tag_ids))
        .all(db)
        .await?
        .into_iter()
        .map(GiTag::try_from)
        .collect()
}

/// Refuses a GI on goods outside its registration: the product's category (or one of
/// its ancestors) must be a covered category and its HSN code must start with a
/// covered prefix. The HSN code is the product's own when it overrides its
/// category's (blankets, 6301, in a woollens category): that is the code its
/// invoices print, so it is what says which goods they are.
pub(crate) async fn check_goods_covered(
    db: &impl ConnectionTrait,
    tag: &GiTag,
    category_id: Uuid,
    hsn_override: Option<&str>,
) -> Result<(), CatalogError> {
    let categories = crate::list_categories(db).await?;
    let path = crate::categories::category_path(&categories, category_id);
    let Some(leaf) = path.last() else {
        return Err(CatalogError::Corrupt(format!(
            "category {category_id} not found"
        )));
    };
    let slugs: Vec<&str> = path.iter().map(|c| c.slug.as_str()).collect();
    let hsn = hsn_override
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(&leaf.hsn_code);
    if tag.covers_goods(&slugs, hsn) {
        return Ok(());
    }
    let covered = if tag.covered_categories.is_empty() {
        "no listed goods".to_owned()
    } else {
        tag.covered_categories.join(", ")
    };
    Err(CatalogError::invalid(
        "giTagId",
        FieldErrorCode::NotAllowed,
        format!(
            "the {} GI covers {covered}, not {} goods (HSN {hsn})",
            tag.name, leaf.name
        ),
    ))
}

/// Claims a GI for a product after checking every batch of it against the rules.
pub async fn claim_gi(
    db: &impl kernel::Writer,
    actor: &Actor,
    product_id: Uuid,
    gi_tag_id: Uuid,
) -> Result<GiClaim, CatalogError> {
    in_transaction!(db, |txn| claim_gi_in(&txn, actor, product_id, gi_tag_id))
}

// The body of [`claim_gi`], inside the transaction it opens.
async fn claim_gi_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product_id: Uuid,
    gi_tag_id: Uuid,
) -> Result<GiClaim, CatalogError> {
    let product = load_product(db, product_id).await?;
    actor.require_manage(product.cooperative_id)?;
    let tag = load_gi_tag(db, gi_tag_id).await?;
    check_goods_covered(db, &tag, product.category_id, product.hsn_code.as_deref()).await?;
    let registrations = authorised_users_of(db, product.cooperative_id).await?;
    let batches = batch_origins(db, product.id).await?;
    if batches.is_empty() {
        return Err(CatalogError::invalid(
            "productId",
            FieldErrorCode::NotAllowed,
            "record at least one batch before claiming a GI, so its origin can be checked",
        ));
    }
    let mut problems: Vec<_> = batches
        .iter()
        .filter_map(|batch| claim_problem(&tag, &registrations, batch))
        .map(|(field, message)| crate::FieldError::new(field, FieldErrorCode::NotAllowed, message))
        .collect();
    // The claim is shown from today, so it needs a registration valid today as well as
    // on every batch's production date.
    let today = Utc::now().date_naive();
    if !tag.in_force_on(today)
        || !registrations
            .iter()
            .any(|au| au.gi_tag_id == tag.id && au.valid_on(today))
    {
        problems.push(crate::FieldError::new(
            "giTagId",
            FieldErrorCode::NotAllowed,
            format!(
                "the cooperative holds no verified authorisation for {} valid today ({today})",
                tag.name
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(CatalogError::Invalid(problems));
    }
    let now = Utc::now();
    let inserted = product_gi_claim::Entity::insert(product_gi_claim::ActiveModel {
        id: Set(Uuid::now_v7()),
        product_id: Set(product.id),
        gi_tag_id: Set(tag.id),
        created_at: Set(now),
    })
    .exec(db)
    .await;
    match inserted {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(CatalogError::Conflict(
                "the product already claims this GI".to_owned(),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    crate::changes::product_changed(db, &[product.id]).await?;
    let authorised_user = registrations
        .into_iter()
        .filter(|au| au.gi_tag_id == tag.id)
        .find(|au| au.valid_on(today));
    Ok(GiClaim {
        product_id: product.id,
        gi_tag: tag,
        authorised_user,
        claimed_at: now,
    })
}

/// Withdraws a product's GI claim.
pub async fn withdraw_gi_claim(
    db: &impl kernel::Writer,
    actor: &Actor,
    product_id: Uuid,
    gi_tag_id: Uuid,
) -> Result<(), CatalogError> {
    let txn = kernel::begin_write(db).await?;
    withdraw_gi_claim_in(&txn, actor, product_id, gi_tag_id).await?;
    txn.commit().await?;
    Ok(())
}

// The body of [`withdraw_gi_claim`], inside the transaction it opens.
async fn withdraw_gi_claim_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product_id: Uuid,
    gi_tag_id: Uuid,
) -> Result<(), CatalogError> {
    let product = load_product(db, product_id).await?;
    actor.require_manage(product.cooperative_id)?;
    let deleted = product_gi_claim::Entity::delete_many()
        .filter(product_gi_claim::Column::ProductId.eq(product_id))
        .filter(product_gi_claim::Column::GiTagId.eq(gi_tag_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(CatalogError::GiTagNotFound);
    }
    crate::changes::product_changed(db, &[product_id]).await?;
    Ok(())
}

/// Loads the GI claims of many products (with their tags and the registrations behind
/// them) in one query plus one per table touched, for DataLoaders.
pub async fn gi_claims_by_product_ids(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<GiClaim>>, CatalogError> {
    let rows = product_gi_claim::Entity::find()
        .filter(product_gi_claim::Column::ProductId.is_in(product_ids.iter().copied()))
        .find_also_related(gi_tag::Entity)
        .all(db)
        .await?;
    let mut claims: HashMap<Uuid, Vec<GiClaim>> = HashMap::new();
    for (claim, tag) in rows {
        let tag = tag
            .ok_or_else(|| CatalogError::Corrupt("claim without GI".to_owned()))
            .and_then(GiTag::try_from)?;
        claims.entry(claim.product_id).or_default().push(GiClaim {
            product_id: claim.product_id,
            gi_tag: tag,
            authorised_user: None,
            claimed_at: claim.created_at,
        });
    }
    Ok(claims)
}

/// Fills in the registration behind each claim, given the cooperative of each product.
pub async fn attach_authorisations(
    db: &impl ConnectionTrait,
    claims: &mut [GiClaim],
    cooperative_id: Uuid,
) -> Result<(), CatalogError> {
    let registrations = authorised_users_of(db, cooperative_id).await?;
    let today = Utc::now().date_naive();
    for claim in claims.iter_mut() {
        claim.authorised_user = registrations
            .iter()
            .filter(|au| au.gi_tag_id == claim.gi_tag.id)
            .max_by_key(|au| (au.valid_on(today), au.valid_until))
            .cloned();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn apricot_gi() -> GiTag {
        GiTag {
            id: Uuid::from_u128(1),
            slug: "raktsey-karpo-apricot".into(),
            name: "Raktsey Karpo Apricot".into(),
            application_number: None,
            class_of_goods: None,
            goods_description: String::new(),
            registered_proprietor: None,
            area_districts: vec!["Leh".into(), "Kargil".into(), "Sham".into()],
            area_description: String::new(),
            registration_date: Some(date("2022-12-14")),
            expiry_date: Some(date("2032-12-13")),
            facts_confirmed: false,
            source_note: String::new(),
            covered_categories: vec!["apricot-fresh".into(), "apricot-dried".into()],
            hsn_prefixes: vec!["0809".into(), "0813".into()],
        }
    }

    #[test]
    fn a_gi_covers_only_its_categories_under_its_hsn_prefixes() {
        let tag = apricot_gi();
        assert!(tag.covers_goods(&["apricot", "apricot-dried"], "08131000"));
        assert!(!tag.covers_goods(&["apricot", "apricot-kernels"], "121299"));
        assert!(!tag.covers_goods(&["apricot", "apricot-dried"], "2007"));
        let mut parent = apricot_gi();
        parent.covered_categories = vec!["apricot".into()];
        parent.hsn_prefixes.clear();
        assert!(parent.covers_goods(&["apricot", "apricot-jam"], "2007"));
        let mut nothing = apricot_gi();
        nothing.covered_categories.clear();
        assert!(!nothing.covers_goods(&["apricot", "apricot-dried"], "0813"));
    }

    fn registration(status: AuthorisedUserStatus, from: &str, until: &str) -> AuthorisedUser {
        AuthorisedUser {
            id: Uuid::from_u128(2),
            gi_tag_id: Uuid::from_u128(1),
            cooperative_id: Uuid::from_u128(3),
            au_number: "AU/1".into(),
            valid_from: date(from),
            valid_until: date(until),
            status,
            verified_at: None,
        }
    }

    fn batch(district: &str, produced: &str) -> BatchOrigin {
        BatchOrigin {
            code: "B1".into(),
            produced_on: date(produced),
            origin_district: district.into(),
        }
    }

    #[test]
    fn a_verified_current_authorisation_and_an_origin_in_the_area_allow_a_claim() {
        let registrations = [registration(
            AuthorisedUserStatus::Verified,
            "2023-01-01",
            "2030-01-01",
        )];
        assert_eq!(
            claim_problem(&apricot_gi(), &registrations, &batch("sham", "2025-08-01")),
            None
        );
    }

    #[test]
    fn origin_outside_the_area_is_refused() {
        let registrations = [registration(
            AuthorisedUserStatus::Verified,
            "2023-01-01",
            "2030-01-01",
        )];
        let problem = claim_problem(
            &apricot_gi(),
            &registrations,
            &batch("Kinnaur", "2025-08-01"),
        );
        assert_eq!(problem.map(|p| p.0), Some("originDistrict"));
    }

    #[test]
    fn pending_or_expired_authorisations_do_not_count() {
        for registrations in [
            [registration(
                AuthorisedUserStatus::Pending,
                "2023-01-01",
                "2030-01-01",
            )],
            [registration(
                AuthorisedUserStatus::Verified,
                "2023-01-01",
                "2024-11-30",
            )],
            [registration(
                AuthorisedUserStatus::Revoked,
                "2023-01-01",
                "2030-01-01",
            )],
        ] {
            let problem = claim_problem(&apricot_gi(), &registrations, &batch("Leh", "2025-08-01"));
            assert_eq!(problem.map(|p| p.0), Some("producedOn"));
        }
    }

    #[test]
    fn a_batch_before_the_gi_was_in_force_is_refused() {
        let registrations = [registration(
            AuthorisedUserStatus::Verified,
            "2020-01-01",
            "2030-01-01",
        )];
        let problem = claim_problem(&apricot_gi(), &registrations, &batch("Leh", "2021-08-01"));
        assert_eq!(problem.map(|p| p.0), Some("producedOn"));
    }
}
