//! The public catalog over HTTP: the demo data, visibility rules, Relay pagination,
//! filters, and a bounded number of SQL statements per page.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code},
};

const SEED_PRODUCTS: &str = include_str!("../../../data/seed/products.json");
const SEED_COOPERATIVES: &str = include_str!("../../../data/seed/cooperatives.json");

struct Seed {
    products: Vec<Value>,
    status_of_cooperative: HashMap<String, String>,
}

impl Seed {
    fn load() -> Self {
        let products: Vec<Value> = serde_json::from_str(SEED_PRODUCTS).unwrap_or_default();
        let cooperatives: Vec<Value> = serde_json::from_str(SEED_COOPERATIVES).unwrap_or_default();
        let status_of_cooperative = cooperatives
            .iter()
            .map(|c| {
                (
                    c["slug"].as_str().unwrap_or_default().to_owned(),
                    c["verification_status"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        Self {
            products,
            status_of_cooperative,
        }
    }

    fn is_public(&self, product: &Value) -> bool {
        product["status"] == "ACTIVE"
            && self
                .status_of_cooperative
                .get(product["cooperative_slug"].as_str().unwrap_or_default())
                .is_some_and(|status| status == "VERIFIED")
    }

    fn public_slugs(&self) -> HashSet<String> {
        self.products
            .iter()
            .filter(|p| self.is_public(p))
            .map(|p| p["slug"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn hidden_slugs(&self) -> Vec<String> {
        self.products
            .iter()
            .filter(|p| !self.is_public(p))
            .map(|p| p["slug"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug title status cooperative { slug verificationStatus district } category { slug }
      variants { sku stockOnHand inStock price { amount currency } mrp { amount } } } }
  }
}";

fn slugs(body: &Value) -> Vec<String> {
    body["data"]["products"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|e| e["node"]["slug"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn demo_catalog_is_public_and_pages_both_ways(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let seed = Seed::load();
    let expected = seed.public_slugs();
    assert!(
        expected.len() >= 60,
        "the demo catalog has at least 60 public products"
    );

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let body = server
            .graphql(PAGE, json!({ "first": 10, "after": after }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let connection = &body["data"]["products"];
        assert_eq!(connection["totalCount"], expected.len());
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], after.is_some());
        for edge in connection["edges"].as_array().into_iter().flatten() {
            assert_eq!(edge["node"]["status"], "ACTIVE");
            assert_eq!(
                edge["node"]["cooperative"]["verificationStatus"],
                "VERIFIED"
            );
        }
        seen.extend(slugs(&body));
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(pages, expected.len().div_ceil(10));
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no product appears twice");
    assert_eq!(unique, expected);

    // Backwards from the end gives the same order.
    let last_page = server.graphql(PAGE, json!({ "last": 5 })).await;
    assert_eq!(slugs(&last_page), seen[seen.len() - 5..].to_vec());
    assert_eq!(
        last_page["data"]["products"]["pageInfo"]["hasPreviousPage"],
        true
    );
    let start = last_page["data"]["products"]["pageInfo"]["startCursor"].clone();
    let before = server
        .graphql(PAGE, json!({ "last": 5, "before": start }))
        .await;
    assert_eq!(
        slugs(&before),
        seen[seen.len() - 10..seen.len() - 5].to_vec()
    );
    assert_eq!(before["data"]["products"]["pageInfo"]["hasNextPage"], true);
    Ok(())
}

async fn every_sort_pages_consistently(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let query =
        "query($first: Int, $after: String, $last: Int, $before: String, $sort: ProductSort) {
      products(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
        pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
        edges { node { slug title priceFrom { amount } } } } }";
    for sort in [
        "NEWEST",
        "OLDEST",
        "TITLE",
        "PRICE_LOW_TO_HIGH",
        "PRICE_HIGH_TO_LOW",
    ] {
        let mut forward: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let body = server
                .graphql(query, json!({ "first": 7, "after": after, "sort": sort }))
                .await;
            let connection = &body["data"]["products"];
            forward.extend(
                connection["edges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| e["node"].clone()),
            );
            if connection["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = connection["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
        }
        let slugs: Vec<&str> = forward.iter().filter_map(|n| n["slug"].as_str()).collect();
        let unique: HashSet<&str> = slugs.iter().copied().collect();
        assert_eq!(unique.len(), slugs.len(), "{sort}: no product twice");
        assert_eq!(
            slugs.len(),
            Seed::load().public_slugs().len(),
            "{sort}: every product once"
        );
        let prices: Vec<i64> = forward
            .iter()
            .map(|n| n["priceFrom"]["amount"].as_i64().unwrap_or_default())
            .collect();
        match sort {
            "TITLE" => {
                let titles: Vec<&str> =
                    forward.iter().filter_map(|n| n["title"].as_str()).collect();
                assert!(titles.windows(2).all(|w| w[0] <= w[1]), "titles in order");
            }
            "PRICE_LOW_TO_HIGH" => assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}"),
            "PRICE_HIGH_TO_LOW" => assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}"),
            _ => {}
        }
        // Paging backwards from the end meets the same order.
        let mut backward: Vec<String> = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let body = server
                .graphql(query, json!({ "last": 9, "before": before, "sort": sort }))
                .await;
            let connection = &body["data"]["products"];
            let mut page: Vec<String> = connection["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["node"]["slug"].as_str().map(str::to_owned))
                .collect();
            page.extend(backward);
            backward = page;
            if connection["pageInfo"]["hasPreviousPage"] != true {
                break;
            }
            before = connection["pageInfo"]["startCursor"]
                .as_str()
                .map(str::to_owned);
        }
        assert_eq!(backward, slugs, "{sort}: backwards paging agrees");
    }
    Ok(())
}

async fn hidden_products_and_cooperatives_stay_hidden(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let seed = Seed::load();
    let hidden = seed.hidden_slugs();
    assert!(!hidden.is_empty());
    for slug in hidden {
        let body = server
            .graphql(
                "query($slug: String) { product(slug: $slug) { slug } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some("NOT_FOUND"),
            "{slug} must be hidden: {body}"
        );
    }
    let cooperatives = server
        .graphql("{ cooperatives(first: 100) { totalCount edges { node { slug verificationStatus } } } }", json!({}))
        .await;
    let verified = seed
        .status_of_cooperative
        .values()
        .filter(|s| *s == "VERIFIED")
        .count();
    assert_eq!(cooperatives["data"]["cooperatives"]["totalCount"], verified);
    // Both branches below must run: the seed has verified and unverified cooperatives.
    assert!(
        verified > 0 && verified < seed.status_of_cooperative.len(),
        "{:?}",
        seed.status_of_cooperative
    );
    for (slug, status) in &seed.status_of_cooperative {
        let body = server
            .graphql(
                "query($slug: String) { cooperative(slug: $slug) { slug } }",
                json!({ "slug": slug }),
            )
            .await;
        if status == "VERIFIED" {
            assert_eq!(body["data"]["cooperative"]["slug"], slug.as_str());
        } else {
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{slug} is {status}");
        }
    }
    Ok(())
}

async fn filters_narrow_the_listing(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let apricot = server
        .graphql(
            PAGE,
            json!({ "first": 100, "filter": { "categorySlug": "apricot" } }),
        )
        .await;
    let edges = apricot["data"]["products"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!edges.is_empty());
    assert!(edges.iter().all(|e| {
        e["node"]["category"]["slug"]
            .as_str()
            .is_some_and(|s| s.starts_with("apricot"))
    }));

    let in_stock = server.graphql(PAGE, json!({ "first": 100, "filter": { "inStock": true, "minPrice": 100000, "maxPrice": 500000 } })).await;
    let edges = in_stock["data"]["products"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!edges.is_empty(), "{in_stock}");
    for edge in &edges {
        let fits = edge["node"]["variants"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| {
                let price = v["price"]["amount"].as_i64().unwrap_or_default();
                v["inStock"] == true && (100_000..=500_000).contains(&price)
            });
        assert!(fits, "one variant must be in stock and in range: {edge}");
    }

    let district = server
        .graphql(
            PAGE,
            json!({ "first": 100, "filter": { "district": "Changthang" } }),
        )
        .await;
    let edges = district["data"]["products"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{district}"));
    assert!(!edges.is_empty(), "Changthang has products: {district}");
    for edge in edges {
        assert_eq!(edge["node"]["cooperative"]["district"], "Changthang");
    }

    let inverted = server
        .graphql(
            PAGE,
            json!({ "first": 5, "filter": { "minPrice": 10, "maxPrice": 5 } }),
        )
        .await;
    assert_eq!(error_code(&inverted), Some("BAD_USER_INPUT"));
    let unknown_category = server
        .graphql(
            PAGE,
            json!({ "first": 5, "filter": { "categorySlug": "mangoes" } }),
        )
        .await;
    assert_eq!(error_code(&unknown_category), Some("NOT_FOUND"));
    Ok(())
}

async fn paging_arguments_are_validated(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    for variables in [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "first": 5, "last": 5 }),
        json!({ "first": 5, "after": "bm90LWEtY3Vyc29y" }),
    ] {
        let body = server.graphql(PAGE, variables.clone()).await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{variables}: {body}"
        );
    }
    let bad_id = server
        .graphql("{ product(id: \"42\") { slug } }", json!({}))
        .await;
    assert_eq!(error_code(&bad_id), Some("BAD_USER_INPUT"));
    let both = server
        .graphql("{ product(id: \"42\", slug: \"x\") { slug } }", json!({}))
        .await;
    assert_eq!(error_code(&both), Some("BAD_USER_INPUT"));
    Ok(())
}

async fn sql_statements_counter(server: &TestServer) -> anyhow::Result<u64> {
    server.counter("ladakh_sql_statements_total").await
}

async fn a_product_page_costs_a_bounded_number_of_statements(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    // The listing a storefront shows: cooperative, category, variants and GI claims.
    let listing = "query($first: Int) { products(first: $first) { pageInfo { hasNextPage endCursor } edges { node {
      slug cooperative { name district } category { name hsnCode } variants { sku price { amount } inStock }
      giClaims { giTag { slug name } claimedAt } } } } }";
    for size in [5, 50] {
        let before = sql_statements_counter(&server).await?;
        let body = server.graphql(listing, json!({ "first": size })).await;
        let after = sql_statements_counter(&server).await?;
        assert_eq!(
            body["data"]["products"]["edges"].as_array().map(Vec::len),
            Some(size)
        );
        // page + cooperatives + categories + variants + GI claims (with their tags) +
        // the cooperatives' GI authorisations, which decide whether a claim shows today
        assert!(
            after - before <= 6,
            "{} statements for a page of {size}",
            after - before
        );
    }
    Ok(())
}

async fn provenance_in_a_listing_costs_a_bounded_number_of_statements(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let listing = "query($first: Int) { products(first: $first) { edges { node {
      slug batches { code originDistrict events { sequence kind contentHash } }
      cooperative { name giAuthorisations { auNumber validNow } } } } } }";
    for size in [3, 40] {
        let before = sql_statements_counter(&server).await?;
        let body = server.graphql(listing, json!({ "first": size })).await;
        let after = sql_statements_counter(&server).await?;
        assert!(body["errors"].is_null(), "{body}");
        // page + batches + events + cooperatives + authorisations
        assert!(
            after - before <= 5,
            "{} statements for a page of {size}",
            after - before
        );
    }
    Ok(())
}

async fn demo_data_is_loaded_once(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let count = |body: &Value| body["data"]["products"]["totalCount"].as_u64();
    let first = count(&server.graphql(PAGE, json!({ "first": 1 })).await);
    let categories = server.graphql("{ categories { slug hsnCode gstRateBp parentId attributeSchema { key kind required } } }", json!({})).await;
    let lines: Vec<&str> = categories["data"]["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["parentId"].is_null())
        .filter_map(|c| c["slug"].as_str())
        .collect();
    assert_eq!(lines, ["apricot", "sea-buckthorn", "pashmina", "handloom"]);
    let database = server.stop().await;
    let restarted = TestServer::spawn_on(database, ServerOptions::seeded()).await?;
    assert_eq!(
        count(&restarted.graphql(PAGE, json!({ "first": 1 })).await),
        first
    );
    Ok(())
}

/// A status the code does not know, written behind the application's back, is an
/// internal error that is logged, never read as some default status.
async fn a_corrupt_stored_status_fails_loudly(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut public: Vec<String> = Seed::load().public_slugs().into_iter().collect();
    public.sort();
    let product = public
        .first()
        .cloned()
        .expect("the seed has public products");
    let db = sea_orm::Database::connect(server.database.url.clone()).await?;
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!("UPDATE products SET status = 'PUBLISHED' WHERE slug = '{product}'"),
    )
    .await?;
    let body = server
        .graphql(
            "query($slug: String!) { product(slug: $slug) { slug status } }",
            json!({ "slug": product }),
        )
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert!(body["data"]["product"].is_null(), "{body}");
    assert!(
        !body.to_string().contains("PUBLISHED"),
        "the stored value stays on the server: {body}"
    );

    let body = server
        .graphql(
            "{ cooperatives(first: 50) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let cooperative = body["data"]["cooperatives"]["edges"][0]["node"]["slug"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "UPDATE cooperatives SET verification_status = 'APPROVED' WHERE slug = '{cooperative}'"
        ),
    )
    .await?;
    let body = server
        .graphql(
            "query($slug: String!) { cooperative(slug: $slug) { slug verificationStatus } }",
            json!({ "slug": cooperative }),
        )
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert!(body["data"]["cooperative"].is_null(), "{body}");

    let log = server.log();
    assert!(
        log.contains("PUBLISHED") && log.contains("APPROVED"),
        "both failures are logged with the value found:\n{log}"
    );
    Ok(())
}

both_backends!(
    a_corrupt_stored_status_fails_loudly,
    demo_catalog_is_public_and_pages_both_ways,
    every_sort_pages_consistently,
    hidden_products_and_cooperatives_stay_hidden,
    filters_narrow_the_listing,
    paging_arguments_are_validated,
    a_product_page_costs_a_bounded_number_of_statements,
    provenance_in_a_listing_costs_a_bounded_number_of_statements,
    demo_data_is_loaded_once,
);
