//! The demo catalog: fictitious cooperatives and their products, kept as JSON data files
//! under `data/seed/` and compiled into the binary so that a fresh `cargo run` shows a
//! realistic storefront. It is loaded only into an empty catalog, in one transaction,
//! and validated by the same rules as real data.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AttributeDefinition, CatalogError, Declarations, ProductImage, ProductStatus,
    VerificationStatus,
    categories::validate_attributes,
    entity::{category, cooperative, product, product_variant},
    identifiers::{parse_fssai_licence, parse_gstin, parse_pin_code},
};

const CATEGORIES_JSON: &str = include_str!("../../data/seed/categories.json");
const COOPERATIVES_JSON: &str = include_str!("../../data/seed/cooperatives.json");
const PRODUCTS_JSON: &str = include_str!("../../data/seed/products.json");

#[derive(Debug, Deserialize)]
struct SeedCategory {
    slug: String,
    name: String,
    parent_slug: Option<String>,
    hsn_code: String,
    gst_rate_bp: i32,
    attribute_schema: Vec<AttributeDefinition>,
}

#[derive(Debug, Deserialize)]
struct SeedCooperative {
    slug: String,
    name: String,
    registration_number: String,
    registrar: String,
    district: String,
    village: String,
    address_line: String,
    pin_code: String,
    contact_email: String,
    contact_phone: String,
    gstin: Option<String>,
    fssai_licence: Option<String>,
    verification_status: String,
}

#[derive(Debug, Deserialize)]
struct SeedProduct {
    slug: String,
    title: String,
    description: String,
    cooperative_slug: String,
    category_slug: String,
    status: String,
    attributes: serde_json::Map<String, serde_json::Value>,
    images: Vec<ProductImage>,
    declarations: Declarations,
    variants: Vec<SeedVariant>,
}

#[derive(Debug, Deserialize)]
struct SeedVariant {
    sku: String,
    title: String,
    price_paise: i64,
    mrp_paise: i64,
    weight_grams: i32,
    stock_on_hand: i32,
    min_order_quantity: i32,
}

/// What the demo load inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    pub categories: usize,
    pub cooperatives: usize,
    pub products: usize,
    pub variants: usize,
}

/// True when no category exists yet, i.e. the catalog has never been loaded.
pub async fn catalog_is_empty(db: &impl ConnectionTrait) -> Result<bool, CatalogError> {
    Ok(category::Entity::find().count(db).await? == 0)
}

fn invalid(what: String) -> CatalogError {
    CatalogError::InvalidSeed(what)
}

/// Loads the demo catalog in one transaction: all of it or nothing.
pub async fn load_demo_catalog(db: &DatabaseConnection) -> Result<SeedSummary, CatalogError> {
    let categories: Vec<SeedCategory> = serde_json::from_str(CATEGORIES_JSON)
        .map_err(|e| invalid(format!("categories.json: {e}")))?;
    let cooperatives: Vec<SeedCooperative> = serde_json::from_str(COOPERATIVES_JSON)
        .map_err(|e| invalid(format!("cooperatives.json: {e}")))?;
    let products: Vec<SeedProduct> =
        serde_json::from_str(PRODUCTS_JSON).map_err(|e| invalid(format!("products.json: {e}")))?;

    let txn = db.begin().await?;
    let now = Utc::now();

    let mut category_ids: HashMap<&str, (Uuid, &SeedCategory)> = HashMap::new();
    for (position, seed) in categories.iter().enumerate() {
        let parent_id = match &seed.parent_slug {
            Some(parent) => Some(
                category_ids
                    .get(parent.as_str())
                    .map(|(id, _)| *id)
                    .ok_or_else(|| {
                        invalid(format!(
                            "category {}: parent {parent} must come first",
                            seed.slug
                        ))
                    })?,
            ),
            None => None,
        };
        let id = Uuid::now_v7();
        category::Entity::insert(category::ActiveModel {
            id: Set(id),
            slug: Set(seed.slug.clone()),
            name: Set(seed.name.clone()),
            parent_id: Set(parent_id),
            hsn_code: Set(seed.hsn_code.clone()),
            gst_rate_bp: Set(seed.gst_rate_bp),
            attribute_schema: Set(serde_json::to_value(&seed.attribute_schema)
                .map_err(|e| invalid(format!("category {}: {e}", seed.slug)))?),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        })
        .exec(&txn)
        .await?;
        category_ids.insert(seed.slug.as_str(), (id, seed));
    }

    let mut cooperative_ids: HashMap<&str, Uuid> = HashMap::new();
    for seed in &cooperatives {
        let context = |e: String| invalid(format!("cooperative {}: {e}", seed.slug));
        let status: VerificationStatus = seed.verification_status.parse().map_err(context)?;
        let id = Uuid::now_v7();
        cooperative::Entity::insert(cooperative::ActiveModel {
            id: Set(id),
            slug: Set(seed.slug.clone()),
            name: Set(seed.name.clone()),
            registration_number: Set(seed.registration_number.clone()),
            registrar: Set(seed.registrar.clone()),
            district: Set(seed.district.clone()),
            village: Set(seed.village.clone()),
            address_line: Set(seed.address_line.clone()),
            pin_code: Set(parse_pin_code(&seed.pin_code).map_err(context)?),
            contact_email: Set(seed.contact_email.clone()),
            contact_phone: Set(seed.contact_phone.clone()),
            gstin: Set(seed
                .gstin
                .as_deref()
                .map(parse_gstin)
                .transpose()
                .map_err(context)?),
            fssai_licence: Set(seed
                .fssai_licence
                .as_deref()
                .map(parse_fssai_licence)
                .transpose()
                .map_err(context)?),
            verification_status: Set(status.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&txn)
        .await?;
        cooperative_ids.insert(seed.slug.as_str(), id);
    }

    let mut variant_count = 0;
    for seed in &products {
        let context = |e: String| invalid(format!("product {}: {e}", seed.slug));
        let cooperative_id = *cooperative_ids
            .get(seed.cooperative_slug.as_str())
            .ok_or_else(|| context(format!("unknown cooperative {}", seed.cooperative_slug)))?;
        let (category_id, category) = category_ids
            .get(seed.category_slug.as_str())
            .ok_or_else(|| context(format!("unknown category {}", seed.category_slug)))?;
        let problems = validate_attributes(&category.attribute_schema, &seed.attributes);
        if let Some((key, message)) = problems.first() {
            return Err(context(format!("attribute {key}: {message}")));
        }
        let status: ProductStatus = seed.status.parse().map_err(context)?;
        let id = Uuid::now_v7();
        product::Entity::insert(product::ActiveModel {
            id: Set(id),
            slug: Set(seed.slug.clone()),
            title: Set(seed.title.clone()),
            description: Set(seed.description.clone()),
            cooperative_id: Set(cooperative_id),
            category_id: Set(*category_id),
            status: Set(status.as_str().to_owned()),
            attributes: Set(serde_json::Value::Object(seed.attributes.clone())),
            images: Set(serde_json::to_value(&seed.images).map_err(|e| context(e.to_string()))?),
            declarations: Set(
                serde_json::to_value(&seed.declarations).map_err(|e| context(e.to_string()))?
            ),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&txn)
        .await?;
        for variant in &seed.variants {
            if variant.price_paise <= 0 || variant.price_paise > variant.mrp_paise {
                return Err(context(format!(
                    "variant {}: price must be positive and at most the MRP",
                    variant.sku
                )));
            }
            product_variant::Entity::insert(product_variant::ActiveModel {
                id: Set(Uuid::now_v7()),
                product_id: Set(id),
                cooperative_id: Set(cooperative_id),
                sku: Set(variant.sku.clone()),
                title: Set(variant.title.clone()),
                price_paise: Set(variant.price_paise),
                mrp_paise: Set(variant.mrp_paise),
                currency: Set("INR".to_owned()),
                weight_grams: Set(variant.weight_grams),
                stock_on_hand: Set(variant.stock_on_hand.max(0)),
                min_order_quantity: Set(variant.min_order_quantity.max(1)),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&txn)
            .await?;
            variant_count += 1;
        }
    }
    txn.commit().await?;
    Ok(SeedSummary {
        categories: categories.len(),
        cooperatives: cooperatives.len(),
        products: products.len(),
        variants: variant_count,
    })
}
