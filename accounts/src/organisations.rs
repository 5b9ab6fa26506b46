//! Buyer organisations: the government departments and institutions whose staff buy
//! through the marketplace or its GeM feed.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DeriveActiveEnum, EntityTrait, EnumIter,
    sea_query::StringLen,
};
use uuid::Uuid;

use crate::{AccountError, entity::buyer_organisation};

/// What kind of public body an organisation is. GeM registers its buyers by these
/// kinds; a typed kind lets admins pick one instead of typing a code, and lets reports
/// group buyers without normalising spellings. Stored as its upper-case name (a stored
/// value outside this set fails to load; the migration that introduced the set moved
/// free-text kinds to `OTHER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum BuyerOrganisationKind {
    /// A ministry or department of the Government of India.
    #[sea_orm(string_value = "CENTRAL_GOVERNMENT_DEPARTMENT")]
    CentralGovernmentDepartment,
    /// A department of a State government.
    #[sea_orm(string_value = "STATE_GOVERNMENT_DEPARTMENT")]
    StateGovernmentDepartment,
    /// A department of a Union Territory's administration, e.g. Ladakh's.
    #[sea_orm(string_value = "UT_GOVERNMENT_DEPARTMENT")]
    UtGovernmentDepartment,
    /// A central public sector undertaking.
    #[sea_orm(string_value = "CENTRAL_PSU")]
    CentralPsu,
    /// A State or Union Territory public sector undertaking.
    #[sea_orm(string_value = "STATE_PSU")]
    StatePsu,
    /// An autonomous body, e.g. a hill development council or a university.
    #[sea_orm(string_value = "AUTONOMOUS_BODY")]
    AutonomousBody,
    /// A municipality or panchayat.
    #[sea_orm(string_value = "LOCAL_BODY")]
    LocalBody,
    /// A cooperative society buying for its members.
    #[sea_orm(string_value = "COOPERATIVE")]
    Cooperative,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// A buyer organisation as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerOrganisation {
    pub id: Uuid,
    pub name: String,
    pub kind: BuyerOrganisationKind,
    pub gem_buyer_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What an admin supplies to register a buyer organisation.
#[derive(Debug, Clone)]
pub struct NewBuyerOrganisation {
    pub name: String,
    pub kind: BuyerOrganisationKind,
    pub gem_buyer_id: Option<String>,
}

/// Registers a buyer organisation.
pub async fn create_buyer_organisation(
    db: &impl ConnectionTrait,
    new: NewBuyerOrganisation,
) -> Result<BuyerOrganisation, AccountError> {
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AccountError::InvalidInput {
            field: "name",
            message: "name must have 1 to 200 characters".to_owned(),
        });
    }
    let gem_buyer_id = new
        .gem_buyer_id
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty());
    let model = buyer_organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        kind: Set(new.kind),
        gem_buyer_id: Set(gem_buyer_id),
        created_at: Set(Utc::now()),
    };
    let inserted = buyer_organisation::Entity::insert(model)
        .exec_with_returning(db)
        .await?;
    Ok(BuyerOrganisation {
        id: inserted.id,
        name: inserted.name,
        kind: inserted.kind,
        gem_buyer_id: inserted.gem_buyer_id,
        created_at: inserted.created_at,
    })
}

pub(crate) async fn organisation_exists(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<bool, AccountError> {
    Ok(buyer_organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some())
}
