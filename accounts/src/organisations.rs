//! Buyer organisations: the government departments and institutions whose staff buy
//! through the marketplace or its GeM feed.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{AccountError, BuyerOrganisationKind, entity::buyer_organisation};

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
