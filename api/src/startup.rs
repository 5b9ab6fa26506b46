//! Start-up: connect to the database, bring its schema up to date, load the demo
//! catalog where wanted, and build the HTTP server.

use std::{net::SocketAddr, path::Path, sync::Arc, time::Duration};

use actix_cors::Cors;
use actix_web::{App, HttpServer, dev::Server, http::header, middleware, web};
use anyhow::{Context, bail};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

use crate::{
    auth::TokenService,
    graphql,
    http::state::AppState,
    http::{self, catalog_cache::CatalogCache},
    metrics::Metrics,
    settings::Settings,
};

/// Opens the database pool. SQLite files are created on first use.
pub async fn connect_database(url: &str, data_dir: &Path) -> anyhow::Result<DatabaseConnection> {
    let is_sqlite = url.starts_with("sqlite:");
    // Made here, before anything is written into it (the search index, the secret).
    create_private_dir(data_dir)?;
    if is_sqlite {
        create_private_sqlite_file(url)?;
    } else if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        bail!("DATABASE_URL must start with sqlite:// or postgres://");
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if is_sqlite { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", redact_database_url(url)))
}

/// Creates a directory (and its missing parents) readable by the owner only: it holds
/// the database, the search index and the development JWT secret. An existing
/// directory is left as the operator made it.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating data directory {}", dir.display()))
}

/// The file of a `sqlite://PATH?…` URL; None for an in-memory database.
fn sqlite_path(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| Path::new(path))
}

/// Creates a missing SQLite file (and its directory) readable by the owner only before
/// SQLite opens it, which would otherwise create it under the umask, usually readable
/// by everyone; SQLite gives its `-wal` and `-shm` files the database file's mode.
fn create_private_sqlite_file(url: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => {
            Err(error).with_context(|| format!("creating the database file {}", path.display()))
        }
    }
}

/// Hides the password of a database URL for messages and logs.
fn redact_database_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Applies migrations where allowed (refusing to run on a stale schema otherwise) and
/// loads the demo catalog into an empty development database.
pub async fn prepare_database(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    let pending = migrations::Migrator::get_pending_migrations(db).await?;
    if !pending.is_empty() {
        if !settings.apply_migrations {
            bail!(
                "{} pending migration(s); run `ladakh-market migrate up` as a release step, or start with --migrate",
                pending.len()
            );
        }
        tracing::info!(count = pending.len(), "applying pending migrations");
        migrations::Migrator::up(db, None).await?;
    }
    let reference = catalog::ensure_reference_data(db).await?;
    if reference != catalog::ReferenceSummary::default() {
        tracing::info!(
            districts = reference.districts,
            categories = reference.categories,
            gi_tags = reference.gi_tags,
            "loaded missing reference data"
        );
    }
    if settings.seed_demo_data && catalog::catalog_is_empty(db).await? {
        let summary = catalog::load_demo_catalog(db).await?;
        tracing::info!(
            cooperatives = summary.cooperatives,
            products = summary.products,
            variants = summary.variants,
            batches = summary.batches,
            events = summary.events,
            gi_claims = summary.gi_claims,
            "loaded the demo catalogue"
        );
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // SQLite has no autovacuum to gather statistics: refresh those that are missing
        // or stale at start-up so the planner picks the sort indexes (cheap when fresh).
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    Ok(())
}

/// Opens the search index: Meilisearch when configured, otherwise the embedded index
/// under the data directory; with the built-in synonyms and the admins' additions from
/// `DATA_DIR/synonyms.json`.
pub async fn open_search_index(
    data_dir: &Path,
    meilisearch: Option<&crate::settings::MeilisearchSettings>,
    writable: bool,
) -> anyhow::Result<Arc<dyn search::SearchIndex>> {
    let synonyms = search::Synonyms::load(data_dir)?;
    if let Some(meili) = meilisearch {
        let index = search::MeiliIndex::connect(
            &meili.url,
            meili.api_key.as_deref(),
            &meili.index,
            synonyms,
        )
        .await
        .with_context(|| format!("connecting to Meilisearch at {}", meili.url))?;
        return Ok(Arc::new(index));
    }
    let directory = data_dir.join("search-index");
    let index = if writable {
        search::TantivyIndex::open(&directory, synonyms)?
    } else {
        search::TantivyIndex::open_read_only(&directory, synonyms)?
    };
    Ok(Arc::new(index))
}

/// How often the reminder sweep runs: its reminders are about dates (a payment due, an
/// authorisation's expiry), so a quarter of an hour late is on time.
const REMINDER_SWEEP: Duration = Duration::from_secs(15 * 60);

/// How often orphaned uploads are looked for: they are swept after a day, so an hour
/// late is on time.
const MEDIA_SWEEP: Duration = Duration::from_secs(3600);

/// The reminders: overdue payments to institutional buyers (orders) and GI
/// authorisations expiring within 30 days to their cooperatives (catalog). Here
/// because it joins two domains; each sweep marks what it reminded of, so every
/// replica may run it.
struct Reminders {
    orders: orders::OrderService,
    db: DatabaseConnection,
    directory: Arc<dyn notifications::Directory>,
}

#[async_trait::async_trait]
impl kernel::worker::Task for Reminders {
    async fn run_once(
        &self,
        _round: kernel::worker::Round,
    ) -> Result<usize, kernel::worker::TaskError> {
        let overdue = self.orders.remind_overdue_payments(100).await?;
        let expiring = catalog::remind_expiring_authorisations(
            &self.db,
            self.directory.as_ref(),
            orders::time::india_today(),
            100,
        )
        .await?;
        if overdue + expiring > 0 {
            tracing::info!(overdue, expiring, "reminders recorded");
        }
        Ok(overdue + expiring)
    }
}

/// Opens where uploads are stored and checks it works (a probe object written, read
/// back and deleted), so that a wrong bucket, endpoint or key stops the start rather
/// than the first upload.
pub async fn open_media_storage(
    settings: &crate::settings::MediaSettings,
) -> anyhow::Result<Arc<dyn media::MediaStorage>> {
    let storage = match &settings.storage {
        crate::settings::MediaStorageSettings::Local { dir } => media::ObjectStorage::local(dir),
        crate::settings::MediaStorageSettings::S3(s3) => media::ObjectStorage::s3(s3),
    }
    .map_err(|e| anyhow::anyhow!("configuring media storage: {e}"))?;
    storage.check().await.map_err(|e| {
        anyhow::anyhow!(
            "media storage ({}) does not work: {e}",
            media::MediaStorage::describe(&storage)
        )
    })?;
    tracing::info!(storage = %media::MediaStorage::describe(&storage), "media storage");
    Ok(Arc::new(storage))
}

/// A built, bound server that has not started serving yet.
pub struct Application {
    server: Server,
    local_addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    workers: kernel::worker::Running,
}

/// The background tasks this process runs (each can be switched off by a setting): the
/// search outbox, the channel relay, push and order polling, the reservation sweeper,
/// the reminders and the mail sender.
/// Drains run them in this order, so a change a sweep makes is relayed and pushed in
/// the next round.
fn background_workers(
    settings: &Settings,
    db: &DatabaseConnection,
    search_index: &Arc<dyn search::SearchIndex>,
    orders: &orders::OrderService,
    connectors: &connectors::ConnectorService,
    mailer: Option<Arc<notifications::Mailer>>,
    media_storage: &Arc<dyn media::MediaStorage>,
) -> kernel::worker::WorkerSet {
    let worker_id = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7());
    let mut workers = kernel::worker::WorkerSet::new();
    if settings.search.worker {
        workers.add(
            "search",
            settings.search.poll_interval,
            search::OutboxWorker {
                db: db.clone(),
                index: Arc::clone(search_index),
                source: Arc::new(catalog::CatalogDocuments::new(db.clone())),
                worker_id: worker_id.clone(),
                batch_size: 200,
                lease: chrono::Duration::seconds(60),
            },
        );
    }
    if settings.channels.worker {
        workers.add(
            "channel-relay",
            settings.channels.poll_interval,
            connectors::ChannelRelay {
                service: connectors.with_db(db.clone()),
                worker_id: worker_id.clone(),
            },
        );
        workers.add(
            "channel-push",
            settings.channels.poll_interval,
            connectors::ChannelPush {
                service: connectors.with_db(db.clone()),
                worker_id: worker_id.clone(),
            },
        );
        if let Some(every) = settings.channels.order_poll_interval {
            workers.add(
                "channel-orders",
                every,
                connectors::ChannelOrderPoll {
                    service: connectors.with_db(db.clone()),
                },
            );
        }
    }
    if settings.orders.sweeper {
        workers.add(
            "reservation-sweeper",
            settings.orders.sweep_interval,
            orders::Sweeper::new(orders.with_db(db.clone())),
        );
    }
    if orders
        .gateway_for(orders::PaymentProvider::Razorpay)
        .is_some_and(|g| g.transfers().is_some())
    {
        workers.add(
            "razorpay-route",
            settings.orders.sweep_interval,
            orders::RouteWorker {
                service: orders.with_db(db.clone()),
                worker_id: worker_id.clone(),
            },
        );
    }
    workers.add(
        "reminders",
        REMINDER_SWEEP,
        Reminders {
            orders: orders.with_db(db.clone()),
            db: db.clone(),
            directory: Arc::new(accounts::Recipients),
        },
    );
    if settings.media.worker {
        workers.add(
            "media-renditions",
            settings.media.poll_interval,
            media::Renditions {
                db: db.clone(),
                storage: Arc::clone(media_storage),
                worker_id: worker_id.clone(),
            },
        );
        workers.add(
            "media-sweeper",
            MEDIA_SWEEP,
            catalog::MediaSweeper {
                db: db.clone(),
                storage: Arc::clone(media_storage),
                orphan_after: settings.media.orphan_after,
            },
        );
    }
    if let Some(mailer) = mailer {
        workers.add(
            "mail",
            settings.mail.poll_interval,
            notifications::Sender {
                db: db.clone(),
                mailer,
                worker_id,
            },
        );
    }
    workers
}

/// The order service: the GST rate and shipping tables (DATA_DIR overrides) and
/// the Stripe client when configured.
fn order_service(
    settings: &Settings,
    db: DatabaseConnection,
) -> anyhow::Result<orders::OrderService> {
    let rates =
        orders::RateSchedule::load(&settings.data_dir).context("loading the GST rate table")?;
    let shipping =
        orders::ShippingRates::load(&settings.data_dir).context("loading the shipping table")?;
    let mut gateways: Vec<std::sync::Arc<dyn orders::PaymentGateway>> = Vec::new();
    if let Some(stripe) = &settings.orders.stripe {
        let gateway = orders::StripeGateway::new(stripe)
            .map_err(|e| anyhow::anyhow!("configuring Stripe: {e}"))?;
        gateways.push(std::sync::Arc::new(gateway));
    }
    if let Some(razorpay) = &settings.orders.razorpay {
        let gateway = orders::RazorpayGateway::new(razorpay)
            .map_err(|e| anyhow::anyhow!("configuring Razorpay: {e}"))?;
        gateways.push(std::sync::Arc::new(gateway));
    }
    if gateways.is_empty() {
        tracing::info!(
            "neither STRIPE_SECRET_KEY nor RAZORPAY_KEY_ID is set: payments are confirmed by hand (manual provider)"
        );
    }
    Ok(orders::OrderService::new(
        db,
        rates,
        shipping,
        orders::OrderSettings {
            reservation_ttl: settings.orders.reservation_ttl,
            bank_transfer_reservation_ttl: settings.orders.bank_transfer_reservation_ttl,
            marketplace_payout: settings.orders.marketplace_payout.clone(),
            commission_bps: settings.orders.commission_bps,
            operator: settings.orders.operator.clone(),
            return_policy: orders::returns::ReturnPolicy::load(&settings.data_dir)
                .map_err(|e| anyhow::anyhow!(e))
                .context("loading the GST return policy")?,
            ..orders::OrderSettings::default()
        },
        gateways,
        Arc::new(accounts::Recipients),
    ))
}

impl Application {
    /// Binds the listener and assembles the middleware and routes.
    pub async fn build(settings: Settings, mut db: DatabaseConnection) -> anyhow::Result<Self> {
        // Background workers get their own handle, taken before instrumenting, so the
        // SQL counter measures the statements requests cause and nothing else.
        let background_db = db.clone();
        let metrics = Arc::new(Metrics::default());
        metrics.instrument(&mut db);
        let tokens = TokenService::new(settings.jwt.clone());
        let search_index = open_search_index(
            &settings.data_dir,
            settings.search.meilisearch.as_ref(),
            true,
        )
        .await?;
        let order_service = order_service(&settings, db.clone())?;
        let media_storage = open_media_storage(&settings.media).await?;
        let categories = connectors::ChannelCategories::load(&settings.data_dir)
            .map_err(|e| anyhow::anyhow!("loading the channel category table: {e}"))?;
        let connector_service = connectors::ConnectorService::new(
            db.clone(),
            settings.channels.connectors.clone(),
            categories,
            order_service.clone(),
        )?;
        let workers = background_workers(
            &settings,
            &background_db,
            &search_index,
            &order_service,
            &connector_service,
            settings
                .mail
                .sender
                .then(|| notifications::Mailer::new(&settings.mail.mailer))
                .transpose()
                .map_err(|e| anyhow::anyhow!("configuring mail: {e}"))?
                .map(Arc::new),
            &media_storage,
        );
        tracing::info!(tasks = ?workers.names(), "background tasks");
        let running_workers = workers.start();
        let schema = graphql::build_schema(
            &settings,
            db.clone(),
            tokens.clone(),
            Arc::clone(&search_index),
            order_service.clone(),
            connector_service.clone(),
            Arc::clone(&media_storage),
        );
        let state = AppState {
            db,
            schema,
            tokens,
            metrics,
            search_index,
            orders: order_service,
            connectors: connector_service,
            catalog_cache: Arc::new(CatalogCache::new(settings.catalog_cache)),
            media: media_storage,
        };
        // The drain endpoint sees the tasks only when enabled (never in production).
        let drain = settings
            .drain_endpoint
            .then(|| web::Data::new(http::drain::Drain(workers)));
        // Bound before the server so that its port (0 picks one) is known to the handler.
        let metrics_listener = settings
            .metrics
            .bind
            .map(|address| {
                std::net::TcpListener::bind(address)
                    .with_context(|| format!("binding METRICS_BIND_ADDR {address}"))
            })
            .transpose()?;
        let metrics_addr = metrics_listener
            .as_ref()
            .map(std::net::TcpListener::local_addr)
            .transpose()?;
        let metrics_access = web::Data::new(http::health::MetricsAccess {
            settings: settings.metrics.clone(),
            private_addr: metrics_addr,
        });
        let graphiql = web::Data::new(http::graphiql::Graphiql {
            enabled: settings.graphiql,
        });
        let max_body_bytes = settings.max_body_bytes;
        let body_deadline = web::Data::new(http::body_deadline::BodyDeadline(
            settings.body_read_timeout,
        ));
        let rate_limits = web::Data::new(http::rate_limit::RateLimits::new(&settings.rate_limits)?);
        let cors_origins = settings.cors_allowed_origins.clone();
        let public_url = web::Data::new(::web::PublicUrl(settings.public_url.clone()));
        let storefront = http::storefront::StorefrontExecutor::new(
            state.clone(),
            rate_limits.clone().into_inner(),
        );
        let mut server = HttpServer::new(move || {
            let mut cors = Cors::default()
                .allowed_methods(["GET", "POST", "OPTIONS"])
                .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
                .allowed_header("x-request-id")
                .expose_headers(["x-request-id"])
                .max_age(600);
            for origin in &cors_origins {
                cors = cors.allowed_origin(origin);
            }
            let mut app = App::new();
            if let Some(drain) = &drain {
                app = app.app_data(drain.clone());
            }
            app.app_data(web::Data::new(state.clone()))
                .app_data(metrics_access.clone())
                .app_data(graphiql.clone())
                .app_data(web::PayloadConfig::new(max_body_bytes))
                .app_data(body_deadline.clone())
                .app_data(rate_limits.clone())
                .app_data(public_url.clone())
                .wrap(middleware::from_fn(http::body_deadline::limit_body_time))
                .wrap(cors)
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(http::request_id::assign_request_id))
                .wrap(middleware::from_fn(
                    http::security_headers::set_security_headers,
                ))
                .configure(http::routes)
                // The storefront last: its 404 page answers every path nobody claims.
                .configure(|config| ::web::configure(config, storefront.clone()))
        })
        .shutdown_timeout(settings.shutdown_grace.as_secs())
        .bind(settings.bind)
        .with_context(|| format!("binding {}", settings.bind))?;
        if let Some(listener) = metrics_listener {
            server = server.listen(listener)?;
        }
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let local_addr = server
            .addrs()
            .first()
            .copied()
            .context("the server is bound to no address")?;
        Ok(Self {
            server: server.run(),
            local_addr,
            metrics_addr,
            workers: running_workers,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The separate listener for `/metrics`, when configured.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting and lets in-flight requests
    /// finish within the configured grace period.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.workers.stop(Duration::from_secs(10)).await;
        served
    }
}

#[cfg(test)]
mod tests {
    use super::redact_database_url;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_database_url("postgres://market:s3cret@db:5432/market"),
            "postgres://market:***@db:5432/market"
        );
        assert_eq!(
            redact_database_url("sqlite://./data/market.db"),
            "sqlite://./data/market.db"
        );
    }
}
