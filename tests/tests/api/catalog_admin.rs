//! Writing the catalog over HTTP: cooperatives and their verification, staff
//! invitations, products and variants with their rules, stock, and role checks.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{
            PASSWORD, admin_token, buyer_token, cooperative_id, error_fields, login, staff_token,
            user_errors,
        },
        server::TestDatabase,
    },
};

const COOPERATIVE_CREATE: &str =
    "mutation($input: CooperativeFieldsInput!) { cooperativeCreate(input: $input) {
  cooperative { id slug verificationStatus gstin } errors { field code message } } }";
const COOPERATIVE_VERIFY: &str =
    "mutation($input: CooperativeVerifyInput!) { cooperativeVerify(input: $input) {
  cooperative { verificationStatus } errors { field code message } } }";
const PRODUCT_CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) {
  product { id slug status variants { id sku stockOnHand tierPrices { minQuantity price } } } errors { field code message } } }";
const PRODUCT_UPDATE: &str =
    "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) {
  product { id status } errors { field code message } } }";

fn new_cooperative(gstin: &str) -> Value {
    json!({
        "name": "Demo Hemis Shukpachan Apricot Cooperative",
        "registrationNumber": "LEH/COOP/2026/0099",
        "registrar": "Assistant Registrar Cooperative Societies, Leh",
        "district": "Leh",
        "village": "Hemis Shukpachan",
        "addressLine": "Near the monastery, Hemis Shukpachan",
        "pinCode": "194101",
        "contactEmail": "hemis@example.org",
        "contactPhone": "+91 1982 000001",
        "gstin": gstin,
        "fssaiLicence": "10019022000123"
    })
}

fn apricot_product(cooperative_id: &str, slug: &str) -> Value {
    json!({
        "cooperativeId": cooperative_id,
        "categorySlug": "apricot-dried",
        "title": "Hemis Sun-dried Apricots",
        "slug": slug,
        "description": "Whole apricots dried on rooftops.",
        "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 500 },
        "images": [{ "url": "https://images.example.org/hemis.jpg", "alt": "Dried apricots in a bowl" }],
        "variants": [{ "sku": "HSA-500", "title": "500 g pouch", "price": 52000, "mrp": 60000, "weightGrams": 520,
                       "tierPrices": [{ "minQuantity": 20, "price": 48000 }] }]
    })
}

fn complete_declarations() -> Value {
    json!({
        "netQuantity": "500 g",
        "manufacturerName": "Demo Hemis Shukpachan Apricot Cooperative",
        "manufacturerAddress": "Hemis Shukpachan, Leh, Ladakh 194101",
        "countryOfOrigin": "India",
        "bestBeforeMonths": 12,
        "consumerCare": { "address": "Hemis Shukpachan, Leh, Ladakh 194101", "phone": "+91 1982 000001", "email": "hemis@example.org" }
    })
}

async fn cooperatives_are_registered_verified_and_suspended(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;

    let bad = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_CREATE,
            json!({ "input": { "name": "X", "district": "Atlantis", "pinCode": "012345", "gstin": "38AAACL1234A1ZX",
                    "registrationNumber": "R", "registrar": "R", "village": "V", "addressLine": "A",
                    "contactEmail": "not-an-email", "contactPhone": "1" } }),
        )
        .await;
    let fields = error_fields(&bad, "cooperativeCreate");
    for expected in [
        "input.district",
        "input.pinCode",
        "input.gstin",
        "input.contactEmail",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} missing from {fields:?}"
        );
    }

    // 38 (Ladakh) + a PAN + 1Z + the Luhn mod 36 check character.
    let created = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_CREATE,
            json!({ "input": new_cooperative("38AABCH1234K1ZO") }),
        )
        .await;
    assert_eq!(
        user_errors(&created, "cooperativeCreate").len(),
        0,
        "{created}"
    );
    let cooperative = &created["data"]["cooperativeCreate"]["cooperative"];
    assert_eq!(cooperative["verificationStatus"], "PENDING");
    let id = cooperative["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();

    let hidden = server
        .graphql(
            "query($id: ID) { cooperative(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        error_code(&hidden),
        Some("NOT_FOUND"),
        "pending cooperatives are not public"
    );

    let buyer = buyer_token(&server, "nosy@example.org").await;
    let forbidden = server
        .graphql_as(
            Some(&buyer),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": id, "status": "VERIFIED", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));

    let verified = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": id, "status": "VERIFIED", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    assert_eq!(
        verified["data"]["cooperativeVerify"]["cooperative"]["verificationStatus"],
        "VERIFIED"
    );
    let public = server
        .graphql(
            "query($id: ID) { cooperative(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert!(public["data"]["cooperative"]["name"].is_string());

    let again = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": id, "status": "VERIFIED", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
    let back_to_pending = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": id, "status": "PENDING", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    assert_eq!(error_code(&back_to_pending), Some("CONFLICT"));

    // Suspending a seeded cooperative takes its products off the storefront at once.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let listing =
        "query($id: ID) { products(first: 100, filter: { cooperativeId: $id }) { totalCount } }";
    let before = server.graphql(listing, json!({ "id": sham })).await;
    assert!(before["data"]["products"]["totalCount"].as_u64() > Some(0));
    server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": sham, "status": "SUSPENDED", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    let during = server.graphql(listing, json!({ "id": sham })).await;
    assert_eq!(during["data"]["products"]["totalCount"], 0);
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&product), Some("NOT_FOUND"));
    server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            json!({ "input": { "id": sham, "status": "VERIFIED", "reason": "GSTIN and registration certificate checked" } }),
        )
        .await;
    let after = server.graphql(listing, json!({ "id": sham })).await;
    assert_eq!(
        after["data"]["products"]["totalCount"],
        before["data"]["products"]["totalCount"]
    );
    Ok(())
}

async fn managers_invite_staff_who_act_only_on_their_cooperative(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;

    let invite = "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { invitation { token email cooperativeRole } errors { field code } } }";
    let invited = server
        .graphql_as(Some(&manager), invite, json!({ "input": { "cooperativeId": sham, "email": "Sonam@Example.org", "name": "Sonam" } }))
        .await;
    let token = invited["data"]["staffInvite"]["invitation"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!token.is_empty(), "{invited}");
    assert_eq!(
        invited["data"]["staffInvite"]["invitation"]["cooperativeRole"],
        "STAFF"
    );

    let other = server
        .graphql_as(
            Some(&manager),
            invite,
            json!({ "input": { "cooperativeId": nubra, "email": "x@example.org", "name": "X" } }),
        )
        .await;
    assert_eq!(
        error_code(&other),
        Some("FORBIDDEN"),
        "a manager invites only to their own cooperative"
    );

    let accept = "mutation($input: StaffInviteAcceptInput!) { staffInviteAccept(input: $input) { user { email role cooperativeRole } errors { field code } } }";
    let accepted = server
        .graphql(
            accept,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        accepted["data"]["staffInviteAccept"]["user"]["email"], "sonam@example.org",
        "{accepted}"
    );
    let reused = server
        .graphql(
            accept,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_fields(&reused, "staffInviteAccept"), ["input.token"]);

    let staff = login(&server, "sonam@example.org").await;
    let not_manager = server
        .graphql_as(
            Some(&staff),
            invite,
            json!({ "input": { "cooperativeId": sham, "email": "y@example.org", "name": "Y" } }),
        )
        .await;
    assert_eq!(
        error_code(&not_manager),
        Some("FORBIDDEN"),
        "staff cannot invite"
    );

    let own = server
        .graphql_as(
            Some(&staff),
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&sham, "staff-made-apricots") }),
        )
        .await;
    assert_eq!(user_errors(&own, "productCreate").len(), 0, "{own}");
    let foreign = server
        .graphql_as(
            Some(&staff),
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&nubra, "foreign-apricots") }),
        )
        .await;
    assert_eq!(error_code(&foreign), Some("FORBIDDEN"));
    let foreign_list = server
        .graphql_as(
            Some(&staff),
            "query($id: ID!) { cooperativeProducts(cooperativeId: $id, first: 5) { totalCount } }",
            json!({ "id": nubra }),
        )
        .await;
    assert_eq!(error_code(&foreign_list), Some("FORBIDDEN"));
    Ok(())
}

async fn a_product_goes_live_only_with_its_declarations(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;

    let anonymous = server
        .graphql(
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&sham, "anon") }),
        )
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
    let buyer = buyer_token(&server, "buyer@example.org").await;
    let by_buyer = server
        .graphql_as(
            Some(&buyer),
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&sham, "buyer") }),
        )
        .await;
    assert_eq!(error_code(&by_buyer), Some("FORBIDDEN"));

    let mut invalid = apricot_product(&sham, "invalid-apricots");
    invalid["attributes"]["variety"] = json!("Mango");
    invalid["variants"][0]["price"] = json!(70000);
    invalid["images"][0]["alt"] = json!("");
    let rejected = server
        .graphql_as(Some(&staff), PRODUCT_CREATE, json!({ "input": invalid }))
        .await;
    let fields = error_fields(&rejected, "productCreate");
    for expected in [
        "input.attributes.variety",
        "input.variants.0.price",
        "input.images.0.alt",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} missing from {fields:?}"
        );
    }

    let created = server
        .graphql_as(
            Some(&staff),
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&sham, "hemis-apricots") }),
        )
        .await;
    let product = &created["data"]["productCreate"]["product"];
    assert_eq!(product["status"], "DRAFT", "{created}");
    assert_eq!(
        product["variants"][0]["stockOnHand"], 0,
        "stock arrives with batches"
    );
    assert_eq!(product["variants"][0]["tierPrices"][0]["price"], 48000);
    let id = product["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();

    let duplicate_sku = server
        .graphql_as(
            Some(&staff),
            PRODUCT_CREATE,
            json!({ "input": apricot_product(&sham, "hemis-apricots-2") }),
        )
        .await;
    assert_eq!(
        user_errors(&duplicate_sku, "productCreate")[0]["code"],
        "TAKEN",
        "{duplicate_sku}"
    );

    let draft_public = server
        .graphql("{ product(slug: \"hemis-apricots\") { title } }", json!({}))
        .await;
    assert_eq!(error_code(&draft_public), Some("NOT_FOUND"));
    let draft_staff = server
        .graphql_as(
            Some(&staff),
            "{ product(slug: \"hemis-apricots\") { status } }",
            json!({}),
        )
        .await;
    assert_eq!(draft_staff["data"]["product"]["status"], "DRAFT");

    let too_early = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            json!({ "input": { "id": id, "status": "ACTIVE" } }),
        )
        .await;
    let missing = error_fields(&too_early, "productUpdate");
    for expected in [
        "input.declarations.netQuantity",
        "input.declarations.bestBeforeMonths",
        "input.declarations.consumerCare",
    ] {
        assert!(
            missing.contains(&expected.to_owned()),
            "{expected} missing from {missing:?}"
        );
    }

    let live = server
        .graphql_as(Some(&staff), PRODUCT_UPDATE, json!({ "input": { "id": id, "status": "ACTIVE", "declarations": complete_declarations() } }))
        .await;
    assert_eq!(
        live["data"]["productUpdate"]["product"]["status"], "ACTIVE",
        "{live}"
    );
    let public = server
        .graphql(
            "{ product(slug: \"hemis-apricots\") { title declarations { netQuantity } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        public["data"]["product"]["declarations"]["netQuantity"],
        "500 g"
    );
    Ok(())
}

async fn food_needs_the_cooperatives_fssai_licence(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    // A handloom cooperative has no FSSAI licence.
    let weavers = cooperative_id(&server, &admin, "zanskar-handloom-demo").await;
    let mut product = apricot_product(&weavers, "weavers-apricots");
    product["status"] = json!("ACTIVE");
    product["declarations"] = complete_declarations();
    let refused = server
        .graphql_as(Some(&admin), PRODUCT_CREATE, json!({ "input": product }))
        .await;
    assert!(
        error_fields(&refused, "productCreate").contains(&"input.status".to_owned()),
        "{refused}"
    );
    Ok(())
}

async fn stock_moves_through_the_ledger_and_never_below_zero(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let product = server
        .graphql("{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { variants { id stockOnHand } } }", json!({}))
        .await;
    let variant = &product["data"]["product"]["variants"][0];
    let stock = variant["stockOnHand"].as_i64().unwrap_or_default();
    let adjust = "mutation($input: StockAdjustInput!) { stockAdjust(input: $input) { variant { stockOnHand } errors { field code } } }";
    let too_much = server
        .graphql_as(Some(&admin), adjust, json!({ "input": { "variantId": variant["id"], "delta": -(stock + 1), "reason": "DAMAGED" } }))
        .await;
    assert_eq!(error_fields(&too_much, "stockAdjust"), ["input.delta"]);
    let fine = server
        .graphql_as(Some(&admin), adjust, json!({ "input": { "variantId": variant["id"], "delta": -2, "reason": "DAMAGED", "note": "crushed in transit" } }))
        .await;
    assert_eq!(
        fine["data"]["stockAdjust"]["variant"]["stockOnHand"],
        stock - 2
    );

    let staff_elsewhere = {
        let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
        staff_token(&server, &admin, &nubra, "MANAGER").await
    };
    let foreign = server
        .graphql_as(
            Some(&staff_elsewhere),
            adjust,
            json!({ "input": { "variantId": variant["id"], "delta": 5, "reason": "RECOUNT" } }),
        )
        .await;
    assert_eq!(error_code(&foreign), Some("FORBIDDEN"));
    Ok(())
}

async fn admins_correct_reference_data(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let admin = admin_token(&server).await;
    let update = "mutation($input: CategoryUpdateInput!) { categoryUpdate(input: $input) { category { hsnCode gstRateBp } errors { field } } }";
    let fixed = server
        .graphql_as(Some(&admin), update, json!({ "input": { "slug": "sea-buckthorn-tea", "hsnCode": "21069099", "gstRateBp": 1800 } }))
        .await;
    assert_eq!(
        fixed["data"]["categoryUpdate"]["category"]["gstRateBp"], 1800,
        "{fixed}"
    );
    let bad = server
        .graphql_as(
            Some(&admin),
            update,
            json!({ "input": { "slug": "sea-buckthorn-tea", "hsnCode": "21A" } }),
        )
        .await;
    assert_eq!(error_fields(&bad, "categoryUpdate"), ["input.hsnCode"]);
    let buyer = buyer_token(&server, "b@example.org").await;
    let forbidden = server
        .graphql_as(
            Some(&buyer),
            update,
            json!({ "input": { "slug": "sea-buckthorn-tea", "gstRateBp": 0 } }),
        )
        .await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));

    let districts = server.graphql("{ districts { name } }", json!({})).await;
    assert_eq!(
        districts["data"]["districts"].as_array().map(Vec::len),
        Some(7)
    );
    let added = server
        .graphql_as(Some(&admin), "mutation { districtCreate(input: { name: \"Shyok\" }) { district { name } errors { code } } }", json!({}))
        .await;
    assert_eq!(added["data"]["districtCreate"]["district"]["name"], "Shyok");
    Ok(())
}

async fn hostile_text_is_stored_verbatim_and_changes_nothing_else(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let before = server
        .graphql("{ products(first: 1) { totalCount } }", json!({}))
        .await;
    let hostile_title = "Robert'); DROP TABLE products;-- <script>alert('x')</script> ख़ुबानी";
    let hostile_description = "\" OR 1=1 -- ; <img src=x onerror=alert(1)> \\ %00 ${7*7}";
    let mut product = apricot_product(&sham, "hostile-text-apricots");
    product["title"] = json!(hostile_title);
    product["description"] = json!(hostile_description);
    product["status"] = json!("ACTIVE");
    product["declarations"] = complete_declarations();
    let created = server
        .graphql_as(Some(&admin), PRODUCT_CREATE, json!({ "input": product }))
        .await;
    assert_eq!(user_errors(&created, "productCreate").len(), 0, "{created}");
    let read = server
        .graphql(
            "{ product(slug: \"hostile-text-apricots\") { title description } }",
            json!({}),
        )
        .await;
    assert_eq!(read["data"]["product"]["title"], hostile_title);
    assert_eq!(read["data"]["product"]["description"], hostile_description);
    for district in ["'; DELETE FROM cooperatives; --", "Leh' OR '1'='1"] {
        let filtered = server
            .graphql(
                "query($d: String) { products(first: 5, filter: { district: $d }) { totalCount } }",
                json!({ "d": district }),
            )
            .await;
        assert_eq!(filtered["data"]["products"]["totalCount"], 0, "{filtered}");
    }
    let after = server
        .graphql("{ products(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        after["data"]["products"]["totalCount"].as_u64(),
        before["data"]["products"]["totalCount"]
            .as_u64()
            .map(|n| n + 1),
        "only the new product was added"
    );
    Ok(())
}

both_backends!(
    hostile_text_is_stored_verbatim_and_changes_nothing_else,
    cooperatives_are_registered_verified_and_suspended,
    managers_invite_staff_who_act_only_on_their_cooperative,
    a_product_goes_live_only_with_its_declarations,
    food_needs_the_cooperatives_fssai_licence,
    stock_moves_through_the_ledger_and_never_below_zero,
    admins_correct_reference_data,
    verification_is_recorded_and_registration_changes_wait_for_it,
    consumer_care_is_an_address_a_phone_and_an_email,
    nonsense_declarations_are_refused_field_by_field,
);

/// A verified cooperative's registration (GSTIN, FSSAI licence) was checked by an
/// admin: a change waits for the next verification, each decision is recorded with
/// who checked what and why, and admins read the history.
async fn verification_is_recorded_and_registration_changes_wait_for_it(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let update = "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { errors { field code message }
        cooperative { gstin fssaiLicence pendingRegistration { gstin gstRegime stateCode fssaiLicence } } } }";
    let view = "query($id: ID) { cooperative(id: $id) { gstin fssaiLicence pendingRegistration { gstin fssaiLicence } } }";
    let history = "query($id: ID!) { cooperativeVerifications(cooperativeId: $id) {
        fromStatus toStatus gstin gstRegime stateCode fssaiLicence appliedChange reason actorUserId } }";
    let verify = |status: &str, reason: &str| json!({ "input": { "id": sham, "status": status, "reason": reason } });

    // The manager changes the GSTIN and the FSSAI licence: both wait.
    let changed = server
        .graphql_as(
            Some(&manager),
            update,
            json!({ "i": { "id": sham, "fields": {
            "gstin": "38AAAAS1234A2Z2", "fssaiLicence": "10038019000202" } } }),
        )
        .await;
    assert!(
        user_errors(&changed, "cooperativeUpdate").is_empty(),
        "{changed}"
    );
    assert_eq!(
        changed["data"]["cooperativeUpdate"]["cooperative"],
        json!({ "gstin": "38AAAAS1234A1Z3", "fssaiLicence": "10038019000101",
                "pendingRegistration": { "gstin": "38AAAAS1234A2Z2", "gstRegime": "REGULAR",
                                         "stateCode": "38", "fssaiLicence": "10038019000202" } })
    );
    // The public sees the registration in force, not the pending one.
    let public = server.graphql(view, json!({ "id": sham })).await;
    assert_eq!(
        public["data"]["cooperative"],
        json!({ "gstin": "38AAAAS1234A1Z3", "fssaiLicence": "10038019000101", "pendingRegistration": null })
    );

    // Every decision needs a reason.
    let silent = server
        .graphql_as(Some(&admin), COOPERATIVE_VERIFY, verify("SUSPENDED", " "))
        .await;
    assert_eq!(
        error_fields(&silent, "cooperativeVerify"),
        ["input.reason"],
        "{silent}"
    );
    let suspended = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            verify(
                "SUSPENDED",
                "GSTIN change to be checked against the registration certificate",
            ),
        )
        .await;
    assert_eq!(
        suspended["data"]["cooperativeVerify"]["cooperative"]["verificationStatus"], "SUSPENDED",
        "{suspended}"
    );
    let still = server
        .graphql_as(Some(&manager), view, json!({ "id": sham }))
        .await;
    assert_eq!(
        still["data"]["cooperative"]["gstin"], "38AAAAS1234A1Z3",
        "a suspension applies nothing: {still}"
    );
    // Verifying puts the checked change into effect.
    let verified = server
        .graphql_as(Some(&admin), COOPERATIVE_VERIFY, verify("VERIFIED", "new GSTIN 38AAAAS1234A2Z2 on the GST portal; FSSAI licence 10038019000202 on FoSCoS"))
        .await;
    assert_eq!(
        verified["data"]["cooperativeVerify"]["cooperative"]["verificationStatus"], "VERIFIED",
        "{verified}"
    );
    let now = server
        .graphql_as(Some(&manager), view, json!({ "id": sham }))
        .await;
    assert_eq!(
        now["data"]["cooperative"],
        json!({ "gstin": "38AAAAS1234A2Z2", "fssaiLicence": "10038019000202", "pendingRegistration": null })
    );

    // A food seller is not verified without an FSSAI licence: removing it waits, and
    // the re-verification that would apply it is refused.
    let dropped = server
        .graphql_as(
            Some(&manager),
            update,
            json!({ "i": { "id": sham, "fields": { "fssaiLicence": "" } } }),
        )
        .await;
    assert_eq!(
        dropped["data"]["cooperativeUpdate"]["cooperative"]["fssaiLicence"], "10038019000202",
        "{dropped}"
    );
    let refused = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            verify("VERIFIED", "licence surrendered"),
        )
        .await;
    assert_eq!(error_code(&refused), Some("CONFLICT"), "{refused}");
    // With nothing pending, a verified cooperative cannot be verified again.
    let restored = server
        .graphql_as(
            Some(&manager),
            update,
            json!({ "i": { "id": sham, "fields": { "fssaiLicence": "10038019000303" } } }),
        )
        .await;
    assert!(
        user_errors(&restored, "cooperativeUpdate").is_empty(),
        "{restored}"
    );
    let reverified = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            verify("VERIFIED", "renewed FSSAI licence checked on FoSCoS"),
        )
        .await;
    assert_eq!(
        reverified["data"]["cooperativeVerify"]["cooperative"]["verificationStatus"], "VERIFIED",
        "{reverified}"
    );
    let again = server
        .graphql_as(
            Some(&admin),
            COOPERATIVE_VERIFY,
            verify("VERIFIED", "again"),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    // Admins read who checked what and why; the seed's own verification comes first.
    let admin_id = server
        .graphql_as(Some(&admin), "{ me { id } }", json!({}))
        .await["data"]["me"]["id"]
        .clone();
    let records = server
        .graphql_as(Some(&admin), history, json!({ "id": sham }))
        .await;
    let rows = records["data"]["cooperativeVerifications"]
        .as_array()
        .unwrap();
    assert_eq!(rows.len(), 4, "{records}");
    assert_eq!(
        rows[1..],
        [
            json!({ "fromStatus": "VERIFIED", "toStatus": "SUSPENDED", "gstin": "38AAAAS1234A1Z3", "gstRegime": "REGULAR",
                    "stateCode": "38", "fssaiLicence": "10038019000101", "appliedChange": false,
                    "reason": "GSTIN change to be checked against the registration certificate", "actorUserId": admin_id }),
            json!({ "fromStatus": "SUSPENDED", "toStatus": "VERIFIED", "gstin": "38AAAAS1234A2Z2", "gstRegime": "REGULAR",
                    "stateCode": "38", "fssaiLicence": "10038019000202", "appliedChange": true,
                    "reason": "new GSTIN 38AAAAS1234A2Z2 on the GST portal; FSSAI licence 10038019000202 on FoSCoS", "actorUserId": admin_id }),
            json!({ "fromStatus": "VERIFIED", "toStatus": "VERIFIED", "gstin": "38AAAAS1234A2Z2", "gstRegime": "REGULAR",
                    "stateCode": "38", "fssaiLicence": "10038019000303", "appliedChange": true,
                    "reason": "renewed FSSAI licence checked on FoSCoS", "actorUserId": admin_id }),
        ]
    );
    let theirs = server
        .graphql_as(Some(&manager), history, json!({ "id": sham }))
        .await;
    assert_eq!(error_code(&theirs), Some("FORBIDDEN"), "{theirs}");
    Ok(())
}

const CONSUMER_CARE: &str = "query($s: String!) { product(slug: $s) {
  declarations { consumerCare { address phone email legacyText } } } }";

/// The consumer-care declaration (Legal Metrology Rule 6(1)(b)) is an address, a phone
/// number and an e-mail address, each checked with its own field error, normalised,
/// shown on the product page; the old free text was migrated into them and is kept.
async fn consumer_care_is_an_address_a_phone_and_an_email(backend: Backend) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let database = TestDatabase::fresh(backend).await?;
    let server = TestServer::spawn_on(database, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let slug = "raktsey-karpo-dried-apricots-500g";
    let seeded = server.graphql(CONSUMER_CARE, json!({ "s": slug })).await;
    assert_eq!(
        seeded["data"]["product"]["declarations"]["consumerCare"],
        json!({ "address": "Main Road, Domkhar, Khaltse, Sham 194106", "phone": "+911982000101",
                "email": "sham-apricot@example.org", "legacyText": null })
    );
    let id = server
        .graphql(
            "query($s: String!) { product(slug: $s) { id } }",
            json!({ "s": slug }),
        )
        .await["data"]["product"]["id"]
        .clone();
    let update = |care: Value| {
        json!({ "input": { "id": id, "declarations": {
            "netQuantity": "500 g", "manufacturerName": "Demo Sham Valley Apricot Growers Cooperative (demo)",
            "manufacturerAddress": "Main Road, Domkhar, Khaltse, Sham, Ladakh 194106", "countryOfOrigin": "India",
            "bestBeforeMonths": 12, "consumerCare": care } } })
    };
    // Nonsense is refused part by part.
    let nonsense = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            update(json!({ "address": "x", "phone": "1", "email": "care" })),
        )
        .await;
    assert_eq!(
        error_fields(&nonsense, "productUpdate"),
        [
            "input.declarations.consumerCare.address",
            "input.declarations.consumerCare.phone",
            "input.declarations.consumerCare.email"
        ],
        "{nonsense}"
    );
    let no_pin = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            update(json!({ "address": "Main Road, Domkhar, Ladakh", "phone": "01982 252 100", "email": "Care@Sham.Example.org" })),
        )
        .await;
    assert_eq!(
        error_fields(&no_pin, "productUpdate"),
        ["input.declarations.consumerCare.address"]
    );
    // A good one is stored normalised and shown on the product page.
    let saved = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            update(json!({ "address": "  Consumer Cell, Main Road,  Domkhar, Ladakh 194106 ", "phone": "01982 252 100",
                           "email": "Care@Sham.Example.org" })),
        )
        .await;
    assert!(user_errors(&saved, "productUpdate").is_empty(), "{saved}");
    let stored = server.graphql(CONSUMER_CARE, json!({ "s": slug })).await;
    assert_eq!(
        stored["data"]["product"]["declarations"]["consumerCare"],
        json!({ "address": "Consumer Cell, Main Road, Domkhar, Ladakh 194106", "phone": "+911982252100",
                "email": "Care@sham.example.org", "legacyText": null })
    );
    let page = reqwest::get(server.url(&format!("/products/{slug}")))
        .await?
        .text()
        .await?;
    assert!(
        page.contains(
            "<span class=\"care-address\">Consumer Cell, Main Road, Domkhar, Ladakh 194106</span>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"tel:+911982252100\">+911982252100</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"mailto:Care@sham.example.org\">Care@sham.example.org</a>"),
        "{page}"
    );

    // The migration from free text: back to the text, one listing's text as the old
    // listings wrote it, and up again. Down through the consumer-care migration: it and
    // every migration after it, counted from the applied ones.
    let database = server.stop().await;
    let db = sea_orm::Database::connect(database.url.clone()).await?;
    let steps = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations WHERE version >= 'm20261203_100003_consumer_care'",
        ))
        .await?
        .unwrap()
        .try_get::<i64>("", "n")?;
    drop(db);
    let steps = steps.to_string();
    let down = database
        .run_cli(&["migrate", "down", "--steps", &steps], &[], None)
        .await?;
    assert!(down.success, "{}", down.stderr);
    let db = sea_orm::Database::connect(database.url.clone()).await?;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(declarations AS TEXT) AS d FROM products WHERE slug = '{slug}'"),
        ))
        .await?
        .unwrap();
    let mut declarations: Value = serde_json::from_str(&row.try_get::<String>("", "d")?)?;
    assert!(declarations["consumer_care"].is_string(), "{declarations}");
    declarations["consumer_care"] = json!("sham-apricot@example.org / +91 1982 000101");
    db.execute_unprepared(&format!(
        "UPDATE products SET declarations = '{}' WHERE slug = '{slug}'",
        declarations.to_string().replace('\'', "''")
    ))
    .await?;
    drop(db);
    let up = database.run_cli(&["migrate", "up"], &[], None).await?;
    assert!(up.success, "{}", up.stderr);
    let server = TestServer::spawn_on(database, ServerOptions::default()).await?;
    let migrated = server.graphql(CONSUMER_CARE, json!({ "s": slug })).await;
    assert_eq!(
        migrated["data"]["product"]["declarations"]["consumerCare"],
        json!({ "address": "Main Road, Domkhar, Khaltse, Sham 194106", "phone": "+911982000101",
                "email": "sham-apricot@example.org",
                "legacyText": "sham-apricot@example.org / +91 1982 000101" }),
        "the parts the text held, the cooperative's registered office, and the text itself"
    );
    Ok(())
}

/// "x" or "1" cannot stand for a Legal Metrology declaration: each text declaration is
/// checked for what it must say, with its own field error.
async fn nonsense_declarations_are_refused_field_by_field(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let id = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { id } }",
            json!({}),
        )
        .await["data"]["product"]["id"]
        .clone();
    let declare =
        |declarations: Value| json!({ "input": { "id": id, "declarations": declarations } });
    let nonsense = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            declare(
                json!({ "netQuantity": "x", "manufacturerName": "1", "manufacturerAddress": "1",
                            "countryOfOrigin": "1", "bestBeforeMonths": 12,
                            "consumerCare": { "address": "x", "phone": "1", "email": "1" } }),
            ),
        )
        .await;
    assert_eq!(
        error_fields(&nonsense, "productUpdate"),
        [
            "input.declarations.netQuantity",
            "input.declarations.manufacturerName",
            "input.declarations.manufacturerAddress",
            "input.declarations.countryOfOrigin",
            "input.declarations.consumerCare.address",
            "input.declarations.consumerCare.phone",
            "input.declarations.consumerCare.email"
        ],
        "{nonsense}"
    );
    let sensible = server
        .graphql_as(
            Some(&staff),
            PRODUCT_UPDATE,
            declare(json!({ "netQuantity": "500 g", "manufacturerName": "Sham Valley Apricot Growers",
                            "manufacturerAddress": "Main Road, Domkhar, Khaltse, Ladakh 194106",
                            "countryOfOrigin": "India", "bestBeforeMonths": 12,
                            "consumerCare": { "address": "Main Road, Domkhar, Khaltse, Ladakh 194106",
                                              "phone": "+91 1982 000101", "email": "care@example.org" } })),
        )
        .await;
    assert!(
        user_errors(&sensible, "productUpdate").is_empty(),
        "{sensible}"
    );
    Ok(())
}
