//! Products and their variants, and the public listing that buyers browse.

use std::{collections::HashMap, str::FromStr};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    CatalogError, Category, Money, Page, PageRequest, VerificationStatus,
    entity::{cooperative, product, product_variant},
    list_categories,
    money::Currency,
    pagination::fetch_page,
};

/// A product's place in its life cycle; only ACTIVE products are sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Active => "ACTIVE",
            Self::Archived => "ARCHIVED",
        }
    }
}

impl FromStr for ProductStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "DRAFT" => Ok(Self::Draft),
            "ACTIVE" => Ok(Self::Active),
            "ARCHIVED" => Ok(Self::Archived),
            other => Err(format!("unknown product status {other}")),
        }
    }
}

/// A product image with the alt text that screen readers and GeM's reviewers need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductImage {
    pub url: String,
    pub alt: String,
}

/// The Legal Metrology (Packaged Commodities) Rules 2011 declarations that a listing
/// must show (Rule 6(1), 6(10)). Optional while a product is a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declarations {
    pub net_quantity: Option<String>,
    pub mrp_paise: Option<i64>,
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Option<String>,
    pub country_of_origin: Option<String>,
    /// Food only: months from packing until best before.
    pub best_before_months: Option<i32>,
    pub consumer_care: Option<String>,
}

/// A product as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub cooperative_id: Uuid,
    pub category_id: Uuid,
    pub status: ProductStatus,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub images: Vec<ProductImage>,
    pub declarations: Declarations,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<product::Model> for Product {
    type Error = CatalogError;
    fn try_from(model: product::Model) -> Result<Self, Self::Error> {
        let corrupt =
            |what: &str, e: serde_json::Error| CatalogError::Corrupt(format!("{what}: {e}"));
        Ok(Self {
            status: model.status.parse().map_err(CatalogError::Corrupt)?,
            attributes: serde_json::from_value(model.attributes)
                .map_err(|e| corrupt("attributes", e))?,
            images: serde_json::from_value(model.images).map_err(|e| corrupt("images", e))?,
            declarations: serde_json::from_value(model.declarations)
                .map_err(|e| corrupt("declarations", e))?,
            id: model.id,
            slug: model.slug,
            title: model.title,
            description: model.description,
            cooperative_id: model.cooperative_id,
            category_id: model.category_id,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

/// A sellable variant of a product: its own SKU, price and stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub title: String,
    /// Tax-inclusive selling price.
    pub price: Money,
    /// Maximum retail price, inclusive of all taxes; never below `price`.
    pub mrp: Money,
    pub weight_grams: i32,
    pub stock_on_hand: i32,
    pub min_order_quantity: i32,
}

impl TryFrom<product_variant::Model> for Variant {
    type Error = CatalogError;
    fn try_from(model: product_variant::Model) -> Result<Self, Self::Error> {
        let currency = Currency::from_code(&model.currency)
            .ok_or_else(|| CatalogError::Corrupt(format!("currency {}", model.currency)))?;
        Ok(Self {
            id: model.id,
            product_id: model.product_id,
            sku: model.sku,
            title: model.title,
            price: Money {
                minor: model.price_paise,
                currency,
            },
            mrp: Money {
                minor: model.mrp_paise,
                currency,
            },
            weight_grams: model.weight_grams,
            stock_on_hand: model.stock_on_hand,
            min_order_quantity: model.min_order_quantity,
        })
    }
}

/// Narrows the public product listing. Price bounds and `in_stock` must hold for one
/// and the same variant.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// A category and everything below it.
    pub category_slug: Option<String>,
    pub cooperative_id: Option<Uuid>,
    pub district: Option<String>,
    pub min_price_paise: Option<i64>,
    pub max_price_paise: Option<i64>,
    pub in_stock: Option<bool>,
}

/// How a product is looked up.
#[derive(Debug, Clone)]
pub enum ProductLookup {
    Id(Uuid),
    Slug(String),
}

fn public_products() -> sea_orm::Select<product::Entity> {
    let verified_cooperatives = Query::select()
        .column(cooperative::Column::Id)
        .from(cooperative::Entity)
        .and_where(
            Expr::col(cooperative::Column::VerificationStatus)
                .eq(VerificationStatus::Verified.as_str()),
        )
        .to_owned();
    product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .filter(product::Column::CooperativeId.in_subquery(verified_cooperatives))
}

fn descendants_of(categories: &[Category], root: Uuid) -> Vec<Uuid> {
    let mut found = vec![root];
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for child in categories.iter().filter(|c| c.parent_id == Some(parent)) {
            found.push(child.id);
            frontier.push(child.id);
        }
    }
    found
}

/// Lists the products buyers may see, newest first.
pub async fn list_public_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<Product>, CatalogError> {
    let mut select = public_products();
    if let Some(slug) = &filter.category_slug {
        let categories = list_categories(db).await?;
        let root = categories
            .iter()
            .find(|c| &c.slug == slug)
            .ok_or_else(|| CatalogError::CategoryNotFound(slug.clone()))?;
        select =
            select.filter(product::Column::CategoryId.is_in(descendants_of(&categories, root.id)));
    }
    if let Some(cooperative_id) = filter.cooperative_id {
        select = select.filter(product::Column::CooperativeId.eq(cooperative_id));
    }
    if let Some(district) = &filter.district {
        let in_district = Query::select()
            .column(cooperative::Column::Id)
            .from(cooperative::Entity)
            .and_where(Expr::col(cooperative::Column::District).eq(district.as_str()))
            .to_owned();
        select = select.filter(product::Column::CooperativeId.in_subquery(in_district));
    }
    if filter.min_price_paise.is_some()
        || filter.max_price_paise.is_some()
        || filter.in_stock.is_some()
    {
        let mut variant = Query::select();
        variant
            .column((product_variant::Entity, product_variant::Column::Id))
            .from(product_variant::Entity)
            .and_where(
                Expr::col((product_variant::Entity, product_variant::Column::ProductId))
                    .equals((product::Entity, product::Column::Id)),
            );
        if let Some(min) = filter.min_price_paise {
            variant.and_where(
                Expr::col((product_variant::Entity, product_variant::Column::PricePaise)).gte(min),
            );
        }
        if let Some(max) = filter.max_price_paise {
            variant.and_where(
                Expr::col((product_variant::Entity, product_variant::Column::PricePaise)).lte(max),
            );
        }
        match filter.in_stock {
            Some(true) => {
                variant.and_where(
                    Expr::col((
                        product_variant::Entity,
                        product_variant::Column::StockOnHand,
                    ))
                    .gt(0),
                );
            }
            Some(false) => {
                variant.and_where(
                    Expr::col((
                        product_variant::Entity,
                        product_variant::Column::StockOnHand,
                    ))
                    .lte(0),
                );
            }
            None => {}
        }
        select = select.filter(Expr::exists(variant.to_owned()));
    }
    fetch_page(db, select, product::Column::Id, true, request, default_size)
        .await?
        .try_map(Product::try_from)
}

/// Finds a product that buyers may see.
pub async fn find_public_product(
    db: &impl ConnectionTrait,
    lookup: &ProductLookup,
) -> Result<Product, CatalogError> {
    let select = match lookup {
        ProductLookup::Id(id) => public_products().filter(product::Column::Id.eq(*id)),
        ProductLookup::Slug(slug) => {
            public_products().filter(product::Column::Slug.eq(slug.as_str()))
        }
    };
    select
        .one(db)
        .await?
        .ok_or(CatalogError::ProductNotFound)
        .and_then(Product::try_from)
}

/// Loads the variants of many products in one query, each product's in SKU order.
pub async fn variants_by_product_ids(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Variant>>, CatalogError> {
    let mut by_product: HashMap<Uuid, Vec<Variant>> = HashMap::new();
    let models = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(product_variant::Column::Sku)
        .all(db)
        .await?;
    for model in models {
        let variant = Variant::try_from(model)?;
        by_product
            .entry(variant.product_id)
            .or_default()
            .push(variant);
    }
    Ok(by_product)
}
