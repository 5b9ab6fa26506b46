//! Cooperatives: the sellers. Only VERIFIED cooperatives are public.

use std::{collections::HashMap, str::FromStr};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{CatalogError, Page, PageRequest, entity::cooperative, pagination::fetch_page};

/// Where a cooperative stands with the registrar's staff on this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationStatus {
    Pending,
    Verified,
    Suspended,
}

impl VerificationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::Suspended => "SUSPENDED",
        }
    }
}

impl FromStr for VerificationStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "PENDING" => Ok(Self::Pending),
            "VERIFIED" => Ok(Self::Verified),
            "SUSPENDED" => Ok(Self::Suspended),
            other => Err(format!("unknown verification status {other}")),
        }
    }
}

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
    pub fssai_licence: Option<String>,
    pub verification_status: VerificationStatus,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<cooperative::Model> for Cooperative {
    type Error = CatalogError;
    fn try_from(model: cooperative::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            verification_status: model
                .verification_status
                .parse()
                .map_err(CatalogError::Corrupt)?,
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
            fssai_licence: model.fssai_licence,
            created_at: model.created_at,
        })
    }
}

fn public_cooperatives() -> sea_orm::Select<cooperative::Entity> {
    cooperative::Entity::find()
        .filter(cooperative::Column::VerificationStatus.eq(VerificationStatus::Verified.as_str()))
}

/// Lists verified cooperatives, oldest first.
pub async fn list_public_cooperatives(
    db: &impl ConnectionTrait,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<Cooperative>, CatalogError> {
    fetch_page(
        db,
        public_cooperatives(),
        cooperative::Column::Id,
        false,
        request,
        default_size,
    )
    .await?
    .try_map(Cooperative::try_from)
}

/// Finds a verified cooperative by id or slug.
pub async fn find_public_cooperative(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    slug: Option<&str>,
) -> Result<Cooperative, CatalogError> {
    let mut select = public_cooperatives();
    if let Some(id) = id {
        select = select.filter(cooperative::Column::Id.eq(id));
    }
    if let Some(slug) = slug {
        select = select.filter(cooperative::Column::Slug.eq(slug));
    }
    if id.is_none() && slug.is_none() {
        return Err(CatalogError::CooperativeNotFound);
    }
    select
        .one(db)
        .await?
        .ok_or(CatalogError::CooperativeNotFound)
        .and_then(Cooperative::try_from)
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
