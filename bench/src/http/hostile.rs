//! The `hostile` scenario: issue 14's promise that "no request of under 2 MiB, from
//! anyone, can make the server use more than 1 GiB of memory or hold a worker for more
//! than a few seconds", measured instead of asserted by a timed test.
//!
//! Every client sends, in turn, one of the worst requests the hardening work knows of,
//! each under 2 MiB on the wire: the 2 KB XLSX whose used range claims the sheet's last
//! cell, the largest CSV import the bounds let through (5,000 product rows, dry run),
//! fragments that double at each of 30 levels, 500 aliases of a counted page, a batch
//! of 50 operations, a 1.9 MB string variable, JSON nested 900,000 levels deep, and the
//! most expensive search page (every facet over a common word). Meanwhile one probe asks
//! `/healthz` every 100 ms: its slowest answer says whether a worker was held. The
//! server's peak resident set (`VmHWM`) before and after gives the memory figure.

use std::{
    fmt::Write as _,
    path::Path,
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use tokio::{io::AsyncWriteExt, process::Command, sync::Mutex};

use super::{JWT_SECRET, Memory, Server};
use crate::Latencies;

const PASSWORD: &str = "bench-admin-password-2026";

/// One kind of hostile request: its name and its body, sent as `application/json`.
struct Kind {
    name: &'static str,
    body: Vec<u8>,
    token: bool,
}

/// What one kind of request got: latencies of the answers, failures (5xx or no answer)
/// and the first failure's text.
type Tally = (Vec<Duration>, usize, Option<String>);

/// Creates a platform admin through the CLI (as an operator would) and signs in.
async fn admin_token(
    binary: &Path,
    data_dir: &Path,
    url: &str,
    base: &str,
) -> anyhow::Result<String> {
    let email = format!("bench-admin-{}@example.org", uuid::Uuid::new_v4().simple());
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["admin", "create", "--email", &email, "--password-stdin"])
        .env("DATABASE_URL", url)
        .env("JWT_SECRET", JWT_SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("admin create")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).await?;
    }
    anyhow::ensure!(child.wait().await?.success(), "admin create failed");
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            "variables": { "input": { "email": email, "password": PASSWORD } }
        }))
        .send()
        .await?
        .json()
        .await?;
    body["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("admin login: {body}"))
}

async fn first_cooperative(base: &str, token: &str) -> anyhow::Result<String> {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ cooperatives(first: 1) { nodes { id } } }" }))
        .send()
        .await?
        .json()
        .await?;
    body["data"]["cooperatives"]["nodes"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no cooperative: {body}"))
}

fn import(cooperative: &str, format: &str, file: &[u8], dry_run: bool) -> Vec<u8> {
    json!({
        "query": "mutation($input: ProductImportInput!) { productImport(input: $input) { report { applied rowErrors { row column message } } errors { field message } } }",
        "variables": { "input": { "cooperativeId": cooperative, "format": format,
                                  "contentBase64": STANDARD.encode(file), "dryRun": dry_run } }
    })
    .to_string()
    .into_bytes()
}

/// The largest CSV the import bounds accept: the template's header and its example row,
/// repeated with fresh slugs and SKUs up to 5,000 rows or 1.4 MB (base64 then stays under
/// 2 MiB).
async fn largest_csv(base: &str) -> anyhow::Result<Vec<u8>> {
    let template = reqwest::get(format!("{base}/catalog/import-template.csv"))
        .await?
        .text()
        .await?;
    let mut lines = template.lines();
    let header = lines.next().context("empty template")?;
    let example = lines.next().context("template without an example row")?;
    let mut csv = format!("{header}\n");
    for row in 0..5_000 {
        let line = example
            .replacen(
                "raktsey-karpo-dried-apricots-1kg",
                &format!("hostile-apricots-{row}"),
                1,
            )
            .replacen("RKDA-1KG", &format!("HOSTILE-{row}"), 1);
        if csv.len() + line.len() > 1_400_000 {
            break;
        }
        let _ = writeln!(csv, "{line}");
    }
    Ok(csv.into_bytes())
}

fn last_cell_xlsx() -> anyhow::Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "product_slug")?;
    sheet.write_string(1_048_575, 16_383, "x")?;
    Ok(workbook.save_to_buffer()?)
}

fn query(text: &str, variables: Value) -> Vec<u8> {
    json!({ "query": text, "variables": variables })
        .to_string()
        .into_bytes()
}

async fn kinds(base: &str, token: &str) -> anyhow::Result<Vec<Kind>> {
    let cooperative = first_cooperative(base, token).await?;
    let mut ladder =
        String::from("{ categories { ...F30 } } fragment F0 on Category { slug name }");
    for level in 1..=30 {
        let _ = write!(
            ladder,
            " fragment F{level} on Category {{ ...F{} ...F{} }}",
            level - 1,
            level - 1
        );
    }
    let aliases: String = (0..500)
        .map(|i| format!("a{i}: products(first: 0) {{ totalCount }} "))
        .collect();
    let batch: Vec<Value> = (0..50)
        .map(|_| json!({ "query": "{ products(first: 0) { totalCount } }" }))
        .collect();
    let deep = format!(
        r#"{{"query":"{{ categories {{ slug }} }}","variables":{{"a":{}{}}}}}"#,
        "[".repeat(900_000),
        "]".repeat(900_000)
    );
    let kinds = vec![
        Kind {
            name: "xlsx-last-cell",
            body: import(&cooperative, "XLSX", &last_cell_xlsx()?, false),
            token: true,
        },
        Kind {
            name: "csv-5000-rows",
            body: import(&cooperative, "CSV", &largest_csv(base).await?, true),
            token: true,
        },
        Kind {
            name: "fragments",
            body: query(&ladder, json!({})),
            token: false,
        },
        Kind {
            name: "aliases",
            body: query(&format!("{{ {aliases} }}"), json!({})),
            token: false,
        },
        Kind {
            name: "batch-50",
            body: json!(batch).to_string().into_bytes(),
            token: false,
        },
        Kind {
            name: "1.9MB-var",
            body: query(
                "query($q: String) { search(query: $q, first: 20) { totalCount } }",
                json!({ "q": "apricot ".repeat(240_000) }),
            ),
            token: false,
        },
        Kind {
            name: "deep-json",
            body: deep.into_bytes(),
            token: false,
        },
        Kind {
            name: "facets",
            body: query(
                "query($q: String) { search(query: $q, first: 50) { totalCount nodes { id title } facets { field values { value count } } } }",
                json!({ "q": "blanket" }),
            ),
            token: false,
        },
    ];
    for kind in &kinds {
        if kind.body.len() >= 2 * 1024 * 1024 {
            bail!(
                "{} is {} bytes, not under 2 MiB",
                kind.name,
                kind.body.len()
            );
        }
    }
    Ok(kinds)
}

/// Starts a server of its own (with the index rebuilt for it), configured for the worst
/// case: bodies up to 2 MiB accepted and no rate limits, so that every request reaches
/// the work it asks for. Returns the lines for docs/BENCHMARKS.md.
pub async fn run(
    binary: &Path,
    data_dir: &Path,
    url: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir)?;
    let status = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("reindex")
        .env("DATABASE_URL", url)
        .env("JWT_SECRET", JWT_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "reindex failed");
    let server = Server::start_with(
        binary,
        data_dir,
        url,
        &[
            ("MAX_BODY_BYTES", "2097152"),
            ("RATE_LIMIT_IMPORT_PER_MIN", "0"),
            ("RATE_LIMIT_SEARCH_PER_MIN", "0"),
            ("RATE_LIMIT_LOGIN_PER_MIN", "0"),
        ],
    )
    .await?;
    let base = server.base_url.clone();
    let token = admin_token(binary, data_dir, url, &base).await?;
    let kinds = Arc::new(kinds(&base, &token).await?);
    let before = Memory::of(server.pid());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let results: Arc<Mutex<Vec<Tally>>> =
        Arc::new(Mutex::new(kinds.iter().map(|_| Tally::default()).collect()));

    let probe_http = http.clone();
    let probe_base = base.clone();
    let probe = tokio::spawn(async move {
        let mut slowest = Duration::ZERO;
        let mut failures = 0_usize;
        while Instant::now() < deadline {
            let started = Instant::now();
            match probe_http.get(format!("{probe_base}/healthz")).send().await {
                Ok(r) if r.status().is_success() => {}
                _ => failures += 1,
            }
            slowest = slowest.max(started.elapsed());
            // Pacing of the health probe, not a wait for background work.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (slowest, failures)
    });
    let pid = server.pid();
    let sampler = tokio::spawn(async move {
        let mut memory = Memory::default();
        while Instant::now() < deadline {
            memory = memory.max(Memory::of(pid));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        memory
    });
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (http, base, token, kinds, results) = (
            http.clone(),
            base.clone(),
            token.clone(),
            Arc::clone(&kinds),
            Arc::clone(&results),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = client;
            while Instant::now() < deadline {
                let index = n % kinds.len();
                n += 1;
                let Some(kind) = kinds.get(index) else {
                    continue;
                };
                let mut request = http
                    .post(format!("{base}/graphql"))
                    .header("content-type", "application/json")
                    .body(kind.body.clone());
                if kind.token {
                    request = request.bearer_auth(&token);
                }
                let started = Instant::now();
                let outcome = match request.send().await {
                    // Refusals (4xx, 429) are the expected answers; a 5xx or a dropped
                    // connection is what the scenario exists to catch.
                    Ok(response) if response.status().is_server_error() => {
                        Err(format!("{}", response.status()))
                    }
                    Ok(response) => response
                        .bytes()
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Err(error) => Err(error.to_string()),
                };
                let elapsed = started.elapsed();
                let mut results = results.lock().await;
                if let Some(entry) = results.get_mut(index) {
                    match outcome {
                        Ok(()) => entry.0.push(elapsed),
                        Err(error) => {
                            entry.1 += 1;
                            entry.2.get_or_insert(error);
                        }
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let (slowest_probe, probe_failures) = probe.await.unwrap_or_default();
    let during = sampler.await.unwrap_or_default();
    let after = Memory::of(server.pid());
    let mut report = String::new();
    let results = results.lock().await;
    for (kind, (latencies, errors, first)) in kinds.iter().zip(results.iter()) {
        let _ = writeln!(
            report,
            "hostile {:<15} {:>7} B  {} 5xx/dropped={}{}",
            kind.name,
            kind.body.len(),
            Latencies(latencies.clone()).summary(),
            errors,
            first
                .as_ref()
                .map(|e| format!(" first: {}", e.chars().take(200).collect::<String>()))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        report,
        "hostile: {clients} clients for {seconds} s; /healthz every 100 ms meanwhile: slowest {:.0} ms, {probe_failures} failed; \
         server peak RSS {:.0} MB before, {:.0} MB after (largest sampled RSS {:.0} MB, heap {:.0} MB); limit 1024 MB",
        slowest_probe.as_secs_f64() * 1000.0,
        before.peak,
        after.peak,
        during.rss,
        during.anon,
    );
    Ok(report)
}
