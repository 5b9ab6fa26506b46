//! The catalog over GraphQL: cooperatives, districts, categories, products and their
//! variants as each viewer may see them (buyers and visitors: verified cooperatives and
//! active products; staff: all of their own cooperative; admins: everything).

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject,
};
use catalog::ProductLookup;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    graphql::{
        ApiError,
        accounts::{actor, db},
        loaders::{Loaders, ProductRelations, loader_error},
        money::{Money, Paise},
        pagination::{PageArgs, RelayConnection, connection_complexity, connection_from_page},
        provenance::{AuthorisedUser, Batch, GiClaim},
    },
    settings::GraphqlSettings,
};

pub(crate) fn limits<'a>(ctx: &'a Context<'_>) -> Result<&'a GraphqlSettings, ApiError> {
    ctx.data::<GraphqlSettings>()
        .map_err(|_| ApiError::Internal)
}

pub(crate) fn loaders<'a>(ctx: &'a Context<'_>) -> Result<&'a std::sync::Arc<Loaders>, ApiError> {
    ctx.data::<std::sync::Arc<Loaders>>()
        .map_err(|_| ApiError::Internal)
}

pub(crate) fn parse_id(argument: &str, id: &ID) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| ApiError::BadUserInput(format!("`{argument}` is not a valid id")))
}

/// Checks paging arguments; the whole list is counted only when the client selected
/// `totalCount`, which costs a statement of its own.
fn page_request(ctx: &Context<'_>, args: PageArgs) -> Result<catalog::PageRequest, ApiError> {
    let mut request = args.into_request(limits(ctx)?)?;
    request.count_total = ctx.look_ahead().field("totalCount").exists();
    Ok(request)
}

/// A page of products as a connection, with the relations the client selected loaded
/// in one statement each.
async fn product_connection(
    ctx: &Context<'_>,
    page: catalog::Page<catalog::Product>,
) -> Result<RelayConnection<Product>> {
    loaders(ctx)?
        .prime_products(&page.items, ProductRelations::selected(ctx))
        .await?;
    Ok(connection_from_page(page, |p| p.id, Product))
}

/// A cooperative's standing on the platform.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "VerificationStatus", remote = "catalog::VerificationStatus")]
pub enum VerificationStatusValue {
    Pending,
    Verified,
    Suspended,
}

/// A product's place in its life cycle.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ProductStatus", remote = "catalog::ProductStatus")]
pub enum ProductStatusValue {
    Draft,
    Active,
    Archived,
}

/// A cooperative society selling on the marketplace.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Cooperative {
    pub id: ID,
    pub slug: String,
    pub name: String,
    pub registration_number: String,
    /// The registering authority, e.g. the Assistant Registrar Cooperative Societies, Leh.
    pub registrar: String,
    pub district: String,
    pub village: String,
    pub address_line: String,
    pub pin_code: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub gstin: Option<String>,
    pub fssai_licence: Option<String>,
    pub verification_status: VerificationStatusValue,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

#[ComplexObject]
impl Cooperative {
    /// The cooperative's registrations as an authorised user of GIs (Part B of the
    /// GI register).
    async fn gi_authorisations(&self, ctx: &Context<'_>) -> Result<Vec<AuthorisedUser>> {
        Ok(loaders(ctx)?
            .authorised_users
            .load_one(self.uuid)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(AuthorisedUser)
            .collect())
    }
}

impl From<catalog::Cooperative> for Cooperative {
    fn from(coop: catalog::Cooperative) -> Self {
        Self {
            id: ID(coop.id.to_string()),
            uuid: coop.id,
            slug: coop.slug,
            name: coop.name,
            registration_number: coop.registration_number,
            registrar: coop.registrar,
            district: coop.district,
            village: coop.village,
            address_line: coop.address_line,
            pin_code: coop.pin_code,
            contact_email: coop.contact_email,
            contact_phone: coop.contact_phone,
            gstin: coop.gstin,
            fssai_licence: coop.fssai_licence,
            verification_status: coop.verification_status.into(),
            created_at: coop.created_at,
            updated_at: coop.updated_at,
        }
    }
}

/// A district cooperatives and batches are located in.
#[derive(SimpleObject, Clone, Debug)]
pub struct District {
    pub id: ID,
    pub name: String,
}

/// The value type of a category attribute.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "AttributeKind", remote = "catalog::AttributeKind")]
pub enum AttributeKindValue {
    Text,
    Number,
    Enum,
    Boolean,
}

/// One attribute that products of a category carry.
#[derive(SimpleObject, Clone, Debug)]
pub struct AttributeDefinition {
    pub key: String,
    pub label: String,
    pub kind: AttributeKindValue,
    pub required: bool,
    pub options: Vec<String>,
}

/// A category of the catalog tree.
#[derive(SimpleObject, Clone, Debug)]
pub struct Category {
    pub id: ID,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<ID>,
    /// Default HSN code of the category's goods.
    pub hsn_code: String,
    /// Default GST rate in basis points (500 = 5%).
    pub gst_rate_bp: i32,
    /// Food needs an FSSAI licence and a best-before declaration.
    pub is_food: bool,
    pub attribute_schema: Vec<AttributeDefinition>,
}

impl From<catalog::Category> for Category {
    fn from(category: catalog::Category) -> Self {
        Self {
            id: ID(category.id.to_string()),
            slug: category.slug,
            name: category.name,
            parent_id: category.parent_id.map(|id| ID(id.to_string())),
            hsn_code: category.hsn_code,
            gst_rate_bp: category.gst_rate_bp,
            is_food: category.is_food,
            attribute_schema: category
                .attribute_schema
                .into_iter()
                .map(|definition| AttributeDefinition {
                    key: definition.key,
                    label: definition.label,
                    kind: definition.kind.into(),
                    required: definition.required,
                    options: definition.options,
                })
                .collect(),
        }
    }
}

/// A product image.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProductImage {
    pub url: String,
    pub alt: String,
}

/// The Legal Metrology declarations shown with a listing.
#[derive(SimpleObject, Clone, Debug)]
pub struct Declarations {
    pub net_quantity: Option<String>,
    pub mrp: Option<Paise>,
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Option<String>,
    pub country_of_origin: Option<String>,
    pub best_before_months: Option<i32>,
    pub consumer_care: Option<String>,
}

/// A lower unit price from a minimum quantity on, for bulk and institutional buyers.
#[derive(SimpleObject, Clone, Debug)]
pub struct TierPrice {
    pub min_quantity: i32,
    pub price: Paise,
}

/// A sellable variant: its own SKU, price and stock.
pub struct Variant(pub catalog::Variant);

#[Object]
impl Variant {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn sku(&self) -> &str {
        &self.0.sku
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Tax-inclusive selling price.
    async fn price(&self) -> Money {
        Money(self.0.price)
    }

    /// Maximum retail price, inclusive of all taxes.
    async fn mrp(&self) -> Money {
        Money(self.0.mrp)
    }

    async fn weight_grams(&self) -> i32 {
        self.0.weight_grams
    }

    async fn stock_on_hand(&self) -> i32 {
        self.0.stock_on_hand
    }

    async fn in_stock(&self) -> bool {
        self.0.stock_on_hand > 0
    }

    async fn min_order_quantity(&self) -> i32 {
        self.0.min_order_quantity
    }

    async fn tier_prices(&self) -> Vec<TierPrice> {
        self.0
            .tier_prices
            .iter()
            .map(|tier| TierPrice {
                min_quantity: tier.min_quantity,
                price: Paise(tier.price_paise),
            })
            .collect()
    }
}

/// A product listed by a cooperative.
pub struct Product(pub catalog::Product);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    async fn status(&self) -> ProductStatusValue {
        self.0.status.into()
    }

    /// Attribute values, keyed as in the category's attribute schema.
    async fn attributes(&self) -> Json<serde_json::Map<String, serde_json::Value>> {
        Json(self.0.attributes.clone())
    }

    async fn images(&self) -> Vec<ProductImage> {
        self.0
            .images
            .iter()
            .map(|image| ProductImage {
                url: image.url.clone(),
                alt: image.alt.clone(),
            })
            .collect()
    }

    /// Make in India local content (%) and delivery lead time (days), for government buyers.
    async fn local_content_percent(&self) -> Option<i32> {
        self.0.procurement.local_content_percent
    }

    async fn delivery_lead_time_days(&self) -> Option<i32> {
        self.0.procurement.delivery_lead_time_days
    }

    async fn declarations(&self) -> Declarations {
        let d = &self.0.declarations;
        Declarations {
            net_quantity: d.net_quantity.clone(),
            mrp: d.mrp_paise.map(Paise),
            manufacturer_name: d.manufacturer_name.clone(),
            manufacturer_address: d.manufacturer_address.clone(),
            country_of_origin: d.country_of_origin.clone(),
            best_before_months: d.best_before_months,
            consumer_care: d.consumer_care.clone(),
        }
    }

    async fn cooperative(&self, ctx: &Context<'_>) -> Result<Cooperative> {
        loaders(ctx)?
            .cooperatives
            .load_one(self.0.cooperative_id)
            .await
            .map_err(loader_error)?
            .map(Cooperative::from)
            .ok_or_else(|| ApiError::Internal.into())
    }

    async fn category(&self, ctx: &Context<'_>) -> Result<Category> {
        loaders(ctx)?
            .categories
            .load_one(self.0.category_id)
            .await
            .map_err(loader_error)?
            .map(Category::from)
            .ok_or_else(|| ApiError::Internal.into())
    }

    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        Ok(loaders(ctx)?
            .variants
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(Variant)
            .collect())
    }

    /// The Geographical Indications this product claims.
    async fn gi_claims(&self, ctx: &Context<'_>) -> Result<Vec<GiClaim>> {
        Ok(loaders(ctx)?
            .gi_claims
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(|claim| GiClaim {
                claim,
                cooperative_id: self.0.cooperative_id,
            })
            .collect())
    }

    /// Production batches, oldest first; their codes are printed on the packs.
    async fn batches(&self, ctx: &Context<'_>) -> Result<Vec<Batch>> {
        Ok(loaders(ctx)?
            .batches
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(Batch)
            .collect())
    }

    /// The cheapest variant's price.
    async fn price_from(&self) -> Money {
        Money(catalog::Money::inr(self.0.min_price_paise))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
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

impl ProductFilter {
    fn into_domain(self) -> Result<catalog::ProductFilter, ApiError> {
        if let (Some(min), Some(max)) = (self.min_price, self.max_price)
            && min.0 > max.0
        {
            return Err(ApiError::BadUserInput(
                "`minPrice` must not exceed `maxPrice`".to_owned(),
            ));
        }
        Ok(catalog::ProductFilter {
            category_slug: self.category_slug,
            cooperative_id: self
                .cooperative_id
                .as_ref()
                .map(|id| parse_id("cooperativeId", id))
                .transpose()?,
            gi_tag_id: self
                .gi_tag_id
                .as_ref()
                .map(|id| parse_id("giTagId", id))
                .transpose()?,
            district: self.district,
            min_price_paise: self.min_price.map(|p| p.0),
            max_price_paise: self.max_price.map(|p| p.0),
            in_stock: self.in_stock,
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
        let limits = limits(ctx)?;
        let request = page_request(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let sort = sort.unwrap_or_default().into();
        let page = catalog::list_public_products(
            db(ctx)?,
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
        let limits = limits(ctx)?;
        let request = page_request(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )?;
        let page = catalog::list_cooperative_products(
            db(ctx)?,
            &actor(ctx)?,
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
        let product = catalog::find_product_for(db(ctx)?, &actor(ctx)?, &lookup)
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
        let limits = limits(ctx)?;
        let request = page_request(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )?;
        let page = catalog::list_cooperatives(
            db(ctx)?,
            &actor(ctx)?,
            verification_status.map(Into::into),
            request,
            limits.default_page_size,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |c| c.id, Cooperative::from))
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
            catalog::find_cooperative_for(db(ctx)?, &actor(ctx)?, id, slug.as_deref())
                .await
                .map_err(ApiError::from)?;
        Ok(Some(cooperative.into()))
    }

    /// The whole category tree, parents before children.
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        Ok(catalog::list_categories(db(ctx)?)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(Category::from)
            .collect())
    }

    /// The districts cooperatives can be registered in.
    async fn districts(&self, ctx: &Context<'_>) -> Result<Vec<District>> {
        Ok(catalog::list_districts(db(ctx)?)
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
