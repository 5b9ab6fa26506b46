//! HTTP load scenarios against the real server binary: a generated catalogue on SQLite
//! or PostgreSQL, N concurrent clients for a fixed time, and per scenario requests/s,
//! latency percentiles, errors, the server's peak RSS and SQL statements per request
//! (from its `/metrics`), with throughput as a ratio of `baseline` (`/healthz` of the
//! same server) measured in the same run.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::Latencies;

mod hostile;

pub const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";
pub const FEED_KEY: &str = "bench-feed-key";

#[derive(Debug, Clone)]
pub struct HttpArgs {
    pub products: usize,
    pub postgres_url: Option<String>,
    pub clients: usize,
    pub seconds: u64,
    pub scenarios: Vec<String>,
    pub processes: usize,
}

/// What the generated catalogue holds.
pub struct Catalogue {
    pub slugs: Vec<String>,
    pub ids: Vec<uuid::Uuid>,
    /// Variants with stock, for checkout.
    pub variants: Vec<uuid::Uuid>,
}

fn server_binary() -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var("LADAKH_MARKET_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let binary = exe
        .parent()
        .context("bench binary has no directory")?
        .join("ladakh-market");
    if !binary.exists() {
        bail!(
            "{} not found: build the server first with `cargo build --release -p api`",
            binary.display()
        );
    }
    Ok(binary)
}

const WORDS: [&str; 12] = [
    "apricot",
    "kernel",
    "shawl",
    "pashmina",
    "juice",
    "buckthorn",
    "stole",
    "carpet",
    "jam",
    "oil",
    "tea",
    "woollen",
];

/// Creates the database (a fresh one on the PostgreSQL server when given) and fills it
/// through the catalogue's own services, a thousand products per transaction.
pub async fn populate(
    data_dir: &Path,
    postgres_url: Option<&str>,
    products: usize,
) -> anyhow::Result<(String, Catalogue)> {
    std::fs::create_dir_all(data_dir)?;
    let url = match postgres_url {
        None => format!("sqlite://{}?mode=rwc", data_dir.join("market.db").display()),
        Some(server) => {
            let admin = sea_orm::Database::connect(server).await?;
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
            format!("{base}/{name}")
        }
    };
    let db = sea_orm::Database::connect(&url).await?;
    migrations::Migrator::up(&db, None).await?;
    catalog::ensure_reference_data(&db).await?;
    let system = kernel::Actor::System;
    let mut cooperatives = Vec::new();
    for (n, district) in ["Leh", "Kargil", "Nubra", "Zanskar"].iter().enumerate() {
        let cooperative = catalog::create_cooperative(
            &db,
            &system,
            catalog::CooperativeFields {
                name: Some(format!("Bench Cooperative {n}")),
                registration_number: Some(format!("BENCH/{n}")),
                registrar: Some("Bench registrar".into()),
                district: Some((*district).into()),
                village: Some("Stok".into()),
                address_line: Some("Main road".into()),
                pin_code: Some("194101".into()),
                contact_email: Some(format!("bench{n}@example.org")),
                contact_phone: Some("+91 1982 000000".into()),
                gstin: Some("38AAAAS1234A1Z3".into()),
                fssai_licence: Some("10019022000123".into()),
                ..catalog::CooperativeFields::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating a cooperative: {e:?}"))?;
        catalog::set_verification_status(
            &db,
            &system,
            cooperative.id,
            catalog::VerificationStatus::Verified,
            "benchmark fixture",
        )
        .await?;
        cooperatives.push(cooperative.id);
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let mut catalogue = Catalogue {
        slugs: Vec::with_capacity(products),
        ids: Vec::with_capacity(products),
        variants: Vec::new(),
    };
    let started = Instant::now();
    for chunk_start in (0..products).step_by(1000) {
        let txn = kernel::begin_write(&db).await?;
        for i in chunk_start..(chunk_start + 1000).min(products) {
            let word = WORDS[rng.random_range(0..WORDS.len())];
            let other = WORDS[rng.random_range(0..WORDS.len())];
            let price = rng.random_range(200..50_000) * 100;
            let (product, variants) = catalog::create_product_in(
                &txn,
                &system,
                catalog::NewProduct {
                    hsn_code: None,
                    cooperative_id: cooperatives[i % cooperatives.len()],
                    category_slug: "handloom-woollens".into(),
                    title: format!("Handwoven {word} {other} blanket {i}"),
                    slug: Some(format!("bench-{i}")),
                    description: format!("A {word} blanket woven in Ladakh with {other} motifs."),
                    attributes: json!({ "material": "wool", "dimensions_cm": "200x150", "weave": "handwoven" })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    images: vec![catalog::ProductImage {
                        url: format!("https://img.example.org/bench/{i}.jpg"),
                        alt: format!("Blanket {i}"),
                        media_id: None,
                    }],
                    declarations: catalog::Declarations {
                        net_quantity: Some("1 piece".into()),
                        manufacturer_name: Some("Bench Cooperative".into()),
                        manufacturer_address: Some("Bench Cooperative, Stok village, Leh, Ladakh 194101".into()),
                        country_of_origin: Some("India".into()),
                        consumer_care: Some(catalog::ConsumerCare {
                            address: Some("Stok, Leh, Ladakh 194101".into()),
                            phone: Some("+91 1982 000000".into()),
                            email: Some("bench@example.org".into()),
                            legacy_text: None,
                        }),
                        ..catalog::Declarations::default()
                    },
                    procurement: catalog::Procurement {
                        local_content_percent: Some(100),
                        delivery_lead_time_days: Some(7),
                    },
                    variants: (0..3)
                        .map(|v| catalog::NewVariant {
                            sku: format!("B{i}-{v}"),
                            title: ["Small", "Medium", "Large"][v].into(),
                            price_paise: price + v as i64 * 10_000,
                            mrp_paise: price + v as i64 * 10_000 + 5_000,
                            weight_grams: 900 + v as i32 * 300,
                            min_order_quantity: 1,
                            tier_prices: vec![],
                            ..catalog::NewVariant::default()
                        })
                        .collect(),
                    status: Some(catalog::ProductStatus::Active),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating product {i}: {e:?}"))?;
            catalogue.slugs.push(product.slug.clone());
            catalogue.ids.push(product.id);
            if i % 10 == 0 {
                for variant in &variants {
                    catalog::adjust_stock(
                        &txn,
                        &system,
                        variant.id,
                        100_000,
                        catalog::StockReason::Correction,
                        Some("bench stock".into()),
                    )
                    .await?;
                    catalogue.variants.push(variant.id);
                }
            }
        }
        txn.commit().await?;
    }
    // Every product listed on GeM, for the feed.
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "INSERT INTO channel_listings (id, product_id, cooperative_id, channel, desired, state, created_at, updated_at) \
         SELECT id, id, cooperative_id, 'GEM', 'LISTED', 'LISTED', created_at, updated_at FROM products"
            .to_owned(),
    ))
    .await?;
    // The index is built by `reindex` below; the change logs have nothing left to do.
    for table in ["search_outbox", "catalog_changes"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    // As after any bulk load: without statistics the planners guess badly (PostgreSQL
    // until autovacuum gets round to the new tables; SQLite until someone analyzes).
    // Only the loaded tables: statistics saying that the order tables are empty would
    // make PostgreSQL plan sequential scans of them (cached in prepared statements)
    // while checkouts fill them, until autovacuum analyzes them a minute later, whereas
    // never-analyzed tables are estimated from their actual size.
    for table in [
        "cooperatives",
        "products",
        "product_variants",
        "stock_movements",
        "channel_listings",
        "categories",
        "districts",
        "gi_tags",
    ] {
        db.execute_unprepared(&format!("ANALYZE {table}")).await?;
    }
    println!(
        "generated {products} products ({} variants) in {:.1} s",
        products * 3,
        started.elapsed().as_secs_f64()
    );
    db.close().await?;
    Ok((url, catalogue))
}

/// A running server process.
pub struct Server {
    pub base_url: String,
    child: Child,
}

impl Server {
    pub async fn start(binary: &Path, data_dir: &Path, url: &str) -> anyhow::Result<Self> {
        Self::start_with(binary, data_dir, url, &[]).await
    }

    /// Starts a server with settings of its own on top of the bench's.
    pub async fn start_with(
        binary: &Path,
        data_dir: &Path,
        url: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let log = std::fs::File::create(data_dir.join("server.log"))?;
        let mut child = Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--bind", "127.0.0.1:0", "--no-seed"])
            .env("DATABASE_URL", url)
            .env("JWT_SECRET", JWT_SECRET)
            .env("GEM_FEED_API_KEY", FEED_KEY)
            .env("RUST_LOG", "warn")
            // The 32 clients stand for many visitors but share one address: the
            // per-address limits on searches and checkouts would measure the limiter
            // (429s after the first burst), not the server. `env` may override them.
            .env("RATE_LIMIT_SEARCH_PER_MIN", "0")
            .env("RATE_LIMIT_CHECKOUT_PER_MIN", "0")
            .env_remove("APP_ENV")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting the server")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base_url = tokio::time::timeout(Duration::from_secs(600), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("ladakh-market listening on ") {
                    return Ok::<_, anyhow::Error>(url.trim().to_owned());
                }
            }
            bail!("the server exited before listening")
        })
        .await??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { base_url, child })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// (current, peak) resident set size in MB.
    pub fn rss_mb(&self) -> (f64, f64) {
        let memory = Memory::of(self.pid());
        (memory.rss, memory.peak)
    }
}

/// A server's memory from `/proc/<pid>/status`, in MB: resident in all, its private
/// heap (`RssAnon`), and file pages mapped into it (`RssFile`: the search index's
/// memory-mapped segments and the binary, which the kernel can drop and re-read).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss: f64,
    pub peak: f64,
    pub anon: f64,
    pub file: f64,
}

impl Memory {
    fn of(pid: Option<u32>) -> Self {
        let status = pid
            .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        Self {
            rss: field("VmRSS:"),
            peak: field("VmHWM:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
        }
    }

    fn max(self, other: Self) -> Self {
        Self {
            rss: self.rss.max(other.rss),
            peak: self.peak.max(other.peak),
            anon: self.anon.max(other.anon),
            file: self.file.max(other.file),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    sql: u64,
    requests: u64,
    cache_hits: u64,
    cache_misses: u64,
}

async fn counters(client: &reqwest::Client, base: &str) -> Counters {
    let text = match client.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let value = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name) && !l.starts_with('#'))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Counters {
        sql: value("ladakh_sql_statements_total "),
        requests: value("ladakh_http_requests_total "),
        cache_hits: value("ladakh_catalog_cache_hits_total "),
        cache_misses: value("ladakh_catalog_cache_misses_total "),
    }
}

/// One request of a scenario; Err carries what went wrong.
type RequestFn = Arc<
    dyn Fn(
            reqwest::Client,
            String,
            usize,
            u64,
        ) -> futures_util::future::BoxFuture<'static, Result<(), String>>
        + Send
        + Sync,
>;

pub struct Outcome {
    pub name: String,
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Latencies,
    pub sql_per_request: f64,
    /// Share of cacheable requests answered from the catalogue cache, if any were cacheable.
    pub cache_hit_ratio: Option<f64>,
    /// The largest figures sampled while the scenario ran.
    pub memory: Memory,
    pub first_error: Option<String>,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs `request` from `clients` concurrent clients for `seconds`, spread over the servers.
async fn drive(
    name: &str,
    bases: &[String],
    pids: &[Option<u32>],
    clients: usize,
    seconds: u64,
    request: RequestFn,
) -> Outcome {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default();
    let mut before = Vec::new();
    for base in bases {
        before.push(counters(&http, base).await);
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let sampled_pids = pids.to_vec();
    let sampler = tokio::spawn(async move {
        let mut memory = Memory::default();
        while Instant::now() < deadline {
            for pid in &sampled_pids {
                memory = memory.max(Memory::of(*pid));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        memory
    });
    let mut tasks = Vec::new();
    for c in 0..clients {
        let http = http.clone();
        let base = bases[c % bases.len()].clone();
        let request = Arc::clone(&request);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut first_error = None;
            let mut n = 0_u64;
            while Instant::now() < deadline {
                let start = Instant::now();
                match request(http.clone(), base.clone(), c, n).await {
                    Ok(()) => latencies.push(start.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
                n += 1;
            }
            (latencies, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        if let Ok((latencies, e, first)) = task.await {
            all.extend(latencies);
            errors += e;
            if first_error.is_none() {
                first_error = first;
            }
        }
    }
    let elapsed = started.elapsed();
    let memory = sampler.await.unwrap_or_default();
    let (mut sql, mut requests, mut hits, mut misses) = (0, 0, 0, 0);
    for (base, before) in bases.iter().zip(before) {
        let after = counters(&http, base).await;
        sql += after.sql.saturating_sub(before.sql);
        // The two /metrics requests of the measurement itself are not the scenario's.
        requests += after
            .requests
            .saturating_sub(before.requests)
            .saturating_sub(1);
        hits += after.cache_hits.saturating_sub(before.cache_hits);
        misses += after.cache_misses.saturating_sub(before.cache_misses);
    }
    Outcome {
        name: name.to_owned(),
        requests: all.len() + errors,
        errors,
        elapsed,
        latencies: Latencies(all),
        sql_per_request: if requests > 0 {
            sql as f64 / requests as f64
        } else {
            0.0
        },
        cache_hit_ratio: (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64),
        memory,
        first_error,
    }
}

async fn graphql(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    let mut request = http
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() || body.get("errors").is_some() {
        return Err(format!("{status}: {body}"));
    }
    Ok(body)
}

const CATALOG_PAGE: &str = "query($sort: ProductSort) { products(first: 50, sort: $sort) { nodes { id title slug cooperative { name district } category { name hsnCode } variants { sku price { amount } stockOnHand } giClaims { giTag { name } } } } }";
const PRODUCT_PAGE: &str = "query($slug: String) { product(slug: $slug) { id title description declarations { countryOfOrigin } cooperative { name village } variants { sku price { amount } mrp { amount } stockOnHand } giClaims { giTag { name } } batches { code producedOn events { kind occurredAt } } } }";
const SEARCH: &str = "query($q: String, $f: SearchFilter) { search(query: $q, filter: $f, first: 20) { totalCount nodes { id title } facets { field values { value count } } } }";

fn typo(word: &str, rng: &mut StdRng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() > 4 {
        let i = rng.random_range(1..chars.len() - 1);
        chars.swap(i, i - 1);
    }
    chars.into_iter().collect()
}

fn scenario(
    name: &str,
    catalogue: &Arc<Catalogue>,
    tokens: &Arc<Vec<String>>,
) -> Option<RequestFn> {
    let catalogue = Arc::clone(catalogue);
    let tokens = Arc::clone(tokens);
    Some(match name {
        "baseline" => Arc::new(|http, base, _, _| {
            Box::pin(async move {
                let r = http
                    .get(format!("{base}/healthz"))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                r.status()
                    .is_success()
                    .then_some(())
                    .ok_or_else(|| r.status().to_string())
            })
        }),
        "catalog" => Arc::new(|http, base, c, n| {
            Box::pin(async move {
                let sort = ["NEWEST", "TITLE", "PRICE_LOW_TO_HIGH", "PRICE_HIGH_TO_LOW"]
                    [(c + n as usize) % 4];
                graphql(&http, &base, None, CATALOG_PAGE, json!({ "sort": sort }))
                    .await
                    .map(|_| ())
            })
        }),
        // The same pages, each request with a variable the query does not declare (the
        // executor ignores it), so that none is answered from the catalogue cache: the
        // cost of resolving a page, as for a visitor paging where nobody went before.
        "catalog-uncached" => Arc::new(|http, base, c, n| {
            Box::pin(async move {
                let sort = ["NEWEST", "TITLE", "PRICE_LOW_TO_HIGH", "PRICE_HIGH_TO_LOW"]
                    [(c + n as usize) % 4];
                graphql(
                    &http,
                    &base,
                    None,
                    CATALOG_PAGE,
                    json!({ "sort": sort, "unused": format!("{c}-{n}") }),
                )
                .await
                .map(|_| ())
            })
        }),
        "product" => Arc::new(move |http, base, c, n| {
            let mut rng = StdRng::seed_from_u64((c as u64) << 32 | n);
            let slug = catalogue.slugs[rng.random_range(0..catalogue.slugs.len())].clone();
            Box::pin(async move {
                let body =
                    graphql(&http, &base, None, PRODUCT_PAGE, json!({ "slug": slug })).await?;
                body["data"]["product"]["id"]
                    .is_string()
                    .then_some(())
                    .ok_or_else(|| format!("no product: {body}"))
            })
        }),
        "search" => Arc::new(|http, base, c, n| {
            let mut rng = StdRng::seed_from_u64((c as u64) << 32 | n);
            let word = WORDS[rng.random_range(0..WORDS.len())];
            let query = if rng.random_bool(0.3) {
                typo(word, &mut rng)
            } else {
                word.to_owned()
            };
            let filter = if rng.random_bool(0.3) {
                json!({ "maxPrice": 1_000_000 })
            } else {
                json!(null)
            };
            Box::pin(async move {
                graphql(
                    &http,
                    &base,
                    None,
                    SEARCH,
                    json!({ "q": query, "f": filter }),
                )
                .await
                .map(|_| ())
            })
        }),
        "checkout" => Arc::new(move |http, base, c, n| {
            let token = tokens[c % tokens.len()].clone();
            let mut rng = StdRng::seed_from_u64((c as u64) << 32 | n);
            let variant = catalogue.variants[rng.random_range(0..catalogue.variants.len())];
            Box::pin(async move {
                let added = graphql(&http, &base, Some(&token),
                    "mutation($i: CartAddItemInput!) { cartAddItem(input: $i) { errors { code message } } }",
                    json!({ "i": { "variantId": variant, "quantity": 1 } })).await?;
                if added["data"]["cartAddItem"]["errors"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty())
                {
                    return Err(format!("cart: {added}"));
                }
                let placed = graphql(&http, &base, Some(&token),
                    "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } errors { code message } } }",
                    json!({ "i": { "idempotencyKey": format!("bench-{c}-{n}-{}", uuid::Uuid::new_v4().simple()),
                                   "paymentMethod": "CASH_ON_DELIVERY",
                                   "shippingAddress": { "name": "Bench Buyer", "phone": "9876543210", "line1": "Main Bazaar",
                                                        "city": "Leh", "pinCode": "194101", "stateCode": "38" } } })).await?;
                placed["data"]["placeOrder"]["order"]["id"]
                    .is_string()
                    .then_some(())
                    .ok_or_else(|| format!("order: {placed}"))
            })
        }),
        _ => return None,
    })
}

/// The storefront's pages a buyer opens most, as a browser fetches them (HTML, gzip
/// accepted): a product page, a category listing (sorted four ways), and a search
/// (three in ten with a typo).
const STOREFRONT_PAGES: [&str; 3] = ["product", "listing", "search"];

fn storefront_path(kind: &str, catalogue: &Catalogue, rng: &mut StdRng) -> String {
    match kind {
        "product" => format!(
            "/products/{}",
            catalogue.slugs[rng.random_range(0..catalogue.slugs.len())]
        ),
        "listing" => {
            let sort =
                ["", "&sort=price-asc", "&sort=price-desc", "&sort=newest"][rng.random_range(0..4)];
            format!("/search?category=handloom-woollens{sort}")
        }
        _ => {
            let word = WORDS[rng.random_range(0..WORDS.len())];
            let query = if rng.random_bool(0.3) {
                typo(word, rng)
            } else {
                word.to_owned()
            };
            format!("/search?q={query}")
        }
    }
}

async fn storefront_page(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    gzip: bool,
) -> Result<usize, String> {
    let mut request = http.get(format!("{base}{path}"));
    if gzip {
        request = request.header("Accept-Encoding", "gzip");
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status} for {path}"));
    }
    Ok(body.len())
}

/// One kind of storefront page under load, and the mean size of twenty of them
/// (plain and gzip-compressed, as served; HTML only, the CSS and JS are cached).
async fn storefront(
    kind: &'static str,
    bases: &[String],
    pids: &[Option<u32>],
    catalogue: &Arc<Catalogue>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<(Outcome, f64, f64)> {
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(15);
    let (mut plain, mut gzip) = (0_usize, 0_usize);
    let samples = 20;
    for _ in 0..samples {
        let path = storefront_path(kind, catalogue, &mut rng);
        plain += storefront_page(&http, &bases[0], &path, false)
            .await
            .map_err(anyhow::Error::msg)?;
        gzip += storefront_page(&http, &bases[0], &path, true)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    let pages = Arc::clone(catalogue);
    let request: RequestFn = Arc::new(move |http, base, c, n| {
        let mut rng = StdRng::seed_from_u64((c as u64) << 32 | n);
        let path = storefront_path(kind, &pages, &mut rng);
        Box::pin(async move { storefront_page(&http, &base, &path, true).await.map(|_| ()) })
    });
    let outcome = drive(
        &format!("storefront {kind}"),
        bases,
        pids,
        clients,
        seconds,
        request,
    )
    .await;
    Ok((
        outcome,
        plain as f64 / f64::from(samples),
        gzip as f64 / f64::from(samples),
    ))
}

async fn register_buyers(base: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for n in 0..count {
        let email = format!(
            "buyer{n}-{}@bench.example.org",
            uuid::Uuid::new_v4().simple()
        );
        graphql(
            &http,
            base,
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { errors { message } } }",
            json!({ "i": { "email": email, "password": "bench-password-2026", "name": "Bench" } }),
        )
        .await
        .map_err(anyhow::Error::msg)?;
        let login = graphql(
            &http,
            base,
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "email": email, "password": "bench-password-2026" } }),
        )
        .await
        .map_err(anyhow::Error::msg)?;
        tokens.push(
            login["data"]["login"]["accessToken"]
                .as_str()
                .context("no token")?
                .to_owned(),
        );
    }
    Ok(tokens)
}

/// Time from a catalogue write (a product's title changed through the catalogue service
/// on the server's database, as a write on any replica would be) until the server's search
/// over HTTP finds the new word. The server's outbox worker polls as configured
/// (`SEARCH_POLL_MS`, 200 ms by default).
async fn freshness(
    url: &str,
    base: &str,
    catalogue: &Catalogue,
    writes: usize,
) -> anyhow::Result<String> {
    let db = sea_orm::Database::connect(url).await?;
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(7);
    let mut latencies = Vec::with_capacity(writes);
    for write in 0..writes {
        let id = catalogue.ids[rng.random_range(0..catalogue.ids.len())];
        // Random letters: no earlier word is within a typo of it.
        let word: String = (0..10)
            .map(|_| char::from(b'a' + rng.random_range(0..26_u8)))
            .collect();
        let started = Instant::now();
        catalog::update_product(
            &db,
            &kernel::Actor::System,
            id,
            catalog::ProductChanges {
                title: Some(format!("Handwoven {word} blanket {write}")),
                ..catalog::ProductChanges::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("updating a product: {e:?}"))?;
        loop {
            let body = graphql(
                &http,
                base,
                None,
                "query($q: String) { search(query: $q, first: 5) { nodes { title } } }",
                json!({ "q": word }),
            )
            .await
            .map_err(anyhow::Error::msg)?;
            let found = body["data"]["search"]["nodes"]
                .as_array()
                .is_some_and(|nodes| {
                    nodes
                        .iter()
                        .any(|n| n["title"].as_str().is_some_and(|t| t.contains(&word)))
                });
            if found {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "write {write} never became searchable"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(started.elapsed());
        // Spread the writes out as a cooperative's staff would.
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..200))).await;
    }
    db.close().await?;
    Ok(format!(
        "freshness over {writes} writes (catalogue write to a search hit over HTTP): {}",
        Latencies(latencies).summary()
    ))
}

async fn feed(base: &str, server: &Server) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let (rss_before, _) = server.rss_mb();
    let started = Instant::now();
    let mut response = http
        .get(format!("{base}/feeds/gem/catalog.csv"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "feed: {}",
        response.status()
    );
    // The headers carry the ETag, computed before the first row is sent.
    let headers_after = started.elapsed();
    let (mut bytes, mut rows) = (0_usize, 0_usize);
    let mut max_rss: f64 = rss_before;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
        rows += chunk.iter().filter(|b| **b == b'\n').count();
        max_rss = max_rss.max(server.rss_mb().0);
    }
    Ok(format!(
        "feed: GeM CSV {rows} lines, {:.1} MB in {:.2} s (headers after {:.2} s); server RSS {:.0} MB before, at most {:.0} MB while streaming",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        headers_after.as_secs_f64(),
        rss_before,
        max_rss
    ))
}

pub async fn run(args: HttpArgs) -> anyhow::Result<()> {
    let binary = server_binary()?;
    let dir = tempfile::Builder::new().prefix("bench-http-").tempdir()?;
    let (url, catalogue) = populate(
        &dir.path().join("p0"),
        args.postgres_url.as_deref(),
        args.products,
    )
    .await?;
    let backend = if args.postgres_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    // Build the search index once, as an operator would after a bulk load.
    let started = Instant::now();
    let status = Command::new(&binary)
        .arg("--data-dir")
        .arg(dir.path().join("p0"))
        .arg("reindex")
        .env("DATABASE_URL", &url)
        .env("JWT_SECRET", JWT_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "reindex failed");
    println!("indexed in {:.1} s", started.elapsed().as_secs_f64());
    let mut servers = Vec::new();
    for p in 0..args.processes.max(1) {
        servers.push(Server::start(&binary, &dir.path().join(format!("p{p}")), &url).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base_url.clone()).collect();
    let tokens = Arc::new(if args.scenarios.iter().any(|s| s == "checkout") {
        register_buyers(&bases[0], args.clients).await?
    } else {
        Vec::new()
    });
    let catalogue = Arc::new(catalogue);
    println!(
        "{} products on {backend}, {} server process(es), {} clients, {} s per scenario",
        args.products,
        servers.len(),
        args.clients,
        args.seconds
    );
    let mut baseline: Option<f64> = None;
    for name in &args.scenarios {
        if name == "feed" {
            println!("{}", feed(&bases[0], &servers[0]).await?);
            continue;
        }
        if name == "freshness" {
            println!("{}", freshness(&url, &bases[0], &catalogue, 50).await?);
            continue;
        }
        if name == "storefront" {
            let pids: Vec<Option<u32>> = servers.iter().map(Server::pid).collect();
            for kind in STOREFRONT_PAGES {
                let (outcome, plain, gzip) =
                    storefront(kind, &bases, &pids, &catalogue, args.clients, args.seconds).await?;
                println!(
                    "{:<19} {:>8.0} req/s ({}) {} errors={} SQL/request {:.2}, page {:.0} B HTML ({:.0} B gzip){}",
                    outcome.name,
                    outcome.rate(),
                    baseline.map_or("no baseline".to_owned(), |b| format!(
                        "{:.3} of baseline",
                        outcome.rate() / b
                    )),
                    outcome.latencies.summary(),
                    outcome.errors,
                    outcome.sql_per_request,
                    plain,
                    gzip,
                    outcome
                        .first_error
                        .map(|e| format!(
                            " first error: {}",
                            e.chars().take(300).collect::<String>()
                        ))
                        .unwrap_or_default(),
                );
            }
            continue;
        }
        if name == "hostile" {
            let report = hostile::run(
                &binary,
                &dir.path().join("hostile"),
                &url,
                args.clients,
                args.seconds,
            )
            .await?;
            println!("{report}");
            continue;
        }
        let Some(request) = scenario(name, &catalogue, &tokens) else {
            bail!(
                "unknown scenario {name}: baseline, catalog, catalog-uncached, product, search, checkout, freshness, feed, storefront, hostile"
            );
        };
        let pids: Vec<Option<u32>> = servers.iter().map(Server::pid).collect();
        let outcome = drive(name, &bases, &pids, args.clients, args.seconds, request).await;
        let rate = outcome.rate();
        if name == "baseline" {
            baseline = Some(rate);
        }
        println!(
            "{:<9} {:>8.0} req/s ({}) {} errors={} RSS during it at most {:.0} MB (heap {:.0}, mapped files {:.0}), SQL/request {:.2}{}{}",
            outcome.name,
            rate,
            baseline.map_or("no baseline".to_owned(), |b| format!(
                "{:.3} of baseline",
                rate / b
            )),
            outcome.latencies.summary(),
            outcome.errors,
            outcome.memory.rss,
            outcome.memory.anon,
            outcome.memory.file,
            outcome.sql_per_request,
            outcome
                .cache_hit_ratio
                .map(|r| format!(", catalogue cache hits {:.1}%", r * 100.0))
                .unwrap_or_default(),
            outcome
                .first_error
                .map(|e| format!(" first error: {}", e.chars().take(300).collect::<String>()))
                .unwrap_or_default(),
        );
    }
    if args.scenarios.iter().any(|s| s == "checkout") {
        let db: DatabaseConnection = sea_orm::Database::connect(&url).await?;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT MIN(stock_on_hand) AS lowest, COUNT(*) AS orders FROM product_variants"
                    .to_owned(),
            ))
            .await?;
        if let Some(row) = row {
            let lowest: i32 = row.try_get("", "lowest")?;
            println!("checkout: lowest stock afterwards {lowest} (never negative)");
        }
    }
    for server in &servers {
        let memory = Memory::of(server.pid());
        println!(
            "server RSS now {:.0} MB (heap {:.0}, mapped files {:.0}), peak {:.0} MB",
            memory.rss, memory.anon, memory.file, memory.peak
        );
    }
    Ok(())
}
