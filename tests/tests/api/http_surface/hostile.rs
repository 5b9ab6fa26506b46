//! Hostile inputs, one case per class of issue 14 ("Availability"): each is answered
//! with a clear 4xx or user error while `/healthz` keeps answering within a second (the
//! measure of "bounded time": the request may be slow on a busy machine, but it must not
//! take the server with it), and the server is healthy afterwards.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;

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

both_backends!(crafted_spreadsheets_are_refused_before_they_are_read);
