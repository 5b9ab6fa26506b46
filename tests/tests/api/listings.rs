//! Listings that tell the truth, over HTTP: a GI only on the goods its registration
//! covers, claims that lapse with their authorisation, protected names, Legal Metrology
//! declarations per variant, cooperative verification, batch corrections and the PIN
//! of a shipping address.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, cooperative_id, error_fields, staff_token, user_errors},
    },
};

const CLAIM: &str = "mutation($input: ProductGiClaimInput!) { productGiClaim(input: $input) {
  giClaim { giTag { slug } validNow } errors { field code message } } }";
const PRODUCT_UPDATE: &str =
    "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) {
  product { id status category { slug } } errors { field code message } } }";
const GI_TAG_UPDATE: &str = "mutation($input: GiTagUpdateInput!) { giTagUpdate(input: $input) {
  giTag { slug coveredCategories hsnPrefixes } errors { field code message } } }";

async fn gi_tag_id(server: &TestServer, slug: &str) -> String {
    let tags = server.graphql("{ giTags { id slug } }", json!({})).await;
    tags["data"]["giTags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["slug"] == slug)
        .and_then(|t| t["id"].as_str())
        .unwrap_or_else(|| panic!("no GI {slug}: {tags}"))
        .to_owned()
}

async fn product_id(server: &TestServer, token: &str, slug: &str) -> String {
    let found = server
        .graphql_as(
            Some(token),
            "query($slug: String!) { product(slug: $slug) { id } }",
            json!({ "slug": slug }),
        )
        .await;
    found["data"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no product {slug}: {found}"))
        .to_owned()
}

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
    let kernels = product_id(&server, &manager, "sham-sweet-apricot-kernels-250g").await;
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
    let dried = product_id(&server, &manager, "raktsey-karpo-dried-apricots-500g").await;
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

both_backends!(a_gi_claim_must_match_the_gis_goods);
