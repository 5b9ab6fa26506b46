//! `search`.

use async_graphql::{
    Context, Object, Result,
    connection::{Connection, CursorType, Edge},
};
use search::SearchRequest;

use crate::graphql::{
    ApiError, catalog::Product, context::ContextExt, loaders::ProductRelations,
    pagination::connection_complexity,
};

use super::*;

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
        let limits = ctx.limits()?;
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
        let db = ctx.db()?;
        // An unknown category is NOT_FOUND, as it is in `products`.
        if let Some(slug) = &filter.category_slug {
            let categories = catalog::list_categories(db).await.map_err(ApiError::from)?;
            if !categories.iter().any(|category| &category.slug == slug) {
                return Err(
                    ApiError::from(catalog::CatalogError::CategoryNotFound(slug.clone())).into(),
                );
            }
        }
        let district = catalog::district_filter(db, filter.district)
            .await
            .map_err(ApiError::from)?;
        let request = SearchRequest {
            text: query,
            filter: search::SearchFilter {
                category_slug: filter.category_slug,
                cooperative_slug: filter.cooperative_slug,
                district,
                gi_tag_slug: filter.gi_tag_slug,
                min_price_paise: filter.min_price.map(|p| p.0),
                max_price_paise: filter.max_price.map(|p| p.0),
                in_stock: filter.in_stock,
            },
            sort: sort.unwrap_or_default().into(),
            offset,
            limit: usize::try_from(limit).unwrap_or(20),
            // GI claims are judged on today's date, at read time.
            today: None,
        };
        let results = ctx
            .search_index()?
            .search(request)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let ids: Vec<uuid::Uuid> = results.hits.iter().map(|hit| hit.id).collect();
        let mut products = catalog::public_products_by_ids(ctx.db()?, &ids)
            .await
            .map_err(ApiError::from)?;
        let page: Vec<catalog::Product> = products.values().cloned().collect();
        ctx.loaders()?
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
