//! The catalog: cooperatives (the sellers), the category tree, products and their
//! variants, and the demo catalog loaded on first start.
//!
//! Buyers and anonymous visitors only ever see ACTIVE products of VERIFIED cooperatives;
//! every public query here applies that rule itself, so no caller can forget it.

mod categories;
mod cooperatives;
mod entity;
mod error;
pub mod identifiers;
mod money;
mod pagination;
mod products;
mod seed;

pub use categories::{
    AttributeDefinition, AttributeKind, Category, categories_by_ids, list_categories,
    validate_attributes,
};
pub use cooperatives::{
    Cooperative, VerificationStatus, cooperative_exists, cooperatives_by_ids,
    find_public_cooperative, list_public_cooperatives,
};
pub use error::CatalogError;
pub use money::{Currency, Money};
pub use pagination::{Page, PageRequest};
pub use products::{
    Declarations, Product, ProductFilter, ProductImage, ProductLookup, ProductStatus, Variant,
    find_public_product, list_public_products, variants_by_product_ids,
};
pub use seed::{SeedSummary, catalog_is_empty, load_demo_catalog};
