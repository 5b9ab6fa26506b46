//! The HTTP contract: health, readiness, request ids, body limits, GET/POST rules,
//! GraphiQL, CORS, compression and graceful shutdown.

mod hostile;
mod numbers;
mod throttling;

use reqwest::header;
use serde_json::json;

use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code},
};

async fn health_and_readiness(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let health = server.client.get(server.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let ready = server.client.get(server.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await?;
    assert_eq!(body["checks"]["database"], "ok");
    Ok(())
}

async fn request_ids_are_assigned_and_honoured(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let assigned = server.client.get(server.url("/healthz")).send().await?;
    let id = assigned
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    assert!(id.is_some_and(|id| uuid::Uuid::parse_str(&id).is_ok()));

    let honoured = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "storefront-42")
        .send()
        .await?;
    assert_eq!(honoured.headers()["x-request-id"], "storefront-42");

    let hostile = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "a b<script>")
        .send()
        .await?;
    assert_ne!(hostile.headers()["x-request-id"], "a b<script>");
    Ok(())
}

async fn bad_requests_are_4xx_never_5xx(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::default().arg("--max-body-bytes").arg("2048"),
    )
    .await?;
    let graphql = server.url("/graphql");

    let too_big = server
        .client
        .post(&graphql)
        .header(header::CONTENT_TYPE, "application/json")
        .body(format!(
            r#"{{"query":"{{ __typename }}","x":"{}"}}"#,
            "a".repeat(4096)
        ))
        .send()
        .await?;
    assert_eq!(too_big.status(), 413);

    let not_json = server
        .client
        .post(&graphql)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await?;
    assert_eq!(not_json.status(), 400);
    let body: serde_json::Value = not_json.json().await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));

    let not_utf8 = server
        .client
        .post(&graphql)
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await?;
    assert_eq!(not_utf8.status(), 400);

    let wrong_type = server
        .client
        .post(&graphql)
        .body("query { __typename }")
        .send()
        .await?;
    assert_eq!(wrong_type.status(), 415);

    let syntax = server.graphql("{ products(first: ", json!({})).await;
    assert!(syntax["errors"][0]["message"].is_string());

    let unknown_field = server.graphql("{ nope }", json!({})).await;
    assert!(unknown_field["errors"].is_array());

    let deep = format!(
        "{{ {}__typename{} }}",
        "products { edges { node { ".repeat(6),
        " } } }".repeat(6)
    );
    let too_deep = server.graphql(&deep, json!({})).await;
    assert!(
        too_deep["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested too deep") || m.contains("too complex")),
        "{too_deep}"
    );
    Ok(())
}

async fn get_runs_queries_only_and_serves_graphiql(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let page = server
        .client
        .get(server.url("/graphql"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await?;
    assert_eq!(page.status(), 200);
    assert!(page.text().await?.contains("graphiql"));

    let query = server
        .client
        .get(server.url("/graphql"))
        .query(&[("query", "{ __typename }")])
        .send()
        .await?;
    assert_eq!(query.status(), 200);
    let body: serde_json::Value = query.json().await?;
    assert_eq!(body["data"]["__typename"], "QueryRoot");

    let mutation = server
        .client
        .get(server.url("/graphql"))
        .query(&[(
            "query",
            r#"mutation { logout(input: {refreshToken: "x"}) { success } }"#,
        )])
        .send()
        .await?;
    assert_eq!(mutation.status(), 405);
    Ok(())
}

async fn cors_allows_configured_storefronts_only(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::default().env("CORS_ALLOWED_ORIGINS", "https://shop.example.org"),
    )
    .await?;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/graphql"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,authorization",
            )
            .send()
    };
    let allowed = preflight("https://shop.example.org").await?;
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.org"
    );
    let refused = preflight("https://evil.example.com").await?;
    assert!(
        refused
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    Ok(())
}

async fn responses_are_compressed_on_request(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let response = server
        .client
        .post(server.url("/graphql"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .json(
            &json!({ "query": "{ products(first: 50) { edges { node { title description } } } }" }),
        )
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    Ok(())
}

/// Random and hostile requests: the answer is always a 4xx or a GraphQL error, never a
/// 5xx, a panic or a hang, and the server keeps serving afterwards.
async fn hostile_requests_never_get_a_server_error(backend: Backend) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng, rngs::StdRng};
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut rng = StdRng::seed_from_u64(20_261_125);
    let fragments = [
        "{",
        "}",
        "(",
        ")",
        "products",
        "product",
        "search",
        "query",
        "mutation",
        "first:",
        "after:",
        "\"x\"",
        "edges",
        "node",
        "title",
        "...",
        "on",
        "Product",
        "$v",
        ":",
        "Int",
        "!",
        "[",
        "]",
        "__schema",
        "__typename",
        "fragment",
        "f",
        "@skip(if: true)",
        "1e999",
        "-2147483649",
        "\"' OR 1=1 --\"",
        "<script>",
        "\u{0}",
    ];
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for _ in 0..150 {
        let document: String = (0..rng.random_range(1..40))
            .map(|_| fragments[rng.random_range(0..fragments.len())])
            .collect::<Vec<_>>()
            .join(" ");
        bodies.push(serde_json::to_vec(&json!({ "query": document }))?);
    }
    for _ in 0..50 {
        let bytes: Vec<u8> = (0..rng.random_range(0..200))
            .map(|_| rng.random::<u8>())
            .collect();
        bodies.push(bytes);
    }
    let nested = format!(
        "{{ {}__typename{} }}",
        "products { edges { node { cooperative { ".repeat(30),
        " } } } }".repeat(30)
    );
    let aliases = format!(
        "{{ {} }}",
        (0..2_000)
            .map(|i| format!("a{i}: products(first: 100) {{ totalCount }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for document in [nested, aliases, "x".repeat(500_000)] {
        bodies.push(serde_json::to_vec(&json!({ "query": document }))?);
    }
    for variables in [
        json!({ "first": "many" }),
        json!({ "first": 1e300 }),
        json!({ "first": null, "filter": { "minPrice": "cheap" } }),
        json!({ "filter": { "cooperativeId": "'; DROP TABLE products; --" } }),
        json!([1, 2, 3]),
    ] {
        let query = "query($first: Int, $filter: ProductFilter) { products(first: $first, filter: $filter) { totalCount } }";
        bodies.push(serde_json::to_vec(
            &json!({ "query": query, "variables": variables }),
        )?);
    }
    bodies.push(b"[]".to_vec());
    bodies.push(b"[{\"query\": \"{ __typename }\"}, 7]".to_vec());
    bodies.push(b"{\"query\": 42}".to_vec());
    for body in bodies {
        let response = server
            .client
            .post(server.url("/graphql"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .await?;
        let status = response.status();
        assert!(
            status.as_u16() < 500,
            "{status} for {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
        );
    }
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await?
            .status(),
        200
    );
    Ok(())
}

async fn sigterm_shuts_down_gracefully(backend: Backend) -> anyhow::Result<()> {
    let mut server = TestServer::spawn(backend, ServerOptions::default()).await?;
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await?
            .status(),
        200
    );
    let status = server.signal("TERM").await?;
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    assert!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .is_err()
    );
    Ok(())
}

both_backends!(
    health_and_readiness,
    request_ids_are_assigned_and_honoured,
    bad_requests_are_4xx_never_5xx,
    get_runs_queries_only_and_serves_graphiql,
    cors_allows_configured_storefronts_only,
    responses_are_compressed_on_request,
    sigterm_shuts_down_gracefully,
    hostile_requests_never_get_a_server_error,
);

/// When the database goes away, readiness says so with 503 while liveness stays 200, and
/// requests that need the database fail as INTERNAL without leaking driver details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1: PostgreSQL test skipped")]
async fn readiness_fails_when_the_database_is_gone() -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let server = TestServer::spawn(Backend::Postgres, ServerOptions::default()).await?;
    assert_eq!(
        server
            .client
            .get(server.url("/readyz"))
            .send()
            .await?
            .status(),
        200
    );
    let name = server
        .database
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let admin_url = server
        .database
        .url
        .replace(&format!("/{name}"), "/postgres");
    let admin = sea_orm::Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await?;
    let ready = server.client.get(server.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await?;
    assert_eq!(body["checks"]["database"], "unreachable");
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await?
            .status(),
        200
    );
    let query = server.graphql("{ categories { slug } }", json!({})).await;
    assert_eq!(error_code(&query), Some("INTERNAL"));
    assert_eq!(query["errors"][0]["message"], "internal error");
    Ok(())
}
