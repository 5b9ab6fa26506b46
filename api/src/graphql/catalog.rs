//! The public catalog over GraphQL: cooperatives, categories and products as buyers and
//! anonymous visitors see them (verified cooperatives, active products only).

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject,
};
use catalog::{ProductLookup, VerificationStatus};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    graphql::{
        ApiError,
        accounts::db,
        loaders::{Loaders, loader_error},
        money::{Money, Paise},
        pagination::{PageArgs, RelayConnection, connection_complexity, connection_from_page},
    },
    settings::GraphqlSettings,
};

fn limits<'a>(ctx: &'a Context<'_>) -> Result<&'a GraphqlSettings, ApiError> {
    ctx.data::<GraphqlSettings>()
        .map_err(|_| ApiError::Internal)
}

fn loaders<'a>(ctx: &'a Context<'_>) -> Result<&'a std::sync::Arc<Loaders>, ApiError> {
    ctx.data::<std::sync::Arc<Loaders>>()
        .map_err(|_| ApiError::Internal)
}

fn parse_id(argument: &str, id: &ID) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| ApiError::BadUserInput(format!("`{argument}` is not a valid id")))
}

/// A cooperative's standing on the platform.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "VerificationStatus")]
pub enum VerificationStatusValue {
    Pending,
    Verified,
    Suspended,
}

impl From<VerificationStatus> for VerificationStatusValue {
    fn from(status: VerificationStatus) -> Self {
        match status {
            VerificationStatus::Pending => Self::Pending,
            VerificationStatus::Verified => Self::Verified,
            VerificationStatus::Suspended => Self::Suspended,
        }
    }
}

/// A product's place in its life cycle.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ProductStatus")]
pub enum ProductStatusValue {
    Draft,
    Active,
    Archived,
}

impl From<catalog::ProductStatus> for ProductStatusValue {
    fn from(status: catalog::ProductStatus) -> Self {
        match status {
            catalog::ProductStatus::Draft => Self::Draft,
            catalog::ProductStatus::Active => Self::Active,
            catalog::ProductStatus::Archived => Self::Archived,
        }
    }
}

/// A cooperative society selling on the marketplace.
#[derive(SimpleObject, Clone, Debug)]
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
}

impl From<catalog::Cooperative> for Cooperative {
    fn from(coop: catalog::Cooperative) -> Self {
        Self {
            id: ID(coop.id.to_string()),
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
        }
    }
}

/// The value type of a category attribute.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "AttributeKind")]
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
            attribute_schema: category
                .attribute_schema
                .into_iter()
                .map(|definition| AttributeDefinition {
                    key: definition.key,
                    label: definition.label,
                    kind: match definition.kind {
                        catalog::AttributeKind::Text => AttributeKindValue::Text,
                        catalog::AttributeKind::Number => AttributeKindValue::Number,
                        catalog::AttributeKind::Enum => AttributeKindValue::Enum,
                        catalog::AttributeKind::Boolean => AttributeKindValue::Boolean,
                    },
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

/// A sellable variant: its own SKU, price and stock.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Variant {
    pub id: ID,
    pub sku: String,
    pub title: String,
    pub weight_grams: i32,
    pub stock_on_hand: i32,
    pub min_order_quantity: i32,
    #[graphql(skip)]
    pub price_money: catalog::Money,
    #[graphql(skip)]
    pub mrp_money: catalog::Money,
}

#[ComplexObject]
impl Variant {
    /// Tax-inclusive selling price.
    async fn price(&self) -> Money {
        Money(self.price_money)
    }

    /// Maximum retail price, inclusive of all taxes.
    async fn mrp(&self) -> Money {
        Money(self.mrp_money)
    }

    async fn in_stock(&self) -> bool {
        self.stock_on_hand > 0
    }
}

impl From<catalog::Variant> for Variant {
    fn from(variant: catalog::Variant) -> Self {
        Self {
            id: ID(variant.id.to_string()),
            sku: variant.sku,
            title: variant.title,
            weight_grams: variant.weight_grams,
            stock_on_hand: variant.stock_on_hand,
            min_order_quantity: variant.min_order_quantity,
            price_money: variant.price,
            mrp_money: variant.mrp,
        }
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
            .map(Variant::from)
            .collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Narrows the product listing.
#[derive(InputObject, Default)]
pub struct ProductFilter {
    /// A category and everything below it.
    pub category_slug: Option<String>,
    pub cooperative_id: Option<ID>,
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
            district: self.district,
            min_price_paise: self.min_price.map(|p| p.0),
            max_price_paise: self.max_price.map(|p| p.0),
            in_stock: self.in_stock,
        })
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products buyers can see, newest first.
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
    ) -> Result<RelayConnection<Product>> {
        let limits = limits(ctx)?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request(limits)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let page =
            catalog::list_public_products(db(ctx)?, &filter, request, limits.default_page_size)
                .await
                .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |p| p.id, Product))
    }

    /// One product by id or slug.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Product>> {
        let lookup = match (id, slug) {
            (Some(id), None) => ProductLookup::Id(parse_id("id", &id)?),
            (None, Some(slug)) => ProductLookup::Slug(slug),
            _ => {
                return Err(ApiError::BadUserInput(
                    "pass exactly one of `id` and `slug`".to_owned(),
                )
                .into());
            }
        };
        let product = catalog::find_public_product(db(ctx)?, &lookup)
            .await
            .map_err(ApiError::from)?;
        Ok(Some(Product(product)))
    }

    /// Verified cooperatives.
    #[graphql(complexity = "connection_complexity(child_complexity, first, last)")]
    async fn cooperatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RelayConnection<Cooperative>> {
        let limits = limits(ctx)?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request(limits)?;
        let page = catalog::list_public_cooperatives(db(ctx)?, request, limits.default_page_size)
            .await
            .map_err(ApiError::from)?;
        Ok(connection_from_page(page, |c| c.id, Cooperative::from))
    }

    /// One verified cooperative by id or slug.
    async fn cooperative(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Cooperative>> {
        let id = match (&id, &slug) {
            (Some(id), None) => Some(parse_id("id", id)?),
            (None, Some(_)) => None,
            _ => {
                return Err(ApiError::BadUserInput(
                    "pass exactly one of `id` and `slug`".to_owned(),
                )
                .into());
            }
        };
        let cooperative = catalog::find_public_cooperative(db(ctx)?, id, slug.as_deref())
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
}
