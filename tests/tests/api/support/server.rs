//! Spawns the real server binary on a random port against a fresh database and talks to
//! it over HTTP.

use std::{path::Path, process::Stdio, time::Duration};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::{Child, Command},
};

use super::{meili, postgres};

/// The secret every test server signs with, so tests can forge tokens with it.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

pub const SERVER_BINARY: &str = env!("CARGO_BIN_EXE_market-under-test");

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test, and the data directory beside it.
pub struct TestDatabase {
    pub url: String,
    /// The Meilisearch index of this database's servers, used when `MEILISEARCH_URL`
    /// is set (the search tests then run against Meilisearch).
    pub meilisearch_index: String,
    pub data_dir: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn fresh(backend: Backend) -> anyhow::Result<Self> {
        let data_dir = tempfile::Builder::new().prefix("market-test-").tempdir()?;
        let url = match backend {
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("market.db").display()
            ),
            Backend::Postgres => postgres::fresh_database().await?,
        };
        let meilisearch_index = format!("products_{}", uuid::Uuid::new_v4().simple());
        Ok(Self {
            url,
            meilisearch_index,
            data_dir,
        })
    }

    /// The same database for a second server process, with its own data directory
    /// (so its own embedded search index).
    pub fn attach(other: &TestDatabase) -> anyhow::Result<Self> {
        Ok(Self {
            url: other.url.clone(),
            meilisearch_index: other.meilisearch_index.clone(),
            data_dir: tempfile::Builder::new().prefix("market-test-").tempdir()?,
        })
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.path()
    }

    /// Loses the search index, as a disaster would: the Meilisearch index, through its
    /// API, when the tests run on Meilisearch; the embedded index's directory
    /// otherwise.
    pub async fn lose_search_index(&self) -> anyhow::Result<()> {
        match meili::current().await? {
            Some(meili) => meili::delete_index(&meili, &self.meilisearch_index).await,
            None => Ok(std::fs::remove_dir_all(
                self.data_path().join("search-index"),
            )?),
        }
    }

    /// Runs the binary with a subcommand against this database and returns its output.
    pub async fn run_cli(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> anyhow::Result<CliOutput> {
        let mut command = Command::new(SERVER_BINARY);
        command
            .args(["--data-dir"])
            .arg(self.data_path())
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("MEILISEARCH_INDEX", &self.meilisearch_index)
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .env_remove("APP_ENV")
            .env("RUST_LOG", "warn")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        use_meilisearch(&mut command).await?;
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn()?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes()).await?;
        }
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .context("the command did not finish within 60 s")??;
        Ok(CliOutput {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

#[derive(Debug)]
pub struct CliOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Points a server process at the tests' Meilisearch, when there is one (a test may
/// still override it, e.g. `MEILISEARCH_URL=""` for the embedded index).
async fn use_meilisearch(command: &mut Command) -> anyhow::Result<()> {
    if let Some(meili) = meili::current().await? {
        command.env("MEILISEARCH_URL", &meili.url);
        match &meili.key {
            Some(key) => command.env("MEILISEARCH_API_KEY", key),
            None => command.env_remove("MEILISEARCH_API_KEY"),
        };
    }
    Ok(())
}

/// Options for starting a server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    pub seed: bool,
    pub extra_args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// A data directory other than the test database's (which already exists), to see
    /// how the server creates one.
    pub data_dir: Option<std::path::PathBuf>,
}

impl ServerOptions {
    pub fn seeded() -> Self {
        Self {
            seed: true,
            ..Self::default()
        }
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.to_owned());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }
}

/// A running server process and an HTTP client for it.
pub struct TestServer {
    pub base_url: String,
    /// The separate `/metrics` listener, when the server was given one.
    pub metrics_url: Option<String>,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    child: Child,
}

impl TestServer {
    pub async fn spawn(backend: Backend, options: ServerOptions) -> anyhow::Result<Self> {
        let database = TestDatabase::fresh(backend).await?;
        Self::spawn_on(database, options).await
    }

    /// Starts a server on an existing database (e.g. to restart one).
    pub async fn spawn_on(database: TestDatabase, options: ServerOptions) -> anyhow::Result<Self> {
        let log_path = database.data_path().join("server.log");
        let log = std::fs::File::create(&log_path)?;
        let mut command = Command::new(SERVER_BINARY);
        command
            .arg("--data-dir")
            .arg(options.data_dir.as_deref().unwrap_or(database.data_path()))
            .args(["serve", "--bind", "127.0.0.1:0", "--workers", "2"])
            .args(&options.extra_args)
            .env("DATABASE_URL", &database.url)
            .env("MEILISEARCH_INDEX", &database.meilisearch_index)
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .env_remove("APP_ENV")
            .env(
                "RUST_LOG",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        if !options.seed {
            command.arg("--no-seed");
        }
        // Tests wait for background work with `drain()`; production refuses the setting.
        let production = options
            .env
            .iter()
            .any(|(key, value)| key == "APP_ENV" && value == "production");
        if !production {
            command.env("ENABLE_DRAIN_ENDPOINT", "1");
        }
        // Every test talks from 127.0.0.1: the per-client rate limits are off unless a
        // test turns one on (`ServerOptions::env`, applied below, wins).
        for limit in [
            "RATE_LIMIT_LOGIN_PER_MIN",
            "RATE_LIMIT_REGISTER_PER_MIN",
            "RATE_LIMIT_PASSWORD_RESET_PER_MIN",
            "RATE_LIMIT_SEARCH_PER_MIN",
            "RATE_LIMIT_IMPORT_PER_MIN",
            "RATE_LIMIT_CHECKOUT_PER_MIN",
        ] {
            command.env(limit, "0");
        }
        use_meilisearch(&mut command).await?;
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let mut child = command.spawn().context("spawning the server")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut metrics_url = None;
        let base_url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("metrics on ") {
                    metrics_url = Some(url.trim().to_owned());
                }
                if let Some(url) = line.strip_prefix("ladakh-market listening on ") {
                    return Ok(url.trim().to_owned());
                }
            }
            bail!("the server exited before listening")
        })
        .await
        .context("the server did not start within 60 s")?;
        let base_url = match base_url {
            Ok(url) => url,
            Err(error) => {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                bail!("{error}\n--- server log ---\n{log}");
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            base_url,
            metrics_url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
            database,
            child,
        })
    }

    /// What the server has logged so far (warnings and errors by default).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.database.data_path().join("server.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends a GraphQL request, with a bearer token when given, and returns the JSON body.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("graphql request");
        assert_eq!(response.status(), 200, "graphql status");
        response.json().await.expect("graphql json")
    }

    /// Runs the server's background tasks (search outbox, channel relay, push and order
    /// polling, reservation sweeper) until a whole round finds no work, and returns what
    /// each did. Work waiting for a retry time is left for later.
    pub async fn drain(&self) -> Value {
        self.drain_with("now").await
    }

    /// Like [`Self::drain`], but also takes work waiting for a retry (a backoff or a
    /// `Retry-After`) at once, so retries run to success or to a dead letter.
    pub async fn drain_all(&self) -> Value {
        self.drain_with("all").await
    }

    async fn drain_with(&self, due: &str) -> Value {
        let response = self
            .client
            .post(self.url("/internal/drain"))
            .query(&[("due", due)])
            // Rounds of pushes against slow channel doubles can add up.
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .expect("drain request");
        assert_eq!(response.status(), 200, "drain status");
        let report: Value = response.json().await.expect("drain json");
        assert_eq!(
            report["settled"],
            true,
            "the background work did not settle: {report}\n{}",
            self.log()
        );
        report
    }

    /// A counter from the server's `/metrics`.
    pub async fn counter(&self, name: &str) -> anyhow::Result<u64> {
        let text = self
            .client
            .get(self.url("/metrics"))
            .send()
            .await?
            .text()
            .await?;
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no {name} in /metrics:\n{text}"))
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// Stops the server with a signal and waits for it to exit; returns its exit status.
    pub async fn signal(&mut self, signal: &str) -> anyhow::Result<std::process::ExitStatus> {
        let pid = self.child.id().context("server already exited")?;
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -{signal} failed");
        }
        Ok(tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await??)
    }

    /// Stops the server and hands back its database, e.g. to start it again.
    pub async fn stop(mut self) -> TestDatabase {
        self.child.start_kill().ok();
        self.child.wait().await.ok();
        self.database
    }
}

/// Waits until the clock has passed `at`. Rules about time (a reservation expires after
/// its TTL) need time to pass; background work is waited for with `drain()`, never this.
pub async fn clock_passes(at: chrono::DateTime<chrono::Utc>) {
    // Timestamps round-trip through the database at microsecond precision.
    let margin = chrono::Duration::milliseconds(20);
    if let Ok(wait) = (at + margin - chrono::Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
}

/// The time of an RFC 3339 string in a response.
pub fn time_of(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{value} is no RFC 3339 time: {e}"))
        .with_timezone(&chrono::Utc)
}

/// The `extensions.code` of the first top-level error.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
