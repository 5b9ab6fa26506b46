//! What checkout needs to know about the variants in a cart: the variant, whether its
//! product can be sold now, its HSN and catalogue GST rate, and its seller.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    CatalogError, Cooperative, ProductStatus, Variant, VerificationStatus, categories_by_ids,
    cooperatives_by_ids,
    entity::{product, product_variant},
};

/// A variant as a sale line sees it.
#[derive(Debug, Clone)]
pub struct SaleItem {
    pub variant: Variant,
    pub product_title: String,
    pub product_slug: String,
    /// The product is ACTIVE and its cooperative VERIFIED: it may be sold.
    pub on_sale: bool,
    /// The product's own HSN code, else its category's.
    pub hsn_code: String,
    /// The catalogue's rate for the category, used where the dated rate table has none.
    pub category_gst_rate_bp: i32,
    pub cooperative: Cooperative,
}

/// The sale view of each of `variant_ids` that exists, in four queries.
pub async fn sale_items(
    db: &impl ConnectionTrait,
    variant_ids: &[Uuid],
) -> Result<HashMap<Uuid, SaleItem>, CatalogError> {
    let variants = product_variant::Entity::find()
        .filter(product_variant::Column::Id.is_in(variant_ids.iter().copied()))
        .all(db)
        .await?;
    let product_ids: Vec<Uuid> = variants.iter().map(|v| v.product_id).collect();
    let products: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let category_ids: Vec<Uuid> = products.values().map(|p| p.category_id).collect();
    let categories = categories_by_ids(db, &category_ids).await?;
    let cooperative_ids: Vec<Uuid> = products.values().map(|p| p.cooperative_id).collect();
    let cooperatives = cooperatives_by_ids(db, &cooperative_ids).await?;
    let mut items = HashMap::new();
    for model in variants {
        let variant = Variant::try_from(model)?;
        let product = products.get(&variant.product_id).ok_or_else(|| {
            CatalogError::Corrupt(format!("variant {} has no product", variant.id))
        })?;
        let category = categories.get(&product.category_id).ok_or_else(|| {
            CatalogError::Corrupt(format!("product {} has no category", product.id))
        })?;
        let cooperative = cooperatives
            .get(&product.cooperative_id)
            .ok_or_else(|| {
                CatalogError::Corrupt(format!("product {} has no cooperative", product.id))
            })?
            .clone();
        let on_sale = product.status == ProductStatus::Active
            && cooperative.verification_status == VerificationStatus::Verified;
        items.insert(
            variant.id,
            SaleItem {
                product_title: product.title.clone(),
                product_slug: product.slug.clone(),
                on_sale,
                hsn_code: product
                    .hsn_code
                    .clone()
                    .unwrap_or_else(|| category.hsn_code.clone()),
                category_gst_rate_bp: category.gst_rate_bp,
                cooperative,
                variant,
            },
        );
    }
    Ok(items)
}
