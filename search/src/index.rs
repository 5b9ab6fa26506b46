//! The search-index abstraction every backend implements, and its request and result
//! shapes, identical for every backend.

use std::collections::HashMap;

use uuid::Uuid;

use crate::{ProductDocument, SearchError};

/// Price facet buckets in paise: `(label, from inclusive, to exclusive)`.
pub const PRICE_BUCKETS: [(&str, i64, i64); 4] = [
    ("0-500", 0, 50_000),
    ("500-2000", 50_000, 200_000),
    ("2000-10000", 200_000, 1_000_000),
    ("10000+", 1_000_000, i64::MAX),
];

/// Narrows a search. Price bounds match products whose price range meets them.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub category_slug: Option<String>,
    pub cooperative_slug: Option<String>,
    pub district: Option<String>,
    pub gi_tag_slug: Option<String>,
    pub min_price_paise: Option<i64>,
    pub max_price_paise: Option<i64>,
    pub in_stock: Option<bool>,
}

/// The order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceLowToHigh,
    PriceHighToLow,
    Newest,
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What the buyer typed; empty or `None` lists everything that passes the filter.
    pub text: Option<String>,
    pub filter: SearchFilter,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
    /// The day GI claims are judged on; `None` is today (UTC), as every caller but a
    /// test wants.
    pub today: Option<chrono::NaiveDate>,
}

impl SearchRequest {
    pub(crate) fn day(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
}

/// Matched text with `<mark>` around the words that matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Highlights {
    pub title: String,
    pub description: String,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: Uuid,
    pub score: f32,
    pub highlights: Highlights,
}

/// A facet value and how many results carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts per value of one field over all results (not just the page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

/// A page of results with the total and the facets of the whole result set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Vec<Facet>,
}

/// Whether an index's stored settings (synonyms, ranking rules, attributes) are the
/// ones this process is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsState {
    /// The live settings are the configured ones.
    Current,
    /// The live settings differ in these settings (Meilisearch's names).
    Differ(Vec<String>),
    /// The backend keeps no settings of its own; why, for the operator.
    NotApplicable(String),
}

/// A product search index.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    /// Adds or replaces documents, visible to searches once this returns.
    async fn upsert(&self, documents: Vec<ProductDocument>) -> Result<(), SearchError>;
    /// Removes documents; unknown ids are ignored.
    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError>;
    /// Removes every document.
    async fn clear(&self) -> Result<(), SearchError>;
    async fn search(&self, request: SearchRequest) -> Result<SearchResults, SearchError>;
    /// The fingerprint of every stored document, for consistency checks.
    async fn fingerprints(&self) -> Result<HashMap<Uuid, String>, SearchError>;
    /// The stored fingerprints of these documents, as of the last write through this
    /// handle (absent: not indexed), so that the outbox worker can skip documents that
    /// did not change. An index that cannot answer cheaply returns an empty map, and
    /// every document is written again.
    async fn fingerprints_of(&self, _ids: &[Uuid]) -> Result<HashMap<Uuid, String>, SearchError> {
        Ok(HashMap::new())
    }
    /// Compares the index's live settings with the configured ones.
    async fn settings_state(&self) -> Result<SettingsState, SearchError>;
    /// Applies the configured settings to the live index (no restart needed) and
    /// returns the state afterwards.
    async fn apply_settings(&self) -> Result<SettingsState, SearchError>;
    /// Fails when the index cannot serve searches.
    async fn health(&self) -> Result<(), SearchError>;
    /// A short name for logs and health output.
    fn backend(&self) -> &'static str;
}
