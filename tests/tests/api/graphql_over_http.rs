//! The API contract of the GraphQL-over-HTTP specification: error codes on every error,
//! the `application/graphql-response+json` media type with its status codes next to the
//! legacy `application/json`, and graphql-http's audit suite run against the server.

use std::path::PathBuf;

use reqwest::header;
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code},
};

const RESPONSE_JSON: &str = "application/graphql-response+json";

async fn post(server: &TestServer, accept: Option<&str>, body: Value) -> (u16, String, Value) {
    let mut request = server
        .client
        .post(server.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string());
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.json().await.unwrap())
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            error["extensions"]["code"]
                .as_str()
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

async fn every_error_has_a_code(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;

    let (status, _, parse) = post(&server, None, json!({ "query": "{" })).await;
    assert_eq!(status, 200);
    assert_eq!(codes(&parse), ["GRAPHQL_PARSE_FAILED"]);

    let (status, _, validation) = post(&server, None, json!({ "query": "{ noSuchField }" })).await;
    assert_eq!(status, 200);
    assert_eq!(codes(&validation), ["GRAPHQL_VALIDATION_FAILED"]);

    let (_, _, wrong_argument) = post(
        &server,
        None,
        json!({ "query": "{ products(first: \"many\") { totalCount } }" }),
    )
    .await;
    let wrong = codes(&wrong_argument);
    assert!(!wrong.is_empty());
    assert!(
        wrong.iter().all(|code| code == "GRAPHQL_VALIDATION_FAILED"),
        "{wrong:?}"
    );

    let (_, _, unknown_operation) = post(
        &server,
        None,
        json!({ "query": "query A { __typename }", "operationName": "B" }),
    )
    .await;
    assert_eq!(codes(&unknown_operation), ["OPERATION_RESOLUTION_FAILURE"]);

    let (_, _, coercion) = post(
        &server,
        None,
        json!({ "query": "query Q($id: ID!) { __typename }", "variables": { "id": null } }),
    )
    .await;
    assert_eq!(codes(&coercion), ["BAD_USER_INPUT"]);

    // The cost guard's own code is kept.
    let aliases: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
    let (_, _, refused) = post(
        &server,
        None,
        json!({ "query": format!("{{ {aliases} }}") }),
    )
    .await;
    assert_eq!(codes(&refused), ["BAD_USER_INPUT"]);

    // GET without a query is a bad request with a GraphQL error body.
    let bare = server
        .client
        .get(server.url("/graphql"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await?;
    assert_eq!(bare.status(), 400);
    let body: Value = bare.json().await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("query")
    );
    let empty = server
        .client
        .get(server.url("/graphql?query="))
        .send()
        .await?;
    assert_eq!(empty.status(), 400);
    Ok(())
}

async fn graphql_response_json_has_its_status_codes(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;

    let (status, content_type, ok) = post(
        &server,
        Some(RESPONSE_JSON),
        json!({ "query": "{ __typename }" }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with(RESPONSE_JSON), "{content_type}");
    assert_eq!(ok["data"]["__typename"], "QueryRoot");

    let failures = [
        (json!({ "query": "{" }), "GRAPHQL_PARSE_FAILED"),
        (
            json!({ "query": "{ noSuchField }" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            json!({ "query": "query Q($id: ID!) { __typename }", "variables": { "id": null } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "query": "query Q($n: Int) { __typename }", "variables": { "n": "many" } }),
            "BAD_USER_INPUT",
        ),
    ];
    for (request, code) in failures {
        let (status, content_type, body) =
            post(&server, Some(RESPONSE_JSON), request.clone()).await;
        assert_eq!(status, 400, "{request} -> {body}");
        assert!(content_type.starts_with(RESPONSE_JSON), "{content_type}");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(codes(&body), [code]);

        // application/json keeps status 200 and a null data entry.
        let (status, content_type, legacy) =
            post(&server, Some("application/json"), request.clone()).await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert_eq!(legacy.get("data"), Some(&Value::Null), "{legacy}");
        assert_eq!(codes(&legacy), [code]);
    }

    // q-values decide; `*/*` and no Accept mean application/json.
    let preferred = format!("application/json;q=0.5, {RESPONSE_JSON}");
    let (_, content_type, _) = post(
        &server,
        Some(&preferred),
        json!({ "query": "{ __typename }" }),
    )
    .await;
    assert!(content_type.starts_with(RESPONSE_JSON), "{content_type}");
    let refused = format!("{RESPONSE_JSON};q=0, application/json");
    let (status, content_type, _) = post(&server, Some(&refused), json!({ "query": "{" })).await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    for accept in [Some("*/*"), None] {
        let (_, content_type, _) =
            post(&server, accept, json!({ "query": "{ __typename }" })).await;
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
    }

    // A field error during execution keeps data and status 200.
    let (status, _, executed) = post(
        &server,
        Some(RESPONSE_JSON),
        json!({ "query": "{ me { email } }" }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(executed.get("data").is_some(), "{executed}");
    assert_eq!(codes(&executed), ["UNAUTHENTICATED"]);
    Ok(())
}

fn audit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("graphql-http-audit")
}

/// `npm ci` once per test process, when the audit's packages are not installed yet.
static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

async fn install_audit() -> anyhow::Result<()> {
    INSTALLED
        .get_or_try_init(|| async {
            if audit_dir().join("node_modules/graphql-http").exists() {
                return Ok(());
            }
            let status = tokio::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(audit_dir())
                .status()
                .await?;
            anyhow::ensure!(status.success(), "npm ci in {:?} failed", audit_dir());
            Ok(())
        })
        .await
        .map(|_| ())
}

async fn graphql_http_audit_passes(backend: Backend) -> anyhow::Result<()> {
    install_audit().await?;
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let output = tokio::process::Command::new("node")
        .arg("audit.mjs")
        .arg(server.url("/graphql"))
        .current_dir(audit_dir())
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The suite has some sixty audits; an empty run would pass vacuously.
    assert!(
        results.len() > 50,
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let failed: Vec<&Value> = results
        .iter()
        .filter(|result| result["status"] == "warn" || result["status"] == "error")
        .collect();
    assert!(failed.is_empty(), "audits not passed: {failed:#?}");
    assert!(output.status.success(), "{stdout}");
    Ok(())
}

both_backends!(
    every_error_has_a_code,
    graphql_response_json_has_its_status_codes,
    graphql_http_audit_passes,
);
