//! GI provenance over HTTP: the register, authorised users, the GI claim rules,
//! batches adding stock, the hash chain and its tamper detection, and EPCIS export.

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, cooperative_id, error_fields, gi_tag_id, staff_token, user_errors},
    },
};

const VERIFY: &str = "query($code: String!) { verifyProvenance(code: $code) {
  chainIntact firstBrokenSequence epcisUrl
  batch { code originDistrict producedOn quantity certificates { kind documentUrl } }
  product { slug } variant { sku } cooperative { slug }
  giClaims { giTag { slug } validForBatch validNow authorisation { auNumber status } }
  events { sequence kind previousHash contentHash } } }";
const BATCH_CREATE: &str = "mutation($input: BatchCreateInput!) { batchCreate(input: $input) {
  batch { id code quantity } errors { field code message } } }";
const CLAIM: &str = "mutation($input: ProductGiClaimInput!) { productGiClaim(input: $input) {
  giClaim { giTag { slug } validNow authorisation { auNumber } } errors { field code message } } }";
const REGISTER_AU: &str =
    "mutation($input: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $input) {
  authorisedUser { id status validNow } errors { field code message } } }";
const VERIFY_AU: &str =
    "mutation($input: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $input) {
  authorisedUser { status validNow } errors { field code } } }";
const EVENT_ADD: &str =
    "mutation($input: ProvenanceEventAddInput!) { provenanceEventAdd(input: $input) {
  event { sequence previousHash contentHash } errors { field code message } } }";

async fn the_gi_register_keeps_unconfirmed_facts_as_correctable_data(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let tags = server
        .graphql("{ giTags { slug name applicationNumber factsConfirmed areaDistricts registrationDate inForce } }", json!({}))
        .await;
    let list = tags["data"]["giTags"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let slugs: Vec<&str> = list.iter().filter_map(|t| t["slug"].as_str()).collect();
    for expected in [
        "raktsey-karpo-apricot",
        "ladakh-seabuckthorn",
        "ladakh-pashmina",
        "ladakh-wood-carving",
    ] {
        assert!(
            slugs.contains(&expected),
            "{expected} is seeded in every environment: {slugs:?}"
        );
    }
    assert!(
        list.iter()
            .all(|t| t["applicationNumber"].is_null() && t["factsConfirmed"] == false),
        "unconfirmed facts stay null"
    );

    let admin = admin_token(&server).await;
    let id = gi_tag_id(&server, "raktsey-karpo-apricot").await;
    let corrected = server
        .graphql_as(
            Some(&admin),
            "mutation($input: GiTagUpdateInput!) { giTagUpdate(input: $input) { giTag { applicationNumber classOfGoods } errors { field } } }",
            json!({ "input": { "id": id, "applicationNumber": "GI-APP-DEMO-1", "classOfGoods": "31" } }),
        )
        .await;
    assert_eq!(
        corrected["data"]["giTagUpdate"]["giTag"]["applicationNumber"], "GI-APP-DEMO-1",
        "{corrected}"
    );
    Ok(())
}

async fn verify_provenance_shows_the_trail_and_its_gi_claim(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let report = server
        .graphql(VERIFY, json!({ "code": "ldk-rka-25-0001" }))
        .await;
    let report = &report["data"]["verifyProvenance"];
    assert_eq!(report["chainIntact"], true, "{report}");
    assert_eq!(
        report["product"]["slug"],
        "raktsey-karpo-dried-apricots-500g"
    );
    assert_eq!(
        report["giClaims"][0]["giTag"]["slug"],
        "raktsey-karpo-apricot"
    );
    assert_eq!(report["giClaims"][0]["validForBatch"], true);
    assert_eq!(report["giClaims"][0]["authorisation"]["status"], "VERIFIED");
    let events = report["events"].as_array().cloned().unwrap_or_default();
    assert!(events.len() >= 3);
    assert_eq!(events[0]["previousHash"], "0".repeat(64));
    for pair in events.windows(2) {
        assert_eq!(
            pair[1]["previousHash"], pair[0]["contentHash"],
            "each event links to the one before"
        );
    }
    // A QR code carries a URL ending in the code.
    let from_qr = server
        .graphql(
            VERIFY,
            json!({ "code": "https://market.example.org/p/LDK-RKA-25-0001" }),
        )
        .await;
    assert_eq!(
        from_qr["data"]["verifyProvenance"]["batch"]["code"],
        "LDK-RKA-25-0001"
    );
    let unknown = server.graphql(VERIFY, json!({ "code": "NOPE-0000" })).await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));

    let epcis: Value = server
        .client
        .get(server.url("/provenance/LDK-RKA-25-0001/epcis.jsonld"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(epcis["type"], "EPCISDocument");
    assert_eq!(epcis["schemaVersion"], "2.0");
    let list = epcis["epcisBody"]["eventList"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), events.len());
    assert_eq!(list[0]["type"], "ObjectEvent");
    assert_eq!(list[0]["bizStep"], "commissioning");
    assert_eq!(list[0]["ilmd"]["lm:originVillage"], "Domkhar");
    let missing = server
        .client
        .get(server.url("/provenance/NOPE-0000/epcis.jsonld"))
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    Ok(())
}

async fn an_edited_event_breaks_the_chain(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let db = Database::connect(server.database.url.clone()).await?;
    // Someone quietly improves the drying notes in the database.
    let batch_id = "(SELECT id FROM batches WHERE code = 'LDK-RKA-25-0001')";
    db.execute_unprepared(&format!(
        "UPDATE provenance_events SET notes = 'dried in a certified facility' WHERE batch_id = {batch_id} AND sequence = 2"
    ))
    .await?;
    let report = server
        .graphql(VERIFY, json!({ "code": "LDK-RKA-25-0001" }))
        .await;
    assert_eq!(report["data"]["verifyProvenance"]["chainIntact"], false);
    assert_eq!(report["data"]["verifyProvenance"]["firstBrokenSequence"], 2);

    // Deleting an event is caught too.
    db.execute_unprepared(
        "DELETE FROM provenance_events WHERE sequence = 2 AND batch_id = \
         (SELECT id FROM batches WHERE code = 'LDK-SBT-25-0001')",
    )
    .await?;
    let other = server
        .graphql(VERIFY, json!({ "code": "LDK-SBT-25-0001" }))
        .await;
    let other = &other["data"]["verifyProvenance"];
    assert_eq!(other["chainIntact"], false, "{other}");
    assert_eq!(other["firstBrokenSequence"], 3, "{other}");
    // Batches nobody touched stay intact.
    let untouched = server
        .graphql(VERIFY, json!({ "code": "LDK-RKA-25-0002" }))
        .await;
    assert_eq!(
        untouched["data"]["verifyProvenance"]["chainIntact"], true,
        "{untouched}"
    );
    Ok(())
}

async fn gi_claims_follow_the_rules(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let coop = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let manager = staff_token(&server, &admin, &coop, "MANAGER").await;
    let apricot_gi = gi_tag_id(&server, "raktsey-karpo-apricot").await;

    // A product with a batch from outside every Ladakh GI area.
    let created = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { id } } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": coop, "categorySlug": "apricot-dried", "title": "Test Woollen Scarf", "slug": "test-woollen-scarf",
                "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 500 }, "variants": [{ "sku": "TWS-1", "title": "One size", "price": 150000, "mrp": 160000, "weightGrams": 200 }]
            } }),
        )
        .await;
    let product = &created["data"]["productCreate"]["product"];
    let product_id = product["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let variant_id = product["variants"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    assert!(!product_id.is_empty(), "{created}");

    let no_batch = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": product_id, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(
        error_fields(&no_batch, "productGiClaim"),
        ["input.productId"],
        "{no_batch}"
    );

    let batch = |code: &str, district: &str, produced_on: &str| {
        json!({ "input": { "variantId": variant_id, "code": code, "originVillage": "Somewhere", "originDistrict": district,
                "producedOn": produced_on, "quantity": 5,
                "certificates": [{ "kind": "LAB_REPORT", "issuer": "Demo Lab", "number": "L-1", "issuedOn": "2025-09-01",
                                   "documentUrl": "https://docs.example.org/l-1.pdf" }] } })
    };
    // An origin must be a district the marketplace knows: a typo could never be
    // checked against a GI's area. Kinnaur (Himachal Pradesh) is added by an admin.
    let unknown = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            batch("TWS-25-0001", "Kinaur", "2025-09-01"),
        )
        .await;
    assert_eq!(
        error_fields(&unknown, "batchCreate"),
        ["input.originDistrict"],
        "{unknown}"
    );
    assert_eq!(user_errors(&unknown, "batchCreate")[0]["code"], "NOT_FOUND");
    let added = server
        .graphql_as(
            Some(&admin),
            "mutation { districtCreate(input: { name: \"Kinnaur\" }) { errors { message } } }",
            json!({}),
        )
        .await;
    assert!(user_errors(&added, "districtCreate").is_empty(), "{added}");
    let first = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            batch("TWS-25-0001", "Kinnaur", "2025-09-01"),
        )
        .await;
    assert_eq!(
        first["data"]["batchCreate"]["batch"]["quantity"], 5,
        "{first}"
    );
    let stock = server
        .graphql_as(
            Some(&manager),
            "{ product(slug: \"test-woollen-scarf\") { variants { stockOnHand } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        stock["data"]["product"]["variants"][0]["stockOnHand"], 5,
        "the batch added its quantity to stock"
    );
    let duplicate = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            batch("TWS-25-0001", "Leh", "2025-09-01"),
        )
        .await;
    assert_eq!(user_errors(&duplicate, "batchCreate")[0]["code"], "TAKEN");
    let future = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            batch("TWS-99-0001", "Leh", "2099-01-01"),
        )
        .await;
    assert_eq!(error_fields(&future, "batchCreate"), ["input.producedOn"]);

    // No authorisation for the apricot GI, and the origin is outside its area.
    let refused = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": product_id, "giTagId": apricot_gi } }),
        )
        .await;
    let fields = error_fields(&refused, "productGiClaim");
    assert!(
        fields.contains(&"input.originDistrict".to_owned()),
        "{refused}"
    );

    // Register an authorisation: pending does not count, verified does.
    let registered = server
        .graphql_as(
            Some(&manager),
            REGISTER_AU,
            json!({ "input": { "giTagId": apricot_gi, "cooperativeId": coop, "auNumber": "AU/RKA/TEST/1",
                    "validFrom": "2023-01-01", "validUntil": "2032-12-13" } }),
        )
        .await;
    let au_id = registered["data"]["giAuthorisedUserRegister"]["authorisedUser"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{registered}"))
        .to_owned();
    assert_eq!(
        registered["data"]["giAuthorisedUserRegister"]["authorisedUser"]["status"], "PENDING",
        "{registered}"
    );
    let outliving = server
        .graphql_as(
            Some(&manager),
            REGISTER_AU,
            json!({ "input": { "giTagId": apricot_gi, "cooperativeId": coop, "auNumber": "AU/RKA/TEST/2",
                    "validFrom": "2023-01-01", "validUntil": "2040-01-01" } }),
        )
        .await;
    assert_eq!(
        error_fields(&outliving, "giAuthorisedUserRegister"),
        ["input.validUntil"]
    );
    let not_admin = server
        .graphql_as(
            Some(&manager),
            VERIFY_AU,
            json!({ "input": { "id": au_id, "approve": true } }),
        )
        .await;
    assert_eq!(error_code(&not_admin), Some("FORBIDDEN"));
    let verified = server
        .graphql_as(
            Some(&admin),
            VERIFY_AU,
            json!({ "input": { "id": au_id, "approve": true } }),
        )
        .await;
    assert_eq!(
        verified["data"]["giAuthorisedUserVerify"]["authorisedUser"]["validNow"], true,
        "{verified}"
    );

    // Still refused: the Kinnaur batch is outside the GI area.
    let still = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": product_id, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(
        error_fields(&still, "productGiClaim"),
        ["input.originDistrict"],
        "{still}"
    );

    // A product whose batches are all from inside the area may claim.
    let second = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { id } } } }",
            json!({ "input": {
                "cooperativeId": coop, "categorySlug": "apricot-dried", "title": "Test Scarf Two", "slug": "test-scarf-two",
                "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 500 }, "variants": [{ "sku": "TWS-2", "title": "One size", "price": 150000, "mrp": 160000, "weightGrams": 200 }]
            } }),
        )
        .await;
    let second_id = second["data"]["productCreate"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{second}"))
        .to_owned();
    let second_variant = second["data"]["productCreate"]["product"]["variants"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{second}"))
        .to_owned();
    let batch_two = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            json!({ "input": { "variantId": second_variant, "code": "TWS-25-0002", "originVillage": "Garkhon",
                    "originDistrict": "Kargil", "producedOn": "2025-08-01", "quantity": 3 } }),
        )
        .await;
    assert!(
        batch_two["data"]["batchCreate"]["batch"]["id"].is_string(),
        "{batch_two}"
    );
    let claimed = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": second_id, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(
        claimed["data"]["productGiClaim"]["giClaim"]["validNow"], true,
        "{claimed}"
    );
    assert_eq!(
        claimed["data"]["productGiClaim"]["giClaim"]["authorisation"]["auNumber"],
        "AU/RKA/TEST/1"
    );
    let twice = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": second_id, "giTagId": apricot_gi } }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"));

    // Once claimed, a batch from outside the area is refused.
    let outside = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            json!({ "input": { "variantId": second_variant, "code": "TWS-25-0003", "originVillage": "Kalpa",
                    "originDistrict": "Kinnaur", "producedOn": "2025-08-01", "quantity": 3 } }),
        )
        .await;
    assert_eq!(
        error_fields(&outside, "batchCreate"),
        ["input.originDistrict"],
        "{outside}"
    );

    // Other cooperatives' staff cannot claim for this product.
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let stranger = staff_token(&server, &admin, &nubra, "MANAGER").await;
    let foreign = server
        .graphql_as(
            Some(&stranger),
            CLAIM,
            json!({ "input": { "productId": second_id, "giTagId": apricot_gi } }),
        )
        .await;
    assert!(
        matches!(error_code(&foreign), Some("FORBIDDEN" | "NOT_FOUND")),
        "{foreign}"
    );
    Ok(())
}

async fn events_append_to_the_chain_in_order(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let before = server
        .graphql(VERIFY, json!({ "code": "LDK-RKA-25-0001" }))
        .await;
    let events = before["data"]["verifyProvenance"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = events
        .last()
        .cloned()
        .unwrap_or_else(|| panic!("the batch has events: {before}"));

    let added = server
        .graphql_as(
            Some(&staff),
            EVENT_ADD,
            json!({ "input": { "batchCode": "LDK-RKA-25-0001", "kind": "CERTIFIED", "occurredAt": "2026-01-10T08:00:00Z",
                    "location": "Leh", "notes": "Organic re-inspection passed.", "data": { "inspector": "demo", "score": 96 } } }),
        )
        .await;
    let event = &added["data"]["provenanceEventAdd"]["event"];
    assert_eq!(event["previousHash"], last["contentHash"], "{added}");
    assert_eq!(
        event["sequence"],
        last["sequence"].as_i64().unwrap_or_default() + 1
    );
    let after = server
        .graphql(VERIFY, json!({ "code": "LDK-RKA-25-0001" }))
        .await;
    assert_eq!(after["data"]["verifyProvenance"]["chainIntact"], true);

    let earlier = server
        .graphql_as(
            Some(&staff),
            EVENT_ADD,
            json!({ "input": { "batchCode": "LDK-RKA-25-0001", "kind": "PACKED", "occurredAt": "2025-01-01T00:00:00Z", "location": "Leh" } }),
        )
        .await;
    assert_eq!(
        error_fields(&earlier, "provenanceEventAdd"),
        ["input.occurredAt"]
    );
    let anonymous = server
        .graphql(EVENT_ADD, json!({ "input": { "batchCode": "LDK-RKA-25-0001", "kind": "PACKED", "occurredAt": "2026-02-01T00:00:00Z", "location": "Leh" } }))
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
    Ok(())
}

const BATCH_CORRECT: &str = "mutation($input: BatchCorrectInput!) { batchCorrect(input: $input) {
  batch { code originVillage originDistrict producedOn quantity voidedAt }
  event { kind notes data } errors { field code message } } }";
const BATCH_VOID: &str = "mutation($input: BatchVoidInput!) { batchVoid(input: $input) {
  batch { code voidedAt voidReason } event { kind notes data } errors { field code message } } }";
const RECORD: &str = "query($code: String!) { verifyProvenance(code: $code) {
  recordStatus recordReason recordNote chainIntact
  batch { originDistrict quantity voidedAt }
  giClaims { validForBatch validNow }
  events { kind notes data } } }";

async fn stock_of(server: &TestServer, token: &str, slug: &str) -> i64 {
    let body = server
        .graphql_as(
            Some(token),
            "query($s: String!) { product(slug: $s) { variants { sku stockOnHand } } }",
            json!({ "s": slug }),
        )
        .await;
    body["data"]["product"]["variants"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .find(|v| v["sku"] == "RKDA-500")
        .and_then(|v| v["stockOnHand"].as_i64())
        .unwrap_or_else(|| panic!("{body}"))
}

/// A batch is corrected and voided by its cooperative with a reason; each change is an
/// event of the chain (which stays intact), the verify data and page say so in plain
/// words, a voided batch's units leave the stock, it takes nothing further, and it
/// backs no GI claim, old or new.
async fn batches_are_corrected_and_voided_on_the_chain(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_token(&server, &admin, &nubra, "MANAGER").await;
    let slug = "raktsey-karpo-dried-apricots-500g";
    let variants = server
        .graphql(
            "query($s: String!) { product(slug: $s) { variants { id sku } } }",
            json!({ "s": slug }),
        )
        .await;
    let variant = variants["data"]["product"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "RKDA-500")
        .map(|v| v["id"].clone())
        .unwrap_or_else(|| panic!("{variants}"));
    let start = stock_of(&server, &staff, slug).await;
    let created = server
        .graphql_as(
            Some(&staff),
            BATCH_CREATE,
            json!({ "input": { "variantId": variant, "code": "SHM-26-0100", "originVillage": "Domkar",
                    "originDistrict": "Sham", "producedOn": "2026-07-25", "quantity": 10 } }),
        )
        .await;
    assert!(user_errors(&created, "batchCreate").is_empty(), "{created}");
    assert_eq!(stock_of(&server, &staff, slug).await, start + 10);

    let correct = |input: Value| {
        let server = &server;
        let staff = staff.clone();
        async move {
            server
                .graphql_as(Some(&staff), BATCH_CORRECT, json!({ "input": input }))
                .await
        }
    };
    // An origin must be a known district, and one inside the product's GI area; a
    // reason is required, and a correction must change something.
    let unknown = correct(json!({ "batchCode": "SHM-26-0100", "originDistrict": "Atlantis", "reason": "wrong district" })).await;
    assert_eq!(
        error_fields(&unknown, "batchCorrect"),
        ["input.originDistrict"],
        "{unknown}"
    );
    assert_eq!(
        user_errors(&unknown, "batchCorrect")[0]["code"],
        "NOT_FOUND"
    );
    let added = server
        .graphql_as(
            Some(&admin),
            "mutation { districtCreate(input: { name: \"Kinnaur\" }) { errors { message } } }",
            json!({}),
        )
        .await;
    assert!(user_errors(&added, "districtCreate").is_empty(), "{added}");
    let outside = correct(json!({ "batchCode": "SHM-26-0100", "originDistrict": "Kinnaur", "reason": "wrong district" })).await;
    assert_eq!(
        error_fields(&outside, "batchCorrect"),
        ["input.originDistrict"],
        "{outside}"
    );
    assert_eq!(
        user_errors(&outside, "batchCorrect")[0]["code"],
        "NOT_ALLOWED"
    );
    let no_reason =
        correct(json!({ "batchCode": "SHM-26-0100", "originVillage": "Domkhar", "reason": " " }))
            .await;
    assert_eq!(error_fields(&no_reason, "batchCorrect"), ["input.reason"]);
    let nothing = correct(
        json!({ "batchCode": "SHM-26-0100", "originDistrict": "Sham", "reason": "checking" }),
    )
    .await;
    assert_eq!(error_fields(&nothing, "batchCorrect"), ["input.batchCode"]);
    let foreign = server
        .graphql_as(
            Some(&other),
            BATCH_CORRECT,
            json!({ "input": { "batchCode": "SHM-26-0100", "originVillage": "Domkhar", "reason": "not ours" } }),
        )
        .await;
    assert_eq!(error_code(&foreign), Some("FORBIDDEN"));
    let anonymous = server
        .graphql(
            BATCH_VOID,
            json!({ "input": { "batchCode": "SHM-26-0100", "reason": "not ours" } }),
        )
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    // The correction: the row changes, the difference in quantity goes through the
    // ledger, and a CORRECTED event records what changed, from what to what, and why.
    let corrected = correct(json!({ "batchCode": "SHM-26-0100", "originVillage": "Domkhar", "originDistrict": "Leh",
        "quantity": 12, "reason": "Village and district misspelt at intake; two crates were not counted." })).await;
    assert!(
        user_errors(&corrected, "batchCorrect").is_empty(),
        "{corrected}"
    );
    let payload = &corrected["data"]["batchCorrect"];
    assert_eq!(
        payload["batch"],
        json!({ "code": "SHM-26-0100", "originVillage": "Domkhar", "originDistrict": "Leh",
                "producedOn": "2026-07-25", "quantity": 12, "voidedAt": null })
    );
    assert_eq!(payload["event"]["kind"], "CORRECTED");
    assert_eq!(
        payload["event"]["data"]["changes"],
        json!({ "originVillage": { "from": "Domkar", "to": "Domkhar" },
                "originDistrict": { "from": "Sham", "to": "Leh" },
                "quantity": { "from": 10, "to": 12 } })
    );
    assert_eq!(stock_of(&server, &staff, slug).await, start + 12);
    let report = server
        .graphql(RECORD, json!({ "code": "SHM-26-0100" }))
        .await;
    let report = &report["data"]["verifyProvenance"];
    assert_eq!(report["recordStatus"], "CORRECTED", "{report}");
    assert_eq!(report["chainIntact"], true, "{report}");
    assert_eq!(
        report["recordReason"],
        "Village and district misspelt at intake; two crates were not counted."
    );
    assert!(
        report["recordNote"]
            .as_str()
            .unwrap()
            .starts_with("This batch's record was corrected on "),
        "{report}"
    );
    assert_eq!(report["giClaims"][0]["validForBatch"], true, "{report}");
    assert_eq!(
        report["events"].as_array().unwrap().last().unwrap()["kind"],
        "CORRECTED"
    );

    // Only its own use cases write a correction or a void.
    let forged = server
        .graphql_as(
            Some(&staff),
            EVENT_ADD,
            json!({ "input": { "batchCode": "SHM-26-0100", "kind": "VOIDED", "occurredAt": chrono::Utc::now().to_rfc3339(), "location": "Leh" } }),
        )
        .await;
    assert_eq!(error_fields(&forged, "provenanceEventAdd"), ["input.kind"]);

    // The void: the batch's units leave the stock, the chain ends with VOIDED, and the
    // batch backs no GI claim any more.
    let voided = server
        .graphql_as(
            Some(&staff),
            BATCH_VOID,
            json!({ "input": { "batchCode": "SHM-26-0100", "reason": "Lab found mould in the sample." } }),
        )
        .await;
    assert!(user_errors(&voided, "batchVoid").is_empty(), "{voided}");
    let payload = &voided["data"]["batchVoid"];
    assert!(payload["batch"]["voidedAt"].is_string(), "{voided}");
    assert_eq!(payload["event"]["kind"], "VOIDED");
    assert_eq!(payload["event"]["data"]["unitsWithdrawn"], 12);
    assert_eq!(stock_of(&server, &staff, slug).await, start);
    let report = server
        .graphql(RECORD, json!({ "code": "SHM-26-0100" }))
        .await;
    let report = &report["data"]["verifyProvenance"];
    assert_eq!(report["recordStatus"], "VOIDED", "{report}");
    assert_eq!(report["recordReason"], "Lab found mould in the sample.");
    assert_eq!(report["chainIntact"], true, "{report}");
    assert_eq!(
        report["giClaims"],
        json!([{ "validForBatch": false, "validNow": false }])
    );
    let kinds: Vec<&str> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CORRECTED", "VOIDED"]);
    let page = reqwest::get(server.url("/verify/SHM-26-0100")).await?;
    assert_eq!(page.status(), 200);
    let page = page.text().await?;
    assert!(page.contains("This batch was voided on"), "{page}");
    assert!(page.contains("Lab found mould in the sample."), "{page}");
    assert!(
        page.contains("Batch voided"),
        "the trail names the event: {page}"
    );

    // A voided batch takes nothing further.
    let later = server
        .graphql_as(
            Some(&staff),
            EVENT_ADD,
            json!({ "input": { "batchCode": "SHM-26-0100", "kind": "PACKED", "occurredAt": chrono::Utc::now().to_rfc3339(), "location": "Leh" } }),
        )
        .await;
    assert_eq!(
        error_fields(&later, "provenanceEventAdd"),
        ["input.batchCode"]
    );
    let again = server
        .graphql_as(
            Some(&staff),
            BATCH_VOID,
            json!({ "input": { "batchCode": "SHM-26-0100", "reason": "once more" } }),
        )
        .await;
    assert_eq!(error_fields(&again, "batchVoid"), ["input.batchCode"]);
    let recorrect =
        correct(json!({ "batchCode": "SHM-26-0100", "quantity": 5, "reason": "recount" })).await;
    assert_eq!(
        error_fields(&recorrect, "batchCorrect"),
        ["input.batchCode"]
    );

    // A new claim cannot rest on a voided batch: a product whose only batch is voided
    // has no batch to check the claim against.
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let manager = staff_token(&server, &admin, &chuchot, "MANAGER").await;
    let made = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { id } } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": chuchot, "categorySlug": "apricot-dried", "title": "Voided Batch Apricots", "slug": "voided-batch-apricots",
                "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 500 },
                "variants": [{ "sku": "VBA-1", "title": "One", "price": 50000, "mrp": 60000, "weightGrams": 500 }] } }),
        )
        .await;
    let product = made["data"]["productCreate"]["product"].clone();
    assert!(product["id"].is_string(), "{made}");
    let batch = server
        .graphql_as(
            Some(&manager),
            BATCH_CREATE,
            json!({ "input": { "variantId": product["variants"][0]["id"], "code": "VBA-26-0001", "originVillage": "Chuchot",
                    "originDistrict": "Leh", "producedOn": "2026-07-20", "quantity": 3 } }),
        )
        .await;
    assert!(user_errors(&batch, "batchCreate").is_empty(), "{batch}");
    let void = server
        .graphql_as(
            Some(&manager),
            BATCH_VOID,
            json!({ "input": { "batchCode": "VBA-26-0001", "reason": "Recorded against the wrong product." } }),
        )
        .await;
    assert!(user_errors(&void, "batchVoid").is_empty(), "{void}");
    let claim = server
        .graphql_as(
            Some(&manager),
            CLAIM,
            json!({ "input": { "productId": product["id"], "giTagId": gi_tag_id(&server, "raktsey-karpo-apricot").await } }),
        )
        .await;
    assert_eq!(
        error_fields(&claim, "productGiClaim"),
        ["input.productId"],
        "{claim}"
    );
    Ok(())
}

both_backends!(
    the_gi_register_keeps_unconfirmed_facts_as_correctable_data,
    verify_provenance_shows_the_trail_and_its_gi_claim,
    an_edited_event_breaks_the_chain,
    gi_claims_follow_the_rules,
    events_append_to_the_chain_in_order,
    batches_are_corrected_and_voided_on_the_chain,
);
