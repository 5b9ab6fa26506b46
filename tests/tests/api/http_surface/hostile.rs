//! Hostile inputs, one case per class of issue 14 ("Availability"): each is answered
//! with a clear 4xx or user error while `/healthz` keeps answering within a second (the
//! measure of "bounded time": the request may be slow on a busy machine, but it must not
//! take the server with it), and the server is healthy afterwards.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, cooperative_id},
    },
};

/// Runs `request` while probing `/healthz`: every probe must answer 200 within a
/// second, the last one after `request` finished. Returns what `request` returned.
pub(crate) async fn while_healthy<T>(
    server: &TestServer,
    request: impl std::future::Future<Output = T>,
) -> T {
    let probe = || async {
        let started = std::time::Instant::now();
        let answer = server
            .client
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        let status = answer.map(|a| a.status().as_u16());
        assert_eq!(
            status.as_ref().ok(),
            Some(&200),
            "/healthz did not answer within a second (after {:?}): {status:?}\n{}",
            started.elapsed(),
            server.log()
        );
    };
    let probes = async {
        loop {
            probe().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let answer = tokio::select! {
        answer = request => answer,
        () = probes => unreachable!("the probe loop never ends"),
    };
    probe().await;
    answer
}

const IMPORT: &str = "mutation($input: ProductImportInput!) { productImport(input: $input) {
  report { applied rowErrors { row column message } } errors { field code message } } }";

async fn import_errors(
    server: &TestServer,
    token: &str,
    coop: &str,
    format: &str,
    file: &[u8],
    dry_run: bool,
) -> Vec<String> {
    let body = while_healthy(
        server,
        server.graphql_as(
            Some(token),
            IMPORT,
            json!({ "input": { "cooperativeId": coop, "format": format, "contentBase64": STANDARD.encode(file), "dryRun": dry_run } }),
        ),
    )
    .await;
    let report = &body["data"]["productImport"]["report"];
    assert_eq!(report["applied"], false, "{body}");
    report["rowErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no report: {body}"))
        .iter()
        .map(|e| {
            assert_eq!(e["row"], 0, "a file-level error: {e}");
            e["message"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// The 2 KB XLSX whose used range claims the sheet's last cell, a sheet wider than any
/// template, and CSV files over the row, column, cell and line bounds: refused by what
/// they hold, in a dry run and a real run alike.
async fn crafted_spreadsheets_are_refused_before_they_are_read(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;

    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "product_slug")?;
    sheet.write_string(1_048_575, 16_383, "x")?;
    let last_cell = workbook.save_to_buffer()?;
    assert!(last_cell.len() < 8 * 1024, "{} bytes", last_cell.len());
    for dry_run in [true, false] {
        let errors = import_errors(&server, &admin, &sham, "XLSX", &last_cell, dry_run).await;
        assert!(
            errors.iter().any(|e| e.contains("at most 5000 rows")),
            "{errors:?}"
        );
    }
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "product_slug")?;
    sheet.write_string(0, 16_383, "x")?;
    let wide = workbook.save_to_buffer()?;
    let errors = import_errors(&server, &admin, &sham, "XLSX", &wide, true).await;
    assert!(errors.iter().any(|e| e.contains("columns")), "{errors:?}");

    let rows = "a,b\n".repeat(5_002);
    let errors = import_errors(&server, &admin, &sham, "CSV", rows.as_bytes(), false).await;
    assert!(
        errors.iter().any(|e| e.contains("at most 5000 rows")),
        "{errors:?}"
    );
    let columns = ",".repeat(5_000);
    let errors = import_errors(&server, &admin, &sham, "CSV", columns.as_bytes(), true).await;
    assert!(errors.iter().any(|e| e.contains("columns")), "{errors:?}");
    let cell = "x".repeat(30_000);
    let errors = import_errors(&server, &admin, &sham, "CSV", cell.as_bytes(), true).await;
    assert!(
        errors.iter().any(|e| e.contains("characters")),
        "{errors:?}"
    );
    let line = vec!["y".repeat(19_000); 20].join(",");
    let errors = import_errors(&server, &admin, &sham, "CSV", line.as_bytes(), true).await;
    assert!(errors.iter().any(|e| e.contains("KiB")), "{errors:?}");

    // Still serving: a good import after the hostile ones.
    let template = server
        .client
        .get(server.url("/catalog/import-template.csv"))
        .send()
        .await?
        .text()
        .await?;
    let fine = server
        .graphql_as(
            Some(&admin),
            IMPORT,
            json!({ "input": { "cooperativeId": sham, "format": "CSV", "contentBase64": STANDARD.encode(template), "dryRun": true } }),
        )
        .await;
    assert!(
        fine["data"]["productImport"]["report"]["rowErrors"].is_array(),
        "{fine}"
    );
    Ok(())
}

/// Posts a raw body to `/graphql` while probing health; the status and JSON answer.
async fn post_graphql(server: &TestServer, body: &Value) -> (u16, Value) {
    while_healthy(server, async {
        let response = server
            .client
            .post(server.url("/graphql"))
            .json(body)
            .send()
            .await
            .expect("graphql request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
    .await
}

fn refused_with(answer: &Value, words: &str) {
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(words)),
        "expected {words:?}: {answer}"
    );
    assert!(answer["data"].is_null(), "nothing ran: {answer}");
}

/// Fragments that spread each other twice per level (2^30 fields once expanded), a
/// selection of 500 aliases of a counted page, an operation of 30 root fields and a
/// batch of 50 operations: each refused before anything runs.
async fn query_floods_are_refused_before_execution(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut ladder =
        String::from("{ categories { ...F30 } } fragment F0 on Category { slug name }");
    for level in 1..=30 {
        ladder.push_str(&format!(
            " fragment F{level} on Category {{ ...F{} ...F{} }}",
            level - 1,
            level - 1
        ));
    }
    let (status, answer) = post_graphql(&server, &json!({ "query": ladder })).await;
    assert_eq!(status, 200);
    refused_with(&answer, "fragments");
    // The same ladder, short enough to nest but still far too wide.
    let wide = ladder.replace("...F30 }", "...F14 }");
    let wide: String = wide
        .split(" fragment F15 ")
        .next()
        .unwrap_or_default()
        .to_owned();
    let (_, answer) = post_graphql(&server, &json!({ "query": wide })).await;
    refused_with(&answer, "too complex");

    let aliases: String = (0..500)
        .map(|i| format!("a{i}: products(first: 0) {{ totalCount }} "))
        .collect();
    let (_, answer) = post_graphql(&server, &json!({ "query": format!("{{ {aliases} }}") })).await;
    refused_with(&answer, "aliases");
    let roots: String = (0..30).map(|_| "categories { slug } ").collect();
    let (_, answer) = post_graphql(&server, &json!({ "query": format!("{{ {roots} }}") })).await;
    refused_with(&answer, "root fields");

    let batch: Vec<Value> = (0..50)
        .map(|_| json!({ "query": "{ products(first: 0) { totalCount } }" }))
        .collect();
    let (status, answer) = post_graphql(&server, &json!(batch)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("batch")),
        "{answer}"
    );
    let small: Vec<Value> = (0..3)
        .map(|_| json!({ "query": "{ categories { slug } }" }))
        .collect();
    let (status, answer) = post_graphql(&server, &json!(small)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.as_array().map(Vec::len), Some(3), "{answer}");
    Ok(())
}

/// A signature header with hundreds of `v1=` entries over a body of most of a
/// megabyte, on Stripe's webhook and a channel's: refused by the header's shape (one
/// HMAC per entry made it hundreds of megabytes of hashing), and a good signature among
/// empty entries still passes the header check.
async fn signature_floods_are_refused_by_the_header(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("STRIPE_SECRET_KEY", "sk_test_hostile")
            .env("STRIPE_WEBHOOK_SECRET", "whsec_hostile")
            .env("STRIPE_API_BASE", "http://127.0.0.1:9")
            .env("NCUI_HAAT_WEBHOOK_SECRET", "channel-hostile"),
    )
    .await?;
    let now = chrono::Utc::now().timestamp();
    let body = format!(r#"{{"id":"evt_flood","pad":"{}"}}"#, "x".repeat(900_000));
    let flood = format!("t={now}{}", format!(",v1={}", "ab".repeat(32)).repeat(400));
    assert!(flood.len() < 30_000, "within the server's header limits");
    for (path, header) in [
        ("/webhooks/stripe", "Stripe-Signature"),
        ("/channels/ncui-haat/orders", "X-Channel-Signature"),
    ] {
        let (status, answer) = while_healthy(&server, async {
            let response = server
                .client
                .post(server.url(path))
                .header("Content-Type", "application/json")
                .header(header, &flood)
                .body(body.clone())
                .send()
                .await
                .expect("webhook request");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        })
        .await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_SIGNATURE",
            "{answer}"
        );
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("longer than") || m.contains("more than")),
            "{path}: {answer}"
        );
    }
    // Empty entries are skipped, not counted: the request gets as far as the signature
    // check proper (which this made-up signature fails).
    let empties = format!("t={now}{},v1={}", ",v1=".repeat(100), "cd".repeat(32));
    let response = server
        .client
        .post(server.url("/webhooks/stripe"))
        .header("Content-Type", "application/json")
        .header("Stripe-Signature", &empties)
        .body(r#"{"id":"evt_small"}"#)
        .send()
        .await?;
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await?;
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no v1 signature matches")),
        "{answer}"
    );
    Ok(())
}

both_backends!(
    crafted_spreadsheets_are_refused_before_they_are_read,
    query_floods_are_refused_before_execution,
    signature_floods_are_refused_by_the_header,
);
