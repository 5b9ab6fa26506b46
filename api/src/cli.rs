//! The command line of `ladakh-market`: `serve` (the default), `migrate`, `schema`,
//! `admin create` and `gst-export gstr1|gstr8`. Every option can also come from an environment variable; a flag wins.

use std::{
    io::{BufRead, Write},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Duration,
};

use accounts::{NewAccount, Role};
use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use clap::{Args, Parser, Subcommand};
use rand::RngCore;
use sea_orm_migration::MigratorTrait;

use crate::{
    settings::{
        AppEnv, CatalogCacheSettings, ChannelsSettings, GraphqlSettings, JwtSettings, LogFormat,
        MIN_JWT_SECRET_BYTES, MailSettings, MediaSettings, MediaStorageSettings,
        MeilisearchSettings, MetricsSettings, OrdersSettings, RateLimitSettings, SearchSettings,
        Secret, Settings,
    },
    startup::{
        Application, connect_database, create_private_dir, open_search_index, prepare_database,
    },
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "ladakh-market",
    version,
    about = "Marketplace backend for Ladakh's cooperatives"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// `development` generates missing secrets, applies migrations and loads demo data;
    /// `production` refuses to guess.
    #[arg(
        long,
        env = "APP_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    app_env: AppEnv,
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; defaults to SQLite at
    /// `DATA_DIR/market.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the SQLite database, the embedded search index and the development JWT
    /// secret are kept.
    #[arg(long, env = "DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// `human` or `json`; defaults to human in development and JSON in production.
    #[arg(long, env = "LOG_FORMAT", value_enum, global = true)]
    log_format: Option<LogFormat>,
    /// Use Meilisearch at this URL instead of the embedded search index.
    #[arg(long, env = "MEILISEARCH_URL", global = true)]
    meilisearch_url: Option<String>,
    /// The Meilisearch API key.
    #[arg(
        long,
        env = "MEILISEARCH_API_KEY",
        hide_env_values = true,
        global = true
    )]
    meilisearch_api_key: Option<Secret>,
    /// The Meilisearch index holding the products.
    #[arg(
        long,
        env = "MEILISEARCH_INDEX",
        default_value = "products",
        global = true
    )]
    meilisearch_index: String,
}

impl CommonArgs {
    fn meilisearch(&self) -> Option<MeilisearchSettings> {
        self.meilisearch_url
            .as_ref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| MeilisearchSettings {
                url: url.trim().to_owned(),
                api_key: Secret::given(self.meilisearch_api_key.as_ref())
                    .map(|key| key.expose().to_owned()),
                index: self.meilisearch_index.clone(),
            })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API (the default when no command is given).
    // Boxed: its many options would make every other command as large.
    Serve(Box<ServeArgs>),
    /// Apply, roll back or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Rebuild the search index from the database (stop the server first when it uses
    /// the embedded index).
    Reindex,
    /// Report products missing, stale or extra in the search index, and live search
    /// settings that differ from the configured ones; exits 1 if any.
    SearchCheck,
    /// Apply or check the search settings (synonyms, ranking rules, attributes) of the
    /// live index, without restarting the servers.
    SearchSettings {
        #[command(subcommand)]
        action: SearchSettingsAction,
    },
    /// Platform administration.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// GST return data as JSON in the GST portal's offline-tool layout.
    GstExport {
        #[command(subcommand)]
        report: GstReport,
    },
}

#[derive(Debug, Subcommand)]
enum GstReport {
    /// A cooperative's GSTR-1 for a month.
    Gstr1 {
        /// The cooperative's slug.
        #[arg(long)]
        cooperative: String,
        #[command(flatten)]
        target: GstExportArgs,
    },
    /// The platform's GSTR-8 (TCS as e-commerce operator) for a month.
    Gstr8 {
        #[command(flatten)]
        target: GstExportArgs,
    },
}

#[derive(Debug, Args)]
struct GstExportArgs {
    /// The return period, `MMYYYY` (`112026` is November 2026).
    #[arg(long, value_parser = parse_return_period)]
    period: orders::returns::ReturnPeriod,
    /// Write the JSON to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The platform's GSTIN as e-commerce operator (CGST s.52), as the server uses it.
    #[arg(long, env = "PLATFORM_GSTIN")]
    platform_gstin: Option<String>,
    /// TCS the platform collects, in basis points (50 = 0.5%).
    #[arg(long, env = "TCS_RATE_BP", default_value_t = 50)]
    tcs_rate_bp: i64,
}

fn parse_return_period(text: &str) -> Result<orders::returns::ReturnPeriod, String> {
    text.parse()
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Do not load the demo catalog into an empty database.
    #[arg(long)]
    no_seed: bool,
    /// Apply pending migrations at start-up (always done in development).
    #[arg(long)]
    migrate: bool,
    /// Storefront origins allowed to call the API from a browser, comma-separated.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    cors_allowed_origins: Vec<String>,
    /// The storefront's public address (`https://shop.example.org`), for the absolute
    /// URLs printed on batch labels' QR codes; unset: the address a page was asked for.
    #[arg(long, env = "PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest request body accepted; larger ones get 413.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=256 * 1024 * 1024))]
    max_body_bytes: u64,
    /// How long a request may take to send its body, in milliseconds (as the headers
    /// must arrive within actix's request timeout); 408 beyond it.
    #[arg(long, env = "BODY_READ_TIMEOUT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(100..=600_000))]
    body_read_timeout_ms: u64,
    /// Logins per minute from one client address (0: no limit).
    #[arg(long, env = "RATE_LIMIT_LOGIN_PER_MIN", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_login_per_min: u32,
    /// Registrations per minute from one client address (0: no limit).
    #[arg(long, env = "RATE_LIMIT_REGISTER_PER_MIN", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_register_per_min: u32,
    /// Password-reset requests per minute from one client address (0: no limit).
    #[arg(long, env = "RATE_LIMIT_PASSWORD_RESET_PER_MIN", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_password_reset_per_min: u32,
    /// Searches per minute from one client address (0: no limit).
    #[arg(long, env = "RATE_LIMIT_SEARCH_PER_MIN", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_search_per_min: u32,
    /// Spreadsheet imports (dry runs included) per minute from one client address
    /// (0: no limit).
    #[arg(long, env = "RATE_LIMIT_IMPORT_PER_MIN", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_import_per_min: u32,
    /// `placeOrder` calls per minute from one client address (0: no limit): guest
    /// checkout lets visitors reserve stock without an account.
    #[arg(long, env = "RATE_LIMIT_CHECKOUT_PER_MIN", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    rate_limit_checkout_per_min: u32,
    /// The header a trusted reverse proxy sets to the client's address (e.g.
    /// `X-Forwarded-For`); only set it behind such a proxy, which must overwrite it.
    #[arg(long, env = "TRUSTED_PROXY_HEADER")]
    trusted_proxy_header: Option<String>,
    /// Allow schema introspection (default: on in development, off in production).
    #[arg(long, env = "GRAPHQL_INTROSPECTION")]
    graphql_introspection: Option<bool>,
    /// Serve GraphiQL at `GET /graphql` (default: on in development, off in production).
    #[arg(long, env = "GRAPHIQL")]
    graphiql: Option<bool>,
    /// Also listen here, for `/metrics` (the public address then serves it only with
    /// `METRICS_TOKEN`).
    #[arg(long, env = "METRICS_BIND_ADDR")]
    metrics_bind: Option<SocketAddr>,
    /// Serve `/metrics` on the public address to `Authorization: Bearer <token>`.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<Secret>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(i64).range(30..=86_400))]
    access_token_ttl_secs: i64,
    /// Refresh-token lifetime in days.
    #[arg(long, env = "REFRESH_TOKEN_TTL_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(1..=365))]
    refresh_token_ttl_days: i64,
    /// How long in-flight requests may take to finish after SIGTERM or SIGINT.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=3_600))]
    shutdown_grace_secs: u64,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "HTTP_WORKERS", value_parser = clap::value_parser!(u64).range(1..=256))]
    workers: Option<u64>,
    /// Do not run the search outbox worker in this process.
    #[arg(long)]
    no_search_worker: bool,
    /// How often an idle search worker looks for catalogue changes, in milliseconds.
    #[arg(long, env = "SEARCH_POLL_MS", default_value_t = 200,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    search_poll_ms: u64,
    /// How long an anonymous catalogue page may be served from the cache, in
    /// milliseconds; 0 turns the cache off. Writes made through this process show at once.
    #[arg(long, env = "CATALOG_CACHE_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    catalog_cache_ms: u64,
    /// Memory the catalogue cache may use, in MiB.
    #[arg(long, env = "CATALOG_CACHE_MB", default_value_t = 16,
          value_parser = clap::value_parser!(u64).range(1..=4_096))]
    catalog_cache_mb: u64,
    /// How long an unpaid order holds its stock, in seconds.
    #[arg(long, env = "RESERVATION_TTL_SECS", default_value_t = 1800,
          value_parser = clap::value_parser!(u64).range(1..=30 * 86_400))]
    reservation_ttl_secs: u64,
    /// How long an unpaid bank-transfer order (NEFT, IMPS, RTGS or UPI to the payee's
    /// account) holds its stock, in seconds: days, since the buyer pays from a bank.
    #[arg(long, env = "BANK_TRANSFER_RESERVATION_TTL_SECS", default_value_t = 3 * 86_400,
          value_parser = clap::value_parser!(u64).range(1..=30 * 86_400))]
    bank_transfer_reservation_ttl_secs: u64,
    /// The name on the marketplace's own account, into which bank transfers are paid
    /// when the marketplace collects (several cooperatives, or one without a payout
    /// account). With the number and IFSC, or none of them.
    #[arg(long, env = "MARKETPLACE_PAYEE_ACCOUNT_NAME")]
    marketplace_payee_account_name: Option<String>,
    /// The marketplace's account number (9 to 18 digits).
    #[arg(long, env = "MARKETPLACE_PAYEE_ACCOUNT_NUMBER")]
    marketplace_payee_account_number: Option<String>,
    /// The IFSC of the marketplace's account's branch (e.g. SBIN0001234).
    #[arg(long, env = "MARKETPLACE_PAYEE_IFSC")]
    marketplace_payee_ifsc: Option<String>,
    /// The marketplace's UPI id (name@handle), optional.
    #[arg(long, env = "MARKETPLACE_PAYEE_UPI_VPA")]
    marketplace_payee_upi_vpa: Option<String>,
    /// The marketplace's commission on Razorpay Route transfers, in basis points of a
    /// fulfilment's taxable value (250 = 2.5%), where a cooperative has none of its own.
    #[arg(long, env = "MARKETPLACE_COMMISSION_BPS", default_value_t = 0,
          value_parser = clap::value_parser!(i32).range(0..=10_000))]
    marketplace_commission_bps: i32,
    /// The platform's GSTIN as e-commerce operator (CGST s.52), printed on the
    /// documents of supplies made through it; checked like a cooperative's.
    #[arg(long, env = "PLATFORM_GSTIN")]
    platform_gstin: Option<String>,
    /// The platform's legal name, printed with its GSTIN.
    #[arg(
        long,
        env = "PLATFORM_LEGAL_NAME",
        default_value = "Ladakh Cooperative Marketplace"
    )]
    platform_legal_name: String,
    /// How often the reservation sweeper runs, in milliseconds.
    #[arg(long, env = "ORDER_SWEEP_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    order_sweep_ms: u64,
    /// Do not run the reservation sweeper in this process.
    #[arg(long)]
    no_order_sweeper: bool,
    /// Card and UPI payments through Stripe with this secret key (manual payments only
    /// when unset).
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    stripe_secret_key: Option<Secret>,
    /// The endpoint secret that signs `POST /webhooks/stripe`; required with Stripe.
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    stripe_webhook_secret: Option<Secret>,
    /// Stripe's publishable key (`pk_…`): the storefront offers card and UPI payments
    /// with Stripe's Payment Element on its payment step when it is set with Stripe on.
    #[arg(long, env = "STRIPE_PUBLISHABLE_KEY")]
    stripe_publishable_key: Option<String>,
    /// Stripe's API base URL (for a test double or a proxy).
    #[arg(long, env = "STRIPE_API_BASE")]
    stripe_api_base: Option<String>,
    /// Timeout of each call to Stripe, in seconds.
    #[arg(long, env = "STRIPE_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    stripe_timeout_secs: u64,
    /// How old a signed Stripe webhook may be, in seconds.
    #[arg(long, env = "STRIPE_SIGNATURE_TOLERANCE_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    stripe_signature_tolerance_secs: u64,
    /// UPI, cards, netbanking and wallets through Razorpay with this key id (`rzp_…`,
    /// public: Checkout opens with it); beside Stripe or alone.
    #[arg(long, env = "RAZORPAY_KEY_ID")]
    razorpay_key_id: Option<String>,
    /// The key secret that authenticates calls to Razorpay and signs Checkout's
    /// callback; required with the key id.
    #[arg(long, env = "RAZORPAY_KEY_SECRET", hide_env_values = true)]
    razorpay_key_secret: Option<Secret>,
    /// The secret that signs `POST /webhooks/razorpay`; required with the key id.
    #[arg(long, env = "RAZORPAY_WEBHOOK_SECRET", hide_env_values = true)]
    razorpay_webhook_secret: Option<Secret>,
    /// Razorpay's API base URL (for a proxy or a test double).
    #[arg(long, env = "RAZORPAY_API_BASE")]
    razorpay_api_base: Option<String>,
    /// Timeout of each call to Razorpay, in seconds.
    #[arg(long, env = "RAZORPAY_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    razorpay_timeout_secs: u64,
    /// Do not run the channel worker (NCUI Haat / GeM relay, push, order polling) here.
    #[arg(long)]
    no_channel_worker: bool,
    /// How often an idle channel worker looks for work, in milliseconds.
    #[arg(long, env = "CHANNEL_POLL_MS", default_value_t = 200,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    channel_poll_ms: u64,
    /// Poll the channels for orders this often, in seconds; 0 turns polling off.
    #[arg(long, env = "CHANNEL_ORDER_POLL_SECS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    channel_order_poll_secs: u64,
    /// A channel push that fails this many times is dead-lettered.
    #[arg(long, env = "CHANNEL_MAX_ATTEMPTS", default_value_t = 8,
          value_parser = clap::value_parser!(i32).range(1..=100))]
    channel_max_attempts: i32,
    /// The first retry delay of a failed channel push, in milliseconds (doubles each time).
    #[arg(long, env = "CHANNEL_BACKOFF_MS", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(1..=300_000))]
    channel_backoff_ms: u64,
    /// Timeout of each call to a channel, in milliseconds.
    #[arg(long, env = "CHANNEL_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(50..=120_000))]
    channel_timeout_ms: u64,
    /// HS256 secret of access tokens, at least 32 bytes in production (generated and
    /// kept under DATA_DIR in development when unset).
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<Secret>,
    /// Send mail through this SMTP server: `smtps://[user:password@]host[:port]` (TLS),
    /// `smtp://…?tls=required` (STARTTLS), `smtp://…?tls=opportunistic` (STARTTLS when
    /// offered) or plain `smtp://…` (a relay on the same host). Unset:
    /// development writes each message under DATA_DIR/mail/, production refuses to
    /// start unless MAIL_DROP is set.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    smtp_url: Option<Secret>,
    /// Timeout of each SMTP connection and command, in seconds.
    #[arg(long, env = "SMTP_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    smtp_timeout_secs: u64,
    /// The `From` of every message.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Ladakh Cooperative Marketplace <no-reply@localhost>"
    )]
    mail_from: String,
    /// Send no mail at all (messages are recorded, logged and marked sent): the explicit
    /// choice production needs to run without SMTP_URL.
    #[arg(long, env = "MAIL_DROP", value_parser = clap::builder::FalseyValueParser::new())]
    mail_drop: bool,
    /// How long a password-reset code works, in seconds.
    #[arg(long, env = "PASSWORD_RESET_TTL_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(i64).range(1..=86_400))]
    password_reset_ttl_secs: i64,
    /// A message failing this often is dead-lettered.
    #[arg(long, env = "MAIL_MAX_ATTEMPTS", default_value_t = 10,
          value_parser = clap::value_parser!(i32).range(1..=100))]
    mail_max_attempts: i32,
    /// The first retry delay of a message not sent, in milliseconds (doubles, capped at
    /// an hour, with jitter).
    #[arg(long, env = "MAIL_BACKOFF_MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    mail_backoff_ms: u64,
    /// How often an idle mail sender looks for messages, in milliseconds.
    #[arg(long, env = "MAIL_POLL_MS", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    mail_poll_ms: u64,
    /// Do not run the mail sender in this process (every replica may run it).
    #[arg(long)]
    no_mail_sender: bool,
    #[command(flatten)]
    gem: GemArgs,
    #[command(flatten)]
    ncui_haat: NcuiHaatArgs,
    #[command(flatten)]
    media: MediaArgs,
    /// Serve `POST /internal/drain` (run the background tasks until idle), for tests;
    /// refused in production.
    #[arg(long, env = "ENABLE_DRAIN_ENDPOINT", hide = true, value_parser = clap::builder::FalseyValueParser::new())]
    enable_drain_endpoint: bool,
}

/// Uploaded images: where they are stored, and the background work on them.
#[derive(Debug, Args)]
struct MediaArgs {
    /// Store uploads in this S3-compatible bucket (so that replicas share them) instead of
    /// DATA_DIR/media on the local disk.
    #[arg(long, env = "MEDIA_S3_BUCKET")]
    media_s3_bucket: Option<String>,
    /// The S3 endpoint, e.g. `https://s3.ap-south-1.amazonaws.com` or `http://minio:9000`
    /// (unset: AWS's own for the region).
    #[arg(long, env = "MEDIA_S3_ENDPOINT")]
    media_s3_endpoint: Option<String>,
    /// The bucket's region.
    #[arg(long, env = "MEDIA_S3_REGION", default_value = "ap-south-1")]
    media_s3_region: String,
    /// The access key id (required with a bucket).
    #[arg(long, env = "MEDIA_S3_ACCESS_KEY_ID", hide_env_values = true)]
    media_s3_access_key_id: Option<Secret>,
    /// The secret access key (required with a bucket).
    #[arg(long, env = "MEDIA_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    media_s3_secret_access_key: Option<Secret>,
    /// Address objects as `endpoint/bucket/key` (MinIO and most self-hosted servers)
    /// rather than `bucket.endpoint/key`.
    #[arg(long, env = "MEDIA_S3_PATH_STYLE", value_parser = clap::builder::FalseyValueParser::new())]
    media_s3_path_style: bool,
    /// Delete an upload no product shows once it is this old, in seconds.
    #[arg(long, env = "MEDIA_ORPHAN_TTL_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(i64).range(0..=2_592_000))]
    media_orphan_ttl_secs: i64,
    /// How often an idle media worker looks for renditions to make, in milliseconds.
    #[arg(long, env = "MEDIA_POLL_MS", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    media_poll_ms: u64,
    /// Do not make renditions or sweep orphaned uploads in this process (every replica
    /// may).
    #[arg(long)]
    no_media_worker: bool,
}

/// Where uploads are stored: the S3 bucket when one is named (with both keys), the
/// local disk under DATA_DIR/media otherwise.
fn media_settings(data_dir: &Path, args: &MediaArgs) -> anyhow::Result<MediaSettings> {
    let bucket = args
        .media_s3_bucket
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty());
    let storage = match bucket {
        None => MediaStorageSettings::Local {
            dir: data_dir.join("media"),
        },
        Some(bucket) => {
            let key = |secret: Option<&Secret>, name: &str| {
                Secret::given(secret)
                    .map(|s| s.expose().to_owned())
                    .with_context(|| format!("MEDIA_S3_BUCKET is set; {name} is required too"))
            };
            let endpoint = args
                .media_s3_endpoint
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned);
            if let Some(endpoint) = &endpoint
                && !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
            {
                bail!("MEDIA_S3_ENDPOINT must be an http(s) URL");
            }
            MediaStorageSettings::S3(media::S3Settings {
                bucket: bucket.to_owned(),
                endpoint,
                region: args.media_s3_region.trim().to_owned(),
                access_key_id: key(
                    args.media_s3_access_key_id.as_ref(),
                    "MEDIA_S3_ACCESS_KEY_ID",
                )?,
                secret_access_key: key(
                    args.media_s3_secret_access_key.as_ref(),
                    "MEDIA_S3_SECRET_ACCESS_KEY",
                )?,
                path_style: args.media_s3_path_style,
            })
        }
    };
    Ok(MediaSettings {
        storage,
        orphan_after: chrono::Duration::seconds(args.media_orphan_ttl_secs),
        worker: !args.no_media_worker,
        poll_interval: Duration::from_millis(args.media_poll_ms),
    })
}

/// GeM's endpoint and keys; each part is optional (feed only without an endpoint).
#[derive(Debug, Args)]
struct GemArgs {
    /// GeM's push API (listings and order polling), with `GEM_API_KEY`.
    #[arg(long, env = "GEM_API_BASE")]
    gem_api_base: Option<String>,
    #[arg(long, env = "GEM_API_KEY", hide_env_values = true)]
    gem_api_key: Option<Secret>,
    /// The key GeM's feed requires as `X-Api-Key`; no feed without it.
    #[arg(long, env = "GEM_FEED_API_KEY", hide_env_values = true)]
    gem_feed_api_key: Option<Secret>,
    /// The secret that signs GeM's order webhook; no webhook without it.
    #[arg(long, env = "GEM_WEBHOOK_SECRET", hide_env_values = true)]
    gem_webhook_secret: Option<Secret>,
}

/// NCUI Haat's endpoint and keys; each part is optional (feed only without an endpoint).
#[derive(Debug, Args)]
struct NcuiHaatArgs {
    /// NCUI Haat's push API (listings and order polling), with `NCUI_HAAT_API_KEY`.
    #[arg(long, env = "NCUI_HAAT_API_BASE")]
    ncui_haat_api_base: Option<String>,
    #[arg(long, env = "NCUI_HAAT_API_KEY", hide_env_values = true)]
    ncui_haat_api_key: Option<Secret>,
    /// The key NCUI Haat's feed requires as `X-Api-Key`; no feed without it.
    #[arg(long, env = "NCUI_HAAT_FEED_API_KEY", hide_env_values = true)]
    ncui_haat_feed_api_key: Option<Secret>,
    /// The secret that signs NCUI Haat's order webhook; no webhook without it.
    #[arg(long, env = "NCUI_HAAT_WEBHOOK_SECRET", hide_env_values = true)]
    ncui_haat_webhook_secret: Option<Secret>,
}

/// One channel's settings from its flags or variables.
fn channel_config(
    api_base: Option<&String>,
    api_key: Option<&Secret>,
    feed_api_key: Option<&Secret>,
    webhook_secret: Option<&Secret>,
) -> connectors::ChannelConfig {
    let expose = |secret: Option<&Secret>| Secret::given(secret).map(|s| s.expose().to_owned());
    connectors::ChannelConfig {
        endpoint: api_base
            .map(|base| base.trim().to_owned())
            .filter(|base| !base.is_empty())
            .zip(expose(api_key))
            .map(|(base_url, api_key)| connectors::ChannelEndpoint { base_url, api_key }),
        feed_api_key: expose(feed_api_key),
        webhook_secret: expose(webhook_secret),
    }
}

impl ServeArgs {
    fn channel_config(&self, channel: connectors::Channel) -> connectors::ChannelConfig {
        match channel {
            connectors::Channel::Gem => channel_config(
                self.gem.gem_api_base.as_ref(),
                self.gem.gem_api_key.as_ref(),
                self.gem.gem_feed_api_key.as_ref(),
                self.gem.gem_webhook_secret.as_ref(),
            ),
            connectors::Channel::NcuiHaat => channel_config(
                self.ncui_haat.ncui_haat_api_base.as_ref(),
                self.ncui_haat.ncui_haat_api_key.as_ref(),
                self.ncui_haat.ncui_haat_feed_api_key.as_ref(),
                self.ncui_haat.ncui_haat_webhook_secret.as_ref(),
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
enum SearchSettingsAction {
    /// Apply the configured settings (built-in synonyms plus DATA_DIR/synonyms.json)
    /// to the live index.
    Apply,
    /// Compare the live settings with the configured ones; exits 1 if they differ.
    Check,
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the most recent migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List applied and pending migrations.
    Status,
}

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Create a platform admin account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Platform admin")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = parse_with_default_command();
    let log_format = cli.common.log_format.unwrap_or(match cli.common.app_env {
        AppEnv::Development => LogFormat::Human,
        AppEnv::Production => LogFormat::Json,
    });
    telemetry::init(log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "ladakh-market stopped with an error"
            );
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `ladakh-market` with no command means `ladakh-market serve`.
fn parse_with_default_command() -> Cli {
    let cli = Cli::parse();
    if cli.command.is_some() {
        return cli;
    }
    Cli::parse_from(std::env::args_os().chain(["serve".into()]))
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let common = cli.common;
    match cli.command {
        Some(Command::Serve(args)) => serve(&common, *args).await,
        None => bail!("no command given"),
        Some(Command::Schema) => {
            let sdl = crate::graphql::sdl();
            std::io::stdout().write_all(sdl.as_bytes())?;
            Ok(())
        }
        Some(Command::Migrate { action }) => migrate(&common, action).await,
        Some(Command::Reindex) => reindex(&common).await,
        Some(Command::SearchCheck) => search_check(&common).await,
        Some(Command::SearchSettings { action }) => search_settings(&common, action).await,
        Some(Command::GstExport { report }) => gst_export(&common, report).await,
        Some(Command::Admin {
            action:
                AdminAction::Create {
                    email,
                    name,
                    password_stdin: _,
                },
        }) => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let db = connect_database(&database_url(&common)?, &common.data_dir).await?;
            ensure_no_pending_migrations(&db).await?;
            let user = accounts::create_account(
                &db,
                NewAccount {
                    email,
                    password,
                    name,
                    role: Role::Admin,
                    cooperative_id: None,
                    cooperative_role: None,
                    buyer_organisation_id: None,
                },
            )
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
            println!("created admin {} ({})", user.email, user.id);
            Ok(())
        }
    }
}

async fn serve(common: &CommonArgs, args: ServeArgs) -> anyhow::Result<()> {
    let settings = build_settings(common, &args)?;
    let graphiql = settings.graphiql;
    let db = connect_database(&settings.database_url, &settings.data_dir).await?;
    prepare_database(&db, &settings).await?;
    let application = Application::build(settings, db).await?;
    let address = application.local_addr();
    // Before the listening line, which tells a supervisor (and the tests) that the
    // server is up.
    if let Some(metrics) = application.metrics_addr() {
        println!("metrics on http://{metrics}/metrics");
    }
    println!("ladakh-market listening on http://{address}");
    if graphiql {
        println!("GraphiQL: http://{address}/graphql");
    }
    application.run_until_stopped().await?;
    Ok(())
}

async fn migrate(common: &CommonArgs, action: MigrateAction) -> anyhow::Result<()> {
    let db = connect_database(&database_url(common)?, &common.data_dir).await?;
    match action {
        MigrateAction::Up => {
            migrations::Migrator::up(&db, None).await?;
            println!("all migrations applied");
        }
        MigrateAction::Down { steps } => {
            migrations::Migrator::down(&db, Some(steps)).await?;
            println!("rolled back {steps} migration(s)");
        }
        MigrateAction::Status => {
            let applied = migrations::Migrator::get_applied_migrations(&db).await?;
            let pending = migrations::Migrator::get_pending_migrations(&db).await?;
            for migration in &applied {
                println!("applied  {}", migration.name());
            }
            for migration in &pending {
                println!("pending  {}", migration.name());
            }
        }
    }
    Ok(())
}

async fn reindex(common: &CommonArgs) -> anyhow::Result<()> {
    let db = connect_database(&database_url(common)?, &common.data_dir).await?;
    ensure_no_pending_migrations(&db).await?;
    let index = open_search_index(&common.data_dir, common.meilisearch().as_ref(), true).await?;
    let source = catalog::CatalogDocuments::new(db.clone());
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} indexing [{bar:40}] {pos}/{len} products ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let indexed = search::reindex(index.as_ref(), &source, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    println!("indexed {indexed} products");
    Ok(())
}

/// Writes a GST return export. The operator's command line reads every cooperative,
/// as an admin would.
async fn gst_export(common: &CommonArgs, report: GstReport) -> anyhow::Result<()> {
    let db = connect_database(&database_url(common)?, &common.data_dir).await?;
    ensure_no_pending_migrations(&db).await?;
    let operator = |target: &GstExportArgs| -> anyhow::Result<Option<orders::EcommerceOperator>> {
        target
            .platform_gstin
            .as_deref()
            .filter(|g| !g.trim().is_empty())
            .map(|gstin| {
                catalog::identifiers::parse_gstin(gstin)
                    .map(|gstin| orders::EcommerceOperator {
                        name: String::new(),
                        gstin,
                    })
                    .map_err(|e| anyhow::anyhow!("PLATFORM_GSTIN: {e}"))
            })
            .transpose()
    };
    let (json, target) = match report {
        GstReport::Gstr1 {
            cooperative,
            target,
        } => {
            let policy = orders::returns::ReturnPolicy::load(&common.data_dir)
                .map_err(|e| anyhow::anyhow!(e))?;
            let found = catalog::find_cooperative_for(
                &db,
                &kernel::Actor::System,
                None,
                Some(cooperative.as_str()),
            )
            .await
            .with_context(|| format!("cooperative {cooperative}"))?;
            let data = orders::returns::gstr1_for_operator(
                &db,
                &policy,
                operator(&target)?.as_ref(),
                found.id,
                target.period,
            )
            .await?;
            (orders::returns::gstr1_json(&data)?, target)
        }
        GstReport::Gstr8 { target } => {
            let data = orders::returns::gstr8_for_operator(
                &db,
                operator(&target)?.as_ref(),
                target.tcs_rate_bp,
                target.period,
            )
            .await?;
            (orders::returns::gstr8_json(&data)?, target)
        }
    };
    match &target.out {
        Some(path) => {
            std::fs::write(path, json.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
        }
        None => println!("{json}"),
    }
    Ok(())
}

async fn search_check(common: &CommonArgs) -> anyhow::Result<()> {
    let db = connect_database(&database_url(common)?, &common.data_dir).await?;
    ensure_no_pending_migrations(&db).await?;
    let index = open_search_index(&common.data_dir, common.meilisearch().as_ref(), false).await?;
    let source = catalog::CatalogDocuments::new(db.clone());
    let report = search::check_index(index.as_ref(), &source).await?;
    let pending = search::outbox::pending(&db).await?;
    println!(
        "expected {} indexed {} pending-outbox {pending}",
        report.expected, report.indexed
    );
    for (label, ids) in [
        ("missing", &report.missing),
        ("stale", &report.stale),
        ("extra", &report.extra),
    ] {
        println!("{label} {}", ids.len());
        for id in ids {
            println!("  {label} {id}");
        }
    }
    let settings_current = print_settings_state(&index.settings_state().await?);
    if !report.is_consistent() {
        bail!("search index is not consistent with the database")
    }
    println!("search index is consistent");
    if !settings_current {
        bail!("the live search settings differ from the configured ones")
    }
    Ok(())
}

/// Prints a settings state; false when the live settings differ.
fn print_settings_state(state: &search::SettingsState) -> bool {
    match state {
        search::SettingsState::Current => {
            println!("search settings are current");
            true
        }
        search::SettingsState::Differ(names) => {
            println!(
                "search settings differ: {} (run `search-settings apply`)",
                names.join(", ")
            );
            false
        }
        search::SettingsState::NotApplicable(reason) => {
            println!("search settings: {reason}");
            true
        }
    }
}

async fn search_settings(common: &CommonArgs, action: SearchSettingsAction) -> anyhow::Result<()> {
    // Settings need no database; a read-only handle is enough for the embedded index,
    // which has none to change, and leaves a running server's writer alone.
    let index = open_search_index(&common.data_dir, common.meilisearch().as_ref(), false).await?;
    let state = match action {
        SearchSettingsAction::Apply => {
            let state = index.apply_settings().await?;
            if state == search::SettingsState::Current {
                println!("applied the search settings to the live index");
            }
            state
        }
        SearchSettingsAction::Check => index.settings_state().await?,
    };
    if print_settings_state(&state) {
        Ok(())
    } else {
        bail!("the live search settings differ from the configured ones")
    }
}

async fn ensure_no_pending_migrations(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    let pending = migrations::Migrator::get_pending_migrations(db).await?;
    if !pending.is_empty() {
        bail!(
            "{} pending migration(s); run `ladakh-market migrate up` first",
            pending.len()
        );
    }
    Ok(())
}

fn database_url(common: &CommonArgs) -> anyhow::Result<String> {
    if let Some(url) = &common.database_url {
        return Ok(url.clone());
    }
    create_private_dir(&common.data_dir)?;
    let path = common.data_dir.join("market.db");
    Ok(format!("sqlite://{}?mode=rwc", path.display()))
}

fn build_settings(common: &CommonArgs, args: &ServeArgs) -> anyhow::Result<Settings> {
    let env = common.app_env;
    let database_url = database_url(common)?;
    let secret = jwt_secret(
        env,
        Secret::given(args.jwt_secret.as_ref()),
        &common.data_dir,
    )?;
    // clap has checked every number against its range; these conversions cannot fail
    // on the platforms we build for, but say so rather than truncate if one does.
    let max_body_bytes = usize::try_from(args.max_body_bytes).context("MAX_BODY_BYTES")?;
    let workers = args
        .workers
        .map(usize::try_from)
        .transpose()
        .context("HTTP_WORKERS")?;
    let catalog_cache_bytes = usize::try_from(args.catalog_cache_mb)
        .ok()
        .and_then(|mb| mb.checked_mul(1024 * 1024))
        .context("CATALOG_CACHE_MB is too large for this machine")?;
    let production = env == AppEnv::Production;
    if production && args.enable_drain_endpoint {
        bail!("ENABLE_DRAIN_ENDPOINT is for tests; production refuses it");
    }
    Ok(Settings {
        env,
        bind: args.bind,
        database_url,
        data_dir: common.data_dir.clone(),
        jwt: JwtSettings {
            secret,
            issuer: "ladakh-market".to_owned(),
            audience: "ladakh-market-api".to_owned(),
            access_token_lifetime: chrono::Duration::seconds(args.access_token_ttl_secs),
            refresh_token_lifetime: chrono::Duration::days(args.refresh_token_ttl_days),
        },
        cors_allowed_origins: args
            .cors_allowed_origins
            .iter()
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect(),
        max_body_bytes,
        body_read_timeout: Duration::from_millis(args.body_read_timeout_ms),
        rate_limits: RateLimitSettings {
            login_per_minute: args.rate_limit_login_per_min,
            registration_per_minute: args.rate_limit_register_per_min,
            password_reset_per_minute: args.rate_limit_password_reset_per_min,
            search_per_minute: args.rate_limit_search_per_min,
            import_per_minute: args.rate_limit_import_per_min,
            checkout_per_minute: args.rate_limit_checkout_per_min,
            trusted_proxy_header: args
                .trusted_proxy_header
                .clone()
                .filter(|name| !name.trim().is_empty()),
        },
        graphql: GraphqlSettings {
            introspection: args.graphql_introspection.unwrap_or(!production),
            suggestions: !production,
            ..GraphqlSettings::default()
        },
        apply_migrations: !production || args.migrate,
        seed_demo_data: !production && !args.no_seed,
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
        workers,
        search: SearchSettings {
            worker: !args.no_search_worker,
            poll_interval: Duration::from_millis(args.search_poll_ms),
            meilisearch: common.meilisearch(),
        },
        catalog_cache: CatalogCacheSettings {
            ttl: Duration::from_millis(args.catalog_cache_ms),
            max_bytes: catalog_cache_bytes,
        },
        orders: OrdersSettings {
            reservation_ttl: Duration::from_secs(args.reservation_ttl_secs),
            bank_transfer_reservation_ttl: Duration::from_secs(
                args.bank_transfer_reservation_ttl_secs,
            ),
            marketplace_payout: marketplace_payout(args)?,
            commission_bps: args.marketplace_commission_bps,
            sweeper: !args.no_order_sweeper,
            sweep_interval: Duration::from_millis(args.order_sweep_ms),
            stripe: stripe_settings(args)?,
            stripe_publishable_key: stripe_publishable_key(args)?,
            razorpay: razorpay_settings(args)?,
            operator: args
                .platform_gstin
                .as_deref()
                .filter(|g| !g.trim().is_empty())
                .map(|gstin| {
                    catalog::identifiers::parse_gstin(gstin)
                        .map(|gstin| orders::EcommerceOperator {
                            name: args.platform_legal_name.clone(),
                            gstin,
                        })
                        .map_err(|e| anyhow::anyhow!("PLATFORM_GSTIN: {e}"))
                })
                .transpose()?,
        },
        channels: ChannelsSettings {
            connectors: connectors::ConnectorSettings {
                channels: connectors::Channel::ALL
                    .into_iter()
                    .map(|channel| (channel, args.channel_config(channel)))
                    .collect(),
                max_attempts: args.channel_max_attempts,
                backoff_base: Duration::from_millis(args.channel_backoff_ms),
                backoff_cap: Duration::from_secs(300),
                request_timeout: Duration::from_millis(args.channel_timeout_ms),
                signature_tolerance: Duration::from_secs(args.stripe_signature_tolerance_secs),
            },
            worker: !args.no_channel_worker,
            poll_interval: Duration::from_millis(args.channel_poll_ms),
            order_poll_interval: (args.channel_order_poll_secs > 0)
                .then(|| Duration::from_secs(args.channel_order_poll_secs)),
        },
        graphiql: args.graphiql.unwrap_or(!production),
        public_url: public_url(args.public_url.as_deref())?,
        metrics: metrics_settings(production, args)?,
        drain_endpoint: args.enable_drain_endpoint,
        mail: mail_settings(env, &common.data_dir, args)?,
        media: media_settings(&common.data_dir, &args.media)?,
    })
}

/// The public address, checked: an `http(s)://` origin, without a trailing slash (the
/// paths are appended to it). An empty value counts as unset.
fn public_url(value: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(url) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let url = url.trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
        bail!("PUBLIC_URL must be an origin such as https://shop.example.org, not {url:?}");
    }
    Ok(Some(url.to_owned()))
}

/// Where mail goes: SMTP when configured; otherwise files under DATA_DIR/mail/ in
/// development, and in production nothing unless MAIL_DROP says so explicitly, since
/// a production server that silently sends no password resets is worse than one that
/// does not start.
fn mail_settings(env: AppEnv, data_dir: &Path, args: &ServeArgs) -> anyhow::Result<MailSettings> {
    let smtp = Secret::given(args.smtp_url.as_ref()).map(|url| url.expose().to_owned());
    let delivery = match (smtp, args.mail_drop, env) {
        (Some(_), true, _) => bail!("SMTP_URL and MAIL_DROP are both set; choose one"),
        (Some(url), false, _) => notifications::Delivery::Smtp {
            url,
            timeout: Duration::from_secs(args.smtp_timeout_secs),
        },
        (None, true, _) => notifications::Delivery::Drop,
        (None, false, AppEnv::Development) => notifications::Delivery::Files {
            dir: data_dir.join("mail"),
        },
        (None, false, AppEnv::Production) => bail!(
            "SMTP_URL is not set; production needs an SMTP server, or MAIL_DROP=1 to send no mail at all"
        ),
    };
    let settings = notifications::MailSettings {
        from: args.mail_from.clone(),
        delivery,
        max_attempts: args.mail_max_attempts,
        backoff: Duration::from_millis(args.mail_backoff_ms),
    };
    // Checked now (the From address, the SMTP URL), so a bad one stops the start.
    notifications::Mailer::new(&settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(MailSettings {
        password_reset_ttl: chrono::Duration::seconds(args.password_reset_ttl_secs),
        mailer: settings,
        sender: !args.no_mail_sender,
        poll_interval: Duration::from_millis(args.mail_poll_ms),
    })
}

/// `/metrics` on its own listener, behind a token, or (development only, when neither
/// is set) open on the public address.
fn metrics_settings(production: bool, args: &ServeArgs) -> anyhow::Result<MetricsSettings> {
    let token = Secret::given(args.metrics_token.as_ref()).map(|t| t.expose().to_owned());
    if let Some(token) = &token
        && token.len() < 16
    {
        bail!("METRICS_TOKEN must be at least 16 characters long");
    }
    if args
        .metrics_bind
        .is_some_and(|metrics| metrics == args.bind && metrics.port() != 0)
    {
        bail!("METRICS_BIND_ADDR must differ from BIND_ADDR");
    }
    Ok(MetricsSettings {
        bind: args.metrics_bind,
        open_on_public_address: !production && token.is_none() && args.metrics_bind.is_none(),
        token,
    })
}

/// The marketplace's payout account from `MARKETPLACE_PAYEE_*`: all of name, number and
/// IFSC, or none; checked as a cooperative's is, so a typo stops the server at start-up
/// instead of reaching a buyer's bank.
fn marketplace_payout(args: &ServeArgs) -> anyhow::Result<Option<orders::PayoutAccount>> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (name, number, ifsc) = (
        given(&args.marketplace_payee_account_name),
        given(&args.marketplace_payee_account_number),
        given(&args.marketplace_payee_ifsc),
    );
    let vpa = given(&args.marketplace_payee_upi_vpa);
    let (Some(account_name), Some(account_number), Some(ifsc)) =
        (name.clone(), number.clone(), ifsc.clone())
    else {
        if name.is_some() || number.is_some() || ifsc.is_some() || vpa.is_some() {
            bail!(
                "MARKETPLACE_PAYEE_ACCOUNT_NAME, MARKETPLACE_PAYEE_ACCOUNT_NUMBER and MARKETPLACE_PAYEE_IFSC go together"
            );
        }
        return Ok(None);
    };
    orders::parse_payout_account(&orders::PayoutAccountInput {
        account_name,
        account_number,
        ifsc,
        upi_vpa: vpa,
    })
    .map(Some)
    .map_err(|problems| {
        let names: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field.join("."), p.message))
            .collect();
        anyhow::anyhow!("MARKETPLACE_PAYEE_*: {}", names.join("; "))
    })
}

/// Stripe is on when `STRIPE_SECRET_KEY` is set, and then needs the webhook secret.
fn stripe_settings(args: &ServeArgs) -> anyhow::Result<Option<orders::StripeSettings>> {
    let Some(secret_key) = Secret::given(args.stripe_secret_key.as_ref()) else {
        return Ok(None);
    };
    let Some(webhook_secret) = Secret::given(args.stripe_webhook_secret.as_ref()) else {
        bail!(
            "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: webhooks could not be verified"
        );
    };
    Ok(Some(orders::StripeSettings {
        secret_key: secret_key.expose().to_owned(),
        webhook_secret: webhook_secret.expose().to_owned(),
        api_base: args.stripe_api_base.clone(),
        timeout: Duration::from_secs(args.stripe_timeout_secs),
        signature_tolerance: Duration::from_secs(args.stripe_signature_tolerance_secs),
    }))
}

/// The publishable key, used only with Stripe on; it is public (Stripe.js sends it from
/// every buyer's browser), so it is not a `Secret`.
fn stripe_publishable_key(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    let key = args
        .stripe_publishable_key
        .as_deref()
        .map(str::trim)
        .filter(|key| !key.is_empty());
    match key {
        None => Ok(None),
        Some(_) if Secret::given(args.stripe_secret_key.as_ref()).is_none() => {
            bail!("STRIPE_PUBLISHABLE_KEY is set but STRIPE_SECRET_KEY is not: Stripe is off")
        }
        Some(key)
            if !key.starts_with("pk_")
                || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            bail!("STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_…)")
        }
        Some(key) => Ok(Some(key.to_owned())),
    }
}

/// Razorpay is on when `RAZORPAY_KEY_ID` is set, and then needs both secrets.
fn razorpay_settings(args: &ServeArgs) -> anyhow::Result<Option<orders::RazorpaySettings>> {
    let Some(key_id) = args
        .razorpay_key_id
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Ok(None);
    };
    let Some(key_secret) = Secret::given(args.razorpay_key_secret.as_ref()) else {
        bail!(
            "RAZORPAY_KEY_ID is set but RAZORPAY_KEY_SECRET is not: Razorpay could not be called"
        );
    };
    let Some(webhook_secret) = Secret::given(args.razorpay_webhook_secret.as_ref()) else {
        bail!(
            "RAZORPAY_KEY_ID is set but RAZORPAY_WEBHOOK_SECRET is not: webhooks could not be verified"
        );
    };
    Ok(Some(orders::RazorpaySettings {
        key_id: key_id.to_owned(),
        key_secret: key_secret.expose().to_owned(),
        webhook_secret: webhook_secret.expose().to_owned(),
        api_base: args.razorpay_api_base.clone(),
        timeout: Duration::from_secs(args.razorpay_timeout_secs),
    }))
}

/// The JWT secret from `JWT_SECRET`; in development a missing one is generated once and
/// kept under the data directory, in production it is required and must be long enough.
fn jwt_secret(
    env: AppEnv,
    configured: Option<&Secret>,
    data_dir: &Path,
) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured.map(Secret::expose) {
        if secret.len() < MIN_JWT_SECRET_BYTES {
            if env == AppEnv::Production {
                bail!(
                    "JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long in production"
                );
            }
            tracing::warn!(
                "JWT_SECRET is shorter than {MIN_JWT_SECRET_BYTES} bytes; fine for development only"
            );
        }
        return Ok(secret.as_bytes().to_vec());
    }
    if env == AppEnv::Production {
        bail!(
            "JWT_SECRET is not set; production needs a secret of at least {MIN_JWT_SECRET_BYTES} bytes"
        );
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    create_private_dir(data_dir)?;
    let mut bytes = [0_u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = STANDARD.encode(bytes);
    write_private_file(&path, &secret)?;
    tracing::warn!(path = %path.display(), "JWT_SECRET not set; generated a development secret");
    Ok(secret.into_bytes())
}

fn write_private_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
