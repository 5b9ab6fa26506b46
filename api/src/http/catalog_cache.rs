//! A short-lived cache of rendered anonymous catalogue reads.
//!
//! A catalogue page costs a few milliseconds of CPU to resolve (some 1,500 GraphQL fields)
//! however cheap its five SQL statements are, and anonymous visitors ask for the same few
//! pages over and over. Only responses that cannot differ between visitors are kept:
//! anonymous requests whose every operation is a query and whose every root field is a
//! public catalogue field (`products`, `product`, …); carts, accounts, orders and search
//! (whose index lags the database on its own schedule) are never cached, and neither is a
//! response carrying errors.
//!
//! Staleness is bounded twice. Every mutation and webhook handled by this process moves
//! the cache to a new generation, so this replica's visitors see its writes at once,
//! including a request that was already running when the write committed (its response
//! is stored under the generation it started in, which nobody reads any more). Writes
//! this process does not see (other replicas, the reservation sweeper) show after at most
//! `ttl`, the same bound that search freshness gives. Stock and prices shown here are
//! advisory: checkout checks both again in its transaction.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use actix_web::web::Bytes;
use async_graphql::parser::types::{OperationType, Selection};
use lru::LruCache;

pub use crate::settings::CatalogCacheSettings;

/// Root query fields whose answer is the same for every anonymous visitor and changes
/// only when the catalogue does.
const PUBLIC_CATALOGUE_FIELDS: [&str; 8] = [
    "products",
    "product",
    "cooperatives",
    "cooperative",
    "categories",
    "districts",
    "giTags",
    "__typename",
];

/// Responses larger than this are served but not kept: one of them would crowd out the
/// pages that matter.
const LARGEST_ENTRY: usize = 1024 * 1024;

struct Entry {
    generation: u64,
    stored_at: Instant,
    body: Bytes,
    /// A request is rendering this page again.
    refreshing: bool,
}

struct Entries {
    map: LruCache<String, Entry>,
    bytes: usize,
}

/// Where the cache reads the time: the real clock in production, a hand-moved one in
/// the unit tests (so they never sleep).
pub type Clock = Box<dyn Fn() -> Instant + Send + Sync>;

pub struct CatalogCache {
    settings: CatalogCacheSettings,
    generation: AtomicU64,
    entries: Mutex<Entries>,
    now: Clock,
}

/// What a GraphQL document does, as far as the cache is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Only queries, only of public catalogue fields.
    PublicCatalogueRead,
    /// Other queries (private data, search, fragments at the root).
    OtherRead,
    /// At least one mutation (or subscription).
    Write,
    /// Does not parse; the executor will say why.
    Invalid,
}

pub fn classify(query: &str) -> DocumentKind {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return DocumentKind::Invalid;
    };
    let mut public = true;
    for (_, operation) in document.operations.iter() {
        if operation.node.ty != OperationType::Query {
            return DocumentKind::Write;
        }
        public &= operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .all(|selection| match &selection.node {
                Selection::Field(field) => {
                    PUBLIC_CATALOGUE_FIELDS.contains(&field.node.name.node.as_str())
                        && field.node.directives.is_empty()
                }
                Selection::FragmentSpread(_) | Selection::InlineFragment(_) => false,
            });
    }
    if public {
        DocumentKind::PublicCatalogueRead
    } else {
        DocumentKind::OtherRead
    }
}

impl CatalogCache {
    pub fn new(settings: CatalogCacheSettings) -> Self {
        Self::with_clock(settings, Box::new(Instant::now))
    }

    pub fn with_clock(settings: CatalogCacheSettings, now: Clock) -> Self {
        Self {
            settings,
            generation: AtomicU64::new(0),
            entries: Mutex::new(Entries {
                map: LruCache::unbounded(),
                bytes: 0,
            }),
            now,
        }
    }

    pub fn enabled(&self) -> bool {
        !self.settings.ttl.is_zero() && self.settings.max_bytes > 0
    }

    /// The generation a request starts in; pass it back to [`CatalogCache::store`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Called after this process changed data: everything cached so far is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The key of a request: the same text, operation and variables give the same page.
    pub fn key(request: &async_graphql::Request) -> Option<String> {
        if !request.extensions.is_empty() {
            return None;
        }
        let variables = serde_json::to_string(&request.variables).ok()?;
        Some(format!(
            "{}\u{0}{}\u{0}{}",
            request.operation_name.as_deref().unwrap_or_default(),
            variables,
            request.query
        ))
    }

    /// The cached body, if it is from the current generation and younger than the TTL.
    ///
    /// In the last quarter of an entry's life the first caller is told to miss (and so
    /// renders the page again and stores it) while everyone else is still served the
    /// entry: a popular page is refreshed by one request instead of by every client that
    /// arrives in the instant it expires.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        if !self.enabled() {
            return None;
        }
        let generation = self.generation();
        let ttl = self.settings.ttl;
        let now = (self.now)();
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.map.get_mut(key)?;
        let age = now.saturating_duration_since(entry.stored_at);
        if entry.generation == generation && age < ttl {
            if age >= ttl - ttl / 4 && !entry.refreshing {
                entry.refreshing = true;
                return None;
            }
            return Some(entry.body.clone());
        }
        if let Some(stale) = entries.map.pop(key) {
            entries.bytes -= stale.body.len() + key.len();
        }
        None
    }

    /// Keeps `body` for `key` if nothing was written since `generation`.
    pub fn store(&self, key: String, generation: u64, body: Bytes) {
        let size = body.len() + key.len();
        if !self.enabled()
            || generation != self.generation()
            || size > LARGEST_ENTRY.min(self.settings.max_bytes)
        {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let entry = Entry {
            generation,
            stored_at: (self.now)(),
            body,
            refreshing: false,
        };
        if let Some((old_key, old)) = entries.map.push(key, entry) {
            entries.bytes -= old.body.len() + old_key.len();
        }
        entries.bytes += size;
        while entries.bytes > self.settings.max_bytes {
            match entries.map.pop_lru() {
                Some((old_key, old)) => entries.bytes -= old.body.len() + old_key.len(),
                None => break,
            }
        }
    }

    /// Entries held now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.map.len())
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;

    #[test]
    fn only_public_catalogue_queries_are_cacheable() {
        use DocumentKind::*;
        let cases = [
            (
                "{ products(first: 5) { nodes { id } } }",
                PublicCatalogueRead,
            ),
            (
                "query Page($s: ProductSort) { products(sort: $s) { nodes { title } } categories { name } }",
                PublicCatalogueRead,
            ),
            ("{ product(slug: \"x\") { id } }", PublicCatalogueRead),
            ("{ products { nodes { id } } cart { id } }", OtherRead),
            ("{ search(query: \"apricot\") { totalCount } }", OtherRead),
            ("{ me { email } }", OtherRead),
            (
                "{ ...F } fragment F on QueryRoot { products { nodes { id } } }",
                OtherRead,
            ),
            (
                "{ products @include(if: true) { nodes { id } } }",
                OtherRead,
            ),
            ("mutation { logout }", Write),
            (
                "query A { products { nodes { id } } } mutation B { logout }",
                Write,
            ),
            ("{ products(", Invalid),
        ];
        for (query, expected) in cases {
            assert_eq!(classify(query), expected, "{query}");
        }
    }

    fn cache(ttl_ms: u64, max_bytes: usize) -> CatalogCache {
        CatalogCache::new(CatalogCacheSettings {
            ttl: Duration::from_millis(ttl_ms),
            max_bytes,
        })
    }

    #[test]
    fn a_write_makes_every_entry_and_every_running_request_stale() {
        let cache = cache(60_000, 1 << 20);
        let before = cache.generation();
        cache.store("a".into(), before, Bytes::from_static(b"page"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"page"[..]));
        // A request that started before the write finishes after it.
        let running = cache.generation();
        cache.invalidate();
        cache.store("b".into(), running, Bytes::from_static(b"old page"));
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.len(), 0);
    }

    /// A cache whose clock moves only when the returned hand says so (milliseconds).
    fn cache_with_hand(ttl_ms: u64) -> (CatalogCache, Arc<AtomicU64>) {
        let start = Instant::now();
        let hand = Arc::new(AtomicU64::new(0));
        let read = Arc::clone(&hand);
        let cache = CatalogCache::with_clock(
            CatalogCacheSettings {
                ttl: Duration::from_millis(ttl_ms),
                max_bytes: 1 << 20,
            },
            Box::new(move || start + Duration::from_millis(read.load(Ordering::SeqCst))),
        );
        (cache, hand)
    }

    #[test]
    fn entries_expire_after_one_caller_was_sent_to_refresh_them() {
        let (cache, hand) = cache_with_hand(400);
        cache.store("a".into(), cache.generation(), Bytes::from_static(b"page"));
        assert!(cache.get("a").is_some());
        // Just before the last quarter (300 ms of 400): everyone is served.
        hand.store(299, Ordering::SeqCst);
        assert!(cache.get("a").is_some());
        assert!(cache.get("a").is_some());
        // The last quarter: one caller refreshes, the others are still served.
        hand.store(300, Ordering::SeqCst);
        assert_eq!(cache.get("a"), None);
        assert!(cache.get("a").is_some());
        hand.store(399, Ordering::SeqCst);
        assert!(cache.get("a").is_some());
        // At the TTL the entry is gone for everyone.
        hand.store(400, Ordering::SeqCst);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.len(), 0);
        // A refreshed entry starts a new life.
        cache.store(
            "a".into(),
            cache.generation(),
            Bytes::from_static(b"page 2"),
        );
        assert_eq!(cache.get("a").as_deref(), Some(&b"page 2"[..]));
        hand.store(400 + 299, Ordering::SeqCst);
        assert_eq!(cache.get("a").as_deref(), Some(&b"page 2"[..]));
        hand.store(400 + 400, Ordering::SeqCst);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn memory_is_bounded_by_evicting_the_least_recently_used() {
        let cache = cache(60_000, 1000);
        let generation = cache.generation();
        for n in 0..10 {
            cache.store(format!("k{n}"), generation, Bytes::from(vec![b'x'; 200]));
            assert!(cache.entries.lock().map(|e| e.bytes).unwrap_or(0) <= 1000);
        }
        assert_eq!(cache.len(), 4);
        assert!(cache.get("k9").is_some());
        assert!(cache.get("k0").is_none());
        // Too big for the budget: served by the caller, never kept.
        cache.store("big".into(), generation, Bytes::from(vec![b'x'; 2000]));
        assert!(cache.get("big").is_none());
    }

    #[test]
    fn a_zero_ttl_switches_it_off() {
        let cache = cache(0, 1 << 20);
        cache.store("a".into(), cache.generation(), Bytes::from_static(b"page"));
        assert_eq!(cache.get("a"), None);
        assert!(!cache.enabled());
    }
}
