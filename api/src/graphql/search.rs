//! Product search over GraphQL: text with typo tolerance, prefixes and local-name
//! synonyms, filters, facets over the whole result, sorting, highlights, and offset
//! cursors (relevance has no stable key to page on).

use async_graphql::{
    Context, Enum, InputObject, Object, Result, SimpleObject,
    connection::{Connection, ConnectionNameType, CursorType, Edge, EdgeNameType},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use search::{SearchIndex, SearchRequest};
use std::sync::Arc;

use crate::graphql::{
    ApiError,
    accounts::db,
    catalog::{Product, limits, loaders},
    loaders::ProductRelations,
    money::Paise,
    pagination::connection_complexity,
};

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

fn index<'a>(ctx: &'a Context<'_>) -> Result<&'a Arc<dyn SearchIndex>, ApiError> {
    ctx.data::<Arc<dyn SearchIndex>>()
        .map_err(|_| ApiError::Internal)
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Searches the products buyers can see.
    #[graphql(complexity = "connection_complexity(child_complexity, first, None)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<SearchFilter>,
        sort: Option<SearchSort>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchConnection> {
        let limits = limits(ctx)?;
        let limit = match first {
            None => limits.default_page_size,
            Some(n) if n < 0 => {
                return Err(
                    ApiError::BadUserInput("`first` must not be negative".to_owned()).into(),
                );
            }
            Some(n) => u64::try_from(n).unwrap_or(0),
        };
        if limit > limits.max_page_size {
            return Err(ApiError::BadUserInput(format!(
                "`first` must be at most {}",
                limits.max_page_size
            ))
            .into());
        }
        let offset = after
            .map(|c| OffsetCursor::decode_cursor(&c).map(|c| c.0 + 1))
            .transpose()?
            .unwrap_or(0);
        if query.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(ApiError::BadUserInput(
                "`query` must have at most 200 characters".to_owned(),
            )
            .into());
        }
        let filter = filter.unwrap_or_default();
        if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
            && min.0 > max.0
        {
            return Err(
                ApiError::BadUserInput("`minPrice` must not exceed `maxPrice`".to_owned()).into(),
            );
        }
        let request = SearchRequest {
            text: query,
            filter: search::SearchFilter {
                category_slug: filter.category_slug,
                cooperative_slug: filter.cooperative_slug,
                district: filter.district,
                gi_tag_slug: filter.gi_tag_slug,
                min_price_paise: filter.min_price.map(|p| p.0),
                max_price_paise: filter.max_price.map(|p| p.0),
                in_stock: filter.in_stock,
            },
            sort: sort.unwrap_or_default().into(),
            offset,
            limit: usize::try_from(limit).unwrap_or(20),
        };
        let results = index(ctx)?
            .search(request)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let ids: Vec<uuid::Uuid> = results.hits.iter().map(|hit| hit.id).collect();
        let mut products = catalog::public_products_by_ids(db(ctx)?, &ids)
            .await
            .map_err(ApiError::from)?;
        let page: Vec<catalog::Product> = products.values().cloned().collect();
        loaders(ctx)?
            .prime_products(&page, ProductRelations::selected(ctx))
            .await?;
        let total = results.total;
        let returned = u64::try_from(offset + results.hits.len()).unwrap_or(u64::MAX);
        let mut connection = Connection::with_additional_fields(
            offset > 0,
            returned < total,
            SearchConnectionFields {
                total_count: total,
                facets: results
                    .facets
                    .into_iter()
                    .map(|facet| Facet {
                        field: facet.field,
                        values: facet
                            .values
                            .into_iter()
                            .map(|v| FacetValue {
                                value: v.value,
                                count: v.count,
                            })
                            .collect(),
                    })
                    .collect(),
            },
        );
        for (position, hit) in results.hits.into_iter().enumerate() {
            // A product hidden since it was indexed is left out rather than shown.
            let Some(product) = products.remove(&hit.id) else {
                continue;
            };
            connection.edges.push(Edge::with_additional_fields(
                OffsetCursor(offset + position),
                Product(product),
                SearchEdgeFields {
                    highlights: SearchHighlights {
                        title: hit.highlights.title,
                        description: hit.highlights.description,
                    },
                    score: f64::from(hit.score),
                },
            ));
        }
        Ok(connection)
    }
}
