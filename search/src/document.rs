//! The search document of one public product.

use chrono::NaiveDate;
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
    /// Every GI the product claims, valid or not (for matching text).
    pub gi_tag_slugs: Vec<String>,
    pub gi_tag_names: Vec<String>,
    /// When each claim is valid. The GI filter and facet count a claim only on a day
    /// inside one of its windows, judged when searching, so a claim lapses in the index
    /// on the day its authorisation does, without rewriting the document.
    #[serde(default)]
    pub gi_windows: Vec<GiWindow>,
    /// Attribute values as text, e.g. "Raktsey Karpo", "handwoven".
    pub attribute_values: Vec<String>,
    /// The variants' SKUs, so a buyer (or a clerk with an invoice) can search by one.
    #[serde(default)]
    pub skus: Vec<String>,
    pub min_price_paise: i64,
    pub max_price_paise: i64,
    pub in_stock: bool,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

/// A period (inclusive) in which a product's claim to a GI is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiWindow {
    pub gi_tag_slug: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// Day numbers (days since 1970-01-01) below 2^DAY_BITS: up to about the year 4840.
const DAY_BITS: u32 = 20;

fn day_number(day: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (day - epoch).num_days().clamp(0, (1_i64 << DAY_BITS) - 1)
}

fn block_term(gi_tag_slug: &str, level: u32, index: i64) -> String {
    format!("{gi_tag_slug}/{level}/{index}")
}

impl GiWindow {
    /// The window as aligned blocks of 2^level days, one term each: a window covers a
    /// day exactly when one of its terms is among the day's terms ([`day_terms`]). A
    /// window needs at most about 2 * DAY_BITS terms, and several windows of one GI
    /// stay exact, which a pair of from/until fields could not promise.
    pub(crate) fn block_terms(&self) -> Vec<String> {
        let mut terms = Vec::new();
        let mut low = day_number(self.valid_from);
        let end = day_number(self.valid_until) + 1;
        while low < end {
            let mut level = 0;
            while level < DAY_BITS
                && low % (1_i64 << (level + 1)) == 0
                && low + (1_i64 << (level + 1)) <= end
            {
                level += 1;
            }
            terms.push(block_term(&self.gi_tag_slug, level, low >> level));
            low += 1_i64 << level;
        }
        terms
    }
}

/// The terms of the blocks containing a day, one per level: a document validly claims
/// the GI on that day when it holds any of them.
pub(crate) fn day_terms(gi_tag_slug: &str, day: NaiveDate) -> Vec<String> {
    let number = day_number(day);
    (0..=DAY_BITS)
        .map(|level| block_term(gi_tag_slug, level, number >> level))
        .collect()
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
