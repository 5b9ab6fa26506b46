//! DataLoaders for every relation a list can traverse. A fresh set is made for each
//! request, so no cache is shared between viewers; each loader answers a whole batch of
//! keys with one `IN (…)` query.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use catalog::{AuthorisedUser, Category, Cooperative, GiClaim, Variant};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::graphql::ApiError;

type Cached<T> = DataLoader<T, HashMapCache>;

/// The loaders of one request, each with a per-request cache that list resolvers
/// prime in one batch per relation (see [`Loaders::prime_products`]), so the number of
/// statements a page costs does not depend on how the scheduler interleaves resolvers.
pub struct Loaders {
    pub cooperatives: Cached<CooperativeById>,
    pub categories: Cached<CategoryById>,
    pub variants: Cached<VariantsByProduct>,
    pub gi_claims: Cached<GiClaimsByProduct>,
    pub authorised_users: Cached<AuthorisedUsersByCooperative>,
    pub batches: Cached<BatchesByProduct>,
    pub events: Cached<EventsByBatch>,
    db: DatabaseConnection,
}

/// Which relations of a list of products the client selected.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProductRelations {
    pub cooperative: bool,
    pub category: bool,
    pub variants: bool,
    pub gi_claims: bool,
    pub cooperative_authorisations: bool,
    pub batches: bool,
    pub batch_events: bool,
}

impl ProductRelations {
    /// Reads the selection below `edges { node }` and `nodes` of a connection field.
    pub fn selected(ctx: &async_graphql::Context<'_>) -> Self {
        let look_ahead = ctx.look_ahead();
        let node = look_ahead.field("edges").field("node");
        let nodes = look_ahead.field("nodes");
        let any = |name: &str| node.field(name).exists() || nodes.field(name).exists();
        let nested = |outer: &str, inner: &str| {
            node.field(outer).field(inner).exists() || nodes.field(outer).field(inner).exists()
        };
        Self {
            cooperative: any("cooperative"),
            category: any("category"),
            // The declared MRP is the first variant's.
            variants: any("variants") || nested("declarations", "mrp"),
            gi_claims: any("giClaims"),
            cooperative_authorisations: nested("cooperative", "giAuthorisations"),
            batches: any("batches"),
            batch_events: nested("batches", "events"),
        }
    }
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        let cache = HashMapCache::default;
        Self {
            cooperatives: DataLoader::with_cache(
                CooperativeById(db.clone()),
                tokio::spawn,
                cache(),
            ),
            categories: DataLoader::with_cache(CategoryById(db.clone()), tokio::spawn, cache()),
            variants: DataLoader::with_cache(VariantsByProduct(db.clone()), tokio::spawn, cache()),
            gi_claims: DataLoader::with_cache(GiClaimsByProduct(db.clone()), tokio::spawn, cache()),
            authorised_users: DataLoader::with_cache(
                AuthorisedUsersByCooperative(db.clone()),
                tokio::spawn,
                cache(),
            ),
            batches: DataLoader::with_cache(BatchesByProduct(db.clone()), tokio::spawn, cache()),
            events: DataLoader::with_cache(EventsByBatch(db.clone()), tokio::spawn, cache()),
            db,
        }
    }

    /// Loads the selected relations of a page of products, one statement per
    /// relation, into the caches the product resolvers read.
    pub async fn prime_products(
        &self,
        products: &[catalog::Product],
        relations: ProductRelations,
    ) -> Result<(), ApiError> {
        if products.is_empty() {
            return Ok(());
        }
        let product_ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
        let mut cooperative_ids: Vec<Uuid> = products.iter().map(|p| p.cooperative_id).collect();
        cooperative_ids.sort_unstable();
        cooperative_ids.dedup();
        if relations.cooperative {
            let found = catalog::cooperatives_by_ids(&self.db, &cooperative_ids).await?;
            self.cooperatives.feed_many(found).await;
        }
        // GI claims shown to the public need the authorisations that make them valid.
        if relations.cooperative_authorisations || relations.gi_claims {
            let mut found =
                catalog::authorised_users_by_cooperative_ids(&self.db, &cooperative_ids).await?;
            for id in &cooperative_ids {
                found.entry(*id).or_default();
            }
            self.authorised_users.feed_many(found).await;
        }
        if relations.batches {
            let mut found = catalog::batches_by_product_ids(&self.db, &product_ids).await?;
            for id in &product_ids {
                found.entry(*id).or_default();
            }
            if relations.batch_events {
                let batch_ids: Vec<Uuid> = found.values().flatten().map(|b| b.id).collect();
                let mut events = catalog::events_by_batch_ids(&self.db, &batch_ids).await?;
                for id in &batch_ids {
                    events.entry(*id).or_default();
                }
                self.events.feed_many(events).await;
            }
            self.batches.feed_many(found).await;
        }
        if relations.category {
            let mut ids: Vec<Uuid> = products.iter().map(|p| p.category_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let found = catalog::categories_by_ids(&self.db, &ids).await?;
            self.categories.feed_many(found).await;
        }
        if relations.variants {
            let mut found = catalog::variants_by_product_ids(&self.db, &product_ids).await?;
            for id in &product_ids {
                found.entry(*id).or_default();
            }
            self.variants.feed_many(found).await;
        }
        if relations.gi_claims {
            let mut found = catalog::gi_claims_by_product_ids(&self.db, &product_ids).await?;
            for id in &product_ids {
                found.entry(*id).or_default();
            }
            self.gi_claims.feed_many(found).await;
        }
        Ok(())
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

/// A product's batches, by product id.
pub struct BatchesByProduct(DatabaseConnection);

impl Loader<Uuid> for BatchesByProduct {
    type Value = Vec<catalog::Batch>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<catalog::Batch>>, Self::Error> {
        catalog::batches_by_product_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// A batch's provenance events, by batch id.
pub struct EventsByBatch(DatabaseConnection);

impl Loader<Uuid> for EventsByBatch {
    type Value = Vec<catalog::ProvenanceEvent>;
    type Error = Arc<ApiError>;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<catalog::ProvenanceEvent>>, Self::Error> {
        catalog::events_by_batch_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))
    }
}

/// Turns a loader failure into the error a resolver returns.
pub fn loader_error(error: Arc<ApiError>) -> async_graphql::Error {
    ApiError::clone(&error).into()
}
