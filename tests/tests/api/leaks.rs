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

fn production() -> ServerOptions {
    ServerOptions::default()
        .env("APP_ENV", "production")
        .env("MAIL_DROP", "1")
        .arg("--migrate")
}

async fn graphiql_status(server: &TestServer) -> anyhow::Result<(u16, bool)> {
    let response = server
        .client
        .get(server.url("/graphql"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await?;
    let status = response.status().as_u16();
    let html = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or_default().starts_with("text/html"));
    Ok((status, html))
}

async fn production_gives_no_schema_hints_no_graphiql_and_no_open_metrics(
    backend: Backend,
) -> anyhow::Result<()> {
    let misspelt = "{ prodcts(first: 1) { totalCount } }";
    // Development helps: the misspelling is answered with the field's name ...
    let development = TestServer::spawn(backend, ServerOptions::default()).await?;
    let helped = development.graphql(misspelt, json!({})).await;
    let message = helped["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Did you mean"), "{helped}");
    assert_eq!(graphiql_status(&development).await?, (200, true));
    let metrics = development
        .client
        .get(development.url("/metrics"))
        .send()
        .await?;
    assert_eq!(metrics.status(), 200, "development serves /metrics openly");
    development.stop().await;

    // ... production does not spell out the schema, and serves no console or metrics.
    let server = TestServer::spawn(backend, production()).await?;
    let refused = server.graphql(misspelt, json!({})).await;
    let errors = refused["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{refused}"));
    assert!(!errors.is_empty(), "{refused}");
    for error in errors {
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains("prodcts"), "{refused}");
        assert!(
            !message.contains("Did you mean") && !message.contains("products"),
            "{refused}"
        );
    }
    let (_, html) = graphiql_status(&server).await?;
    assert!(!html, "no GraphiQL in production");
    let asset = server
        .client
        .get(server.url("/graphiql/start.js"))
        .send()
        .await?;
    assert_eq!(asset.status(), 404);
    let metrics = server.client.get(server.url("/metrics")).send().await?;
    assert_eq!(metrics.status(), 404, "no /metrics on the public address");
    assert!(!metrics.text().await?.contains("ladakh_"));
    Ok(())
}

async fn production_metrics_on_a_private_listener_or_behind_a_token(
    backend: Backend,
) -> anyhow::Result<()> {
    let token = "metrics-token-0123456789";
    let server = TestServer::spawn(
        backend,
        production()
            .env("METRICS_BIND_ADDR", "127.0.0.1:0")
            .env("METRICS_TOKEN", token)
            .env("GRAPHIQL", "true"),
    )
    .await?;
    let public = server.url("/metrics");
    let anonymous = server.client.get(&public).send().await?;
    assert_eq!(anonymous.status(), 401);
    assert!(!anonymous.text().await?.contains("ladakh_"));
    let wrong = server
        .client
        .get(&public)
        .bearer_auth("metrics-token-0123456780")
        .send()
        .await?;
    assert_eq!(wrong.status(), 401);
    let with_token = server.client.get(&public).bearer_auth(token).send().await?;
    assert_eq!(with_token.status(), 200);
    assert!(
        with_token
            .text()
            .await?
            .contains("ladakh_http_requests_total")
    );

    let private = server
        .metrics_url
        .clone()
        .unwrap_or_else(|| panic!("no metrics listener announced"));
    assert_ne!(private, public);
    let scraped = server.client.get(&private).send().await?;
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await?.contains("ladakh_http_requests_total"));

    // GraphiQL when asked for, with the same headers as in development.
    assert_eq!(graphiql_status(&server).await?, (200, true));
    Ok(())
}

const VERIFY: &str = "query($code: String!) { verifyProvenance(code: $code) { batch { code } product { slug } cooperative { slug } } }";

/// What a caller learns of a batch: its code from `verifyProvenance` (or the error
/// code), and the status of its EPCIS export.
async fn provenance_seen_by(
    server: &TestServer,
    token: Option<&str>,
    code: &str,
) -> anyhow::Result<(Result<String, String>, u16)> {
    let body = server
        .graphql_as(token, VERIFY, json!({ "code": code }))
        .await;
    let seen = match body["data"]["verifyProvenance"]["batch"]["code"].as_str() {
        Some(code) => Ok(code.to_owned()),
        None => Err(crate::support::error_code(&body)
            .unwrap_or_else(|| panic!("neither data nor error: {body}"))
            .to_owned()),
    };
    let mut request = server
        .client
        .get(server.url(&format!("/provenance/{code}/epcis.jsonld")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let epcis = request.send().await?.status().as_u16();
    Ok((seen, epcis))
}

async fn provenance_is_as_visible_as_its_product_and_cooperative(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &chuchot, "MANAGER").await;
    let outsider = staff_token(&server, &admin, &sham, "STAFF").await;
    let buyer = buyer_token(&server, "provenance-buyer@example.org").await;

    // A draft product (new products start as drafts) with a batch.
    let created = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { status variants { id } } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": chuchot, "categorySlug": "handloom-woollens", "title": "Unreleased Scarf", "slug": "unreleased-scarf",
                "attributes": { "material": "sheep wool", "dimensions_cm": "180x30", "weave": "handwoven" },
                "variants": [{ "sku": "URS-1", "title": "One size", "price": 150000, "mrp": 160000, "weightGrams": 200 }]
            } }),
        )
        .await;
    let product = &created["data"]["productCreate"]["product"];
    assert_eq!(product["status"], "DRAFT", "{created}");
    let variant_id = product["variants"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let batch = server
        .graphql_as(
            Some(&manager),
            "mutation($input: BatchCreateInput!) { batchCreate(input: $input) { batch { code } errors { field message } } }",
            json!({ "input": { "variantId": variant_id, "code": "URS-25-0001", "originVillage": "Chuchot", "originDistrict": "Leh",
                "producedOn": "2025-09-01", "quantity": 5, "certificates": [] } }),
        )
        .await;
    assert_eq!(
        batch["data"]["batchCreate"]["batch"]["code"], "URS-25-0001",
        "{batch}"
    );
    let hidden = (Err("NOT_FOUND".to_owned()), 404);
    let shown = |code: &str| (Ok(code.to_owned()), 200);
    let draft = "URS-25-0001";
    for (who, token) in [
        ("anonymous", None),
        ("a buyer", Some(buyer.as_str())),
        ("another cooperative's staff", Some(outsider.as_str())),
    ] {
        assert_eq!(
            provenance_seen_by(&server, token, draft).await?,
            hidden,
            "{who} sees nothing of a draft product's batch"
        );
    }
    assert_eq!(
        provenance_seen_by(&server, Some(&manager), draft).await?,
        shown(draft),
        "its own cooperative does"
    );
    assert_eq!(
        provenance_seen_by(&server, Some(&admin), draft).await?,
        shown(draft)
    );

    // A suspended cooperative's batches disappear with its products.
    let seeded = "LDK-RKA-25-0001";
    assert_eq!(
        provenance_seen_by(&server, None, seeded).await?,
        shown(seeded)
    );
    let suspended = server
        .graphql_as(
            Some(&admin),
            "mutation($input: CooperativeVerifyInput!) { cooperativeVerify(input: $input) { cooperative { verificationStatus } } }",
            json!({ "input": { "id": sham, "status": "SUSPENDED", "reason": "inspection pending" } }),
        )
        .await;
    assert_eq!(
        suspended["data"]["cooperativeVerify"]["cooperative"]["verificationStatus"], "SUSPENDED",
        "{suspended}"
    );
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::support::error_code(&product), Some("NOT_FOUND"));
    for (who, token) in [("anonymous", None), ("a buyer", Some(buyer.as_str()))] {
        assert_eq!(
            provenance_seen_by(&server, token, seeded).await?,
            hidden,
            "{who} sees nothing of a suspended cooperative's batch"
        );
    }
    assert_eq!(
        provenance_seen_by(&server, Some(&admin), seeded).await?,
        shown(seeded)
    );
    Ok(())
}

async fn cooperatives_see_only_their_part_of_a_shared_order(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let sham_staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let nubra_manager = staff_token(&server, &admin, &nubra, "MANAGER").await;
    let outsider = staff_token(&server, &admin, &chuchot, "MANAGER").await;
    let buyer = buyer_token(&server, "shared-order-buyer@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 2).await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;
    let placed = place_order(
        &server,
        &buyer,
        "shared-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let whole = placed["data"]["placeOrder"]["order"].clone();
    let id = whole["id"].clone();
    assert_eq!(
        whole["fulfilments"].as_array().map(Vec::len),
        Some(2),
        "{placed}"
    );
    let whole_total = whole["total"].as_i64().unwrap();

    let mut parts = 0;
    for (token, slug, cooperative) in [
        (&sham_staff, "sham-apricot-growers-demo", &sham),
        (&nubra_manager, "nubra-leh-berry-growers-demo", &nubra),
    ] {
        let part = crate::orders::order(&server, token, &id).await;
        let fulfilments = part["fulfilments"]
            .as_array()
            .unwrap_or_else(|| panic!("{part}"));
        assert_eq!(fulfilments.len(), 1, "{part}");
        assert_eq!(fulfilments[0]["cooperative"]["slug"], slug);
        // The order's figures are the cooperative's own, line by line.
        crate::orders::assert_reconciles(&part);
        assert!(part["total"].as_i64().unwrap() < whole_total, "{part}");
        parts += part["total"].as_i64().unwrap();
        let listed = server
            .graphql_as(
                Some(token),
                "query($c: ID!) { cooperativeOrders(cooperativeId: $c, first: 5) { nodes { id total goodsTotal } } }",
                json!({ "c": cooperative }),
            )
            .await;
        let node = &listed["data"]["cooperativeOrders"]["nodes"][0];
        assert_eq!(node["id"], id, "{listed}");
        assert_eq!(node["total"], part["total"], "{listed}");
    }
    assert_eq!(parts, whole_total, "the parts make up the whole");
    let seen_by_admin = crate::orders::order(&server, &admin, &id).await;
    assert_eq!(seen_by_admin["total"], whole["total"]);

    let peek = server
        .graphql_as(
            Some(&outsider),
            "query($id: ID!) { order(id: $id) { id total } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        crate::support::error_code(&peek),
        Some("NOT_FOUND"),
        "{peek}"
    );
    Ok(())
}

both_backends!(
    cooperatives_see_only_their_part_of_a_shared_order,
    provenance_is_as_visible_as_its_product_and_cooperative,
    html_pages_carry_security_headers_and_every_response_nosniff,
    data_directory_and_database_file_are_private,
    production_gives_no_schema_hints_no_graphiql_and_no_open_metrics,
    production_metrics_on_a_private_listener_or_behind_a_token,
);
