//! A throwaway PostgreSQL cluster from the machine's own packages: `initdb` into a
//! temporary directory, `postgres` on a free loopback port, one cluster for the whole
//! test process. A watchdog shell holds the cluster: when this process exits (however it
//! exits) its stdin closes, and the watchdog stops the server and deletes the directory.
//! It never touches a system-wide server.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Database};

pub struct Cluster {
    pub port: u16,
    // Kept alive for the life of the process: dropping it would not stop the server,
    // but the open stdin pipe is what keeps the watchdog waiting.
    _watchdog: Child,
}

static CLUSTER: OnceLock<Mutex<Option<Cluster>>> = OnceLock::new();

fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("PG_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL server binaries not found under /usr/lib/postgresql (install the postgresql package, or build the tests with SKIP_POSTGRES=1 to skip them)")?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    candidates.sort();
    candidates
        .pop()
        .context("no initdb found under /usr/lib/postgresql/*/bin")
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn start() -> anyhow::Result<Cluster> {
    let bin = bin_dir()?;
    let dir = tempfile::Builder::new()
        .prefix("market-pg-")
        .tempdir()?
        .keep();
    let port = free_port()?;
    let script = format!(
        r#"set -e
"{bin}/initdb" -D "{dir}/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"{dir}/initdb.log" 2>&1
"{bin}/postgres" -D "{dir}/data" -h 127.0.0.1 -p {port} -k "{dir}" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c max_connections=400 -c shared_buffers=64MB >"{dir}/postgres.log" 2>&1 &
server=$!
echo started
cat >/dev/null || true
kill -INT "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
rm -rf "{dir}"
"#,
        bin = bin.display(),
        dir = dir.display(),
    );
    let mut command = if is_root() {
        // initdb refuses to run as root; the package's postgres user owns the cluster.
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()?;
        if !status.success() {
            bail!("cannot hand {} to the postgres user", dir.display());
        }
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", "sh", "-c", &script]);
        command
    } else {
        let mut command = Command::new("sh");
        command.args(["-c", &script]);
        command
    };
    let mut watchdog = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the PostgreSQL watchdog")?;
    let stdout = watchdog.stdout.take().context("watchdog stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    if line.trim() != "started" {
        let log = std::fs::read_to_string(dir.join("initdb.log")).unwrap_or_default();
        bail!("initdb failed:\n{log}");
    }
    Ok(Cluster {
        port,
        _watchdog: watchdog,
    })
}

async fn wait_until_ready(port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        match Database::connect(url).await {
            Ok(db) => {
                db.close().await.ok();
                return Ok(());
            }
            Err(error) if Instant::now() > deadline => bail!("PostgreSQL did not start: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The port of this process's cluster, starting it on first use.
pub async fn cluster_port() -> anyhow::Result<u16> {
    let cell = CLUSTER.get_or_init(|| Mutex::new(None));
    let port = {
        let mut guard = cell
            .lock()
            .map_err(|_| anyhow::anyhow!("cluster lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(start()?);
        }
        guard
            .as_ref()
            .map(|cluster| cluster.port)
            .context("cluster missing")?
    };
    wait_until_ready(port).await?;
    Ok(port)
}

/// Creates a fresh, empty database on the cluster and returns its URL.
pub async fn fresh_database() -> anyhow::Result<String> {
    let port = cluster_port().await?;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(format!("postgres://postgres@127.0.0.1:{port}/postgres")).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await.ok();
    Ok(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
}
