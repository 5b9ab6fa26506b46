//! The catalog as the source of search documents: one document per public product
//! (ACTIVE, of a VERIFIED cooperative), built in a handful of batch queries.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QuerySelect};
use search::{DocumentSource, GiWindow, ProductDocument, SearchError};
use uuid::Uuid;

use crate::{
    CatalogError, Product, categories::category_path, cooperatives_by_ids, entity::product,
    gi_claims_by_product_ids, list_categories, products::public_products, variants_by_product_ids,
};

/// Builds search documents from the catalog.
#[derive(Debug, Clone)]
pub struct CatalogDocuments {
    db: DatabaseConnection,
}

impl CatalogDocuments {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn source_error(error: CatalogError) -> SearchError {
    SearchError::Source(error.to_string())
}

fn attribute_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Search documents of the given products that buyers may see.
pub async fn search_documents(
    db: &DatabaseConnection,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, ProductDocument>, CatalogError> {
    let products: Vec<Product> = public_products()
        .filter(product::Column::Id.is_in(product_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Product::try_from)
        .collect::<Result<_, _>>()?;
    if products.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
    let cooperative_ids: Vec<Uuid> = products.iter().map(|p| p.cooperative_id).collect();
    let cooperatives = cooperatives_by_ids(db, &cooperative_ids).await?;
    let categories = list_categories(db).await?;
    let variants = variants_by_product_ids(db, &ids).await?;
    let claims = gi_claims_by_product_ids(db, &ids).await?;
    let registrations = crate::authorised_users_by_cooperative_ids(db, &cooperative_ids).await?;
    let mut documents = HashMap::with_capacity(products.len());
    for product in products {
        let Some(cooperative) = cooperatives.get(&product.cooperative_id) else {
            continue;
        };
        let path = category_path(&categories, product.category_id);
        let product_variants = variants
            .get(&product.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let prices = product_variants.iter().map(|v| v.price.minor);
        let product_claims = claims
            .get(&product.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let cooperative_registrations = registrations
            .get(&product.cooperative_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let gi_windows = product_claims
            .iter()
            .flat_map(|claim| {
                crate::gi::claim_windows(&claim.gi_tag, cooperative_registrations)
                    .into_iter()
                    .map(|(valid_from, valid_until)| GiWindow {
                        gi_tag_slug: claim.gi_tag.slug.clone(),
                        valid_from,
                        valid_until,
                    })
            })
            .collect();
        documents.insert(
            product.id,
            ProductDocument {
                id: product.id,
                slug: product.slug.clone(),
                title: product.title.clone(),
                description: product.description.clone(),
                category_path: path.iter().map(|c| c.slug.clone()).collect(),
                category_names: path.iter().map(|c| c.name.clone()).collect(),
                cooperative_slug: cooperative.slug.clone(),
                cooperative_name: cooperative.name.clone(),
                district: cooperative.district.clone(),
                gi_tag_slugs: product_claims
                    .iter()
                    .map(|c| c.gi_tag.slug.clone())
                    .collect(),
                gi_tag_names: product_claims
                    .iter()
                    .map(|c| c.gi_tag.name.clone())
                    .collect(),
                gi_windows,
                attribute_values: product
                    .attributes
                    .values()
                    .filter_map(attribute_text)
                    .collect(),
                skus: product_variants.iter().map(|v| v.sku.clone()).collect(),
                min_price_paise: prices.clone().min().unwrap_or(0),
                max_price_paise: prices.max().unwrap_or(0),
                in_stock: product_variants.iter().any(|v| v.stock_on_hand > 0),
                created_at: product.created_at.timestamp(),
            },
        );
    }
    Ok(documents)
}

#[async_trait::async_trait]
impl DocumentSource for CatalogDocuments {
    async fn documents(
        &self,
        product_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, ProductDocument>, SearchError> {
        search_documents(&self.db, product_ids)
            .await
            .map_err(source_error)
    }

    async fn public_product_ids(&self) -> Result<Vec<Uuid>, SearchError> {
        let ids: Vec<Uuid> = public_products()
            .select_only()
            .column(product::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(|e| source_error(e.into()))?;
        Ok(ids)
    }
}
