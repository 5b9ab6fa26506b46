//! The search connection: offset cursors, filters, highlights and facets.

use async_graphql::{
    Enum, InputObject, Result, SimpleObject,
    connection::{Connection, ConnectionNameType, CursorType, EdgeNameType},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::graphql::{ApiError, catalog::Product, money::Paise};

/// A position in a result list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor(pub usize);

impl CursorType for OffsetCursor {
    type Error = ApiError;

    fn decode_cursor(encoded: &str) -> Result<Self, Self::Error> {
        let invalid = || ApiError::BadUserInput("cursor is not valid".to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        text.strip_prefix("s1:")
            .and_then(|n| n.parse().ok())
            .map(OffsetCursor)
            .ok_or_else(invalid)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("s1:{}", self.0))
    }
}

/// Narrows a search.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    /// A category and everything below it.
    pub category_slug: Option<String>,
    pub cooperative_slug: Option<String>,
    pub district: Option<String>,
    pub gi_tag_slug: Option<String>,
    pub min_price: Option<Paise>,
    pub max_price: Option<Paise>,
    pub in_stock: Option<bool>,
}

/// The order of search results.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "search::SearchSort")]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceLowToHigh,
    PriceHighToLow,
    Newest,
}

/// Matched text with `<mark>` around matching words (HTML-escaped otherwise).
#[derive(SimpleObject, Clone)]
pub struct SearchHighlights {
    pub title: String,
    pub description: String,
}

/// What a search edge carries besides its product.
#[derive(SimpleObject, Clone)]
pub struct SearchEdgeFields {
    pub highlights: SearchHighlights,
    /// Relevance score; 0 when sorted by something else.
    pub score: f64,
}

/// A facet value and how many results carry it.
#[derive(SimpleObject, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts per value of one field over every result, not just the page:
/// `category`, `gi`, `cooperative`, `district` and `price` (rupee buckets).
#[derive(SimpleObject, Clone)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

/// The fields of a search connection besides edges and page info.
#[derive(SimpleObject)]
pub struct SearchConnectionFields {
    pub total_count: u64,
    pub facets: Vec<Facet>,
}

/// Names the search connection apart from the catalogue's `ProductConnection`.
pub struct SearchConnectionName;

impl ConnectionNameType for SearchConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SearchResultConnection".to_owned()
    }
}

/// Names the search edge apart from the catalogue's `ProductEdge`.
pub struct SearchEdgeName;

impl EdgeNameType for SearchEdgeName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SearchResultEdge".to_owned()
    }
}

pub type SearchConnection = Connection<
    OffsetCursor,
    Product,
    SearchConnectionFields,
    SearchEdgeFields,
    SearchConnectionName,
    SearchEdgeName,
>;
