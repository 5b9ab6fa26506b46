//! Listings that tell the truth, over HTTP: a GI only on the goods its registration
//! covers, claims that lapse with their authorisation, protected names, Legal Metrology
//! declarations per variant, cooperative verification, batch corrections and the PIN
//! of a shipping address.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{
            admin_token, buyer_token, cooperative_id, error_fields, gi_tag_id, product_id,
            staff_token, user_errors,
        },
    },
};

const CLAIM: &str = "mutation($input: ProductGiClaimInput!) { productGiClaim(input: $input) {
  giClaim { giTag { slug } validNow } errors { field code message } } }";
const PRODUCT_UPDATE: &str =
    "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) {
  product { id status category { slug } } errors { field code message } } }";
const GI_TAG_UPDATE: &str = "mutation($input: GiTagUpdateInput!) { giTagUpdate(input: $input) {
  giTag { slug coveredCategories hsnPrefixes } errors { field code message } } }";

fn messages(body: &Value, mutation: &str) -> String {
    user_errors(body, mutation)
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn a_gi_claim_must_match_the_gis_goods(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;

    // The register lists the goods each GI covers.
    let tags = server
        .graphql(
            "{ giTags { slug coveredCategories hsnPrefixes } }",
            json!({}),
        )
        .await;
    let apricot = tags["data"]["giTags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["slug"] == "raktsey-karpo-apricot")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        apricot["coveredCategories"],
        json!(["apricot-fresh", "apricot-dried"]),
        "{tags}"
    );
    assert_eq!(apricot["hsnPrefixes"], json!(["0809", "0813"]));

    // No demo product carries a GI on goods outside its registration.
    let listed = server
        .graphql(
            "{ products(first: 100) { totalCount pageInfo { hasNextPage }
               nodes { slug category { slug } giClaims { giTag { slug coveredCategories } } } } }",
            json!({}),
        )
        .await;
    let connection = &listed["data"]["products"];
    assert_eq!(connection["pageInfo"]["hasNextPage"], false, "{listed}");
    let mut claims = 0;
    for product in connection["nodes"].as_array().into_iter().flatten() {
        for claim in product["giClaims"].as_array().into_iter().flatten() {
            claims += 1;
            let covered = claim["giTag"]["coveredCategories"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                covered.contains(&product["category"]["slug"]),
                "{} claims {} outside its goods",
                product["slug"],
                claim["giTag"]["slug"]
            );
        }
    }
    assert!(claims > 0, "the demo still has valid GI claims: {listed}");
    for not_the_berry in [
        "nubra-tsestalulu-leaf-tea-50g",
        "nubra-sea-buckthorn-seed-oil-30ml",
        "temisgam-sea-buckthorn-fruit-oil-50ml",
    ] {
        let product = server
            .graphql(
                "query($slug: String!) { product(slug: $slug) { giClaims { giTag { slug } } } }",
                json!({ "slug": not_the_berry }),
            )
            .await;
        assert_eq!(
            product["data"]["product"]["giClaims"],
            json!([]),
            "{not_the_berry}: {product}"
        );
    }

    // Kernels are not the apricot GI's goods, even for an authorised user.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let apricot_gi = gi_tag_id(&server, "raktsey-karpo-apricot").await;
    let kernels = product_id(&server, Some(&manager), "sham-sweet-apricot-kernels-250g").await;
    let refused = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": kernels, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(
        error_fields(&refused, "productGiClaim"),
        ["input.giTagId"],
        "{refused}"
    );
    let message = messages(&refused, "productGiClaim");
    assert!(
        message.contains("Raktsey Karpo Apricot") && message.contains("Apricot Kernels"),
        "{message}"
    );

    // A claimed product cannot be moved to goods the GI does not cover.
    let dried = product_id(&server, Some(&manager), "raktsey-karpo-dried-apricots-500g").await;
    let moved = server
        .graphql_as(
            Some(&manager),
            PRODUCT_UPDATE,
            json!({ "input": { "id": dried, "categorySlug": "apricot-kernels",
                    "attributes": { "variety": "Raktsey Karpo", "grade": "A", "form": "whole",
                                    "kernel_taste": "sweet", "net_weight_g": 500 } } }),
        )
        .await;
    assert!(
        error_fields(&moved, "productUpdate").contains(&"input.categorySlug".to_owned()),
        "{moved}"
    );

    // The covered goods are data an admin corrects: unknown categories and malformed
    // prefixes are refused, and a widened list lets the claim through the goods check.
    let bad = server
        .graphql_as(
            Some(&admin),
            GI_TAG_UPDATE,
            json!({ "input": { "id": apricot_gi, "coveredCategories": ["apricot-dried", "no-such-goods"], "hsnPrefixes": ["08x"] } }),
        )
        .await;
    assert_eq!(
        error_fields(&bad, "giTagUpdate"),
        ["input.coveredCategories", "input.hsnPrefixes"],
        "{bad}"
    );
    let widened = server
        .graphql_as(
            Some(&admin),
            GI_TAG_UPDATE,
            json!({ "input": { "id": apricot_gi, "coveredCategories": ["apricot-fresh", "apricot-dried", "apricot-kernels"],
                    "hsnPrefixes": ["0809", "0813", "1212"] } }),
        )
        .await;
    assert_eq!(
        widened["data"]["giTagUpdate"]["giTag"]["hsnPrefixes"],
        json!(["0809", "0813", "1212"]),
        "{widened}"
    );
    let through = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": kernels, "giTagId": apricot_gi } }),
        )
        .await;
    assert!(
        !error_fields(&through, "productGiClaim").contains(&"input.giTagId".to_owned()),
        "{through}"
    );
    Ok(())
}

const SEARCH: &str = "query($filter: SearchFilter) { search(filter: $filter, first: 100) {
  totalCount edges { node { slug } } facets { field values { value count } } } }";
const FILTERED: &str =
    "query($gi: ID!) { products(first: 100, filter: { giTagId: $gi }) { nodes { slug } } }";
const BADGE: &str =
    "query($slug: String!) { product(slug: $slug) { giClaims { giTag { slug } validNow } } }";
const VERIFY_AU: &str =
    "mutation($input: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $input) {
  authorisedUser { status validNow } errors { field code message } } }";
const REGISTER_AU: &str =
    "mutation($input: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $input) {
  authorisedUser { id status } errors { field code message } } }";
const FEED_KEY: &str = "feed-key-for-tests";

fn node_slugs(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["slug"].as_str().or_else(|| n["node"]["slug"].as_str()))
        .map(str::to_owned)
        .collect()
}

fn gi_facet(search: &Value, slug: &str) -> u64 {
    search["data"]["search"]["facets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["field"] == "gi")
        .flat_map(|f| f["values"].as_array().cloned().unwrap_or_default())
        .find(|v| v["value"] == slug)
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0)
}

async fn feed_gi_tags(server: &TestServer, product_id: &str) -> anyhow::Result<Vec<String>> {
    let feed: Value = server
        .client
        .get(server.url("/feeds/ncui-haat/catalog.json"))
        .header("X-Api-Key", FEED_KEY)
        .send()
        .await?
        .json()
        .await?;
    let item = feed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["listingKey"] == product_id)
        .cloned()
        .unwrap_or_else(|| panic!("{product_id} not in the feed: {feed}"));
    Ok(item["giTags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect())
}

async fn a_claim_lapses_everywhere_with_its_authorisation(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("NCUI_HAAT_FEED_API_KEY", FEED_KEY),
    )
    .await?;
    server.drain_all().await;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let apricot_gi = gi_tag_id(&server, "raktsey-karpo-apricot").await;
    let dried = product_id(&server, Some(&manager), "raktsey-karpo-dried-apricots-500g").await;
    // A signed-in buyer sees what the public sees, past the anonymous response cache.
    let buyer = buyer_token(&server, "gi-buyer@example.org").await;
    let listed = server
        .graphql_as(
            Some(&manager),
            "mutation($i: ChannelProductInput!) { listOnChannel(input: $i) { listing { state } errors { message } } }",
            json!({ "i": { "productId": dried, "channel": "NCUI_HAAT" } }),
        )
        .await;
    assert_eq!(
        listed["data"]["listOnChannel"]["listing"]["state"], "LISTED",
        "{listed}"
    );
    server.drain_all().await;

    // While the authorisation is valid the claim shows everywhere, the feed included.
    let filtered = server
        .graphql_as(Some(&buyer), FILTERED, json!({ "gi": apricot_gi }))
        .await;
    assert!(
        node_slugs(&filtered["data"]["products"]["nodes"])
            .contains(&"raktsey-karpo-dried-apricots-500g".to_owned()),
        "{filtered}"
    );
    let by_gi = json!({ "filter": { "giTagSlug": "raktsey-karpo-apricot" } });
    let before = server.graphql(SEARCH, by_gi.clone()).await;
    let before_total = before["data"]["search"]["totalCount"].as_u64().unwrap_or(0);
    assert!(
        node_slugs(&before["data"]["search"]["edges"])
            .contains(&"raktsey-karpo-dried-apricots-500g".to_owned()),
        "{before}"
    );
    let all_before = server.graphql(SEARCH, json!({})).await;
    assert_eq!(
        gi_facet(&all_before, "raktsey-karpo-apricot"),
        before_total,
        "{all_before}"
    );
    assert_eq!(
        feed_gi_tags(&server, &dried).await?,
        ["Raktsey Karpo Apricot"],
        "valid claims reach the channel feed"
    );

    // The Sham authorisation ran out yesterday. Nothing is written through the
    // marketplace: the date alone decides.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let db = sea_orm::Database::connect(server.database.url.clone()).await?;
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "UPDATE gi_authorised_users SET valid_until = '{yesterday}' WHERE au_number = 'AU/RKA/DEMO/0001'"
        ),
    )
    .await?;
    let filtered = server
        .graphql_as(Some(&buyer), FILTERED, json!({ "gi": apricot_gi }))
        .await;
    let remaining = node_slugs(&filtered["data"]["products"]["nodes"]);
    assert!(
        !remaining.contains(&"raktsey-karpo-dried-apricots-500g".to_owned()),
        "{filtered}"
    );
    assert!(
        remaining.contains(&"garkhon-raktsey-karpo-fresh-1kg".to_owned()),
        "other cooperatives' valid claims stay: {filtered}"
    );
    let badge = server
        .graphql_as(
            Some(&buyer),
            BADGE,
            json!({ "slug": "raktsey-karpo-dried-apricots-500g" }),
        )
        .await;
    assert_eq!(badge["data"]["product"]["giClaims"], json!([]), "{badge}");
    let own = server
        .graphql_as(
            Some(&manager),
            BADGE,
            json!({ "slug": "raktsey-karpo-dried-apricots-500g" }),
        )
        .await;
    assert_eq!(
        own["data"]["product"]["giClaims"],
        json!([{ "giTag": { "slug": "raktsey-karpo-apricot" }, "validNow": false }]),
        "the cooperative still sees its lapsed claim: {own}"
    );
    assert_eq!(feed_gi_tags(&server, &dried).await?, Vec::<String>::new());

    // The search index keeps the validity dates and judges them on the day asked; an
    // unrelated edit rebuilds the document from what the database now says.
    // (A product edit is refused now: without an authorisation the cooperative may not
    // use the name "Raktsey Karpo" at all, so a stock correction does it.)
    let variant = server
        .graphql_as(
            Some(&manager),
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { variants { id } } }",
            json!({}),
        )
        .await["data"]["product"]["variants"][0]["id"]
        .clone();
    let touched = server
        .graphql_as(
            Some(&manager),
            "mutation($input: StockAdjustInput!) { stockAdjust(input: $input) { errors { field message } } }",
            json!({ "input": { "variantId": variant, "delta": 1, "reason": "CORRECTION" } }),
        )
        .await;
    assert!(user_errors(&touched, "stockAdjust").is_empty(), "{touched}");
    server.drain_all().await;
    let after = server.graphql(SEARCH, by_gi.clone()).await;
    assert!(
        !node_slugs(&after["data"]["search"]["edges"])
            .contains(&"raktsey-karpo-dried-apricots-500g".to_owned()),
        "{after}"
    );
    let all_after = server.graphql(SEARCH, json!({})).await;
    assert_eq!(
        gi_facet(&all_after, "raktsey-karpo-apricot") + 1,
        gi_facet(&all_before, "raktsey-karpo-apricot"),
        "{all_after}"
    );

    // A new claim needs an authorisation valid today, not only on the batch dates.
    let halman = product_id(&server, Some(&manager), "halman-dried-apricots-1kg").await;
    let late = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": halman, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(
        error_fields(&late, "productGiClaim"),
        ["input.giTagId"],
        "{late}"
    );

    // Admins cannot verify an authorisation that has already lapsed.
    let stale = server
        .graphql_as(
            Some(&manager),
            REGISTER_AU,
            json!({ "input": { "giTagId": apricot_gi, "cooperativeId": sham, "auNumber": "AU/RKA/OLD/9",
                    "validFrom": "2023-01-01", "validUntil": "2025-01-01" } }),
        )
        .await;
    let stale_id = stale["data"]["giAuthorisedUserRegister"]["authorisedUser"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{stale}"))
        .to_owned();
    let refused = server
        .graphql_as(
            Some(&admin),
            VERIFY_AU,
            json!({ "input": { "id": stale_id, "approve": true } }),
        )
        .await;
    assert_eq!(
        error_fields(&refused, "giAuthorisedUserVerify"),
        ["input.id"],
        "{refused}"
    );

    // A revoked authorisation takes the claims off at once.
    let garkhon = cooperative_id(&server, &admin, "garkhon-raktsey-karpo-collective-demo").await;
    let registrations = server
        .graphql_as(
            Some(&admin),
            "query($id: ID!) { cooperative(id: $id) { giAuthorisations { id auNumber } } }",
            json!({ "id": garkhon }),
        )
        .await;
    let garkhon_au = registrations["data"]["cooperative"]["giAuthorisations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["auNumber"] == "AU/RKA/DEMO/0002")
        .and_then(|a| a["id"].as_str())
        .unwrap_or_else(|| panic!("{registrations}"))
        .to_owned();
    let revoked = server
        .graphql_as(
            Some(&admin),
            VERIFY_AU,
            json!({ "input": { "id": garkhon_au, "approve": false } }),
        )
        .await;
    assert_eq!(
        revoked["data"]["giAuthorisedUserVerify"]["authorisedUser"]["status"], "REVOKED",
        "{revoked}"
    );
    server.drain_all().await;
    let filtered = server
        .graphql_as(Some(&buyer), FILTERED, json!({ "gi": apricot_gi }))
        .await;
    assert_eq!(
        node_slugs(&filtered["data"]["products"]["nodes"]),
        Vec::<String>::new(),
        "{filtered}"
    );
    let searched = server.graphql(SEARCH, by_gi).await;
    assert!(
        node_slugs(&searched["data"]["search"]["edges"])
            .iter()
            .all(|slug| !slug.starts_with("garkhon-")),
        "{searched}"
    );
    Ok(())
}

async fn protected_names_need_an_authorisation(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let weaver = staff_token(&server, &admin, &chuchot, "MANAGER").await;
    let stole = product_id(
        &server,
        Some(&weaver),
        "ladakh-pashmina-stole-walnut-dyed-200x70",
    )
    .await;
    let update = |input: Value| {
        let server = &server;
        let weaver = weaver.clone();
        async move {
            server
                .graphql_as(Some(&weaver), PRODUCT_UPDATE, json!({ "input": input }))
                .await
        }
    };

    // A J&K GI no Ladakh cooperative can be an authorised user of.
    let kashmir =
        update(json!({ "id": stole, "title": "Kashmir Pashmina Stole, walnut dyed" })).await;
    assert_eq!(
        error_fields(&kashmir, "productUpdate"),
        ["input.title"],
        "{kashmir}"
    );
    let message = messages(&kashmir, "productUpdate");
    assert!(
        message.contains("\"Kashmir Pashmina\"") && message.contains("GI application 46"),
        "the error names the word and the GI: {message}"
    );
    // A Ladakh GI whose authorised user this cooperative is not, in any text.
    let apricot =
        update(json!({ "id": stole, "description": "Dyed with raktsey-karpo kernels." })).await;
    assert_eq!(
        error_fields(&apricot, "productUpdate"),
        ["input.description"],
        "{apricot}"
    );
    assert!(messages(&apricot, "productUpdate").contains("Raktsey Karpo Apricot"));
    // Its own GI's name it may use.
    let own = update(json!({ "id": stole, "title": "Ladakh Pashmina Stole, walnut dyed" })).await;
    assert!(user_errors(&own, "productUpdate").is_empty(), "{own}");

    // Drafts are not public; going live runs the check.
    let draft =
        update(json!({ "id": stole, "status": "DRAFT", "title": "Kashmir Pashmina Stole" })).await;
    assert!(user_errors(&draft, "productUpdate").is_empty(), "{draft}");
    let live = update(json!({ "id": stole, "status": "ACTIVE" })).await;
    assert_eq!(
        error_fields(&live, "productUpdate"),
        ["input.title"],
        "{live}"
    );

    // An authorised user of the apricot GI may name it, but never the Kashmir GI, and
    // a description counts as much as a title.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let grower = staff_token(&server, &admin, &sham, "MANAGER").await;
    let dried = product_id(&server, Some(&grower), "raktsey-karpo-dried-apricots-500g").await;
    let allowed = server
        .graphql_as(
            Some(&grower),
            PRODUCT_UPDATE,
            json!({ "input": { "id": dried, "title": "Raktsey Karpo Dried Apricots, 500 g" } }),
        )
        .await;
    assert!(
        user_errors(&allowed, "productUpdate").is_empty(),
        "{allowed}"
    );
    let halman = product_id(&server, Some(&grower), "halman-dried-apricots-1kg").await;
    let attribute = server
        .graphql_as(
            Some(&grower),
            PRODUCT_UPDATE,
            json!({ "input": { "id": halman, "description": "Packed like Kashmiri pashmina: with care." } }),
        )
        .await;
    assert_eq!(
        error_fields(&attribute, "productUpdate"),
        ["input.description"],
        "{attribute}"
    );
    Ok(())
}

async fn a_shipping_pin_must_belong_to_the_declared_state(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let buyer = buyer_token(&server, "pin-buyer@example.org").await;
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { variants { id } } }",
            json!({}),
        )
        .await;
    let variant = product["data"]["product"]["variants"][0]["id"].clone();
    let added = crate::orders::add_to_cart(&server, Some(&buyer), None, &variant, 1).await;
    assert!(user_errors(&added, "cartAddItem").is_empty(), "{added}");
    // 110001 is in postal region 1 like Ladakh, but it is a Delhi PIN.
    let address = |pin: &str, state: &str| {
        json!({ "name": "Tsering Dolma", "phone": "9876543210", "line1": "Main Bazaar", "city": "Leh",
                "pinCode": pin, "stateCode": state })
    };
    let wrong = crate::orders::place_order(
        &server,
        &buyer,
        "pin-1",
        address("110001", "38"),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(
        error_fields(&wrong, "placeOrder"),
        ["input.shippingAddress.pinCode"],
        "{wrong}"
    );
    assert!(messages(&wrong, "placeOrder").contains("194"), "{wrong}");
    let kargil = crate::orders::place_order(
        &server,
        &buyer,
        "pin-2",
        address("194103", "38"),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&kargil, "placeOrder").is_empty(), "{kargil}");
    Ok(())
}

/// The goods check reads the HSN code the product's invoices print: its own when it
/// overrides its category's.
async fn the_gi_goods_check_reads_the_products_own_hsn(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let apricot_gi = gi_tag_id(&server, "raktsey-karpo-apricot").await;
    let set_hsn = |id: String, hsn: &'static str| {
        let (server, manager) = (&server, &manager);
        async move {
            server
                .graphql_as(
                    Some(manager),
                    "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { hsnCode } errors { field code message } } }",
                    json!({ "input": { "id": id, "hsnCode": hsn } }),
                )
                .await
        }
    };
    let claim = |id: String| {
        let (server, manager, apricot_gi) = (&server, &manager, &apricot_gi);
        async move {
            server
                .graphql_as(
                    Some(manager),
                    CLAIM,
                    json!({ "input": { "productId": id, "giTagId": apricot_gi } }),
                )
                .await
        }
    };

    // Dried apricots (category HSN 0813, covered) declared as preserved apricots
    // (2008 50, not covered): refused, naming the product's code.
    let pitted = product_id(&server, Some(&manager), "sham-pitted-dried-apricots-500g").await;
    let set = set_hsn(pitted.clone(), "20085000").await;
    assert!(user_errors(&set, "productUpdate").is_empty(), "{set}");
    let refused = claim(pitted.clone()).await;
    assert_eq!(
        error_fields(&refused, "productGiClaim"),
        ["input.giTagId"],
        "{refused}"
    );
    assert!(
        messages(&refused, "productGiClaim").contains("20085000"),
        "{refused}"
    );
    // Without the override the category's code applies again, and the goods pass.
    let cleared = set_hsn(pitted.clone(), "").await;
    assert!(
        user_errors(&cleared, "productUpdate").is_empty(),
        "{cleared}"
    );
    let through = claim(pitted).await;
    assert!(
        !error_fields(&through, "productGiClaim").contains(&"input.giTagId".to_owned()),
        "{through}"
    );
    // A claimed product cannot be given a code its GI does not cover.
    let dried = product_id(&server, Some(&manager), "raktsey-karpo-dried-apricots-500g").await;
    let moved = set_hsn(dried, "20085000").await;
    assert_eq!(
        error_fields(&moved, "productUpdate"),
        ["input.hsnCode"],
        "{moved}"
    );

    // And the other way: kernels' category made a covered category, but its HSN
    // (1212) is not among the GI's prefixes, so only a covered override lets them in.
    let widened = server
        .graphql_as(
            Some(&admin),
            GI_TAG_UPDATE,
            json!({ "input": { "id": apricot_gi, "coveredCategories": ["apricot-fresh", "apricot-dried", "apricot-kernels"],
                    "hsnPrefixes": ["0809", "0813"] } }),
        )
        .await;
    assert!(user_errors(&widened, "giTagUpdate").is_empty(), "{widened}");
    let kernels = product_id(&server, Some(&manager), "sham-sweet-apricot-kernels-250g").await;
    let refused = claim(kernels.clone()).await;
    assert_eq!(
        error_fields(&refused, "productGiClaim"),
        ["input.giTagId"],
        "{refused}"
    );
    let set = set_hsn(kernels.clone(), "08131000").await;
    assert!(user_errors(&set, "productUpdate").is_empty(), "{set}");
    let through = claim(kernels).await;
    assert!(
        !error_fields(&through, "productGiClaim").contains(&"input.giTagId".to_owned()),
        "{through}"
    );
    Ok(())
}

both_backends!(
    a_gi_claim_must_match_the_gis_goods,
    the_gi_goods_check_reads_the_products_own_hsn,
    a_claim_lapses_everywhere_with_its_authorisation,
    protected_names_need_an_authorisation,
    a_shipping_pin_must_belong_to_the_declared_state,
);
