//! Product search: one search-index abstraction ([`SearchIndex`]) with two backends, an
//! embedded tantivy index (the default, kept under the data directory) and Meilisearch
//! (when `MEILISEARCH_URL` is set), the synonym list for
//! the names buyers use, and the outbox that keeps the index in step with the database.
//!
//! The catalog records an outbox entry in the same transaction as every write that
//! changes what a buyer can find; [`sync::OutboxWorker`] applies entries in order,
//! rebuilding each affected product's document from the database, so applying an
//! entry twice is harmless and nothing is lost when a process dies.

mod document;
mod error;
mod highlight;
mod index;
mod meili_index;
pub mod outbox;
mod rank;
mod search_threads;
pub mod sync;
mod synonyms;
mod tantivy_index;

pub use document::{GiWindow, ProductDocument};
pub use error::SearchError;
pub use highlight::highlight;
pub use index::{
    Facet, FacetValue, Highlights, PRICE_BUCKETS, SearchFilter, SearchHit, SearchIndex,
    SearchRequest, SearchResults, SearchSort, SettingsState,
};
pub use meili_index::MeiliIndex;
pub use sync::{CheckReport, DocumentSource, OutboxWorker, check_index, reindex};
pub use synonyms::Synonyms;
pub use tantivy_index::TantivyIndex;
