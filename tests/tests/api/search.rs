//! Search over HTTP on the embedded index: local-name synonyms, typos, prefixes,
//! filters, facets, sorting and paging, freshness after writes, the outbox surviving a
//! crash, reindex and search-check, and exclusive outbox claims across workers.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, cooperative_id, staff_token, user_errors},
        server::TestDatabase,
    },
};

const SEARCH: &str = "query($query: String, $filter: SearchFilter, $sort: SearchSort, $first: Int, $after: String) {
  search(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor score highlights { title description } node { slug title priceFrom { amount } cooperative { slug district } category { slug } } }
    facets { field values { value count } }
  } }";

async fn search(server: &TestServer, variables: Value) -> Value {
    let body = server.graphql(SEARCH, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["search"].clone()
}

fn slugs(results: &Value) -> Vec<String> {
    results["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["slug"].as_str().map(str::to_owned))
        .collect()
}

/// Searches once the server has applied every outbox entry (the index is updated in
/// the background).
async fn search_after_drain(server: &TestServer, variables: Value) -> Value {
    server.drain().await;
    search(server, variables).await
}

async fn public_count(server: &TestServer) -> u64 {
    let body = server
        .graphql("{ products(first: 1) { totalCount } }", json!({}))
        .await;
    body["data"]["products"]["totalCount"]
        .as_u64()
        .unwrap_or_default()
}

async fn indexed(server: &TestServer) -> u64 {
    let expected = public_count(server).await;
    let results = search_after_drain(server, json!({ "first": 1 })).await;
    assert_eq!(
        results["totalCount"].as_u64(),
        Some(expected),
        "the demo catalogue gets indexed"
    );
    expected
}

async fn local_names_typos_and_prefixes_find_products(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    indexed(&server).await;
    for (query, category_prefix) in [
        ("khubani", "apricot"),
        ("chuli ", "apricot"),
        ("aprocot ", "apricot"),
        ("apric", "apricot"),
        ("leh berry", "sea-buckthorn"),
        ("tsestalulu", "sea-buckthorn"),
        ("seabuckthorn juice", "sea-buckthorn"),
        ("pashm ", "pashmina"),
        ("pashmena shawl", "pashmina"),
        ("dushala", "pashmina"),
    ] {
        let results = search(&server, json!({ "query": query, "first": 5 })).await;
        let first = &results["edges"][0]["node"];
        assert!(
            first["category"]["slug"]
                .as_str()
                .is_some_and(|s| s.starts_with(category_prefix)),
            "{query:?} should find {category_prefix} first: {results}"
        );
    }
    let marked = search(&server, json!({ "query": "khubani", "first": 1 })).await;
    assert!(
        marked["edges"][0]["highlights"]["title"]
            .as_str()
            .is_some_and(|t| t.contains("<mark>")),
        "{marked}"
    );
    let nothing = search(&server, json!({ "query": "zzqxv ", "first": 5 })).await;
    assert_eq!(nothing["totalCount"], 0);
    Ok(())
}

async fn filters_facets_sorting_and_paging(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let total = indexed(&server).await;

    let all = search(&server, json!({ "first": 100 })).await;
    let facet = |results: &Value, field: &str| -> Vec<(String, u64)> {
        results["facets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["field"] == field)
            .and_then(|f| f["values"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|v| {
                (
                    v["value"].as_str().unwrap_or_default().to_owned(),
                    v["count"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    let districts: u64 = facet(&all, "district").iter().map(|(_, c)| c).sum();
    assert_eq!(districts, total, "every product has one district");
    let prices: u64 = facet(&all, "price").iter().map(|(_, c)| c).sum();
    assert_eq!(prices, total, "price buckets cover everything");
    let (gi_slug, gi_count) = facet(&all, "gi").first().cloned().unwrap_or_default();
    assert!(gi_count > 0);

    let by_gi = search(
        &server,
        json!({ "filter": { "giTagSlug": gi_slug }, "first": 100 }),
    )
    .await;
    assert_eq!(
        by_gi["totalCount"].as_u64(),
        Some(gi_count),
        "a facet count is what its filter returns"
    );
    let changthang = search(
        &server,
        json!({ "filter": { "district": "Changthang" }, "first": 100 }),
    )
    .await;
    let changthang = changthang["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{changthang}"));
    assert!(!changthang.is_empty(), "Changthang has products");
    assert!(
        changthang
            .iter()
            .all(|e| e["node"]["cooperative"]["district"] == "Changthang")
    );
    let apricots = search(
        &server,
        json!({ "filter": { "categorySlug": "apricot" }, "first": 100 }),
    )
    .await;
    assert!(apricots["totalCount"].as_u64() > Some(0));
    let apricot_edges = apricots["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{apricots}"));
    assert!(!apricot_edges.is_empty(), "{apricots}");
    assert!(apricot_edges.iter().all(|e| {
        e["node"]["category"]["slug"]
            .as_str()
            .is_some_and(|s| s.starts_with("apricot"))
    }));

    let cheap_first = search(
        &server,
        json!({ "sort": "PRICE_LOW_TO_HIGH", "filter": { "maxPrice": 200000 }, "first": 100 }),
    )
    .await;
    let amounts: Vec<i64> = cheap_first["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["priceFrom"]["amount"].as_i64())
        .collect();
    assert!(
        !amounts.is_empty() && amounts.windows(2).all(|w| w[0] <= w[1]),
        "{amounts:?}"
    );
    assert!(amounts.iter().all(|a| *a <= 200_000));

    let in_stock = search(
        &server,
        json!({ "filter": { "inStock": true }, "first": 1 }),
    )
    .await;
    let out_of_stock = search(
        &server,
        json!({ "filter": { "inStock": false }, "first": 1 }),
    )
    .await;
    assert_eq!(
        in_stock["totalCount"].as_u64().unwrap_or(0)
            + out_of_stock["totalCount"].as_u64().unwrap_or(0),
        total
    );

    // Paging with cursors visits every result once.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = search(
            &server,
            json!({ "query": "apricot", "first": 4, "after": after }),
        )
        .await;
        seen.extend(slugs(&page));
        if page["pageInfo"]["hasNextPage"] != true {
            assert_eq!(
                seen.len() as u64,
                page["totalCount"].as_u64().unwrap_or_default()
            );
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());

    let too_many = server.graphql(SEARCH, json!({ "first": 101 })).await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"));
    let bad_cursor = server
        .graphql(SEARCH, json!({ "first": 1, "after": "garbage" }))
        .await;
    assert_eq!(error_code(&bad_cursor), Some("BAD_USER_INPUT"));
    Ok(())
}

async fn catalogue_changes_become_searchable(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    indexed(&server).await;
    let admin = admin_token(&server).await;
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { id } }",
            json!({}),
        )
        .await;
    let id = product["data"]["product"]["id"].clone();
    server
        .graphql_as(
            Some(&admin),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { message } } }",
            json!({ "input": { "id": id, "title": "Raktsey Karpo Zanglamiri Apricots" } }),
        )
        .await;
    let found = search_after_drain(&server, json!({ "query": "zanglamiri", "first": 5 })).await;
    assert_eq!(slugs(&found), ["raktsey-karpo-dried-apricots-500g"]);

    // Stock that moves without selling out leaves the document as it was (the worker
    // skips rewriting it); selling out, restocking and selling out again each show.
    let variants = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { variants { id stockOnHand } } }",
            json!({}),
        )
        .await;
    let variants: Vec<(Value, i64)> = variants["data"]["product"]["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["id"].clone(),
                v["stockOnHand"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert!(!variants.is_empty(), "the product has variants");
    let adjust = |variant: Value, delta: i64| {
        let server = &server;
        let admin = &admin;
        async move {
            let body = server
                .graphql_as(
                    Some(admin),
                    "mutation($input: StockAdjustInput!) { stockAdjust(input: $input) { errors { field message } } }",
                    json!({ "input": { "variantId": variant, "delta": delta, "reason": "CORRECTION" } }),
                )
                .await;
            assert!(
                user_errors(&body, "stockAdjust").is_empty() && body["errors"].is_null(),
                "{body}"
            );
        }
    };
    let in_stock = json!({ "query": "zanglamiri", "filter": { "inStock": true }, "first": 5 });
    adjust(variants[0].0.clone(), 5).await;
    adjust(variants[0].0.clone(), -5).await;
    for (variant, stock) in &variants {
        if *stock > 0 {
            adjust(variant.clone(), -stock).await;
        }
    }
    let sold_out = search_after_drain(&server, in_stock.clone()).await;
    assert_eq!(sold_out["totalCount"], 0, "selling out shows in search");
    adjust(variants[0].0.clone(), 1).await;
    let restocked = search_after_drain(&server, in_stock.clone()).await;
    assert_eq!(restocked["totalCount"], 1, "restocking shows in search");
    adjust(variants[0].0.clone(), -1).await;
    let sold_out = search_after_drain(&server, in_stock.clone()).await;
    assert_eq!(
        sold_out["totalCount"], 0,
        "selling out again shows in search"
    );

    // Suspending a cooperative removes its products from search.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    server
        .graphql_as(Some(&admin), "mutation($id: ID!) { cooperativeVerify(input: { id: $id, status: SUSPENDED }) { errors { message } } }", json!({ "id": sham }))
        .await;
    let gone = search_after_drain(&server, json!({ "query": "zanglamiri", "first": 5 })).await;
    assert_eq!(gone["totalCount"], 0);
    let filtered = search(
        &server,
        json!({ "filter": { "cooperativeSlug": "sham-apricot-growers-demo" }, "first": 5 }),
    )
    .await;
    assert_eq!(filtered["totalCount"], 0);
    Ok(())
}

async fn the_outbox_survives_a_crash_before_indexing(backend: Backend) -> anyhow::Result<()> {
    // A server whose worker is off records the change in the outbox but never indexes it …
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    indexed(&server).await;
    let database = server.stop().await;
    let mut server =
        TestServer::spawn_on(database, ServerOptions::default().arg("--no-search-worker")).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "MANAGER").await;
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { id } }",
            json!({}),
        )
        .await;
    server
        .graphql_as(
            Some(&staff),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { message } } }",
            json!({ "input": { "id": product["data"]["product"]["id"], "title": "Crashproof Kurmani Apricots" } }),
        )
        .await;
    // … and is killed without a chance to clean up.
    let status = server.signal("KILL").await?;
    assert!(!status.success());
    let database = server.stop().await;

    let check = database.run_cli(&["search-check"], &[], None).await?;
    assert!(
        !check.success,
        "the change is not indexed yet: {}",
        check.stdout
    );
    assert!(check.stdout.contains("stale 1"), "{}", check.stdout);

    let server = TestServer::spawn_on(database, ServerOptions::default()).await?;
    let found = search_after_drain(&server, json!({ "query": "kurmani", "first": 5 })).await;
    assert_eq!(
        slugs(&found),
        ["raktsey-karpo-dried-apricots-500g"],
        "the outbox entry survived the crash"
    );
    let database = server.stop().await;
    let check = database.run_cli(&["search-check"], &[], None).await?;
    assert!(check.success, "{}\n{}", check.stdout, check.stderr);
    Ok(())
}

async fn reindex_rebuilds_and_search_check_reports(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let expected = indexed(&server).await;
    let database = server.stop().await;
    // Lose the index entirely.
    std::fs::remove_dir_all(database.data_path().join("search-index"))?;
    let check = database.run_cli(&["search-check"], &[], None).await?;
    assert!(!check.success);
    assert!(
        check.stdout.contains(&format!("missing {expected}")),
        "{}",
        check.stdout
    );
    let rebuilt = database.run_cli(&["reindex"], &[], None).await?;
    assert!(rebuilt.success, "{}", rebuilt.stderr);
    assert!(
        rebuilt
            .stdout
            .contains(&format!("indexed {expected} products")),
        "{}",
        rebuilt.stdout
    );
    let check = database.run_cli(&["search-check"], &[], None).await?;
    assert!(check.success, "{}", check.stdout);
    assert!(check.stdout.contains("search index is consistent"));
    Ok(())
}

async fn outbox_entries_are_claimed_by_one_worker_at_a_time(
    backend: Backend,
) -> anyhow::Result<()> {
    let database = TestDatabase::fresh(backend).await?;
    let up = database.run_cli(&["migrate", "up"], &[], None).await?;
    assert!(up.success, "{}", up.stderr);
    let db = sea_orm::Database::connect(database.url.clone()).await?;
    let products: Vec<uuid::Uuid> = (0..120).map(|_| uuid::Uuid::now_v7()).collect();
    search::outbox::enqueue(&db, &products).await?;
    let claimers = (0..4).map(|worker| {
        let url = database.url.clone();
        tokio::spawn(async move {
            let db = sea_orm::Database::connect(url).await?;
            let mut claimed = Vec::new();
            loop {
                let batch = search::outbox::claim(
                    &db,
                    &format!("w{worker}"),
                    7,
                    chrono::Duration::seconds(60),
                )
                .await?;
                if batch.is_empty() {
                    return Ok::<_, anyhow::Error>(claimed);
                }
                claimed.extend(batch.into_iter().map(|entry| entry.id));
            }
        })
    });
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await??);
    }
    let count = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "no entry was claimed twice");
    assert_eq!(count, products.len(), "every entry was claimed");
    Ok(())
}

both_backends!(
    local_names_typos_and_prefixes_find_products,
    filters_facets_sorting_and_paging,
    catalogue_changes_become_searchable,
    the_outbox_survives_a_crash_before_indexing,
    reindex_rebuilds_and_search_check_reports,
    outbox_entries_are_claimed_by_one_worker_at_a_time,
);
