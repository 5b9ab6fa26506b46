//! Reading the catalogue: product and cooperative lists (connections), one product or
//! cooperative by id or slug, the category tree and the districts.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use catalog::ProductLookup;
use uuid::Uuid;

use crate::graphql::{
    ApiError,
    context::ContextExt,
    ids::{parse_id, parse_optional_id},
    loaders::ProductRelations,
    money::Paise,
    pagination::{PageArgs, RelayConnection, connection_complexity, connection_from_page},
};

use super::*;

/// A page of products as a connection, with the relations the client selected loaded
/// in one statement each.
async fn product_connection(
    ctx: &Context<'_>,
    page: kernel::Page<catalog::Product>,
) -> Result<RelayConnection<Product>> {
    ctx.loaders()?
        .prime_products(&page.items, ProductRelations::selected(ctx))
        .await?;
    Ok(connection_from_page(page, |p| p.id, Product))
}

/// The order of a product listing.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "catalog::ProductSort")]
pub enum ProductSort {
    /// Most recently listed first (the default).
    #[default]
    Newest,
    Oldest,
    Title,
    /// By the cheapest variant's price.
    PriceLowToHigh,
    PriceHighToLow,
}

/// Narrows the product listing.
#[derive(InputObject, Default)]
pub struct ProductFilter {
    /// A category and everything below it.
    pub category_slug: Option<String>,
    pub cooperative_id: Option<ID>,
    /// Products claiming this GI.
    pub gi_tag_id: Option<ID>,
    pub district: Option<String>,
    /// Lowest variant price, in paise.
    pub min_price: Option<Paise>,
    /// Highest variant price, in paise.
    pub max_price: Option<Paise>,
    pub in_stock: Option<bool>,
}

impl TryFrom<ProductFilter> for catalog::ProductFilter {
    type Error = ApiError;

    fn try_from(filter: ProductFilter) -> Result<Self, ApiError> {
        if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
            && min.0 > max.0
        {
            return Err(ApiError::BadUserInput(
                "`minPrice` must not exceed `maxPrice`".to_owned(),
            ));
        }
        Ok(Self {
            category_slug: filter.category_slug,
            cooperative_id: parse_optional_id("cooperativeId", filter.cooperative_id.as_ref())?,
            gi_tag_id: parse_optional_id("giTagId", filter.gi_tag_id.as_ref())?,
            district: filter.district,
            min_price_paise: filter.min_price.map(|p| p.0),
            max_price_paise: filter.max_price.map(|p| p.0),
            in_stock: filter.in_stock,
        })
    }
}

fn by_id_or_slug(
    id: Option<ID>,
    slug: Option<String>,
) -> Result<(Option<Uuid>, Option<String>), ApiError> {
    match (id, slug) {
        (Some(id), None) => Ok((Some(parse_id("id", &id)?), None)),
        (None, Some(slug)) => Ok((None, Some(slug))),
        _ => Err(ApiError::BadUserInput(
            "pass exactly one of `id` and `slug`".to_owned(),
        )),
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products buyers can see, newest first unless sorted otherwise.
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "Relay paging arguments plus filter and sort"
    )]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        sort: Option<ProductSort>,
    ) -> Result<RelayConnection<Product>> {
        let limits = ctx.limits()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let mut filter = catalog::ProductFilter::try_from(filter.unwrap_or_default())?;
        filter.district = catalog::district_filter(ctx.db()?, filter.district)
            .await
            .map_err(ApiError::from)?;
        let sort = sort.unwrap_or_default().into();
        let page = catalog::list_public_products(
            ctx.db()?,
            &filter,
            sort,
            request,
            limits.default_page_size,
        )
        .await
        .map_err(ApiError::from)?;
        product_connection(ctx, page).await
    }

    /// Every product of one cooperative, drafts included (its staff and admins).
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "Relay paging arguments plus two filters"
    )]
    async fn cooperative_products(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        status: Option<ProductStatusValue>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RelayConnection<Product>> {
        let limits = ctx.limits()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let page = catalog::list_cooperative_products(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("cooperativeId", &cooperative_id)?,
            status.map(Into::into),
            request,
            limits.default_page_size,
        )
        .await
        .map_err(ApiError::from)?;
        product_connection(ctx, page).await
    }

    /// One product by id or slug.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Product>> {
        let lookup = match by_id_or_slug(id, slug)? {
            (Some(id), _) => ProductLookup::Id(id),
            (None, Some(slug)) => ProductLookup::Slug(slug),
            (None, None) => {
                return Err(ApiError::BadUserInput("pass `id` or `slug`".to_owned()).into());
            }
        };
        let product = catalog::find_product_for(ctx.db()?, &ctx.actor()?, &lookup)
            .await
            .map_err(ApiError::from)?;
        Ok(Some(Product(product)))
    }

    /// Verified cooperatives; admins may ask for PENDING or SUSPENDED ones.
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn cooperatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        verification_status: Option<VerificationStatusValue>,
    ) -> Result<RelayConnection<Cooperative>> {
        let limits = ctx.limits()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_counted_request(ctx)?;
        let page = catalog::list_cooperatives(
            ctx.db()?,
            &ctx.actor()?,
            verification_status.map(Into::into),
            request,
            limits.default_page_size,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |c| c.id, Cooperative::from))
    }

    /// A cooperative's verification history, oldest first: each verification,
    /// suspension and reinstatement with who made it, what was checked and why.
    /// Admins only.
    async fn cooperative_verifications(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> Result<Vec<CooperativeVerification>> {
        let id = parse_id("cooperativeId", &cooperative_id)?;
        let records = catalog::verification_history(ctx.db()?, &ctx.actor()?, id)
            .await
            .map_err(ApiError::from)?;
        Ok(records.into_iter().map(Into::into).collect())
    }

    /// One cooperative by id or slug: verified ones for everybody, any for its own
    /// staff and admins.
    async fn cooperative(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Cooperative>> {
        let (id, slug) = by_id_or_slug(id, slug)?;
        let cooperative =
            catalog::find_cooperative_for(ctx.db()?, &ctx.actor()?, id, slug.as_deref())
                .await
                .map_err(ApiError::from)?;
        Ok(Some(cooperative.into()))
    }

    /// The whole category tree, parents before children.
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        Ok(catalog::list_categories(ctx.db()?)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(Category::from)
            .collect())
    }

    /// The districts cooperatives can be registered in.
    async fn districts(&self, ctx: &Context<'_>) -> Result<Vec<District>> {
        Ok(catalog::list_districts(ctx.db()?)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|d| District {
                id: ID(d.id.to_string()),
                name: d.name,
            })
            .collect())
    }
}
