//! The embedded search index, built on tantivy and kept under the data directory: no
//! server to run. One process writes it (tantivy holds a lock file); replicas behind a
//! load balancer use Meilisearch instead.

use std::{
    collections::{HashMap, HashSet},
    ops::Bound,
    path::Path,
    sync::{Arc, Mutex},
};

use chrono::NaiveDate;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    aggregation::{AggContextParams, AggregationCollector, agg_req::Aggregations},
    collector::{Count, DocSetCollector, TopDocs},
    directory::MmapDirectory,
    query::{
        AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
    },
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
        TextOptions, Value,
    },
    tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer},
};
use uuid::Uuid;

use crate::{
    Facet, FacetValue, Highlights, PRICE_BUCKETS, ProductDocument, SearchError, SearchFilter,
    SearchHit, SearchIndex, SearchRequest, SearchResults, SearchSort, SettingsState, Synonyms,
    document::day_terms,
    highlight::{highlight, typo_budget},
    rank::{self, RankKey, RankQuery},
    synonyms::QueryUnit,
};

const ANALYZER: &str = "market";
const WRITER_MEMORY_BYTES: usize = 30_000_000;
/// Why settings commands do not apply to the embedded index.
const TANTIVY_SETTINGS: &str = "not applicable to the embedded index: it stores no \
settings; its ranking rules are in the code, and it applies synonyms at query time \
from the built-in list and DATA_DIR/synonyms.json as read when the process started \
(restart the server after editing synonyms.json)";

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    fingerprint: Field,
    document: Field,
    title: Field,
    description: Field,
    category_text: Field,
    cooperative_text: Field,
    district_text: Field,
    gi_text: Field,
    attribute_text: Field,
    category: Field,
    cooperative: Field,
    district: Field,
    gi: Field,
    gi_valid: Field,
    min_price: Field,
    max_price: Field,
    in_stock: Field,
    created_at: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        fingerprint: builder.add_text_field("fingerprint", STORED),
        document: builder.add_text_field("document", STORED),
        title: builder.add_text_field("title", text.clone()),
        description: builder.add_text_field("description", text.clone()),
        category_text: builder.add_text_field("category_text", text.clone()),
        cooperative_text: builder.add_text_field("cooperative_text", text.clone()),
        district_text: builder.add_text_field("district_text", text.clone()),
        gi_text: builder.add_text_field("gi_text", text.clone()),
        attribute_text: builder.add_text_field("attribute_text", text),
        category: builder.add_text_field("category", STRING | FAST),
        cooperative: builder.add_text_field("cooperative", STRING | FAST),
        district: builder.add_text_field("district", STRING | FAST),
        gi: builder.add_text_field("gi", STRING | FAST),
        gi_valid: builder.add_text_field("gi_valid", STRING),
        min_price: builder.add_i64_field("min_price", INDEXED | FAST),
        max_price: builder.add_i64_field("max_price", INDEXED | FAST),
        in_stock: builder.add_u64_field("in_stock", INDEXED | FAST),
        created_at: builder.add_i64_field("created_at", INDEXED | FAST),
    };
    (builder.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The embedded index.
#[derive(Clone)]
pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<Arc<Mutex<IndexWriter>>>,
    fields: Fields,
    synonyms: Arc<Synonyms>,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("writable", &self.writer.is_some())
            .finish()
    }
}

impl TantivyIndex {
    /// Opens (creating it if needed) the index in `directory` for reading and writing.
    pub fn open(directory: &Path, synonyms: Synonyms) -> Result<Self, SearchError> {
        let mut index = Self::open_read_only(directory, synonyms)?;
        let writer = index
            .index
            .writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        index.writer = Some(Arc::new(Mutex::new(writer)));
        Ok(index)
    }

    /// Opens the index for searching only, e.g. to check it while a server writes it.
    pub fn open_read_only(directory: &Path, synonyms: Synonyms) -> Result<Self, SearchError> {
        std::fs::create_dir_all(directory)
            .map_err(|e| SearchError::Index(format!("{}: {e}", directory.display())))?;
        let (schema, fields) = schema();
        let mmap = MmapDirectory::open(directory).map_err(|e| SearchError::Index(e.to_string()))?;
        let exists = Index::exists(&mmap).map_err(|e| SearchError::Index(e.to_string()))?;
        if exists && Index::open(mmap.clone())?.schema() != schema {
            return Err(SearchError::Index(format!(
                "{} was built with an older schema: remove it and run `reindex`",
                directory.display()
            )));
        }
        let index = Index::open_or_create(mmap, schema)?;
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: None,
            fields,
            synonyms: Arc::new(synonyms),
        })
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words
    }

    fn to_tantivy(&self, document: &ProductDocument) -> Result<TantivyDocument, SearchError> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, document.id.to_string());
        doc.add_text(f.fingerprint, document.fingerprint());
        doc.add_text(
            f.document,
            serde_json::to_string(document).map_err(|e| SearchError::Index(e.to_string()))?,
        );
        doc.add_text(f.title, &document.title);
        doc.add_text(f.description, &document.description);
        for name in &document.category_names {
            doc.add_text(f.category_text, name);
        }
        doc.add_text(f.cooperative_text, &document.cooperative_name);
        doc.add_text(f.district_text, &document.district);
        for name in &document.gi_tag_names {
            doc.add_text(f.gi_text, name);
        }
        for value in &document.attribute_values {
            doc.add_text(f.attribute_text, value);
        }
        // SKUs match as attribute text: a field of their own would change the index's
        // schema, which an existing index on disk cannot open with.
        for sku in &document.skus {
            doc.add_text(f.attribute_text, sku);
        }
        for slug in &document.category_path {
            doc.add_text(f.category, slug);
        }
        doc.add_text(f.cooperative, &document.cooperative_slug);
        doc.add_text(f.district, &document.district);
        for slug in &document.gi_tag_slugs {
            doc.add_text(f.gi, slug);
        }
        for window in &document.gi_windows {
            for term in window.block_terms() {
                doc.add_text(f.gi_valid, term);
            }
        }
        doc.add_i64(f.min_price, document.min_price_paise);
        doc.add_i64(f.max_price, document.max_price_paise);
        doc.add_u64(f.in_stock, u64::from(document.in_stock));
        doc.add_i64(f.created_at, document.created_at);
        Ok(doc)
    }

    fn writer(&self) -> Result<Arc<Mutex<IndexWriter>>, SearchError> {
        self.writer
            .clone()
            .ok_or_else(|| SearchError::Index("the index is open read-only".to_owned()))
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn word_query(&self, word: &str, prefix: bool) -> Box<dyn Query> {
        let f = self.fields;
        let budget = u8::try_from(typo_budget(word.chars().count())).unwrap_or(0);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in [
            (f.title, 3.0),
            (f.description, 1.0),
            (f.category_text, 1.5),
            (f.cooperative_text, 1.0),
            (f.district_text, 1.0),
            (f.gi_text, 1.5),
            (f.attribute_text, 1.2),
        ] {
            let term = Term::from_field_text(field, word);
            let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(exact), boost * 2.0)),
            ));
            if budget > 0 {
                let fuzzy = FuzzyTermQuery::new(term.clone(), budget, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), boost)),
                ));
            }
            if prefix {
                let prefixed = FuzzyTermQuery::new_prefix(term, 0, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(prefixed), boost)),
                ));
            }
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The text part of a query and every word that may match (for highlighting).
    fn text_query(&self, text: &str) -> Option<(Box<dyn Query>, Vec<String>)> {
        let words = self.tokenize(text);
        if words.is_empty() {
            return None;
        }
        // The last word is still being typed unless the text ends with a space.
        let typing_last_word = !text.ends_with(char::is_whitespace);
        let units = self.synonyms.units(&words, |phrase| self.tokenize(phrase));
        let mut highlight_words = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let last = units.len().saturating_sub(1);
        for (position, unit) in units.into_iter().enumerate() {
            let query: Box<dyn Query> = match unit {
                QueryUnit::Word(word) => {
                    highlight_words.push(word.clone());
                    self.word_query(&word, typing_last_word && position == last)
                }
                QueryUnit::Alternatives(phrases) => {
                    let alternatives: Vec<(Occur, Box<dyn Query>)> = phrases
                        .iter()
                        .map(|phrase| {
                            highlight_words.extend(phrase.iter().cloned());
                            let all_words: Vec<(Occur, Box<dyn Query>)> = phrase
                                .iter()
                                .map(|word| (Occur::Must, self.word_query(word, false)))
                                .collect();
                            (
                                Occur::Should,
                                Box::new(BooleanQuery::new(all_words)) as Box<dyn Query>,
                            )
                        })
                        .collect();
                    Box::new(BooleanQuery::new(alternatives))
                }
            };
            clauses.push((Occur::Must, query));
        }
        Some((Box::new(BooleanQuery::new(clauses)), highlight_words))
    }

    /// Products whose claim to a GI is valid on a day: one of the claim's window
    /// blocks contains the day.
    fn gi_valid_clauses(&self, slug: &str, day: NaiveDate) -> Vec<(Occur, Box<dyn Query>)> {
        let any_block: Vec<(Occur, Box<dyn Query>)> = day_terms(slug, day)
            .into_iter()
            .map(|term| {
                let term = Term::from_field_text(self.fields.gi_valid, &term);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        vec![(Occur::Must, Box::new(BooleanQuery::new(any_block)))]
    }

    fn filter_clauses(
        &self,
        filter: &SearchFilter,
        day: NaiveDate,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut exact = |field: Field, value: &Option<String>| {
            if let Some(value) = value {
                let term = Term::from_field_text(field, value);
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        };
        exact(f.category, &filter.category_slug);
        exact(f.cooperative, &filter.cooperative_slug);
        exact(f.district, &filter.district);
        if let Some(slug) = &filter.gi_tag_slug {
            clauses.extend(self.gi_valid_clauses(slug, day));
        }
        if let Some(min) = filter.min_price_paise {
            let lower = Term::from_field_i64(f.max_price, min);
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Included(lower), Bound::Unbounded)),
            ));
        }
        if let Some(max) = filter.max_price_paise {
            let upper = Term::from_field_i64(f.min_price, max);
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(upper))),
            ));
        }
        if let Some(in_stock) = filter.in_stock {
            let term = Term::from_field_u64(f.in_stock, u64::from(in_stock));
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        clauses
    }

    fn aggregations() -> Result<Aggregations, SearchError> {
        let ranges: Vec<serde_json::Value> = PRICE_BUCKETS
            .iter()
            .map(|(label, from, to)| {
                let mut range = serde_json::Map::new();
                range.insert("key".to_owned(), serde_json::json!(label));
                if *from > 0 {
                    range.insert("from".to_owned(), serde_json::json!(*from));
                }
                if *to < i64::MAX {
                    range.insert("to".to_owned(), serde_json::json!(*to));
                }
                serde_json::Value::Object(range)
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "category": { "terms": { "field": "category", "size": 200 } },
            "cooperative": { "terms": { "field": "cooperative", "size": 200 } },
            "district": { "terms": { "field": "district", "size": 50 } },
            "gi": { "terms": { "field": "gi", "size": 50 } },
            "price": { "range": { "field": "min_price", "ranges": ranges } },
        }))
        .map_err(|e| SearchError::Index(format!("aggregations: {e}")))
    }

    fn facets_from(results: &serde_json::Value) -> Vec<Facet> {
        ["category", "gi", "cooperative", "district", "price"]
            .iter()
            .map(|field| {
                let mut values: Vec<FacetValue> = results
                    .get(*field)
                    .and_then(|facet| facet.get("buckets"))
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|bucket| {
                        let value = bucket.get("key")?.as_str()?.to_owned();
                        let count = bucket.get("doc_count")?.as_u64()?;
                        (count > 0 || *field == "price").then_some(FacetValue { value, count })
                    })
                    .collect();
                if *field == "price" {
                    values.sort_by_key(|v| {
                        PRICE_BUCKETS
                            .iter()
                            .position(|(label, _, _)| *label == v.value)
                    });
                } else {
                    values
                        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                }
                Facet {
                    field: (*field).to_owned(),
                    values,
                }
            })
            .collect()
    }

    /// A query word's matches in the title alone, by the rule of
    /// `rank::word_matches`: exactly, by prefix from two characters, or within the typo
    /// tolerance (transpositions count as one edit, as in `highlight::edit_distance`).
    fn title_word_query(&self, word: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(self.fields.title, word);
        let length = word.chars().count();
        let budget = u8::try_from(typo_budget(length)).unwrap_or(0);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
        )];
        if budget > 0 {
            clauses.push((
                Occur::Should,
                Box::new(FuzzyTermQuery::new(term.clone(), budget, true)),
            ));
        }
        if length >= 2 {
            clauses.push((
                Occur::Should,
                Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One query unit (a word, or any phrase of a synonym group) in the title.
    fn title_unit_query(&self, unit: &QueryUnit) -> Box<dyn Query> {
        match unit {
            QueryUnit::Word(word) => self.title_word_query(word),
            QueryUnit::Alternatives(phrases) => Box::new(BooleanQuery::new(
                phrases
                    .iter()
                    .filter(|phrase| !phrase.is_empty())
                    .map(|phrase| {
                        let all: Vec<(Occur, Box<dyn Query>)> = phrase
                            .iter()
                            .map(|word| (Occur::Must, self.title_word_query(word)))
                            .collect();
                        (
                            Occur::Should,
                            Box::new(BooleanQuery::new(all)) as Box<dyn Query>,
                        )
                    })
                    .collect(),
            )),
        }
    }

    /// The matches among `query` that validly claim some GI on the day: every GI slug
    /// in the index (from the term dictionary), each judged by its windows.
    fn gi_valid_matches(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        day: NaiveDate,
    ) -> Result<HashSet<DocAddress>, SearchError> {
        let mut slugs = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.gi)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(|e| SearchError::Index(e.to_string()))?;
            while stream.advance() {
                slugs.insert(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        if slugs.is_empty() {
            return Ok(HashSet::new());
        }
        let any_valid: Vec<(Occur, Box<dyn Query>)> = slugs
            .iter()
            .flat_map(|slug| self.gi_valid_clauses(slug, day))
            .map(|(_, clause)| (Occur::Should, clause))
            .collect();
        let valid = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, Box::new(BooleanQuery::new(any_valid))),
        ]);
        Ok(searcher.search(&valid, &DocSetCollector)?)
    }

    fn run_search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let text = request
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let day = request.day();
        let mut clauses = self.filter_clauses(&request.filter, day);
        let mut highlight_words = Vec::new();
        if let Some((query, words)) = text.and_then(|t| self.text_query(t)) {
            clauses.push((Occur::Must, query));
            highlight_words = words;
        }
        let query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let aggregations =
            AggregationCollector::from_aggs(Self::aggregations()?, AggContextParams::default());
        let (matched, facets) = searcher.search(&query, &(DocSetCollector, aggregations))?;
        let total = matched.len();

        // The shared order (crate::rank), the same as on Meilisearch, from what the
        // index holds per document without reading it: fast fields for stock, time and
        // price, document sets for a valid GI claim and for each query unit in the
        // title. Only the documents around the page are read, for the id (the last
        // tie-breaker) and the highlights.
        let gi_valid = self.gi_valid_matches(&searcher, query.as_ref(), day)?;
        let rank_query = match request.sort {
            SearchSort::Relevance => RankQuery::new(text, &self.synonyms),
            _ => None,
        };
        let mut title_hits: HashMap<DocAddress, usize> = HashMap::new();
        let units = rank_query.as_ref().map_or(0, |q| q.units().len());
        for unit in rank_query.iter().flat_map(|q| q.units()) {
            let in_title = BooleanQuery::new(vec![
                (Occur::Must, query.box_clone()),
                (Occur::Must, self.title_unit_query(unit)),
            ]);
            for address in searcher.search(&in_title, &DocSetCollector)? {
                *title_hits.entry(address).or_default() += 1;
            }
        }
        let mut columns = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            columns.push((
                fast.u64("in_stock")?,
                fast.i64("created_at")?,
                fast.i64("min_price")?,
            ));
        }
        let mut keyed: Vec<(RankKey, DocAddress)> = Vec::with_capacity(total);
        for address in matched {
            let Some((in_stock, created_at, min_price)) =
                columns.get(usize::try_from(address.segment_ord).unwrap_or(usize::MAX))
            else {
                continue;
            };
            let key = RankKey {
                title_misses: units.saturating_sub(title_hits.get(&address).copied().unwrap_or(0)),
                gi_valid: gi_valid.contains(&address),
                in_stock: in_stock.first(address.doc_id).unwrap_or(0) > 0,
                created_at: created_at.first(address.doc_id).unwrap_or(0),
                min_price: min_price.first(address.doc_id).unwrap_or(0),
            };
            keyed.push((key, address));
        }
        keyed.sort_unstable_by(|a, b| rank::compare_keys(&a.0, &b.0, request.sort));
        let start = request.offset.min(keyed.len());
        let end = request
            .offset
            .saturating_add(request.limit.max(1))
            .min(keyed.len());
        // Widen the page to whole groups of equal keys, which the id orders.
        let same = |i: usize, j: usize| match (keyed.get(i), keyed.get(j)) {
            (Some(a), Some(b)) => {
                rank::compare_keys(&a.0, &b.0, request.sort) == std::cmp::Ordering::Equal
            }
            _ => false,
        };
        let mut low = start;
        while low > 0 && start < end && same(low - 1, start) {
            low -= 1;
        }
        let mut high = end;
        while high < keyed.len() && end > start && same(high, end - 1) {
            high += 1;
        }
        let relevance = text.is_some() && request.sort == SearchSort::Relevance;
        let around_addresses: HashSet<DocAddress> = keyed
            .get(low..high)
            .unwrap_or_default()
            .iter()
            .map(|(_, address)| *address)
            .collect();
        // The text scores, for the API's `score` only (the order does not use them).
        let mut scores: HashMap<DocAddress, f32> = HashMap::new();
        if relevance && !around_addresses.is_empty() {
            let all = TopDocs::with_limit(total.max(1)).order_by_score();
            for (score, address) in searcher.search(&query, &all)? {
                if around_addresses.contains(&address) {
                    scores.insert(address, score);
                }
            }
        }
        let mut around = Vec::with_capacity(high.saturating_sub(low));
        for (key, address) in keyed.get(low..high).unwrap_or_default() {
            let stored: TantivyDocument = searcher.doc(*address)?;
            let Some(json) = stored
                .get_first(self.fields.document)
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            let document: ProductDocument =
                serde_json::from_str(json).map_err(|e| SearchError::Index(e.to_string()))?;
            let score = scores.get(address).copied().unwrap_or(0.0);
            around.push((*key, document, score));
        }
        around.sort_by(|a, b| rank::compare((&a.0, a.1.id), (&b.0, b.1.id), request.sort));
        let hits = around
            .into_iter()
            .skip(start - low)
            .take(end - start)
            .map(|(_, document, score)| SearchHit {
                id: document.id,
                score,
                highlights: Highlights {
                    title: highlight(&document.title, &highlight_words),
                    description: highlight(&document.description, &highlight_words),
                },
            })
            .collect();
        let facets =
            serde_json::to_value(&facets).map_err(|e| SearchError::Index(e.to_string()))?;
        let mut facets = Self::facets_from(&facets);
        // The terms aggregation counts every claim; count each GI again with only the
        // claims valid on the day, and drop GIs none of the results validly carries.
        if let Some(gi) = facets.iter_mut().find(|facet| facet.field == "gi") {
            let mut valid = Vec::with_capacity(gi.values.len());
            for value in &gi.values {
                let mut counted: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, query.box_clone())];
                counted.extend(self.gi_valid_clauses(&value.value, day));
                let count = searcher.search(&BooleanQuery::new(counted), &Count)?;
                if count > 0 {
                    valid.push(FacetValue {
                        value: value.value.clone(),
                        count: u64::try_from(count).unwrap_or(u64::MAX),
                    });
                }
            }
            valid.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            gi.values = valid;
        }
        Ok(SearchResults {
            total: u64::try_from(total).unwrap_or(u64::MAX),
            hits,
            facets,
        })
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Index(format!("search task failed: {e}")))?
}

fn lock(
    writer: &Mutex<IndexWriter>,
) -> Result<std::sync::MutexGuard<'_, IndexWriter>, SearchError> {
    writer
        .lock()
        .map_err(|_| SearchError::Index("index writer poisoned".to_owned()))
}

#[async_trait::async_trait]
impl SearchIndex for TantivyIndex {
    async fn upsert(&self, documents: Vec<ProductDocument>) -> Result<(), SearchError> {
        let this = self.clone();
        blocking(move || {
            let writer = this.writer()?;
            let mut writer = lock(&writer)?;
            for document in &documents {
                writer.delete_term(Term::from_field_text(
                    this.fields.id,
                    &document.id.to_string(),
                ));
                writer.add_document(this.to_tantivy(document)?)?;
            }
            this.commit(&mut writer)
        })
        .await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        let this = self.clone();
        blocking(move || {
            let writer = this.writer()?;
            let mut writer = lock(&writer)?;
            for id in &ids {
                writer.delete_term(Term::from_field_text(this.fields.id, &id.to_string()));
            }
            this.commit(&mut writer)
        })
        .await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let this = self.clone();
        blocking(move || {
            let writer = this.writer()?;
            let mut writer = lock(&writer)?;
            writer.delete_all_documents()?;
            this.commit(&mut writer)
        })
        .await
    }

    async fn search(&self, request: SearchRequest) -> Result<SearchResults, SearchError> {
        // Searches are CPU-bound and their facet aggregations take memory per query: more
        // of them at once than there are cores only multiplies the memory (measured: 32
        // concurrent searches took a server from 120 MB to 540 MB).
        let this = self.clone();
        crate::search_threads::run(move || this.run_search(&request)).await
    }

    async fn fingerprints(&self) -> Result<HashMap<Uuid, String>, SearchError> {
        let this = self.clone();
        blocking(move || {
            this.reader.reload()?;
            let searcher = this.reader.searcher();
            let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
            let mut fingerprints = HashMap::with_capacity(addresses.len());
            for address in addresses {
                let stored: TantivyDocument = searcher.doc(address)?;
                let id = stored
                    .get_first(this.fields.id)
                    .and_then(|v| v.as_str())
                    .and_then(|s| Uuid::parse_str(s).ok());
                let fingerprint = stored
                    .get_first(this.fields.fingerprint)
                    .and_then(|v| v.as_str());
                if let (Some(id), Some(fingerprint)) = (id, fingerprint) {
                    fingerprints.insert(id, fingerprint.to_owned());
                }
            }
            Ok(fingerprints)
        })
        .await
    }

    async fn fingerprints_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, SearchError> {
        let this = self.clone();
        let ids = ids.to_vec();
        blocking(move || {
            // Every write commits and reloads, but a reload is cheap when nothing changed
            // and a stale view here would skip a document that did change.
            this.reader.reload()?;
            let searcher = this.reader.searcher();
            let mut fingerprints = HashMap::with_capacity(ids.len());
            for id in ids {
                let term = Term::from_field_text(this.fields.id, &id.to_string());
                let query = TermQuery::new(term, IndexRecordOption::Basic);
                let Some((_, address)) = searcher
                    .search(&query, &TopDocs::with_limit(1).order_by_score())?
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                let stored: TantivyDocument = searcher.doc(address)?;
                if let Some(fingerprint) = stored
                    .get_first(this.fields.fingerprint)
                    .and_then(|v| v.as_str())
                {
                    fingerprints.insert(id, fingerprint.to_owned());
                }
            }
            Ok(fingerprints)
        })
        .await
    }

    async fn settings_state(&self) -> Result<SettingsState, SearchError> {
        Ok(SettingsState::NotApplicable(TANTIVY_SETTINGS.to_owned()))
    }

    async fn apply_settings(&self) -> Result<SettingsState, SearchError> {
        Ok(SettingsState::NotApplicable(TANTIVY_SETTINGS.to_owned()))
    }

    async fn health(&self) -> Result<(), SearchError> {
        let this = self.clone();
        blocking(move || {
            let _documents = this.reader.searcher().num_docs();
            Ok(())
        })
        .await
    }

    fn backend(&self) -> &'static str {
        "tantivy"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(title: &str, category: &[&str], price: i64, in_stock: bool) -> ProductDocument {
        ProductDocument {
            id: Uuid::now_v7(),
            slug: title.to_lowercase().replace(' ', "-"),
            title: title.to_owned(),
            description: format!("{title} from Ladakh."),
            category_path: category.iter().map(|s| (*s).to_owned()).collect(),
            category_names: category.iter().map(|s| (*s).to_owned()).collect(),
            cooperative_slug: "demo-coop".into(),
            cooperative_name: "Demo Coop".into(),
            district: "Leh".into(),
            gi_tag_slugs: vec![],
            gi_tag_names: vec![],
            gi_windows: vec![],
            attribute_values: vec![],
            skus: vec![],
            min_price_paise: price,
            max_price_paise: price,
            in_stock,
            created_at: 1_750_000_000 + price,
        }
    }

    async fn index_with(
        documents: Vec<ProductDocument>,
    ) -> Result<(tempfile::TempDir, TantivyIndex), SearchError> {
        let dir = tempfile::tempdir().map_err(|e| SearchError::Index(e.to_string()))?;
        let index = TantivyIndex::open(dir.path(), Synonyms::built_in()?)?;
        index.upsert(documents).await?;
        Ok((dir, index))
    }

    fn titles(results: &SearchResults, documents: &[ProductDocument]) -> Vec<String> {
        results
            .hits
            .iter()
            .filter_map(|hit| {
                documents
                    .iter()
                    .find(|d| d.id == hit.id)
                    .map(|d| d.title.clone())
            })
            .collect()
    }

    #[tokio::test]
    async fn stored_fingerprints_follow_every_write() -> Result<(), SearchError> {
        let apricots = document("Dried Apricots", &["apricot"], 50_000, true);
        let absent = Uuid::now_v7();
        let (_dir, index) = index_with(vec![apricots.clone()]).await?;
        let stored = index.fingerprints_of(&[apricots.id, absent]).await?;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored.get(&apricots.id), Some(&apricots.fingerprint()));

        let sold_out = ProductDocument {
            in_stock: false,
            ..apricots.clone()
        };
        assert_ne!(sold_out.fingerprint(), apricots.fingerprint());
        index.upsert(vec![sold_out.clone()]).await?;
        let stored = index.fingerprints_of(&[apricots.id]).await?;
        assert_eq!(stored.get(&apricots.id), Some(&sold_out.fingerprint()));

        index.delete(vec![apricots.id]).await?;
        assert!(index.fingerprints_of(&[apricots.id]).await?.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn typos_prefixes_and_synonyms_find_products() -> Result<(), SearchError> {
        let documents = vec![
            document(
                "Dried Apricots",
                &["apricot", "apricot-dried"],
                50_000,
                true,
            ),
            document(
                "Pashmina Shawl",
                &["pashmina", "pashmina-shawls"],
                2_000_000,
                true,
            ),
            document("Sea Buckthorn Juice", &["sea-buckthorn"], 30_000, false),
        ];
        let (_dir, index) = index_with(documents.clone()).await?;
        let search = |text: &str| SearchRequest {
            text: Some(text.to_owned()),
            limit: 10,
            ..SearchRequest::default()
        };
        for (query, expected) in [
            ("aprcots ", "Dried Apricots"),
            ("khubani", "Dried Apricots"),
            ("pashm", "Pashmina Shawl"),
            ("dushala ", "Pashmina Shawl"),
            ("leh berry", "Sea Buckthorn Juice"),
            ("apri", "Dried Apricots"),
        ] {
            let results = index.search(search(query)).await?;
            assert_eq!(
                titles(&results, &documents),
                vec![expected.to_owned()],
                "{query}"
            );
        }
        let none = index.search(search("carpet ")).await?;
        assert_eq!(none.total, 0);
        Ok(())
    }

    #[tokio::test]
    async fn filters_facets_and_price_sort() -> Result<(), SearchError> {
        let documents = vec![
            document(
                "Dried Apricots",
                &["apricot", "apricot-dried"],
                50_000,
                true,
            ),
            document("Apricot Jam", &["apricot", "apricot-jam"], 25_000, false),
            document(
                "Pashmina Shawl",
                &["pashmina", "pashmina-shawls"],
                2_000_000,
                true,
            ),
        ];
        let (_dir, index) = index_with(documents.clone()).await?;
        let request = SearchRequest {
            filter: SearchFilter {
                category_slug: Some("apricot".into()),
                ..SearchFilter::default()
            },
            sort: SearchSort::PriceLowToHigh,
            limit: 10,
            ..SearchRequest::default()
        };
        let results = index.search(request).await?;
        assert_eq!(
            titles(&results, &documents),
            ["Apricot Jam", "Dried Apricots"]
        );
        let category = results
            .facets
            .iter()
            .find(|f| f.field == "category")
            .map(|f| f.values.clone())
            .unwrap_or_default();
        assert!(category.contains(&FacetValue {
            value: "apricot".into(),
            count: 2
        }));
        let in_stock = SearchRequest {
            filter: SearchFilter {
                in_stock: Some(true),
                max_price_paise: Some(100_000),
                ..SearchFilter::default()
            },
            limit: 10,
            ..SearchRequest::default()
        };
        assert_eq!(
            titles(&index.search(in_stock).await?, &documents),
            ["Dried Apricots"]
        );
        index.delete(vec![documents[0].id]).await?;
        assert_eq!(index.fingerprints().await?.len(), 2);
        Ok(())
    }

    #[tokio::test]
    async fn pages_through_ties_in_id_order() -> Result<(), SearchError> {
        // Equal on every rule but the id, indexed in reverse id order.
        let mut documents: Vec<ProductDocument> = (0..7)
            .map(|_| document("Kernel Oil", &["apricot"], 40_000, true))
            .collect();
        for d in &mut documents {
            d.created_at = 1_750_000_000;
        }
        let mut ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
        ids.sort();
        documents.reverse();
        let (_dir, index) = index_with(documents).await?;
        for (text, sort) in [
            (Some("kernel"), SearchSort::Relevance),
            (None, SearchSort::Newest),
            (None, SearchSort::PriceLowToHigh),
        ] {
            let mut seen = Vec::new();
            for offset in [0, 3, 6] {
                let page = index
                    .search(SearchRequest {
                        text: text.map(str::to_owned),
                        sort,
                        offset,
                        limit: 3,
                        ..SearchRequest::default()
                    })
                    .await?;
                seen.extend(page.hits.iter().map(|h| h.id));
            }
            assert_eq!(seen, ids, "{text:?} {sort:?}");
        }
        Ok(())
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[tokio::test]
    async fn a_gi_claim_counts_only_inside_its_windows_on_the_day_searched()
    -> Result<(), SearchError> {
        let window = |slug: &str, from: &str, until: &str| crate::GiWindow {
            gi_tag_slug: slug.into(),
            valid_from: day(from),
            valid_until: day(until),
        };
        let mut lapsing = document("Dried Apricots", &["apricot"], 50_000, true);
        lapsing.gi_tag_slugs = vec!["raktsey-karpo-apricot".into()];
        lapsing.gi_windows = vec![
            window("raktsey-karpo-apricot", "2023-03-01", "2026-11-28"),
            window("raktsey-karpo-apricot", "2027-01-01", "2032-12-13"),
        ];
        let mut current = document("Fresh Apricots", &["apricot"], 60_000, true);
        current.gi_tag_slugs = vec!["raktsey-karpo-apricot".into()];
        current.gi_windows = vec![window("raktsey-karpo-apricot", "2023-03-01", "2032-12-13")];
        let mut other_gi = document("Pashmina Stole", &["pashmina"], 900_000, true);
        other_gi.gi_tag_slugs = vec!["ladakh-pashmina".into()];
        other_gi.gi_windows = vec![window("ladakh-pashmina", "2026-12-01", "2034-10-04")];
        let documents = vec![lapsing, current, other_gi];
        let (_dir, index) = index_with(documents.clone()).await?;
        let on = |date: &str, gi: Option<&str>| SearchRequest {
            filter: SearchFilter {
                gi_tag_slug: gi.map(str::to_owned),
                ..SearchFilter::default()
            },
            sort: SearchSort::PriceLowToHigh,
            limit: 10,
            today: Some(day(date)),
            ..SearchRequest::default()
        };
        let gi_facet = |results: &SearchResults| {
            results
                .facets
                .iter()
                .find(|f| f.field == "gi")
                .map(|f| f.values.clone())
                .unwrap_or_default()
        };
        // The same stored documents, judged on different days.
        for (date, expected, apricot_count, pashmina_count) in [
            ("2026-11-28", vec!["Dried Apricots", "Fresh Apricots"], 2, 0),
            ("2026-11-29", vec!["Fresh Apricots"], 1, 0),
            ("2027-01-01", vec!["Dried Apricots", "Fresh Apricots"], 2, 1),
            ("2033-01-01", vec![], 0, 1),
        ] {
            let results = index
                .search(on(date, Some("raktsey-karpo-apricot")))
                .await?;
            assert_eq!(titles(&results, &documents), expected, "{date}");
            let facet = gi_facet(&index.search(on(date, None)).await?);
            let count = |slug: &str| {
                facet
                    .iter()
                    .find(|v| v.value == slug)
                    .map_or(0, |v| v.count)
            };
            assert_eq!(count("raktsey-karpo-apricot"), apricot_count, "{date}");
            assert_eq!(count("ladakh-pashmina"), pashmina_count, "{date}");
        }
        Ok(())
    }
}
