//! The Meilisearch backend, chosen when `MEILISEARCH_URL` is set: what replicas behind a
//! load balancer share. On start-up it creates the index and applies its settings
//! (searchable, filterable and sortable attributes, ranking rules, synonyms, typo
//! tolerance), and every write waits for its Meilisearch task: a failed task is an
//! error, never a success.

use std::{collections::HashMap, time::Duration};

use meilisearch_sdk::{
    client::Client,
    documents::DocumentsQuery,
    errors::{Error as MeiliError, ErrorCode},
    indexes::Index,
    search::{MatchingStrategies, Selectors},
    settings::{
        FacetingSettings, FilterableAttribute, MinWordSizeForTypos, PaginationSetting, Settings,
        TypoToleranceSettings,
    },
    task_info::TaskInfo,
    tasks::Task,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Facet, FacetValue, Highlights, PRICE_BUCKETS, ProductDocument, SearchError, SearchFilter,
    SearchHit, SearchIndex, SearchRequest, SearchResults, SearchSort, SettingsState, Synonyms,
    document::day_terms,
    highlight::highlight,
    rank::{self, RankQuery},
    synonyms::QueryUnit,
};

const TASK_POLL: Duration = Duration::from_millis(50);
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
/// Matches fetched per request when collecting a result set to order.
const MATCH_PAGE: usize = 1000;

/// What Meilisearch stores: the document and its fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredDocument {
    #[serde(flatten)]
    document: ProductDocument,
    fingerprint: String,
    /// The blocks of the GI claims' validity windows, filtered by the day searched.
    #[serde(default)]
    gi_valid: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Fingerprint {
    id: Uuid,
    fingerprint: String,
}

/// The Meilisearch index.
pub struct MeiliIndex {
    client: Client,
    index: Index,
    synonyms: Synonyms,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("index", &self.index.uid)
            .finish()
    }
}

fn backend(error: MeiliError) -> SearchError {
    SearchError::Backend(error.to_string())
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl MeiliIndex {
    /// Connects, creates the index if needed and applies its settings.
    pub async fn connect(
        url: &str,
        api_key: Option<&str>,
        index_uid: &str,
        synonyms: Synonyms,
    ) -> Result<Self, SearchError> {
        let client = Client::new(url, api_key).map_err(backend)?;
        let created = match client.create_index(index_uid, Some("id")).await {
            Ok(task) => match Self::wait(&client, task).await {
                Ok(()) => true,
                // Another replica created it first.
                Err(SearchError::Backend(message)) if message.contains("already exists") => false,
                Err(error) => return Err(error),
            },
            Err(MeiliError::Meilisearch(error))
                if error.error_code == ErrorCode::IndexAlreadyExists =>
            {
                false
            }
            Err(error) => return Err(backend(error)),
        };
        let index = client.index(index_uid);
        let this = Self {
            client,
            index,
            synonyms,
        };
        // A new index gets the settings at once. An existing one is shared by every
        // replica, which may have started with another configuration (a rolling
        // update): its settings change only through `search-settings apply`, and
        // `search-settings check` / `search-check` tell when they differ.
        if created {
            this.apply().await?;
        }
        Ok(this)
    }

    async fn apply(&self) -> Result<(), SearchError> {
        let task = self
            .index
            .set_settings(&self.settings())
            .await
            .map_err(backend)?;
        Self::wait(&self.client, task).await
    }

    /// The settings that differ between the live index and the configuration.
    async fn differences(&self) -> Result<Vec<String>, SearchError> {
        let live = self.index.get_settings().await.map_err(backend)?;
        let wanted = self.settings();
        let mut differ = Vec::new();
        let sorted = |list: Option<Vec<String>>| {
            let mut list = list.unwrap_or_default();
            list.sort();
            list
        };
        let filterable = |list: Option<Vec<FilterableAttribute>>| {
            let mut names: Vec<String> = list
                .unwrap_or_default()
                .into_iter()
                .flat_map(|attribute| match attribute {
                    FilterableAttribute::Attribute(name) => vec![name],
                    FilterableAttribute::Settings(settings) => settings.attribute_patterns,
                })
                .collect();
            names.sort();
            names
        };
        // Meilisearch answers synonyms as a map of word to equivalents, in no promised
        // order: compare sets.
        let synonyms = |map: Option<HashMap<String, Vec<String>>>| {
            let mut pairs: Vec<(String, String)> = map
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(word, others)| {
                    others
                        .into_iter()
                        .map(move |other| (word.to_lowercase(), other.to_lowercase()))
                })
                .collect();
            pairs.sort();
            pairs.dedup();
            pairs
        };
        let typo = |settings: Option<TypoToleranceSettings>| {
            settings.map(|t| (t.enabled, t.min_word_size_for_typos))
        };
        if live.ranking_rules != wanted.ranking_rules {
            differ.push("rankingRules");
        }
        if synonyms(live.synonyms) != synonyms(wanted.synonyms) {
            differ.push("synonyms");
        }
        if live.searchable_attributes != wanted.searchable_attributes {
            differ.push("searchableAttributes");
        }
        if filterable(live.filterable_attributes) != filterable(wanted.filterable_attributes) {
            differ.push("filterableAttributes");
        }
        if sorted(live.sortable_attributes) != sorted(wanted.sortable_attributes) {
            differ.push("sortableAttributes");
        }
        if typo(live.typo_tolerance) != typo(wanted.typo_tolerance) {
            differ.push("typoTolerance");
        }
        if live.pagination != wanted.pagination {
            differ.push("pagination");
        }
        if live.faceting.map(|f| f.max_values_per_facet)
            != wanted.faceting.map(|f| f.max_values_per_facet)
        {
            differ.push("faceting");
        }
        Ok(differ.into_iter().map(str::to_owned).collect())
    }

    fn settings(&self) -> Settings {
        let mut synonym_map: HashMap<String, Vec<String>> = HashMap::new();
        for group in self.synonyms.groups() {
            for phrase in group {
                let others: Vec<String> = group
                    .iter()
                    .filter(|other| *other != phrase)
                    .cloned()
                    .collect();
                synonym_map
                    .entry(phrase.clone())
                    .or_default()
                    .extend(others);
            }
        }
        Settings::new()
            .with_searchable_attributes([
                "title",
                "gi_tag_names",
                "category_names",
                "attribute_values",
                "skus",
                "cooperative_name",
                "district",
                "description",
            ])
            .with_filterable_attributes([
                "category_path",
                "cooperative_slug",
                "district",
                "gi_tag_slugs",
                "gi_valid",
                "min_price_paise",
                "max_price_paise",
                "in_stock",
            ])
            .with_sortable_attributes(["min_price_paise", "created_at"])
            // Meilisearch's built-in rules in its documented default order (the ranking
            // rules reference, https://www.meilisearch.com/docs/learn/advanced/ranking_rules:
            // `attribute` became `attributeRank` and `wordPosition`). They decide only
            // which documents match and their ranking score: the order of results is
            // the shared one (crate::rank), identical on the embedded index.
            .with_ranking_rules([
                "words",
                "typo",
                "proximity",
                "attributeRank",
                "sort",
                "wordPosition",
                "exactness",
            ])
            .with_synonyms(synonym_map)
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
                disable_on_numbers: None,
            })
            .with_pagination(PaginationSetting {
                max_total_hits: 1_000_000,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 200,
                sort_facet_values_by: None,
            })
    }

    /// Waits for a task and turns a failed one into an error.
    async fn wait(client: &Client, task: TaskInfo) -> Result<(), SearchError> {
        match task
            .wait_for_completion(client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(backend)?
        {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(SearchError::Backend(format!(
                "Meilisearch task {} failed: {}",
                content.task.uid, content.error.error_message
            ))),
            Task::Enqueued { .. } | Task::Processing { .. } => Err(SearchError::Backend(
                "Meilisearch task did not finish in time".to_owned(),
            )),
        }
    }

    fn gi_valid_expression(slug: &str, day: chrono::NaiveDate) -> String {
        let terms: Vec<String> = day_terms(slug, day).iter().map(|t| quoted(t)).collect();
        format!("gi_valid IN [{}]", terms.join(", "))
    }

    fn filter_expression(filter: &SearchFilter, day: chrono::NaiveDate) -> String {
        let mut clauses = Vec::new();
        if let Some(value) = &filter.category_slug {
            clauses.push(format!("category_path = {}", quoted(value)));
        }
        if let Some(value) = &filter.cooperative_slug {
            clauses.push(format!("cooperative_slug = {}", quoted(value)));
        }
        if let Some(value) = &filter.district {
            clauses.push(format!("district = {}", quoted(value)));
        }
        if let Some(value) = &filter.gi_tag_slug {
            clauses.push(Self::gi_valid_expression(value, day));
        }
        if let Some(min) = filter.min_price_paise {
            clauses.push(format!("max_price_paise >= {min}"));
        }
        if let Some(max) = filter.max_price_paise {
            clauses.push(format!("min_price_paise <= {max}"));
        }
        if let Some(in_stock) = filter.in_stock {
            clauses.push(format!("in_stock = {in_stock}"));
        }
        clauses.join(" AND ")
    }

    fn highlight_words(&self, text: &str) -> Vec<String> {
        let mut highlighted = Vec::new();
        for unit in self.synonyms.units(&words(text), words) {
            match unit {
                QueryUnit::Word(word) => highlighted.push(word),
                QueryUnit::Alternatives(phrases) => {
                    highlighted.extend(phrases.into_iter().flatten())
                }
            }
        }
        highlighted
    }

    /// The distribution counts every claim; count each GI again with only the claims
    /// valid on the day.
    async fn gi_facet(
        &self,
        text: &str,
        filter: &str,
        claimed: &[FacetValue],
        day: chrono::NaiveDate,
    ) -> Result<Vec<FacetValue>, SearchError> {
        let mut values = Vec::with_capacity(claimed.len());
        for value in claimed {
            let valid = Self::gi_valid_expression(&value.value, day);
            let combined = if filter.is_empty() {
                valid
            } else {
                format!("({filter}) AND {valid}")
            };
            let mut query = self.index.search();
            query
                .with_query(text)
                .with_filter(&combined)
                .with_page(1)
                .with_hits_per_page(1)
                .with_matching_strategy(MatchingStrategies::ALL);
            let results = query
                .execute::<serde_json::Value>()
                .await
                .map_err(backend)?;
            let count = results.total_hits.unwrap_or(0);
            if count > 0 {
                values.push(FacetValue {
                    value: value.value.clone(),
                    count: u64::try_from(count).unwrap_or(0),
                });
            }
        }
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(values)
    }

    async fn price_facet(&self, text: &str, filter: &str) -> Result<Facet, SearchError> {
        let mut values = Vec::with_capacity(PRICE_BUCKETS.len());
        for (label, from, to) in PRICE_BUCKETS {
            let mut range = format!("min_price_paise >= {from}");
            if to < i64::MAX {
                range.push_str(&format!(" AND min_price_paise < {to}"));
            }
            let combined = if filter.is_empty() {
                range
            } else {
                format!("({filter}) AND {range}")
            };
            let mut query = self.index.search();
            query
                .with_query(text)
                .with_filter(&combined)
                .with_page(1)
                .with_hits_per_page(1)
                .with_matching_strategy(MatchingStrategies::ALL);
            let results = query
                .execute::<serde_json::Value>()
                .await
                .map_err(backend)?;
            let count = results.total_hits.unwrap_or(0);
            values.push(FacetValue {
                value: label.to_owned(),
                count: u64::try_from(count).unwrap_or(0),
            });
        }
        Ok(Facet {
            field: "price".to_owned(),
            values,
        })
    }
}

#[async_trait::async_trait]
impl SearchIndex for MeiliIndex {
    async fn upsert(&self, documents: Vec<ProductDocument>) -> Result<(), SearchError> {
        let stored: Vec<StoredDocument> = documents
            .into_iter()
            .map(|document| StoredDocument {
                fingerprint: document.fingerprint(),
                gi_valid: document
                    .gi_windows
                    .iter()
                    .flat_map(|window| window.block_terms())
                    .collect(),
                document,
            })
            .collect();
        let task = self
            .index
            .add_or_replace(&stored, Some("id"))
            .await
            .map_err(backend)?;
        Self::wait(&self.client, task).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let task = self.index.delete_documents(&ids).await.map_err(backend)?;
        Self::wait(&self.client, task).await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self.index.delete_all_documents().await.map_err(backend)?;
        Self::wait(&self.client, task).await
    }

    async fn search(&self, request: SearchRequest) -> Result<SearchResults, SearchError> {
        let text = request
            .text
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let day = request.day();
        let filter = Self::filter_expression(&request.filter, day);
        let facets = [
            "category_path",
            "gi_tag_slugs",
            "cooperative_slug",
            "district",
        ];
        // Every match, then the shared order (crate::rank), so that this backend and the
        // embedded one give the same pages: Meilisearch's own order of equally relevant
        // documents is the order they were indexed in. Pages of `hitsPerPage` make
        // `totalHits` exhaustive (the search reference: "exhaustive pagination"), unlike
        // `estimatedTotalHits` with offset/limit; `maxTotalHits` (settings) bounds them.
        let mut matched: Vec<(ProductDocument, f32)> = Vec::new();
        let mut distribution = HashMap::new();
        let mut page = 1;
        loop {
            let mut query = self.index.search();
            query
                .with_query(&text)
                .with_page(page)
                .with_hits_per_page(MATCH_PAGE)
                // Every word must match, as on the embedded index; the default, `last`,
                // drops words from the end to find more.
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_show_ranking_score(true);
            if page == 1 {
                query.with_facets(Selectors::Some(&facets));
            }
            if !filter.is_empty() {
                query.with_filter(&filter);
            }
            let results = query.execute::<ProductDocument>().await.map_err(backend)?;
            if page == 1 {
                distribution = results.facet_distribution.unwrap_or_default();
            }
            let count = results.hits.len();
            let relevance = !text.is_empty() && request.sort == SearchSort::Relevance;
            matched.extend(results.hits.into_iter().map(|hit| {
                let score = if relevance {
                    hit.ranking_score.unwrap_or(0.0) as f32
                } else {
                    0.0
                };
                (hit.result, score)
            }));
            if count < MATCH_PAGE || page >= results.total_pages.unwrap_or(page) {
                break;
            }
            page += 1;
        }
        let total = matched.len();
        let rank_query = RankQuery::new(Some(&text), &self.synonyms);
        let ordered = rank::order(matched, request.sort, rank_query.as_ref(), day);
        let words = self.highlight_words(&text);
        let hits = ordered
            .into_iter()
            .skip(request.offset)
            .take(request.limit.max(1))
            .map(|(document, score)| SearchHit {
                id: document.id,
                score,
                highlights: Highlights {
                    title: highlight(&document.title, &words),
                    description: highlight(&document.description, &words),
                },
            })
            .collect();
        let mut facet_list: Vec<Facet> = [
            ("category_path", "category"),
            ("gi_tag_slugs", "gi"),
            ("cooperative_slug", "cooperative"),
            ("district", "district"),
        ]
        .iter()
        .map(|(attribute, field)| {
            let mut values: Vec<FacetValue> = distribution
                .get(*attribute)
                .into_iter()
                .flatten()
                .map(|(value, count)| FacetValue {
                    value: value.clone(),
                    count: u64::try_from(*count).unwrap_or(0),
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            Facet {
                field: (*field).to_owned(),
                values,
            }
        })
        .collect();
        if let Some(gi) = facet_list.iter_mut().find(|facet| facet.field == "gi") {
            gi.values = self.gi_facet(&text, &filter, &gi.values, day).await?;
        }
        facet_list.push(self.price_facet(&text, &filter).await?);
        Ok(SearchResults {
            total: u64::try_from(total).unwrap_or(0),
            hits,
            facets: facet_list,
        })
    }

    async fn fingerprints(&self) -> Result<HashMap<Uuid, String>, SearchError> {
        let mut fingerprints = HashMap::new();
        let mut offset = 0;
        loop {
            let mut query = DocumentsQuery::new(&self.index);
            query
                .with_offset(offset)
                .with_limit(1000)
                .with_fields(["id", "fingerprint"]);
            let page = self
                .index
                .get_documents_with::<Fingerprint>(&query)
                .await
                .map_err(backend)?;
            let count = page.results.len();
            fingerprints.extend(page.results.into_iter().map(|f| (f.id, f.fingerprint)));
            if count < 1000 {
                return Ok(fingerprints);
            }
            offset += count;
        }
    }

    async fn settings_state(&self) -> Result<SettingsState, SearchError> {
        let differ = self.differences().await?;
        Ok(if differ.is_empty() {
            SettingsState::Current
        } else {
            SettingsState::Differ(differ)
        })
    }

    async fn apply_settings(&self) -> Result<SettingsState, SearchError> {
        self.apply().await?;
        self.settings_state().await
    }

    async fn health(&self) -> Result<(), SearchError> {
        self.client.health().await.map_err(backend)?;
        self.index.get_stats().await.map_err(backend)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "meilisearch"
    }
}
