//! Meilisearch for the tests. An externally given server (`MEILISEARCH_URL`, with
//! `MEILISEARCH_API_KEY`) is used as it is; otherwise, when `MEILI_BIN` names a server
//! binary, one server is started for the whole test process on a free loopback port
//! with a master key and a temporary database directory, held by a watchdog shell like
//! the PostgreSQL cluster (it stops the server and deletes the directory when this
//! process exits). Without either, the servers under test use the embedded index.
//!
//! What this relies on from Meilisearch's documentation (not run here; no server binary
//! is reachable from this machine): the `--db-path`, `--http-addr`, `--master-key`,
//! `--no-analytics` and `--env` options (configuration reference); `GET /health`
//! answering `{"status":"available"}` once the server serves; `DELETE /indexes/{uid}`
//! enqueuing a task whose state `GET /tasks/{taskUid}` reports (`succeeded`, `failed`);
//! `POST /indexes` with a `primaryKey`; the `Authorization: Bearer <key>` header.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Where a Meilisearch server answers.
#[derive(Debug, Clone)]
pub struct Meili {
    pub url: String,
    pub key: Option<String>,
}

struct Shared {
    meili: Meili,
    _watchdog: Child,
}

static SHARED: OnceLock<Mutex<Option<Shared>>> = OnceLock::new();

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn master_key() -> String {
    format!("test-master-key-{}", uuid::Uuid::new_v4().simple())
}

/// The binary `MEILI_BIN` names, if any.
pub fn binary() -> Option<PathBuf> {
    std::env::var_os("MEILI_BIN")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

fn external() -> Option<Meili> {
    let url = std::env::var("MEILISEARCH_URL").ok()?;
    if url.trim().is_empty() {
        return None;
    }
    Some(Meili {
        url: url.trim().trim_end_matches('/').to_owned(),
        key: std::env::var("MEILISEARCH_API_KEY")
            .ok()
            .filter(|k| !k.is_empty()),
    })
}

/// Why the Meilisearch-only tests are skipped, printed by each.
pub const NOT_AVAILABLE: &str = "skipped: no Meilisearch server (set MEILI_BIN to a Meilisearch \
     binary, or MEILISEARCH_URL to a running server)";

/// The Meilisearch the servers under test use, starting it on first use; `None` when
/// the tests run on the embedded index.
pub async fn current() -> anyhow::Result<Option<Meili>> {
    if let Some(meili) = external() {
        return Ok(Some(meili));
    }
    let Some(binary) = binary() else {
        return Ok(None);
    };
    let cell = SHARED.get_or_init(|| Mutex::new(None));
    let meili = {
        let mut guard = cell
            .lock()
            .map_err(|_| anyhow::anyhow!("meilisearch lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(start_watched(&binary)?);
        }
        guard
            .as_ref()
            .map(|shared| shared.meili.clone())
            .context("meilisearch missing")?
    };
    wait_until_healthy(&meili.url).await?;
    Ok(Some(meili))
}

fn start_watched(binary: &Path) -> anyhow::Result<Shared> {
    let dir = tempfile::Builder::new()
        .prefix("market-meili-")
        .tempdir()?
        .keep();
    let port = free_port()?;
    let key = master_key();
    let script = format!(
        r#"set -e
"{bin}" --db-path "{dir}/data.ms" --http-addr 127.0.0.1:{port} --master-key "{key}" \
  --no-analytics --env development >"{dir}/meilisearch.log" 2>&1 &
server=$!
echo started
cat >/dev/null || true
kill -TERM "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
rm -rf "{dir}"
"#,
        bin = binary.display(),
        dir = dir.display(),
    );
    let mut watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the Meilisearch watchdog")?;
    let stdout = watchdog.stdout.take().context("watchdog stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    if line.trim() != "started" {
        bail!("Meilisearch did not start from {}", binary.display());
    }
    Ok(Shared {
        meili: Meili {
            url: format!("http://127.0.0.1:{port}"),
            key: Some(key),
        },
        _watchdog: watchdog,
    })
}

/// Polls `GET /health` until the server says it is available.
pub async fn wait_until_healthy(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let health = client
            .get(format!("{url}/health"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if let Ok(response) = health
            && response.status().is_success()
            && response
                .json::<Value>()
                .await
                .is_ok_and(|body| body["status"] == "available")
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("Meilisearch at {url} did not become healthy within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Meilisearch server of one test's own, which the test may stop and start again
/// (on the same port and database directory), e.g. to see the marketplace cope with
/// it being down.
pub struct OwnMeili {
    pub meili: Meili,
    binary: PathBuf,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl OwnMeili {
    /// Starts one when `MEILI_BIN` is set; `None` otherwise.
    pub async fn start() -> anyhow::Result<Option<Self>> {
        let Some(binary) = binary() else {
            return Ok(None);
        };
        let port = free_port()?;
        let mut own = Self {
            meili: Meili {
                url: format!("http://127.0.0.1:{port}"),
                key: Some(master_key()),
            },
            binary,
            port,
            dir: tempfile::Builder::new().prefix("market-meili-").tempdir()?,
            child: None,
        };
        own.resume().await?;
        Ok(Some(own))
    }

    /// Starts the server (again) and waits until it is healthy.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("meilisearch.log"))?;
        let child = tokio::process::Command::new(&self.binary)
            .arg("--db-path")
            .arg(self.dir.path().join("data.ms"))
            .args(["--http-addr", &format!("127.0.0.1:{}", self.port)])
            .args([
                "--master-key",
                self.meili.key.as_deref().unwrap_or_default(),
            ])
            .args(["--no-analytics", "--env", "development"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting Meilisearch")?;
        self.child = Some(child);
        wait_until_healthy(&self.meili.url).await
    }

    /// Kills the server and waits for it to exit.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }
}

fn authorised(request: reqwest::RequestBuilder, meili: &Meili) -> reqwest::RequestBuilder {
    match &meili.key {
        Some(key) => request.bearer_auth(key),
        None => request,
    }
}

/// Waits for a Meilisearch task to finish and returns its final state.
async fn wait_for_task(meili: &Meili, enqueued: &Value) -> anyhow::Result<Value> {
    let uid = enqueued["taskUid"]
        .as_u64()
        .with_context(|| format!("no taskUid in {enqueued}"))?;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let task: Value = authorised(client.get(format!("{}/tasks/{uid}", meili.url)), meili)
            .send()
            .await?
            .json()
            .await?;
        if task["status"] == "succeeded" || task["status"] == "failed" {
            return Ok(task);
        }
        if Instant::now() > deadline {
            bail!("Meilisearch task {uid} did not finish: {task}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Deletes an index (and every document in it), as a lost index.
pub async fn delete_index(meili: &Meili, uid: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let enqueued: Value = authorised(client.delete(format!("{}/indexes/{uid}", meili.url)), meili)
        .send()
        .await?
        .json()
        .await?;
    let task = wait_for_task(meili, &enqueued).await?;
    if task["status"] != "succeeded" {
        bail!("deleting index {uid} failed: {task}");
    }
    Ok(())
}

/// Creates an index with a primary key of the test's choosing.
pub async fn create_index(meili: &Meili, uid: &str, primary_key: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let enqueued: Value = authorised(client.post(format!("{}/indexes", meili.url)), meili)
        .json(&json!({ "uid": uid, "primaryKey": primary_key }))
        .send()
        .await?
        .json()
        .await?;
    let task = wait_for_task(meili, &enqueued).await?;
    if task["status"] != "succeeded" {
        bail!("creating index {uid} failed: {task}");
    }
    Ok(())
}
