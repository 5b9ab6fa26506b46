//! The order of results, one definition for every backend.
//!
//! A backend finds the matching documents (and counts the facets); this module puts
//! them in order. Ranking in shared code, over the documents themselves, is what makes
//! the same catalogue and query give the same pages on the embedded index and on
//! Meilisearch: their relevance scores are not comparable (BM25 against Meilisearch's
//! bucket sort), and equal scores left the order to the order of indexing.
//!
//! The rules, in order:
//! - a chosen sort first (price, or newest);
//! - otherwise, for a text query, **title match**: fewer query words (or synonym
//!   groups) missing from the title first;
//! - then **GI claim valid on the day searched** (a lapsed authorisation counts as no
//!   claim, as in the GI filter), then **in stock**, then **newest**, then the **id**
//!   (UUIDv7, so older first among products created in the same second), which makes
//!   the order total.

use std::cmp::Ordering;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::{
    ProductDocument, SearchSort, Synonyms,
    highlight::{edit_distance, typo_budget},
    synonyms::QueryUnit,
};

/// Lower-case words, split on anything not alphanumeric: the same for query and title
/// on every backend.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A title word matches a query word exactly, by prefix, or within the typo tolerance
/// (the rule highlighting uses).
pub(crate) fn word_matches(title_word: &str, query_word: &str) -> bool {
    let budget = typo_budget(query_word.chars().count());
    title_word == query_word
        || (query_word.chars().count() >= 2 && title_word.starts_with(query_word))
        || edit_distance(title_word, query_word, budget) <= budget
}

/// The query as units: words, and synonym groups any phrase of which may match.
pub(crate) struct RankQuery {
    units: Vec<QueryUnit>,
}

impl RankQuery {
    /// `None` for an empty text, which has no title to match.
    pub(crate) fn new(text: Option<&str>, synonyms: &Synonyms) -> Option<Self> {
        let query_words = words(text.unwrap_or_default());
        if query_words.is_empty() {
            return None;
        }
        Some(Self {
            units: synonyms.units(&query_words, words),
        })
    }

    pub(crate) fn units(&self) -> &[QueryUnit] {
        &self.units
    }

    /// How many units the title does not match.
    fn title_misses(&self, title: &str) -> usize {
        let title_words = words(title);
        let has = |query_word: &String| title_words.iter().any(|t| word_matches(t, query_word));
        self.units
            .iter()
            .filter(|unit| match unit {
                QueryUnit::Word(word) => !has(word),
                QueryUnit::Alternatives(phrases) => !phrases
                    .iter()
                    .any(|phrase| !phrase.is_empty() && phrase.iter().all(has)),
            })
            .count()
    }
}

/// Whether a document validly claims some GI on a day.
pub(crate) fn gi_valid_on(document: &ProductDocument, day: NaiveDate) -> bool {
    document
        .gi_windows
        .iter()
        .any(|window| window.valid_from <= day && day <= window.valid_until)
}

/// What the order of one document rests on, besides its id (the last tie-breaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RankKey {
    pub title_misses: usize,
    pub gi_valid: bool,
    pub in_stock: bool,
    pub created_at: i64,
    pub min_price: i64,
}

impl RankKey {
    fn of(document: &ProductDocument, query: Option<&RankQuery>, day: NaiveDate) -> Self {
        Self {
            title_misses: query.map_or(0, |q| q.title_misses(&document.title)),
            gi_valid: gi_valid_on(document, day),
            in_stock: document.in_stock,
            created_at: document.created_at,
            min_price: document.min_price_paise,
        }
    }
}

/// The rules above but the id.
pub(crate) fn compare_keys(a: &RankKey, b: &RankKey, sort: SearchSort) -> Ordering {
    let chosen = match sort {
        SearchSort::PriceLowToHigh => a.min_price.cmp(&b.min_price),
        SearchSort::PriceHighToLow => b.min_price.cmp(&a.min_price),
        SearchSort::Newest => b.created_at.cmp(&a.created_at),
        SearchSort::Relevance => a.title_misses.cmp(&b.title_misses),
    };
    chosen
        .then_with(|| b.gi_valid.cmp(&a.gi_valid))
        .then_with(|| b.in_stock.cmp(&a.in_stock))
        .then_with(|| b.created_at.cmp(&a.created_at))
}

/// Every rule: the key, then the id.
pub(crate) fn compare(a: (&RankKey, Uuid), b: (&RankKey, Uuid), sort: SearchSort) -> Ordering {
    compare_keys(a.0, b.0, sort).then_with(|| a.1.cmp(&b.1))
}

/// Orders matched documents (with whatever each backend carries along, e.g. its
/// score) by the rules above.
pub(crate) fn order<T>(
    matched: Vec<(ProductDocument, T)>,
    sort: SearchSort,
    query: Option<&RankQuery>,
    day: NaiveDate,
) -> Vec<(ProductDocument, T)> {
    let mut keyed: Vec<(RankKey, (ProductDocument, T))> = matched
        .into_iter()
        .map(|item| (RankKey::of(&item.0, query, day), item))
        .collect();
    keyed.sort_by(|a, b| compare((&a.0, a.1.0.id), (&b.0, b.1.0.id), sort));
    keyed.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GiWindow;

    fn document(title: &str, created_at: i64) -> ProductDocument {
        ProductDocument {
            id: Uuid::now_v7(),
            slug: title.to_lowercase(),
            title: title.to_owned(),
            description: String::new(),
            category_path: vec![],
            category_names: vec![],
            cooperative_slug: "c".into(),
            cooperative_name: "C".into(),
            district: "Leh".into(),
            gi_tag_slugs: vec![],
            gi_tag_names: vec![],
            gi_windows: vec![],
            attribute_values: vec![],
            skus: vec![],
            min_price_paise: 100,
            max_price_paise: 100,
            in_stock: true,
            created_at,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn title_then_valid_gi_then_stock_then_newest_then_id() {
        let synonyms = Synonyms::built_in().unwrap();
        let query = RankQuery::new(Some("apricot jam"), &synonyms).unwrap();
        let elsewhere = document("Kernel Oil", 50);
        let half = document("Apricot Kernels", 50);
        let mut lapsed = document("Apricot Jam", 10);
        lapsed.gi_windows = vec![GiWindow {
            gi_tag_slug: "g".into(),
            valid_from: day("2020-01-01"),
            valid_until: day("2025-01-01"),
        }];
        let mut valid = lapsed.clone();
        valid.id = Uuid::now_v7();
        valid.gi_windows[0].valid_until = day("2030-01-01");
        let mut sold_out = document("Apricot Jam", 99);
        sold_out.in_stock = false;
        let newer = document("Apricot Jam", 20);
        let same_second_first = document("Apricot Jam", 15);
        let same_second_second = document("Apricot Jam", 15);
        let expected = vec![
            valid.id,
            newer.id,
            same_second_first.id,
            same_second_second.id,
            lapsed.id,
            sold_out.id,
            half.id,
            elsewhere.id,
        ];
        let shuffled = vec![
            elsewhere,
            same_second_second,
            sold_out,
            lapsed,
            half,
            newer,
            valid,
            same_second_first,
        ];
        let ordered = order(
            shuffled.into_iter().map(|d| (d, ())).collect(),
            SearchSort::Relevance,
            Some(&query),
            day("2026-06-01"),
        );
        let ids: Vec<Uuid> = ordered.iter().map(|(d, ())| d.id).collect();
        assert_eq!(ids, expected);
    }
}
