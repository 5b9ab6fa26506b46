//! The typed configuration of a running server, built once from flags and environment
//! variables (flags win) and passed down; there are no global settings.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Development is friendly (generated secrets, automatic migrations, demo data,
/// introspection); production refuses to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppEnv {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Coloured, one event a line, for people.
    Human,
    /// One JSON object a line, for log collectors.
    Json,
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: AppEnv,
    pub bind: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub jwt: JwtSettings,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// How long a request may take to send its body; 408 beyond it.
    pub body_read_timeout: Duration,
    pub rate_limits: RateLimitSettings,
    pub graphql: GraphqlSettings,
    pub apply_migrations: bool,
    pub seed_demo_data: bool,
    pub shutdown_grace: Duration,
    pub workers: Option<usize>,
    pub search: SearchSettings,
    pub catalog_cache: CatalogCacheSettings,
    pub orders: OrdersSettings,
    pub channels: ChannelsSettings,
    /// Serve GraphiQL at `GET /graphql` (off in production unless asked for).
    pub graphiql: bool,
    /// The storefront's public origin for absolute links (QR codes on labels); None:
    /// the origin each page was asked for.
    pub public_url: Option<String>,
    pub metrics: MetricsSettings,
    /// Serve `POST /internal/drain`, which runs the background tasks until they find no
    /// work: for tests, refused in production.
    pub drain_endpoint: bool,
    pub mail: MailSettings,
    pub media: MediaSettings,
}

/// Uploaded images: where they are stored, and the background work on them.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    pub storage: MediaStorageSettings,
    /// An upload no product shows is deleted once it is this old.
    pub orphan_after: chrono::Duration,
    /// Make renditions and sweep orphans in this process.
    pub worker: bool,
    pub poll_interval: Duration,
}

/// Where uploads are stored.
#[derive(Debug, Clone)]
pub enum MediaStorageSettings {
    /// Files under this folder (DATA_DIR/media): zero configuration, one server.
    Local { dir: PathBuf },
    /// An S3-compatible bucket, shared by replicas.
    S3(media::S3Settings),
}

/// Mail: where it goes, and the sender task.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub mailer: notifications::MailSettings,
    /// How long a password-reset code works.
    pub password_reset_ttl: chrono::Duration,
    /// Run the mail sender in this process.
    pub sender: bool,
    pub poll_interval: Duration,
}

/// Who may read `GET /metrics`: anyone on a separate (private) listener, with the
/// bearer token on the public address, and openly on the public address only in
/// development when neither is configured.
#[derive(Clone)]
pub struct MetricsSettings {
    /// A second listener for `/metrics` (e.g. an internal interface for Prometheus).
    pub bind: Option<SocketAddr>,
    /// The bearer token that opens `/metrics` on the public address.
    pub token: Option<String>,
    /// Serve `/metrics` on the public address without a token.
    pub open_on_public_address: bool,
}

impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("open_on_public_address", &self.open_on_public_address)
            .finish()
    }
}

/// NCUI Haat and GeM: endpoints, keys, and the sync worker.
#[derive(Debug, Clone)]
pub struct ChannelsSettings {
    pub connectors: connectors::ConnectorSettings,
    /// Run the channel worker (relay, push, order polling) in this process.
    pub worker: bool,
    pub poll_interval: Duration,
    pub order_poll_interval: Option<Duration>,
}

/// Checkout, reservations and payments.
#[derive(Debug, Clone)]
pub struct OrdersSettings {
    /// How long an unpaid card order holds its stock.
    pub reservation_ttl: Duration,
    /// How long an unpaid bank-transfer order holds its stock.
    pub bank_transfer_reservation_ttl: Duration,
    /// The marketplace's account for bank transfers it collects.
    pub marketplace_payout: Option<orders::PayoutAccount>,
    /// `MARKETPLACE_COMMISSION_BPS`: the commission on Route transfers.
    pub commission_bps: i32,
    /// Run the reservation sweeper in this process (every replica may).
    pub sweeper: bool,
    pub sweep_interval: Duration,
    /// Card payments through Stripe; the manual provider alone when None.
    pub stripe: Option<orders::StripeSettings>,
    /// Stripe's publishable key, for the Payment Element in buyers' browsers (the
    /// storefront's payment step); only when Stripe is on.
    pub stripe_publishable_key: Option<String>,
    /// UPI and cards through Razorpay, beside Stripe or alone; None when not set.
    pub razorpay: Option<orders::RazorpaySettings>,
    /// The platform's name and GSTIN as e-commerce operator, printed on documents.
    pub operator: Option<orders::EcommerceOperator>,
}

/// Where the search index lives and how it is kept in step.
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Run the outbox worker in this process (switch off to run it elsewhere).
    pub worker: bool,
    /// How often an idle worker looks for new outbox entries.
    pub poll_interval: Duration,
    /// Meilisearch instead of the embedded index.
    pub meilisearch: Option<MeilisearchSettings>,
}

/// How to reach Meilisearch; the key never appears in `Debug` output.
#[derive(Clone)]
pub struct MeilisearchSettings {
    pub url: String,
    pub api_key: Option<String>,
    pub index: String,
}

impl std::fmt::Debug for MeilisearchSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeilisearchSettings")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("index", &self.index)
            .finish()
    }
}

/// Access-token settings; the secret never appears in `Debug` output.
#[derive(Clone)]
pub struct JwtSettings {
    pub secret: Vec<u8>,
    pub issuer: String,
    pub audience: String,
    pub access_token_lifetime: chrono::Duration,
    pub refresh_token_lifetime: chrono::Duration,
}

impl std::fmt::Debug for JwtSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSettings")
            .field("secret", &"[redacted]")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .finish()
    }
}

/// Limits and switches of the GraphQL endpoint.
#[derive(Debug, Clone, Copy)]
pub struct GraphqlSettings {
    pub introspection: bool,
    /// "Did you mean …?" in validation errors; they spell out the schema to anyone
    /// when introspection is off, so production leaves them out.
    pub suggestions: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub default_page_size: u64,
    pub max_page_size: u64,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            introspection: true,
            suggestions: true,
            max_depth: 12,
            max_complexity: 5_000,
            default_page_size: 20,
            max_page_size: 100,
        }
    }
}

/// The smallest JWT secret accepted in production: 256 bits, the HS256 key size.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Per-client rate limits (`api/src/http/rate_limit.rs`): operations per minute per
/// client address, each a burst that refills evenly; 0 turns one off.
#[derive(Debug, Clone, Default)]
pub struct RateLimitSettings {
    pub login_per_minute: u32,
    pub registration_per_minute: u32,
    pub password_reset_per_minute: u32,
    pub search_per_minute: u32,
    pub import_per_minute: u32,
    /// `placeOrder`, guests' and buyers' alike.
    pub checkout_per_minute: u32,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`); unset: the peer address, always.
    pub trusted_proxy_header: Option<String>,
}

/// The cache of anonymous catalogue pages (`api/src/http/catalog_cache.rs`).
#[derive(Debug, Clone, Copy)]
pub struct CatalogCacheSettings {
    /// How long an entry is served; zero switches the cache off.
    pub ttl: Duration,
    /// Memory the cached bodies may take together.
    pub max_bytes: usize,
}

/// A secret (a key, a password, a signing secret) read by clap from a flag or, better,
/// the environment. `--help` lists it without its value (`hide_env_values`), and
/// `Debug` never prints it, so settings can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A secret that was given a value: an empty variable (`STRIPE_SECRET_KEY=`) counts
    /// as not set, as it did when these were read from the environment by hand.
    pub fn given(secret: Option<&Self>) -> Option<&Self> {
        secret.filter(|secret| !secret.0.is_empty())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.trim().to_owned()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn secrets_are_trimmed_never_printed_and_empty_means_unset() {
        let Ok(secret) = " whsec_abc ".parse::<Secret>();
        assert_eq!(secret.expose(), "whsec_abc");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(Secret::given(Some(&secret)), Some(&secret));
        let Ok(empty) = "   ".parse::<Secret>();
        assert_eq!(Secret::given(Some(&empty)), None);
        assert_eq!(Secret::given(None), None);
    }
}
