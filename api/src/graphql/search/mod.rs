//! Product search over GraphQL: text with typo tolerance, prefixes and local-name
//! synonyms, filters, facets over the whole result, sorting, highlights, and offset
//! cursors (relevance has no stable key to page on).

mod queries;
mod types;

pub use queries::*;
pub use types::*;
