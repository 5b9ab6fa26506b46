//! Process counters in the Prometheus text format at `GET /metrics`: SQL statements run
//! for requests (the figure the N+1 tests and the benchmark read) and HTTP requests.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use sea_orm::DatabaseConnection;

/// Counters shared by the whole process.
#[derive(Debug, Default)]
pub struct Metrics {
    sql_statements: AtomicU64,
    sql_failures: AtomicU64,
    http_requests: AtomicU64,
    catalog_cache_hits: AtomicU64,
    catalog_cache_misses: AtomicU64,
}

impl Metrics {
    /// Counts every statement that `db` executes from now on.
    pub fn instrument(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let metrics = Arc::clone(self);
        db.set_metric_callback(move |info| {
            metrics.sql_statements.fetch_add(1, Ordering::Relaxed);
            if info.failed {
                metrics.sql_failures.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    pub fn count_http_request(&self) {
        self.http_requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_catalog_cache(&self, hit: bool) {
        let counter = if hit {
            &self.catalog_cache_hits
        } else {
            &self.catalog_cache_misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        };
        counter(
            "ladakh_sql_statements_total",
            "SQL statements executed for requests (background workers excluded).",
            self.sql_statements.load(Ordering::Relaxed),
        );
        counter(
            "ladakh_sql_statement_failures_total",
            "SQL statements that failed.",
            self.sql_failures.load(Ordering::Relaxed),
        );
        counter(
            "ladakh_http_requests_total",
            "HTTP requests received.",
            self.http_requests.load(Ordering::Relaxed),
        );
        counter(
            "ladakh_catalog_cache_hits_total",
            "Anonymous catalogue reads answered from the cache.",
            self.catalog_cache_hits.load(Ordering::Relaxed),
        );
        counter(
            "ladakh_catalog_cache_misses_total",
            "Cacheable anonymous catalogue reads that had to be resolved.",
            self.catalog_cache_misses.load(Ordering::Relaxed),
        );
        out
    }
}
