//! Benchmarks of the marketplace. Each scenario prints its figures with the machine,
//! the command and the date, ready for `docs/BENCHMARKS.md`.
//!
//! - `search`: query latency of the embedded index over a generated catalogue of
//!   `--products` documents (typos, synonyms, prefixes, filters, facets, sorting), against
//!   a baseline of the cheapest query (everything, one hit, no facets) in the same run.
//! - `http`: the real server over HTTP (`baseline`, `catalog`, `product`, `search`,
//!   `checkout`, `feed`, `storefront`), see [`http`].
//! - `freshness`: time from a catalogue write (through the catalog service, in its
//!   transaction with the outbox entry) until search finds the change, with the outbox
//!   worker polling as in production.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

mod http;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm_migration::MigratorTrait;
use search::{
    ProductDocument, SearchFilter, SearchIndex, SearchRequest, SearchSort, Synonyms, TantivyIndex,
};

#[derive(Parser)]
#[command(about = "Benchmarks of the Ladakh cooperative marketplace")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Search latency over a generated catalogue.
    Search {
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
    },
    /// The real server over HTTP with N concurrent clients (build it first with
    /// `cargo build --release -p api`).
    Http {
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        /// A PostgreSQL server URL (a fresh database is created on it); SQLite if absent.
        #[arg(long)]
        postgres_url: Option<String>,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Comma-separated: baseline, catalog, catalog-uncached, product, search,
        /// freshness, checkout, feed, storefront (the web storefront's product, listing
        /// and search pages as HTML), hostile (not in the default list: it measures
        /// memory and worker time under the worst requests, on a server of its own).
        #[arg(
            long,
            default_value = "baseline,catalog,catalog-uncached,product,search,freshness,checkout,feed",
            value_delimiter = ','
        )]
        scenarios: Vec<String>,
        /// Server processes sharing the database (PostgreSQL), clients spread over them.
        #[arg(long, default_value_t = 1)]
        processes: usize,
    },
    /// Time from a catalogue write until search finds it.
    Freshness {
        #[arg(long, default_value_t = 200)]
        products: usize,
        #[arg(long, default_value_t = 100)]
        writes: usize,
        #[arg(long, default_value_t = 200)]
        poll_ms: u64,
    },
}

const WORDS: [&str; 24] = [
    "apricot",
    "dried",
    "kernel",
    "oil",
    "jam",
    "sea",
    "buckthorn",
    "juice",
    "pulp",
    "tea",
    "pashmina",
    "shawl",
    "stole",
    "muffler",
    "handloom",
    "carpet",
    "woollen",
    "raktsey",
    "karpo",
    "halman",
    "changthangi",
    "organic",
    "sun",
    "valley",
];
const CATEGORIES: [(&str, &str); 8] = [
    ("apricot", "apricot-dried"),
    ("apricot", "apricot-kernels"),
    ("apricot", "apricot-jam"),
    ("sea-buckthorn", "sea-buckthorn-juice"),
    ("sea-buckthorn", "sea-buckthorn-tea"),
    ("pashmina", "pashmina-shawls"),
    ("pashmina", "pashmina-stoles"),
    ("handloom", "handloom-carpets"),
];
const DISTRICTS: [&str; 7] = [
    "Leh",
    "Kargil",
    "Zanskar",
    "Drass",
    "Sham",
    "Nubra",
    "Changthang",
];
const GIS: [&str; 3] = [
    "raktsey-karpo-apricot",
    "ladakh-seabuckthorn",
    "ladakh-pashmina",
];

fn pick(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn generated_document(rng: &mut StdRng, index: usize) -> ProductDocument {
    let (line, leaf) = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
    let title = format!("{} {index}", pick(rng, 3));
    let description = pick(rng, 25);
    let price = rng.random_range(5_000..5_000_000_i64);
    let cooperative = rng.random_range(0..200);
    let gi = (rng.random_range(0..4) == 0).then(|| GIS[rng.random_range(0..GIS.len())]);
    ProductDocument {
        id: uuid::Uuid::now_v7(),
        slug: format!("generated-{index}"),
        title,
        description,
        category_path: vec![line.to_owned(), leaf.to_owned()],
        category_names: vec![line.replace('-', " "), leaf.replace('-', " ")],
        cooperative_slug: format!("cooperative-{cooperative}"),
        cooperative_name: format!("Cooperative {cooperative}"),
        district: DISTRICTS[rng.random_range(0..DISTRICTS.len())].to_owned(),
        gi_tag_slugs: gi.iter().map(|g| (*g).to_owned()).collect(),
        gi_tag_names: gi.iter().map(|g| g.replace('-', " ")).collect(),
        gi_windows: gi
            .iter()
            .map(|g| search::GiWindow {
                gi_tag_slug: (*g).to_owned(),
                valid_from: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
                valid_until: chrono::NaiveDate::from_ymd_opt(2035, 12, 31).unwrap_or_default(),
            })
            .collect(),
        attribute_values: vec![pick(rng, 1)],
        skus: Vec::new(),
        min_price_paise: price,
        max_price_paise: price + rng.random_range(0..100_000),
        in_stock: rng.random_range(0..5) != 0,
        created_at: 1_700_000_000 + i64::try_from(index).unwrap_or(0),
    }
}

fn varied_request(rng: &mut StdRng) -> SearchRequest {
    const QUERIES: [&str; 14] = [
        "apricot",
        "aprcot ",
        "khubani",
        "leh berry",
        "pashm",
        "pashmena shawl",
        "dushala",
        "raktsey karpo",
        "sea buckthorn juice",
        "orgnic apricot kernel ",
        "hand",
        "changthangi stole",
        "woollen carpet",
        "tsestalulu",
    ];
    let mut filter = SearchFilter::default();
    match rng.random_range(0..5) {
        0 => {
            filter.category_slug = Some(
                CATEGORIES[rng.random_range(0..CATEGORIES.len())]
                    .0
                    .to_owned(),
            )
        }
        1 => filter.district = Some(DISTRICTS[rng.random_range(0..DISTRICTS.len())].to_owned()),
        2 => {
            filter.min_price_paise = Some(50_000);
            filter.max_price_paise = Some(500_000);
            filter.in_stock = Some(true);
        }
        3 => filter.gi_tag_slug = Some(GIS[rng.random_range(0..GIS.len())].to_owned()),
        _ => {}
    }
    let sort = match rng.random_range(0..6) {
        0 => SearchSort::PriceLowToHigh,
        1 => SearchSort::Newest,
        _ => SearchSort::Relevance,
    };
    SearchRequest {
        text: Some(QUERIES[rng.random_range(0..QUERIES.len())].to_owned()),
        filter,
        sort,
        offset: 0,
        limit: 20,
        today: None,
    }
}

pub(crate) struct Latencies(pub(crate) Vec<Duration>);

impl Latencies {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * (sorted.len().saturating_sub(1)) as f64).round() as usize;
        sorted.get(rank).copied().unwrap_or_default()
    }

    pub(crate) fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "n={} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
            self.0.len(),
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.0.iter().max().copied().unwrap_or_default()),
        )
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(0);
    format!("{cpu}, {cores} cores")
}

async fn search_scenario(products: usize, queries: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let index = TantivyIndex::open(dir.path(), Synonyms::built_in()?)?;
    let mut rng = StdRng::seed_from_u64(2026);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..products {
        batch.push(generated_document(&mut rng, i));
        if batch.len() == 5_000 {
            index.upsert(std::mem::take(&mut batch)).await?;
        }
    }
    index.upsert(batch).await?;
    println!(
        "indexed {products} documents in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Warm up, then the baseline and the varied queries in the same run.
    for _ in 0..50 {
        index.search(varied_request(&mut rng)).await?;
    }
    let mut baseline = Vec::with_capacity(queries);
    for _ in 0..queries {
        let start = Instant::now();
        index
            .search(SearchRequest {
                limit: 1,
                sort: SearchSort::Newest,
                ..SearchRequest::default()
            })
            .await?;
        baseline.push(start.elapsed());
    }
    let mut varied = Vec::with_capacity(queries);
    let mut total_hits = 0_u64;
    let run = Instant::now();
    for _ in 0..queries {
        let request = varied_request(&mut rng);
        let start = Instant::now();
        let results = index.search(request).await?;
        varied.push(start.elapsed());
        total_hits += results.total;
    }
    let elapsed = run.elapsed().as_secs_f64();
    let baseline = Latencies(baseline);
    let varied = Latencies(varied);
    println!(
        "baseline (match all, newest, 1 hit, facets over every document): {}",
        baseline.summary()
    );
    println!(
        "varied (typos, synonyms, prefixes, filters, facets, sorts): {}",
        varied.summary()
    );
    println!(
        "varied throughput {:.0} queries/s on one client; p99 is {:.1}x the baseline p99; mean hits {}",
        queries as f64 / elapsed,
        varied.percentile(99.0).as_secs_f64() / baseline.percentile(99.0).as_secs_f64().max(1e-9),
        total_hits / u64::try_from(queries.max(1)).unwrap_or(1)
    );
    Ok(())
}

async fn freshness_scenario(products: usize, writes: usize, poll_ms: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let db = sea_orm::Database::connect(&url).await?;
    migrations::Migrator::up(&db, None).await?;
    catalog::ensure_reference_data(&db).await?;
    let system = kernel::Actor::System;
    let cooperative = catalog::create_cooperative(
        &db,
        &system,
        catalog::CooperativeFields {
            name: Some("Bench Cooperative".into()),
            registration_number: Some("BENCH/1".into()),
            registrar: Some("Bench registrar".into()),
            district: Some("Leh".into()),
            village: Some("Stok".into()),
            address_line: Some("Stok".into()),
            pin_code: Some("194101".into()),
            contact_email: Some("bench@example.org".into()),
            contact_phone: Some("0".into()),
            fssai_licence: Some("10019022000123".into()),
            ..catalog::CooperativeFields::default()
        },
    )
    .await?;
    catalog::set_verification_status(
        &db,
        &system,
        cooperative.id,
        catalog::VerificationStatus::Verified,
        "benchmark fixture",
    )
    .await?;
    let mut ids = Vec::with_capacity(products);
    for i in 0..products {
        let (product, _) = catalog::create_product(
            &db,
            &system,
            catalog::NewProduct {
                hsn_code: None,
                cooperative_id: cooperative.id,
                category_slug: "handloom-woollens".into(),
                title: format!("Bench woollen blanket {i}"),
                slug: Some(format!("bench-blanket-{i}")),
                description: "A woollen blanket.".into(),
                attributes: serde_json::json!({ "material": "wool", "dimensions_cm": "200x150", "weave": "handwoven" })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                images: vec![],
                declarations: catalog::Declarations {
                    net_quantity: Some("1 piece".into()),
                    manufacturer_name: Some("Bench".into()),
                    manufacturer_address: Some("Bench, Stok village, Leh, Ladakh 194101".into()),
                    country_of_origin: Some("India".into()),
                    consumer_care: Some(catalog::ConsumerCare {
                        address: Some("Stok, Leh, Ladakh 194101".into()),
                        phone: Some("+91 1982 000000".into()),
                        email: Some("bench@example.org".into()),
                        legacy_text: None,
                    }),
                    ..catalog::Declarations::default()
                },
                procurement: catalog::Procurement::default(),
                variants: vec![catalog::NewVariant {
                    sku: format!("B-{i}"),
                    title: "One".into(),
                    price_paise: 150_000,
                    mrp_paise: 160_000,
                    weight_grams: 900,
                    min_order_quantity: 1,
                    tier_prices: vec![],
                    ..catalog::NewVariant::default()
                }],
                status: Some(catalog::ProductStatus::Active),
            },
        )
        .await?;
        ids.push(product.id);
    }
    let index_dir = tempfile::tempdir()?;
    let index: Arc<dyn SearchIndex> =
        Arc::new(TantivyIndex::open(index_dir.path(), Synonyms::built_in()?)?);
    let mut workers = kernel::worker::WorkerSet::new();
    workers.add(
        "search",
        Duration::from_millis(poll_ms),
        search::OutboxWorker {
            db: db.clone(),
            index: Arc::clone(&index),
            source: Arc::new(catalog::CatalogDocuments::new(db.clone())),
            worker_id: "bench".into(),
            batch_size: 200,
            lease: chrono::Duration::seconds(60),
        },
    );
    let running = workers.start();
    // Let the initial catalogue drain first.
    let drain = Instant::now();
    while search::outbox::pending(&db).await? > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        anyhow::ensure!(
            drain.elapsed() < Duration::from_secs(300),
            "the outbox did not drain"
        );
    }
    let mut rng = StdRng::seed_from_u64(7);
    let mut latencies = Vec::with_capacity(writes);
    for write in 0..writes {
        let id = ids[rng.random_range(0..ids.len())];
        let word = format!("freshword{write}x{}", rng.random_range(1000..9999));
        let start = Instant::now();
        catalog::update_product(
            &db,
            &system,
            id,
            catalog::ProductChanges {
                title: Some(format!("Blanket {word}")),
                ..catalog::ProductChanges::default()
            },
        )
        .await?;
        loop {
            let found = index
                .search(SearchRequest {
                    text: Some(format!("{word} ")),
                    limit: 1,
                    ..SearchRequest::default()
                })
                .await?;
            if found.total > 0 {
                break;
            }
            anyhow::ensure!(
                start.elapsed() < Duration::from_secs(30),
                "write {write} never became searchable"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(start.elapsed());
        // Spread writes out as a cooperative's staff would.
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..poll_ms.max(1)))).await;
    }
    running.stop(Duration::from_secs(10)).await;
    println!(
        "freshness over {writes} writes ({products} products, SQLite, poll {poll_ms} ms): {}",
        Latencies(latencies).summary()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    println!("machine: {}", machine());
    // The profile matters for every figure: say which one produced them.
    println!(
        "command: cargo run -p bench{} -- {}",
        if cfg!(debug_assertions) {
            ""
        } else {
            " --release"
        },
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    println!("date: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    match cli.scenario {
        Scenario::Search { products, queries } => search_scenario(products, queries).await,
        Scenario::Http {
            products,
            postgres_url,
            clients,
            seconds,
            scenarios,
            processes,
        } => {
            http::run(http::HttpArgs {
                products,
                postgres_url,
                clients,
                seconds,
                scenarios,
                processes,
            })
            .await
        }
        Scenario::Freshness {
            products,
            writes,
            poll_ms,
        } => freshness_scenario(products, writes, poll_ms).await,
    }
    .context("benchmark failed")
}

#[cfg(test)]
mod tests {
    // The generators build their catalogues through the catalogue's own services, so a
    // new listing rule can refuse them; these small runs fail here rather than in the
    // middle of a benchmark.
    #[tokio::test]
    async fn the_http_catalogue_passes_the_listing_rules() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let (_, catalogue) = crate::http::populate(dir.path(), None, 11).await?;
        assert_eq!(catalogue.slugs.len(), 11);
        assert_eq!(catalogue.variants.len(), 6, "every tenth product stocked");
        Ok(())
    }

    #[tokio::test]
    async fn the_freshness_catalogue_passes_the_listing_rules() -> anyhow::Result<()> {
        super::freshness_scenario(3, 2, 20).await
    }
}
