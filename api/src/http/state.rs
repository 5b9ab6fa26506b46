//! What every request handler shares: built once at start-up (`startup.rs`, which
//! imports the HTTP layer) and read by the handlers here, which never import start-up.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::TokenService, graphql::AppSchema, http::catalog_cache::CatalogCache, metrics::Metrics,
};

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub tokens: TokenService,
    pub metrics: Arc<Metrics>,
    pub search_index: Arc<dyn search::SearchIndex>,
    pub orders: orders::OrderService,
    pub connectors: connectors::ConnectorService,
    pub catalog_cache: Arc<CatalogCache>,
    /// Where uploaded images are stored.
    pub media: Arc<dyn media::MediaStorage>,
}
