//! Search over HTTP, on the embedded index or, when the tests have one (`MEILI_BIN` or
//! `MEILISEARCH_URL`, see support::meili), on Meilisearch: local-name synonyms, typos,
//! prefixes, filters, facets, sorting and paging, the documented order of ties, the
//! same pages on both backends, freshness after writes, the outbox surviving a crash,
//! reindex and search-check, settings applied without a restart, exclusive outbox
//! claims across workers; and, on Meilisearch only, a failed task, the server down
//! while writes continue, and two servers sharing one index.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, cooperative_id, staff_token, user_errors},
        meili::{self, NOT_AVAILABLE, OwnMeili},
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
        .graphql_as(Some(&admin), "mutation($id: ID!) { cooperativeVerify(input: { id: $id, status: SUSPENDED, reason: \"inspection pending\" }) { errors { message } } }", json!({ "id": sham }))
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
    // Lose the index entirely (on Meilisearch: delete it through its API).
    database.lose_search_index().await?;
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
    assert!(
        check.stdout.contains(match meili::current().await? {
            Some(_) => "search settings are current",
            None => "search settings: not applicable",
        }),
        "{}",
        check.stdout
    );
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

/// What the public API says of a product, to work out the documented order without
/// the search code.
#[derive(Debug, Clone)]
struct Facts {
    slug: String,
    id: uuid::Uuid,
    title: String,
    description: String,
    gi_valid: bool,
    in_stock: bool,
    created_second: i64,
    variants: Vec<(Value, i64)>,
}

async fn facts(server: &TestServer, slug: &str) -> Facts {
    let body = server
        .graphql(
            "query($slug: String!) { product(slug: $slug) { id slug title description createdAt giClaims { validNow } variants { id stockOnHand } } }",
            json!({ "slug": slug }),
        )
        .await;
    let product = &body["data"]["product"];
    let variants: Vec<(Value, i64)> = product["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| (v["id"].clone(), v["stockOnHand"].as_i64().unwrap()))
        .collect();
    Facts {
        slug: slug.to_owned(),
        id: uuid::Uuid::parse_str(product["id"].as_str().unwrap()).unwrap(),
        title: product["title"].as_str().unwrap().to_owned(),
        description: product["description"].as_str().unwrap().to_owned(),
        // The public product lists only claims valid today.
        gi_valid: product["giClaims"]
            .as_array()
            .is_some_and(|claims| claims.iter().any(|c| c["validNow"] == true)),
        in_stock: variants.iter().any(|(_, stock)| *stock > 0),
        created_second: chrono::DateTime::parse_from_rfc3339(
            product["createdAt"].as_str().unwrap(),
        )
        .unwrap()
        .timestamp(),
        variants,
    }
}

async fn public_slugs(server: &TestServer) -> Vec<String> {
    let body = server
        .graphql(
            "{ products(first: 100) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    body["data"]["products"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn update_product(server: &TestServer, token: &str, input: Value) {
    let body = server
        .graphql_as(
            Some(token),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { field message } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(
        body["errors"].is_null() && user_errors(&body, "productUpdate").is_empty(),
        "{body}"
    );
}

async fn sell_out(server: &TestServer, token: &str, product: &Facts) {
    for (variant, stock) in &product.variants {
        if *stock > 0 {
            let body = server
                .graphql_as(
                    Some(token),
                    "mutation($input: StockAdjustInput!) { stockAdjust(input: $input) { errors { field message } } }",
                    json!({ "input": { "variantId": variant, "delta": -stock, "reason": "CORRECTION" } }),
                )
                .await;
            assert!(
                body["errors"].is_null() && user_errors(&body, "stockAdjust").is_empty(),
                "{body}"
            );
        }
    }
}

/// Products built to tie on the text (the same word in their titles) come in the
/// documented order (search::rank): a title match first, then a GI claim valid today,
/// then in stock, then newest (to the second), then by id. Before, the embedded index
/// ordered them by its scores, which favour short titles, and Meilisearch by the order
/// of indexing.
async fn ties_break_by_title_valid_gi_stock_newest_then_id(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    indexed(&server).await;
    let admin = admin_token(&server).await;
    let mut all = Vec::new();
    for slug in public_slugs(&server).await {
        all.push(facts(&server, &slug).await);
    }
    let with_gi: Vec<Facts> = all.iter().filter(|f| f.gi_valid).take(4).cloned().collect();
    let without: Vec<Facts> = all
        .iter()
        .filter(|f| !f.gi_valid)
        .take(3)
        .cloned()
        .collect();
    assert!(
        with_gi.len() == 4 && without.len() == 3,
        "the demo catalogue has products with and without valid GI claims"
    );
    // Three with a GI and three without get the word in their titles; one more with a
    // GI gets it in its description only, and would come first on every rule but the
    // title.
    let (titled_gi, described) = with_gi.split_at(3);
    for product in titled_gi.iter().chain(&without) {
        update_product(
            &server,
            &admin,
            json!({ "id": product.id, "title": format!("{} Zorawar", product.title) }),
        )
        .await;
    }
    update_product(
        &server,
        &admin,
        json!({ "id": described[0].id, "description": format!("{} Zorawar.", described[0].description) }),
    )
    .await;
    // One of each sells out.
    sell_out(&server, &admin, &titled_gi[0]).await;
    sell_out(&server, &admin, &without[0]).await;

    let mut chosen = Vec::new();
    for product in titled_gi.iter().chain(&without).chain(described) {
        chosen.push(facts(&server, &product.slug).await);
    }
    chosen.sort_by(|a, b| {
        let in_title = |f: &Facts| f.title.to_lowercase().contains("zorawar");
        in_title(b)
            .cmp(&in_title(a))
            .then(b.gi_valid.cmp(&a.gi_valid))
            .then(b.in_stock.cmp(&a.in_stock))
            .then(b.created_second.cmp(&a.created_second))
            .then(a.id.cmp(&b.id))
    });
    let expected: Vec<String> = chosen.iter().map(|f| f.slug.clone()).collect();
    assert_eq!(
        chosen.last().map(|f| f.slug.as_str()),
        Some(described[0].slug.as_str()),
        "the description-only match comes last"
    );
    let results = search_after_drain(&server, json!({ "query": "zorawar", "first": 20 })).await;
    assert_eq!(slugs(&results), expected, "{results}");
    // The same order page by page.
    let first = search(&server, json!({ "query": "zorawar", "first": 3 })).await;
    let rest = search(
        &server,
        json!({ "query": "zorawar", "first": 20, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    let paged: Vec<String> = slugs(&first).into_iter().chain(slugs(&rest)).collect();
    assert_eq!(paged, expected);
    Ok(())
}

/// The same catalogue and queries give the same pages on the embedded index and on
/// Meilisearch (runs when the tests have a Meilisearch server).
async fn both_backends_give_the_same_pages(backend: Backend) -> anyhow::Result<()> {
    if meili::current().await?.is_none() {
        println!("{NOT_AVAILABLE}");
        return Ok(());
    }
    let embedded =
        TestServer::spawn(backend, ServerOptions::seeded().env("MEILISEARCH_URL", "")).await?;
    let total = indexed(&embedded).await;
    // The same database, indexed into Meilisearch by `reindex`.
    let shared = TestDatabase::attach(&embedded.database)?;
    let rebuilt = shared.run_cli(&["reindex"], &[], None).await?;
    assert!(rebuilt.success, "{}", rebuilt.stderr);
    let meilisearch =
        TestServer::spawn_on(shared, ServerOptions::default().arg("--no-search-worker")).await?;
    let ready: Value = meilisearch
        .client
        .get(meilisearch.url("/readyz"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(ready["checks"]["searchBackend"], "meilisearch", "{ready}");
    let mut compared = 0;
    for query in [
        "",
        "dushala",
        "khubani",
        "apricot",
        "apric",
        "pashm ",
        "pashmena shawl",
        "leh berry",
        "shawl",
        "tea",
    ] {
        for sort in [
            "RELEVANCE",
            "PRICE_LOW_TO_HIGH",
            "PRICE_HIGH_TO_LOW",
            "NEWEST",
        ] {
            for filter in [json!({}), json!({ "inStock": true })] {
                let variables =
                    json!({ "query": query, "sort": sort, "filter": filter, "first": 10 });
                let on_embedded = search(&embedded, variables.clone()).await;
                let on_meilisearch = search(&meilisearch, variables).await;
                assert_eq!(
                    (slugs(&on_embedded), &on_embedded["totalCount"]),
                    (slugs(&on_meilisearch), &on_meilisearch["totalCount"]),
                    "{query:?} {sort} {filter}"
                );
                compared += slugs(&on_embedded).len();
            }
        }
    }
    assert!(compared as u64 > total, "the queries found products");
    Ok(())
}

/// Synonyms changed in `DATA_DIR/synonyms.json` reach a running server's Meilisearch
/// index through `search-settings apply`, and `search-settings check` and
/// `search-check` tell when the live settings differ. The embedded index has no
/// settings to apply: the commands say so, and a restart picks the synonyms up.
async fn search_settings_apply_without_a_restart(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    indexed(&server).await;
    let unknown = json!({ "query": "tsamikha ", "first": 5 });
    assert_eq!(search(&server, unknown.clone()).await["totalCount"], 0);
    let on_meilisearch = meili::current().await?.is_some();
    let check = server
        .database
        .run_cli(&["search-settings", "check"], &[], None)
        .await?;
    assert!(check.success, "{}{}", check.stdout, check.stderr);
    std::fs::write(
        server.database.data_path().join("synonyms.json"),
        r#"[["tsamikha", "apricot"]]"#,
    )?;
    let found_apricots = |results: &Value| {
        results["totalCount"].as_u64() > Some(0)
            && results["edges"][0]["node"]["category"]["slug"]
                .as_str()
                .is_some_and(|s| s.starts_with("apricot"))
    };
    if !on_meilisearch {
        assert!(
            check
                .stdout
                .contains("not applicable to the embedded index"),
            "{}",
            check.stdout
        );
        let apply = server
            .database
            .run_cli(&["search-settings", "apply"], &[], None)
            .await?;
        assert!(apply.success, "{}", apply.stderr);
        assert!(
            apply.stdout.contains("restart the server"),
            "{}",
            apply.stdout
        );
        let database = server.stop().await;
        let restarted = TestServer::spawn_on(database, ServerOptions::default()).await?;
        let results = search(&restarted, unknown).await;
        assert!(found_apricots(&results), "{results}");
        return Ok(());
    }
    assert!(
        check.stdout.contains("search settings are current"),
        "{}",
        check.stdout
    );
    let check = server
        .database
        .run_cli(&["search-settings", "check"], &[], None)
        .await?;
    assert!(!check.success);
    assert!(
        check.stdout.contains("search settings differ: synonyms"),
        "{}",
        check.stdout
    );
    let whole = server
        .database
        .run_cli(&["search-check"], &[], None)
        .await?;
    assert!(!whole.success);
    assert!(
        whole.stdout.contains("search settings differ"),
        "{}",
        whole.stdout
    );
    let apply = server
        .database
        .run_cli(&["search-settings", "apply"], &[], None)
        .await?;
    assert!(apply.success, "{}", apply.stderr);
    let check = server
        .database
        .run_cli(&["search-settings", "check"], &[], None)
        .await?;
    assert!(check.success, "{}", check.stdout);
    // The running server, never restarted, finds apricots by the new name.
    let results = search(&server, unknown).await;
    assert!(found_apricots(&results), "{results}");
    Ok(())
}

/// A Meilisearch task that fails is an error, not a success: here the index was made
/// with another primary key, so adding the documents fails, and `reindex` says so.
async fn a_failed_meilisearch_task_is_surfaced(backend: Backend) -> anyhow::Result<()> {
    let Some(meili) = meili::current().await? else {
        println!("{NOT_AVAILABLE}");
        return Ok(());
    };
    let database = TestDatabase::fresh(backend).await?;
    meili::create_index(&meili, &database.meilisearch_index, "sku").await?;
    let server = TestServer::spawn_on(database, ServerOptions::seeded()).await?;
    let database = server.stop().await;
    let rebuilt = database.run_cli(&["reindex"], &[], None).await?;
    assert!(!rebuilt.success, "{}", rebuilt.stdout);
    assert!(
        rebuilt.stderr.contains("Meilisearch task") && rebuilt.stderr.contains("failed"),
        "{}",
        rebuilt.stderr
    );
    let check = database.run_cli(&["search-check"], &[], None).await?;
    assert!(!check.success, "{}", check.stdout);
    Ok(())
}

async fn ready(server: &TestServer) -> anyhow::Result<(u16, Value)> {
    let response = server.client.get(server.url("/readyz")).send().await?;
    Ok((response.status().as_u16(), response.json().await?))
}

/// Meilisearch down while the marketplace keeps taking writes: `/readyz` says search
/// is not ready, the outbox keeps the change, and once Meilisearch is back a drain
/// indexes it. Needs a server of its own to stop, so `MEILI_BIN`.
async fn meilisearch_down_while_writes_continue(backend: Backend) -> anyhow::Result<()> {
    let Some(mut own) = OwnMeili::start().await? else {
        println!("skipped: stopping Meilisearch needs a server of the test's own (set MEILI_BIN)");
        return Ok(());
    };
    let key = own.meili.key.clone().unwrap_or_default();
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("MEILISEARCH_URL", &own.meili.url)
            .env("MEILISEARCH_API_KEY", &key),
    )
    .await?;
    indexed(&server).await;
    let admin = admin_token(&server).await;
    let product = facts(&server, "raktsey-karpo-dried-apricots-500g").await;
    own.stop().await?;
    let (status, body) = ready(&server).await?;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["search"], "unavailable", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    update_product(
        &server,
        &admin,
        json!({ "id": product.id, "title": "Durbukdown Apricots" }),
    )
    .await;
    own.resume().await?;
    let (status, body) = ready(&server).await?;
    assert_eq!(status, 200, "{body}");
    server.drain_all().await;
    let found = search(&server, json!({ "query": "durbukdown", "first": 5 })).await;
    assert_eq!(slugs(&found), ["raktsey-karpo-dried-apricots-500g"]);
    let database = server.stop().await;
    let env = [
        ("MEILISEARCH_URL", own.meili.url.as_str()),
        ("MEILISEARCH_API_KEY", key.as_str()),
    ];
    let check = database.run_cli(&["search-check"], &env, None).await?;
    assert!(check.success, "nothing was lost: {}", check.stdout);
    Ok(())
}

/// Two server processes (replicas) share one Meilisearch index: what one indexes the
/// other finds.
async fn two_servers_share_one_meilisearch_index(backend: Backend) -> anyhow::Result<()> {
    if meili::current().await?.is_none() {
        println!("{NOT_AVAILABLE}");
        return Ok(());
    }
    let first = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let total = indexed(&first).await;
    let second = TestServer::spawn_on(
        TestDatabase::attach(&first.database)?,
        ServerOptions::default(),
    )
    .await?;
    assert_eq!(
        search(&second, json!({ "first": 1 })).await["totalCount"].as_u64(),
        Some(total),
        "the second server finds what the first indexed"
    );
    let admin = admin_token(&second).await;
    let product = facts(&second, "raktsey-karpo-dried-apricots-500g").await;
    update_product(
        &second,
        &admin,
        json!({ "id": product.id, "title": "Replicated Turtuk Apricots" }),
    )
    .await;
    // Whichever server's worker claims the outbox entry indexes it for both.
    second.drain().await;
    first.drain().await;
    for server in [&first, &second] {
        let found = search(server, json!({ "query": "replicated turtuk", "first": 5 })).await;
        assert_eq!(slugs(&found), ["raktsey-karpo-dried-apricots-500g"]);
    }
    Ok(())
}

both_backends!(
    local_names_typos_and_prefixes_find_products,
    ties_break_by_title_valid_gi_stock_newest_then_id,
    both_backends_give_the_same_pages,
    search_settings_apply_without_a_restart,
    a_failed_meilisearch_task_is_surfaced,
    meilisearch_down_while_writes_continue,
    two_servers_share_one_meilisearch_index,
    filters_facets_sorting_and_paging,
    catalogue_changes_become_searchable,
    the_outbox_survives_a_crash_before_indexing,
    reindex_rebuilds_and_search_check_reports,
    outbox_entries_are_claimed_by_one_worker_at_a_time,
);
