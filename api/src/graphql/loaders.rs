//! DataLoaders for every relation a list can traverse. A fresh set is made for each
//! request, so no cache is shared between viewers; each loader answers a whole batch of
//! keys with one `IN (…)` query.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use catalog::{AuthorisedUser, Category, Cooperative, GiClaim, Variant};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::graphql::ApiError;

/// The loaders of one request.
pub struct Loaders {
    pub cooperatives: DataLoader<CooperativeById>,
    pub categories: DataLoader<CategoryById>,
    pub variants: DataLoader<VariantsByProduct>,
    pub gi_claims: DataLoader<GiClaimsByProduct>,
    pub authorised_users: DataLoader<AuthorisedUsersByCooperative>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            cooperatives: DataLoader::new(CooperativeById(db.clone()), tokio::spawn),
            categories: DataLoader::new(CategoryById(db.clone()), tokio::spawn),
            variants: DataLoader::new(VariantsByProduct(db.clone()), tokio::spawn),
            gi_claims: DataLoader::new(GiClaimsByProduct(db.clone()), tokio::spawn),
            authorised_users: DataLoader::new(AuthorisedUsersByCooperative(db), tokio::spawn),
        }
    }
}

/// Cooperatives by id.
pub struct CooperativeById(DatabaseConnection);

impl Loader<Uuid> for CooperativeById {
    type Value = Cooperative;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Cooperative>, Self::Error> {
        catalog::cooperatives_by_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// Categories by id.
pub struct CategoryById(DatabaseConnection);

impl Loader<Uuid> for CategoryById {
    type Value = Category;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Category>, Self::Error> {
        catalog::categories_by_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// A product's variants, by product id.
pub struct VariantsByProduct(DatabaseConnection);

impl Loader<Uuid> for VariantsByProduct {
    type Value = Vec<Variant>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<Variant>>, Self::Error> {
        catalog::variants_by_product_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// A product's GI claims with their tags, by product id.
pub struct GiClaimsByProduct(DatabaseConnection);

impl Loader<Uuid> for GiClaimsByProduct {
    type Value = Vec<GiClaim>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<GiClaim>>, Self::Error> {
        catalog::gi_claims_by_product_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// A cooperative's GI authorised-user registrations, by cooperative id.
pub struct AuthorisedUsersByCooperative(DatabaseConnection);

impl Loader<Uuid> for AuthorisedUsersByCooperative {
    type Value = Vec<AuthorisedUser>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<AuthorisedUser>>, Self::Error> {
        catalog::authorised_users_by_cooperative_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// Turns a loader failure into the error a resolver returns.
pub fn loader_error(error: Arc<ApiError>) -> async_graphql::Error {
    ApiError::clone(&error).into()
}
