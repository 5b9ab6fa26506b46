//! DataLoaders for every relation a list can traverse. A fresh set is made for each
//! request, so no cache is shared between viewers; each loader answers a whole batch of
//! keys with one `IN (…)` query.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use catalog::{Category, Cooperative, Variant};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::graphql::ApiError;

/// The loaders of one request.
pub struct Loaders {
    pub cooperatives: DataLoader<CooperativeById>,
    pub categories: DataLoader<CategoryById>,
    pub variants: DataLoader<VariantsByProduct>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            cooperatives: DataLoader::new(CooperativeById(db.clone()), tokio::spawn),
            categories: DataLoader::new(CategoryById(db.clone()), tokio::spawn),
            variants: DataLoader::new(VariantsByProduct(db), tokio::spawn),
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

/// Turns a loader failure into the error a resolver returns.
pub fn loader_error(error: Arc<ApiError>) -> async_graphql::Error {
    ApiError::clone(&error).into()
}
