//! The cache of anonymous catalogue pages: only public catalogue reads by anonymous
//! visitors are kept, a write through the same process shows at once, and a write
//! through another replica shows once the entry expires.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, buyer_token, user_errors},
        server::{TestDatabase, clock_passes},
    },
};

const PAGE: &str = "query($sort: ProductSort) { products(first: 5, sort: $sort) { nodes { id title variants { id price { amount } } } } }";
const VARIANT_UPDATE: &str = "mutation($input: VariantUpdateInput!) { variantUpdate(input: $input) { variant { id } errors { field message } } }";
/// Long enough that the checks made inside one entry's life (a few requests) finish well
/// before its last quarter, when the first caller is sent to refresh it.
const TTL_MS: i64 = 6000;

/// Sends the page anonymously (or with a token); returns the body and `X-Cache`.
async fn page(server: &TestServer, token: Option<&str>, query: &str) -> (Value, Option<String>) {
    let mut request = server
        .client
        .post(server.url("/graphql"))
        .json(&json!({ "query": query, "variables": { "sort": "TITLE" } }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("graphql request");
    assert_eq!(response.status(), 200);
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.json().await.expect("graphql json"), cache)
}

fn first_variant(body: &Value) -> (String, i64) {
    let variant = &body["data"]["products"]["nodes"][0]["variants"][0];
    (
        variant["id"].as_str().unwrap_or_default().to_owned(),
        variant["price"]["amount"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .or_else(|| variant["price"]["amount"].as_i64())
            .unwrap_or_else(|| panic!("no price in {body}")),
    )
}

async fn set_price(server: &TestServer, admin: &str, variant: &str, price: i64) {
    let body = server
        .graphql_as(
            Some(admin),
            VARIANT_UPDATE,
            json!({ "input": { "id": variant, "price": price, "mrp": price + 10_000 } }),
        )
        .await;
    assert!(
        user_errors(&body, "variantUpdate").is_empty() && body["errors"].is_null(),
        "{body}"
    );
}

async fn anonymous_catalogue_pages_are_cached_until_the_catalogue_changes(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("CATALOG_CACHE_MS", &TTL_MS.to_string()),
    )
    .await?;
    let admin = admin_token(&server).await;
    // The second replica starts before anything is cached, so its start-up cannot eat
    // into an entry's life.
    let replica = TestServer::spawn_on(
        TestDatabase::attach(&server.database)?,
        ServerOptions::default(),
    )
    .await?;

    let (first, cache) = page(&server, None, PAGE).await;
    assert_eq!(cache.as_deref(), Some("MISS"), "{first}");
    let (second, cache) = page(&server, None, PAGE).await;
    assert_eq!(cache.as_deref(), Some("HIT"));
    assert_eq!(first, second);
    let (variant, price) = first_variant(&first);

    // Signed-in viewers and anything beyond the public catalogue are never cached.
    let buyer = buyer_token(&server, "cache-buyer@example.org").await;
    for _ in 0..2 {
        let (body, cache) = page(&server, Some(&buyer), PAGE).await;
        assert_eq!(cache, None, "{body}");
    }
    let mixed = "query($sort: ProductSort) { products(first: 5, sort: $sort) { nodes { id } } search(query: \"apricot\") { totalCount } }";
    for _ in 0..2 {
        let (body, cache) = page(&server, None, mixed).await;
        assert_eq!(cache, None, "{body}");
    }

    // A write through this process shows at once.
    set_price(&server, &admin, &variant, price + 1_000).await;
    let (after, cache) = page(&server, None, PAGE).await;
    assert_eq!(cache.as_deref(), Some("MISS"));
    assert_eq!(first_variant(&after), (variant.clone(), price + 1_000));
    // The entry was stored before this instant, so it has expired by `expired`.
    let expired = chrono::Utc::now() + chrono::Duration::milliseconds(TTL_MS);

    // A write through another replica is not seen while the entry lives …
    set_price(&replica, &admin, &variant, price + 2_000).await;
    let (cached, cache) = page(&server, None, PAGE).await;
    assert_eq!(cache.as_deref(), Some("HIT"), "{cached}");
    assert_eq!(first_variant(&cached).1, price + 1_000, "{cached}");
    // … and is seen by the first request after the entry expired.
    clock_passes(expired).await;
    let (fresh, cache) = page(&server, None, PAGE).await;
    assert_eq!(cache.as_deref(), Some("MISS"), "{fresh}");
    assert_eq!(first_variant(&fresh), (variant, price + 2_000), "{fresh}");

    let hits = server.counter("ladakh_catalog_cache_hits_total").await?;
    assert!(hits >= 2, "{hits} cache hits");
    Ok(())
}

both_backends!(anonymous_catalogue_pages_are_cached_until_the_catalogue_changes);
