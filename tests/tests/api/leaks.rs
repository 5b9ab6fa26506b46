//! What the server must not give away: security headers on every page, private files
//! on disk, and (in production) no schema hints, no GraphiQL and no metrics for anyone.

use std::os::unix::fs::PermissionsExt;

use reqwest::header;
use serde_json::json;

use crate::{
    both_backends,
    orders::{add_to_cart, leh, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, buyer_token, cooperative_id, staff_token},
    },
};

/// Asserts the headers every HTML page carries and returns its policy.
fn assert_html_headers(response: &reqwest::Response, what: &str) -> String {
    let headers = response.headers();
    let get = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(get("content-type").starts_with("text/html"), "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    let policy = get("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{what}: {directive} in {policy}"
        );
    }
    assert!(
        !policy.contains("http") && !policy.contains('*') && !policy.contains("unsafe-eval"),
        "{what}: no other origin may be allowed: {policy}"
    );
    let scripts = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{what}: {policy}");
    policy
}

async fn html_pages_carry_security_headers_and_every_response_nosniff(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;

    // GraphiQL: its page and everything it loads come from this server.
    let graphiql = server
        .client
        .get(server.url("/graphql"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await?;
    assert_eq!(graphiql.status(), 200);
    assert_html_headers(&graphiql, "GraphiQL");
    let page = graphiql.text().await?;
    assert!(
        !page.contains("https://") && !page.contains("http://"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "no inline script: {page}");
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.starts_with("/graphiql/"))
        .collect();
    assert_eq!(assets.len(), 6, "{page}");
    for asset in assets {
        let response = server.client.get(server.url(asset)).send().await?;
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let content_type = response.headers()["content-type"].to_str()?.to_owned();
        assert!(
            content_type.starts_with("text/javascript") || content_type.starts_with("text/css"),
            "{asset}: {content_type}"
        );
        assert!(!response.bytes().await?.is_empty(), "{asset}");
    }

    // An invoice, once its fulfilment has shipped.
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let buyer = buyer_token(&server, "headers-buyer@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-1000").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let placed = place_order(
        &server,
        &buyer,
        "hdr-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let fulfilment = placed["data"]["placeOrder"]["order"]["fulfilments"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no fulfilment: {placed}"))
        .to_owned();
    let pack = json!({ "fulfilmentId": fulfilment });
    let ship =
        json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL1IN" });
    for (mutation, input_type, input) in [
        ("fulfilmentPack", "FulfilmentInput", pack),
        ("fulfilmentShip", "FulfilmentShipInput", ship),
    ] {
        let body = server
            .graphql_as(
                Some(&staff),
                &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} order {{ id }} }} }}"),
                json!({ "i": input }),
            )
            .await;
        assert!(body["data"][mutation]["order"]["id"].is_string(), "{body}");
    }
    let invoice = server
        .client
        .get(server.url(&format!("/invoices/{fulfilment}")))
        .bearer_auth(&buyer)
        .send()
        .await?;
    assert_eq!(invoice.status(), 200);
    assert_html_headers(&invoice, "invoice");

    // Everything else is never sniffed: JSON, errors, plain text.
    for (method, path) in [
        ("GET", "/healthz"),
        ("GET", "/graphql?query=%7B__typename%7D"),
        ("POST", "/graphql"),
        ("GET", "/no-such-route"),
        ("GET", "/graphiql/no-such-file"),
        ("GET", "/catalog/import-template.csv"),
        ("GET", "/invoices/not-a-uuid"),
    ] {
        let request = match method {
            "GET" => server.client.get(server.url(path)),
            _ => server
                .client
                .post(server.url(path))
                .header(header::CONTENT_TYPE, "text/plain")
                .body("{"),
        };
        let response = request.send().await?;
        assert_eq!(
            response
                .headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap().to_owned())
                .as_deref(),
            Some("nosniff"),
            "{method} {path} ({})",
            response.status()
        );
    }
    Ok(())
}

async fn data_directory_and_database_file_are_private(backend: Backend) -> anyhow::Result<()> {
    let parent = tempfile::Builder::new()
        .prefix("market-private-")
        .tempdir()?;
    let data_dir = parent.path().join("data");
    let database_file = data_dir.join("market.db");
    let mut options = ServerOptions {
        data_dir: Some(data_dir.clone()),
        ..ServerOptions::default()
    };
    if backend == Backend::Sqlite {
        options = options.env(
            "DATABASE_URL",
            &format!("sqlite://{}?mode=rwc", database_file.display()),
        );
    }
    let server = TestServer::spawn(backend, options).await?;
    let ready = server.client.get(server.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data_dir), 0o700, "the data directory");
    if backend == Backend::Sqlite {
        assert_eq!(mode(&database_file), 0o600, "the SQLite file");
    }
    server.stop().await;
    Ok(())
}

both_backends!(
    html_pages_carry_security_headers_and_every_response_nosniff,
    data_directory_and_database_file_are_private,
);
