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
    search::Selectors,
    settings::{
        FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
    },
    task_info::TaskInfo,
    tasks::Task,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Facet, FacetValue, Highlights, PRICE_BUCKETS, ProductDocument, SearchError, SearchFilter,
    SearchHit, SearchIndex, SearchRequest, SearchResults, SearchSort, Synonyms,
    document::day_terms, highlight::highlight, synonyms::QueryUnit,
};

const TASK_POLL: Duration = Duration::from_millis(50);
const TASK_TIMEOUT: Duration = Duration::from_secs(120);

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
        match client.create_index(index_uid, Some("id")).await {
            Ok(task) => {
                if let Err(SearchError::Backend(message)) = Self::wait(&client, task).await
                    && !message.contains("already exists")
                {
                    return Err(SearchError::Backend(message));
                }
            }
            Err(MeiliError::Meilisearch(error))
                if error.error_code == ErrorCode::IndexAlreadyExists => {}
            Err(error) => return Err(backend(error)),
        }
        let index = client.index(index_uid);
        let this = Self {
            client,
            index,
            synonyms,
        };
        let task = this
            .index
            .set_settings(&this.settings())
            .await
            .map_err(backend)?;
        Self::wait(&this.client, task).await?;
        Ok(this)
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
            .with_ranking_rules([
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
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
            query.with_query(text).with_filter(&combined).with_limit(0);
            let results = query
                .execute::<serde_json::Value>()
                .await
                .map_err(backend)?;
            let count = results
                .estimated_total_hits
                .or(results.total_hits)
                .unwrap_or(0);
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
            query.with_query(text).with_filter(&combined).with_limit(0);
            let results = query
                .execute::<serde_json::Value>()
                .await
                .map_err(backend)?;
            let count = results
                .estimated_total_hits
                .or(results.total_hits)
                .unwrap_or(0);
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
        let sort: &[&str] = match (request.sort, text.is_empty()) {
            (SearchSort::PriceLowToHigh, _) => &["min_price_paise:asc"],
            (SearchSort::PriceHighToLow, _) => &["min_price_paise:desc"],
            (SearchSort::Newest, _) | (SearchSort::Relevance, true) => &["created_at:desc"],
            (SearchSort::Relevance, false) => &[],
        };
        let facets = [
            "category_path",
            "gi_tag_slugs",
            "cooperative_slug",
            "district",
        ];
        let mut query = self.index.search();
        query
            .with_query(&text)
            .with_offset(request.offset)
            .with_limit(request.limit.max(1))
            .with_facets(Selectors::Some(&facets))
            .with_show_ranking_score(true);
        if !filter.is_empty() {
            query.with_filter(&filter);
        }
        if !sort.is_empty() {
            query.with_sort(sort);
        }
        let results = query.execute::<ProductDocument>().await.map_err(backend)?;
        let words = self.highlight_words(&text);
        let hits = results
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                id: hit.result.id,
                score: hit.ranking_score.unwrap_or(0.0) as f32,
                highlights: Highlights {
                    title: highlight(&hit.result.title, &words),
                    description: highlight(&hit.result.description, &words),
                },
            })
            .collect();
        let distribution = results.facet_distribution.unwrap_or_default();
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
        let total = results
            .estimated_total_hits
            .or(results.total_hits)
            .unwrap_or(0);
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

    async fn health(&self) -> Result<(), SearchError> {
        self.client.health().await.map_err(backend)?;
        self.index.get_stats().await.map_err(backend)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "meilisearch"
    }
}
