//! NCUI Haat and GeM: listing with field checks, the feeds, push sync through local
//! channel simulators that inject faults, dead letters, and inbound orders by webhook
//! and by polling.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, variant},
    support::{
        Backend, ServerOptions, TestServer,
        channel_sim::{self, ChannelSim},
        error_code,
        flows::{
            admin_token, buyer_token, cooperative_id, error_fields, product_id, staff_token,
            user_errors,
        },
        server::clock_passes,
        stripe_fake,
    },
};

const FEED_KEY: &str = "feed-key-for-tests";
const WEBHOOK_SECRET: &str = "channel-webhook-secret";

const LISTING_FIELDS: &str = "id productId channel state wanted remoteId rejectionReasons lastError pendingChanges deadLettered lastSyncedAt";

pub async fn list(server: &TestServer, token: &str, product: &str, channel: &str) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: ChannelProductInput!) {{ listOnChannel(input: $i) {{ listing {{ {LISTING_FIELDS} }} errors {{ field code message }} }} }}"),
            json!({ "i": { "productId": product, "channel": channel } }),
        )
        .await
}

async fn delist(server: &TestServer, token: &str, product: &str, channel: &str) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: ChannelProductInput!) {{ delistFromChannel(input: $i) {{ listing {{ {LISTING_FIELDS} }} errors {{ field code message }} }} }}"),
            json!({ "i": { "productId": product, "channel": channel } }),
        )
        .await
}

async fn listings(server: &TestServer, token: &str) -> Vec<Value> {
    let body = server
        .graphql_as(
            Some(token),
            &format!(
                "{{ channelListings(first: 100) {{ totalCount nodes {{ {LISTING_FIELDS} }} }} }}"
            ),
            json!({}),
        )
        .await;
    body["data"]["channelListings"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{body}"))
}

pub async fn pending(server: &TestServer, admin: &str) -> (u64, u64) {
    let body = server
        .graphql_as(
            Some(admin),
            "{ channelSyncStatus { channel pendingChanges deadLettered unrelayedChanges } }",
            json!({}),
        )
        .await;
    let statuses = body["data"]["channelSyncStatus"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let unrelayed = statuses
        .iter()
        .map(|s| s["unrelayedChanges"].as_u64().unwrap())
        .max()
        .unwrap_or(0);
    statuses.iter().fold((unrelayed, 0), |(p, d), s| {
        (
            p + s["pendingChanges"].as_u64().unwrap(),
            d + s["deadLettered"].as_u64().unwrap(),
        )
    })
}

/// Runs the server's background work until nothing is left: changes relayed, every job
/// pushed (retries taken at once, whatever their backoff) or dead-lettered.
pub async fn wait_until_drained(server: &TestServer, admin: &str) {
    server.drain_all().await;
    assert_eq!(
        pending(server, admin).await.0,
        0,
        "the channel outbox drained\n{}",
        server.log()
    );
}

async fn set_procurement(server: &TestServer, token: &str, product: &str, procurement: Value) {
    let body = server
        .graphql_as(
            Some(token),
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { errors { field message } } }",
            json!({ "i": { "id": product, "procurement": procurement } }),
        )
        .await;
    assert!(user_errors(&body, "productUpdate").is_empty(), "{body}");
}

async fn listing_checks_fields_and_feeds_publish_listed_products(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("GEM_FEED_API_KEY", FEED_KEY)
            .env("NCUI_HAAT_FEED_API_KEY", FEED_KEY),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let other = staff_token(&server, &admin, &nubra, "MANAGER").await;
    let buyer = buyer_token(&server, "channel-buyer@example.org").await;
    let apricots = product_id(&server, None, "raktsey-karpo-dried-apricots-500g").await;

    // Who may list.
    assert_eq!(
        error_code(&list(&server, &other, &apricots, "GEM").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&list(&server, &buyer, &apricots, "GEM").await),
        Some("FORBIDDEN")
    );
    let anonymous = server
        .graphql(
            "mutation($i: ChannelProductInput!) { listOnChannel(input: $i) { errors { code } } }",
            json!({ "i": { "productId": apricots, "channel": "GEM" } }),
        )
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    // GeM needs local content and lead time; each missing field is named.
    set_procurement(&server, &staff, &apricots, json!({})).await;
    let refused = list(&server, &staff, &apricots, "GEM").await;
    let fields = error_fields(&refused, "listOnChannel");
    assert!(
        fields.contains(&"input.product.localContentPercent".to_owned()),
        "{refused}"
    );
    assert!(
        fields.contains(&"input.product.deliveryLeadTimeDays".to_owned()),
        "{refused}"
    );
    // NCUI Haat does not ask for them.
    let ncui = list(&server, &staff, &apricots, "NCUI_HAAT").await;
    assert_eq!(
        ncui["data"]["listOnChannel"]["listing"]["state"], "LISTED",
        "feed-only channels list at once: {ncui}"
    );
    set_procurement(
        &server,
        &staff,
        &apricots,
        json!({ "localContentPercent": 100, "deliveryLeadTimeDays": 7 }),
    )
    .await;
    let gem = list(&server, &staff, &apricots, "GEM").await;
    assert_eq!(
        gem["data"]["listOnChannel"]["listing"]["state"], "LISTED",
        "{gem}"
    );
    let juice = product_id(&server, None, "nubra-leh-berry-juice-500ml").await;
    let juice_gem = list(&server, &other, &juice, "GEM").await;
    assert!(
        user_errors(&juice_gem, "listOnChannel").is_empty(),
        "{juice_gem}"
    );

    // Feeds: protected, listed products only, one CSV row per SKU.
    let csv_url = server.url("/feeds/gem/catalog.csv");
    assert_eq!(server.client.get(&csv_url).send().await?.status(), 401);
    assert_eq!(
        server
            .client
            .get(&csv_url)
            .header("X-Api-Key", "wrong")
            .send()
            .await?
            .status(),
        401
    );
    let response = server
        .client
        .get(&csv_url)
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()?
            .starts_with("text/csv")
    );
    let etag = response.headers()["etag"].to_str()?.to_owned();
    let csv = response.text().await?;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers()?.clone();
    for column in [
        "Seller SKU",
        "HSN",
        "GST Rate (%)",
        "MRP (INR)",
        "Offer Price (INR)",
        "Minimum Order Quantity",
        "Stock",
        "Delivery Lead Time (days)",
        "Country of Origin",
        "Local Content (%)",
        "Make in India Class",
    ] {
        assert!(
            headers.iter().any(|h| h == column),
            "GeM column {column} in {headers:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let skus: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert!(
        skus.contains(&"RKDA-500".to_owned()) && skus.contains(&"NLBJ-500".to_owned()),
        "{skus:?}"
    );
    assert!(
        rows.iter().all(|r| &r[15] == "CLASS_I"),
        "100% local content is Class-I"
    );
    let rkda = rows.iter().find(|r| &r[0] == "RKDA-500").unwrap();
    let price = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let rupees = price["price"]["amount"].as_i64().unwrap();
    assert_eq!(&rkda[9], format!("{}.{:02}", rupees / 100, rupees % 100));

    // Unchanged: 304. A stock change changes the ETag.
    let same = server
        .client
        .get(&csv_url)
        .header("X-Api-Key", FEED_KEY)
        .header("If-None-Match", &etag)
        .send()
        .await?;
    assert_eq!(same.status(), 304);
    server
        .graphql_as(
            Some(&staff),
            "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { message } } }",
            json!({ "i": { "variantId": price["id"], "delta": -1, "reason": "DAMAGED" } }),
        )
        .await;
    let changed = server
        .client
        .get(&csv_url)
        .header("X-Api-Key", FEED_KEY)
        .header("If-None-Match", &etag)
        .send()
        .await?;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str()?, etag);

    // JSON feeds, and updated_since.
    let json_feed: Value = server
        .client
        .get(server.url("/feeds/gem/catalog.json"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        json_feed["items"].as_array().unwrap().len(),
        2,
        "{json_feed}"
    );
    let ncui_feed: Value = server
        .client
        .get(server.url("/feeds/ncui-haat/catalog.json"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(ncui_feed["channel"], "NCUI_HAAT");
    assert_eq!(ncui_feed["items"].as_array().unwrap().len(), 1);
    let future: Value = server
        .client
        .get(server.url("/feeds/gem/catalog.json?updated_since=2100-01-01T00:00:00Z"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(future["items"].as_array().unwrap().len(), 0);
    let bad_since = server
        .client
        .get(server.url("/feeds/gem/catalog.json?updated_since=yesterday"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?;
    assert_eq!(bad_since.status(), 400);

    // Delisting takes it out of the feed.
    let gone = delist(&server, &staff, &apricots, "GEM").await;
    assert_eq!(
        gone["data"]["delistFromChannel"]["listing"]["state"], "DELISTED",
        "{gone}"
    );
    assert_eq!(
        error_code(&delist(&server, &staff, &apricots, "GEM").await),
        Some("CONFLICT")
    );
    let after: Value = server
        .client
        .get(server.url("/feeds/gem/catalog.json"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(after["items"].as_array().unwrap().len(), 1);
    // Staff see their own listings only.
    let theirs = listings(&server, &staff).await;
    assert_eq!(theirs.len(), 2, "{theirs:?}");
    Ok(())
}

pub fn push_options(gem: &ChannelSim, ncui: &ChannelSim) -> ServerOptions {
    ServerOptions::seeded()
        .env("GEM_API_BASE", &gem.base_url)
        .env("GEM_API_KEY", channel_sim::API_KEY)
        .env("NCUI_HAAT_API_BASE", &ncui.base_url)
        .env("NCUI_HAAT_API_KEY", channel_sim::API_KEY)
        .env("CHANNEL_BACKOFF_MS", "20")
        .env("CHANNEL_TIMEOUT_MS", "500")
        .env("CHANNEL_POLL_MS", "50")
}

const STORM_PRODUCTS: [&str; 4] = [
    "raktsey-karpo-dried-apricots-500g",
    "nubra-leh-berry-juice-500ml",
    "changthangi-pashmina-shawl-natural-200x100",
    "nubra-sea-buckthorn-juice-10l-institutional",
];

async fn listings_converge_after_a_fault_storm(backend: Backend) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui).env("CHANNEL_MAX_ATTEMPTS", "100"),
    )
    .await?;
    let admin = admin_token(&server).await;
    gem.storm(0.4);
    ncui.storm(0.4);
    let mut ids = Vec::new();
    for slug in STORM_PRODUCTS {
        let id = product_id(&server, None, slug).await;
        for channel in ["GEM", "NCUI_HAAT"] {
            let body = list(&server, &admin, &id, channel).await;
            assert!(
                user_errors(&body, "listOnChannel").is_empty(),
                "{slug} on {channel}: {body}"
            );
            assert_eq!(body["data"]["listOnChannel"]["listing"]["state"], "PENDING");
        }
        ids.push(id);
    }
    // Changes while the storm goes on: prices, stock, a delisting, an archived product.
    for _round in 0..3 {
        for slug in &STORM_PRODUCTS[..2] {
            let body = server.graphql(
                "query($slug: String) { product(slug: $slug) { variants { id price { amount } } } }", json!({ "slug": slug })).await;
            let variants = body["data"]["product"]["variants"].as_array().unwrap();
            assert!(!variants.is_empty(), "{body}");
            for v in variants {
                let price = v["price"]["amount"].as_i64().unwrap();
                let updated = server.graphql_as(Some(&admin), "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
                    json!({ "i": { "id": v["id"], "price": price - 100 } })).await;
                assert!(
                    user_errors(&updated, "variantUpdate").is_empty(),
                    "{updated}"
                );
                let adjusted = server.graphql_as(Some(&admin), "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { message } } }",
                    json!({ "i": { "variantId": v["id"], "delta": -3, "reason": "DAMAGED" } })).await;
                assert!(
                    user_errors(&adjusted, "stockAdjust").is_empty(),
                    "{adjusted}"
                );
            }
        }
        // Pushes go out (and fail) while the storm goes on; retries not yet due wait.
        server.drain().await;
    }
    delist(&server, &admin, &ids[2], "GEM").await;
    server
        .graphql_as(
            Some(&admin),
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": ids[3], "status": "ARCHIVED" } }),
        )
        .await;
    // A buyer's order moves stock too.
    let buyer = buyer_token(&server, "storm-buyer@example.org").await;
    let juice = variant(&server, STORM_PRODUCTS[1], "NLBJ-500").await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 2).await;
    let placed = crate::orders::place_order(
        &server,
        &buyer,
        "storm-1",
        crate::orders::leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");

    server.drain().await;
    gem.storm(0.0);
    ncui.storm(0.0);
    wait_until_drained(&server, &admin).await;

    // Every channel now holds exactly what the catalogue says.
    for (sim, channel) in [(&gem, "GEM"), (&ncui, "NCUI_HAAT")] {
        let held = sim.listings();
        let mut expected: Vec<String> = ids[..2].to_vec();
        if channel == "NCUI_HAAT" {
            expected.push(ids[2].clone());
        }
        let mut keys: Vec<String> = held.keys().cloned().collect();
        keys.sort();
        expected.sort();
        assert_eq!(
            keys,
            expected,
            "{channel} holds the listed products and nothing else\n{}",
            server.log()
        );
        for (key, item) in &held {
            let slug = STORM_PRODUCTS[ids.iter().position(|i| i == key).unwrap()];
            let variants = item["variants"].as_array().unwrap();
            assert!(!variants.is_empty(), "{item}");
            for v in variants {
                let now = variant(&server, slug, v["sku"].as_str().unwrap()).await;
                assert_eq!(
                    v["offerPricePaise"],
                    now["price"]["amount"],
                    "{channel} price of {}\n{}",
                    v["sku"],
                    server.log()
                );
                assert_eq!(
                    v["stock"],
                    now["stockOnHand"],
                    "{channel} stock of {}\n{}",
                    v["sku"],
                    server.log()
                );
            }
        }
    }
    let states: Vec<(String, String, String)> = listings(&server, &admin)
        .await
        .into_iter()
        .map(|l| {
            (
                l["productId"].as_str().unwrap().to_owned(),
                l["channel"].as_str().unwrap().to_owned(),
                l["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(states.len(), 2 * STORM_PRODUCTS.len(), "{states:?}");
    for (product, channel, state) in states {
        let expected = if product == ids[3] {
            "REJECTED"
        } else if product == ids[2] && channel == "GEM" {
            "DELISTED"
        } else {
            "LISTED"
        };
        assert_eq!(state, expected, "{product} on {channel}\n{}", server.log());
    }
    assert_eq!(
        pending(&server, &admin).await,
        (0, 0),
        "nothing left, nothing dead"
    );
    for sim in [&gem, &ncui] {
        let (requests, faults) = sim.traffic();
        eprintln!("channel simulator: {requests} requests, {faults} faults injected");
        assert!(
            faults >= 3,
            "the storm injected faults ({faults} of {requests})"
        );
    }
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

async fn failed_pushes_are_dead_lettered_and_retried(backend: Backend) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui).env("CHANNEL_MAX_ATTEMPTS", "3"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let apricots = product_id(&server, None, STORM_PRODUCTS[0]).await;
    let shawl = product_id(&server, None, STORM_PRODUCTS[2]).await;
    gem.always_fail(&apricots, true);
    ncui.reject(&shawl);
    // NCUI Haat first asks us to slow down: the push waits at least the two seconds it
    // was told (the backoff alone would be 20 ms), as the simulator's clock records.
    ncui.inject(&[channel_sim::Fault::TooMany {
        retry_after_secs: 2,
    }]);
    list(&server, &admin, &shawl, "NCUI_HAAT").await;
    let shawl_path = format!("/v1/listings/{shawl}");
    let shawl_pushes = || {
        ncui.received()
            .into_iter()
            .filter(|r| r.method == "PUT" && r.path == shawl_path)
            .collect::<Vec<_>>()
    };
    server.drain().await;
    let told_to_wait = shawl_pushes();
    assert_eq!(
        told_to_wait.len(),
        1,
        "no retry before its time: {told_to_wait:?}"
    );
    assert_eq!(told_to_wait[0].status, 429);
    let allowed_at = told_to_wait[0].at + chrono::Duration::seconds(2);
    // The rule is about time, so time has to pass; the retry itself runs in `drain`.
    clock_passes(allowed_at).await;
    server.drain().await;
    let pushes = shawl_pushes();
    assert_eq!(
        pushes.len(),
        2,
        "retried once the wait was over: {pushes:?}"
    );
    assert_eq!(pushes[1].status, 422, "the channel refuses the shawl");
    assert!(
        pushes[1].at >= allowed_at,
        "retried {} ms after a 429 with Retry-After: 2",
        (pushes[1].at - pushes[0].at).num_milliseconds()
    );
    list(&server, &admin, &apricots, "GEM").await;
    // Retries are taken at once: the push to GeM fails until it is dead-lettered.
    server.drain_all().await;
    let all = listings(&server, &admin).await;
    let dead = all
        .iter()
        .find(|l| l["productId"] == apricots.as_str())
        .cloned()
        .unwrap();
    let rejected = all
        .iter()
        .find(|l| l["productId"] == shawl.as_str())
        .cloned()
        .unwrap();
    assert_eq!(rejected["state"], "REJECTED", "{rejected}");
    assert!(
        rejected["rejectionReasons"][0]
            .as_str()
            .unwrap()
            .contains("category"),
        "{rejected}"
    );
    assert_eq!(dead["deadLettered"], 1, "{dead}");
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap_or_default()
            .contains("gave up after 3 attempts"),
        "{dead}"
    );
    assert_eq!(dead["state"], "PENDING");
    assert_eq!(pending(&server, &admin).await.1, 1);
    // The channel recovers; the cooperative retries.
    gem.always_fail(&apricots, false);
    let retried = server
        .graphql_as(Some(&admin), "mutation($i: RetryChannelSyncInput!) { retryChannelSync(input: $i) { listing { deadLettered pendingChanges } errors { message } } }",
            json!({ "i": { "listingId": dead["id"] } }))
        .await;
    assert_eq!(
        retried["data"]["retryChannelSync"]["listing"]["deadLettered"], 0,
        "{retried}"
    );
    wait_until_drained(&server, &admin).await;
    let listed = listings(&server, &admin)
        .await
        .into_iter()
        .find(|l| l["productId"] == apricots.as_str())
        .unwrap();
    assert_eq!(listed["state"], "LISTED", "{listed}");
    assert!(listed["remoteId"].as_str().unwrap().starts_with("GEM-"));
    assert!(gem.listings().contains_key(&apricots));
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

fn sign(payload: &str) -> String {
    stripe_fake::signature(WEBHOOK_SECRET, chrono::Utc::now().timestamp(), payload)
}

async fn channel_orders_are_deduplicated_and_refusals_explained(
    backend: Backend,
) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui)
            .env("NCUI_HAAT_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("CHANNEL_ORDER_POLL_SECS", "1"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let juice_id = product_id(&server, None, STORM_PRODUCTS[1]).await;
    let bulk_id = product_id(&server, None, STORM_PRODUCTS[3]).await;
    list(&server, &admin, &juice_id, "NCUI_HAAT").await;
    list(&server, &admin, &bulk_id, "GEM").await;
    let juice = variant(&server, STORM_PRODUCTS[1], "NLBJ-500").await;
    let stock = juice["stockOnHand"].as_i64().unwrap();
    let price = juice["price"]["amount"].as_i64().unwrap();
    let buyer = json!({ "name": "Priya Nair", "phone": "9812345678", "line1": "4 MG Road", "city": "Bengaluru", "pinCode": "560001", "stateCode": "29" });
    let order = |id: &str, quantity: i64| {
        json!({ "channelOrderId": id, "buyer": buyer,
        "items": [{ "listingKey": juice_id, "sku": "NLBJ-500", "quantity": quantity, "unitPricePaise": price }] }).to_string()
    };
    let post = |payload: String, signature: Option<String>| {
        let mut request = server
            .client
            .post(server.url("/channels/ncui-haat/orders"))
            .header("Content-Type", "application/json")
            .body(payload);
        if let Some(s) = signature {
            request = request.header("X-Channel-Signature", s);
        }
        request.send()
    };

    let first = order("NH-1001", 2);
    let accepted = post(first.clone(), Some(sign(&first))).await?;
    assert_eq!(accepted.status(), 200);
    let accepted: Value = accepted.json().await?;
    assert_eq!(accepted["status"], "ACCEPTED", "{accepted}");
    let duplicate: Value = post(first.clone(), Some(sign(&first)))
        .await?
        .json()
        .await?;
    assert_eq!(duplicate["orderId"], accepted["orderId"]);
    assert_eq!(duplicate["duplicate"], true);
    assert_eq!(
        variant(&server, STORM_PRODUCTS[1], "NLBJ-500").await["stockOnHand"]
            .as_i64()
            .unwrap(),
        stock - 2,
        "reserved once"
    );
    let seen = crate::orders::order(&server, &admin, &accepted["orderId"]).await;
    assert_eq!(seen["status"], "CONFIRMED", "{seen}");
    assert!(
        seen["fulfilments"][0]["lines"][0]["igst"].as_i64().unwrap() > 0,
        "Ladakh to Karnataka is IGST"
    );
    let source = server
        .graphql_as(
            Some(&admin),
            "query($id: ID!) { order(id: $id) { sourceChannel } }",
            json!({ "id": accepted["orderId"] }),
        )
        .await;
    assert_eq!(source["data"]["order"]["sourceChannel"], "NCUI_HAAT");

    // Refused: a bad signature, more than there is, a product not listed there.
    assert_eq!(
        post(first.clone(), Some(sign("something else")))
            .await?
            .status(),
        400
    );
    assert_eq!(post(first.clone(), None).await?.status(), 400);
    let greedy = order("NH-1002", stock * 10);
    let refused = post(greedy.clone(), Some(sign(&greedy))).await?;
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await?;
    assert_eq!(refused["status"], "REJECTED");
    assert!(
        refused["reasons"][0].as_str().unwrap().contains("in stock"),
        "{refused}"
    );
    let unlisted = json!({ "channelOrderId": "NH-1003", "buyer": buyer,
        "items": [{ "listingKey": bulk_id, "sku": "NSBJ-10L", "quantity": 2, "unitPricePaise": 1 }] }).to_string();
    let refused: Value = post(unlisted.clone(), Some(sign(&unlisted)))
        .await?
        .json()
        .await?;
    assert!(
        refused["reasons"][0]
            .as_str()
            .unwrap()
            .contains("not listed on NCUI_HAAT"),
        "{refused}"
    );

    // GeM by polling: a contract with two consignees, delivered twice (duplicate delivery).
    let bulk = variant(&server, STORM_PRODUCTS[3], "NSBJ-10L").await;
    let bulk_price = bulk["price"]["amount"].as_i64().unwrap();
    let item = |q: i64| json!({ "listingKey": bulk_id, "sku": "NSBJ-10L", "quantity": q, "unitPricePaise": bulk_price });
    let contract = json!({ "channelOrderId": "GEMC-5116877", "contractNumber": "GEMC-511687712345", "paymentTermsDays": 10,
        "buyer": { "name": "Directorate of Health Services", "phone": "9419112233", "line1": "Civil Secretariat", "city": "Leh", "pinCode": "194101", "stateCode": "38" },
        "items": [item(2), item(2)],
        "consignees": [
            { "name": "District Hospital Leh", "address": { "name": "Store Officer", "phone": "9419000001", "line1": "SNM Hospital", "city": "Leh", "pinCode": "194101", "stateCode": "38" }, "items": [item(2)] },
            { "name": "District Hospital Kargil", "address": { "name": "Store Officer", "phone": "9419000002", "line1": "Hospital Road", "city": "Kargil", "pinCode": "194103", "stateCode": "38" }, "items": [item(2)] }
        ] });
    wait_until_drained(&server, &admin).await;
    // The first acknowledgement fails: the cursor stays, so the next poll brings the
    // order again, and it is recognised rather than ordered twice. The channel also
    // delivers the same order a second time (a duplicate delivery).
    gem.fail_acks(1);
    gem.push_order(contract.clone());
    gem.push_order(contract);
    let acks = || {
        gem.received()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == "/v1/orders/GEMC-5116877/acknowledgement")
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    // Each drain round polls; a round after the failed acknowledgement brings it again.
    for _ in 0..3 {
        server.drain().await;
        if gem.ack("GEMC-5116877").is_some() {
            break;
        }
    }
    let ack = gem
        .ack("GEMC-5116877")
        .expect("the GeM order was acknowledged");
    assert_eq!(ack["status"], "ACCEPTED", "{ack}");
    let statuses = acks();
    assert_eq!(
        statuses.first(),
        Some(&500),
        "the first acknowledgement failed: {statuses:?}"
    );
    assert!(statuses[1..].contains(&200), "{statuses:?}");
    // The order came twice from the same cursor: the failed acknowledgement did not
    // move it.
    let polls = gem.polls();
    let bringing: Vec<&channel_sim::Poll> = polls
        .iter()
        .filter(|p| p.orders.first().map(String::as_str) == Some("GEMC-5116877"))
        .collect();
    assert!(bringing.len() >= 2, "the order came only once: {polls:?}");
    assert_eq!(
        bringing[1].after, bringing[0].after,
        "the cursor moved past an unacknowledged order: {polls:?}"
    );
    // The duplicate delivery has been polled too.
    server.drain().await;
    let bulk_after = variant(&server, STORM_PRODUCTS[3], "NSBJ-10L").await;
    assert_eq!(
        bulk_after["stockOnHand"].as_i64().unwrap(),
        bulk["stockOnHand"].as_i64().unwrap() - 4,
        "one order, not two"
    );
    let gem_order = crate::orders::order(&server, &admin, &ack["orderId"]).await;
    assert_eq!(gem_order["kind"], "INSTITUTIONAL");
    assert_eq!(
        gem_order["consignees"].as_array().unwrap().len(),
        2,
        "{gem_order}"
    );
    assert_eq!(gem_order["paymentMethod"], "PURCHASE_ORDER");
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

/// The offer price GeM holds for the dried apricots' 500 g pouch.
fn gem_price(gem: &ChannelSim, apricots: &str) -> Value {
    gem.listings()[apricots]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "RKDA-500")
        .map(|v| v["offerPricePaise"].clone())
        .unwrap_or(Value::Null)
}

/// A retry sends the item as the catalogue has it now, not the dead letter's old
/// snapshot, and a later successful push settles older dead letters of the listing.
async fn retries_send_the_current_catalogue_and_successes_settle_dead_letters(
    backend: Backend,
) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui).env("CHANNEL_MAX_ATTEMPTS", "2"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let apricots = product_id(&server, None, "raktsey-karpo-dried-apricots-500g").await;
    let variant_id = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listing_of = |all: Vec<Value>| {
        all.into_iter()
            .find(|l| l["productId"] == apricots.as_str())
            .unwrap()
    };

    // Listed while GeM fails: the push is dead-lettered with the seed's price in it.
    gem.always_fail(&apricots, true);
    list(&server, &admin, &apricots, "GEM").await;
    server.drain_all().await;
    let dead = listing_of(listings(&server, &admin).await);
    assert_eq!(dead["deadLettered"], 1, "{dead}");
    // The price is then corrected by hand in the database (no change is recorded, so
    // no newer job exists): the retry must send the corrected price.
    let db = sea_orm::Database::connect(server.database.url.clone()).await?;
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        "UPDATE product_variants SET price_paise = 34000 WHERE sku = 'RKDA-500'",
    )
    .await?;
    gem.always_fail(&apricots, false);
    let retried = server
        .graphql_as(Some(&admin), "mutation($i: RetryChannelSyncInput!) { retryChannelSync(input: $i) { listing { deadLettered } errors { message } } }",
            json!({ "i": { "listingId": dead["id"] } }))
        .await;
    assert_eq!(
        retried["data"]["retryChannelSync"]["listing"]["deadLettered"], 0,
        "{retried}"
    );
    wait_until_drained(&server, &admin).await;
    assert_eq!(
        gem_price(&gem, &apricots),
        json!(34_000),
        "the current price"
    );

    // A price change GeM refuses until it is dead-lettered, then a later one that goes
    // through: the later push settles the dead letter.
    let set_price = |price: i64| {
        server.graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": variant_id, "price": price } }),
        )
    };
    gem.always_fail(&apricots, true);
    set_price(33_000).await;
    server.drain_all().await;
    assert_eq!(
        listing_of(listings(&server, &admin).await)["deadLettered"],
        1
    );
    gem.always_fail(&apricots, false);
    set_price(32_000).await;
    wait_until_drained(&server, &admin).await;
    let listed = listing_of(listings(&server, &admin).await);
    assert_eq!(
        listed["deadLettered"], 0,
        "settled by the later push: {listed}"
    );
    assert_eq!(listed["state"], "LISTED", "{listed}");
    assert_eq!(pending(&server, &admin).await, (0, 0));
    assert_eq!(gem_price(&gem, &apricots), json!(32_000));
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

/// Channels are told the GST rate the checkout charges for each variant: a Rs 28,000
/// pashmina shawl is 18% (its taxable value at 5%, Rs 26,666.67, is above the Rs 2,500
/// per-piece threshold), a Rs 2,350 stole 5% (Rs 2,238.10 is below it), whatever the
/// category's default (5% for both).
async fn channels_publish_the_rate_the_checkout_charges(backend: Backend) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui).env("NCUI_HAAT_FEED_API_KEY", FEED_KEY),
    )
    .await?;
    let admin = admin_token(&server).await;
    let shawl = product_id(&server, None, "changthangi-pashmina-shawl-natural-200x100").await;
    let stole = product_id(&server, None, "ladakh-pashmina-blend-stole-180x70").await;
    for id in [&shawl, &stole] {
        let listed = list(&server, &admin, id, "NCUI_HAAT").await;
        assert!(user_errors(&listed, "listOnChannel").is_empty(), "{listed}");
    }
    wait_until_drained(&server, &admin).await;
    let rate = |item: &Value, sku: &str| {
        item["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["sku"] == sku)
            .map(|v| v["gstRatePercent"].clone())
            .unwrap_or(Value::Null)
    };
    let pushed = ncui.listings();
    assert_eq!(rate(&pushed[&shawl], "CPS-200N"), "18.00");
    assert_eq!(
        pushed[&shawl]["gstRatePercent"], "18.00",
        "one rate for the item"
    );
    assert_eq!(rate(&pushed[&stole], "CWSB-180"), "5.00");
    // The feed says the same.
    let feed: Value = server
        .client
        .get(server.url("/feeds/ncui-haat/catalog.json"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    let in_feed = |id: &str| {
        feed["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["listingKey"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in the feed: {feed}"))
    };
    assert_eq!(rate(&in_feed(&shawl), "CPS-200N"), "18.00");
    assert_eq!(rate(&in_feed(&stole), "CWSB-180"), "5.00");
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

both_backends!(
    channels_publish_the_rate_the_checkout_charges,
    retries_send_the_current_catalogue_and_successes_settle_dead_letters,
    listing_checks_fields_and_feeds_publish_listed_products,
    listings_converge_after_a_fault_storm,
    failed_pushes_are_dead_lettered_and_retried,
    channel_orders_are_deduplicated_and_refusals_explained,
);
