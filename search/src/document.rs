//! The search document of one public product.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What the index knows of a product buyers can see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDocument {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// Category slugs from the root to the product's category, e.g.
    /// `["apricot", "apricot-dried"]`, so a filter on a parent finds its children.
    pub category_path: Vec<String>,
    /// The same path as names, for matching text.
    pub category_names: Vec<String>,
    pub cooperative_slug: String,
    pub cooperative_name: String,
    pub district: String,
    pub gi_tag_slugs: Vec<String>,
    pub gi_tag_names: Vec<String>,
    /// Attribute values as text, e.g. "Raktsey Karpo", "handwoven".
    pub attribute_values: Vec<String>,
    pub min_price_paise: i64,
    pub max_price_paise: i64,
    pub in_stock: bool,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

impl ProductDocument {
    /// A digest of the whole document; a stored fingerprint that differs from the one
    /// computed from the database marks a stale document.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        Sha256::digest(json)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
