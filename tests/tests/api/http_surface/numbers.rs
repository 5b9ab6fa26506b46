//! Numbers that do not fit (issue 14): quantities, stock and prices beyond the
//! business-sized bounds of docs/SECURITY.md ("Limits") get a field-level user error
//! at every door (GraphQL inputs and spreadsheet cells), stock never leaves its bound
//! however it is moved, and the public pages that read the variant keep answering.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use super::hostile::while_healthy;
use crate::{
    both_backends,
    import::{csv, row},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, cooperative_id, error_fields, user_errors},
    },
};

const STOCK_ADJUST: &str = "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) {
  variant { stockOnHand } errors { field code message } } }";
const BATCH_CREATE: &str = "mutation($i: BatchCreateInput!) { batchCreate(input: $i) {
  batch { id } errors { field code message } } }";
const VARIANT_CREATE: &str = "mutation($i: VariantCreateInput!) { variantCreate(input: $i) {
  variant { id } errors { field code message } } }";
const VARIANT_UPDATE: &str = "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) {
  variant { id } errors { field code message } } }";
const CART_ADD: &str = "mutation($i: CartAddItemInput!) { cartAddItem(input: $i) {
  cart { subtotal } errors { field code message } } }";
const IMPORT: &str = "mutation($input: ProductImportInput!) { productImport(input: $input) {
  report { applied rowErrors { row column message } } errors { field code message } } }";
const PUBLIC_PAGES: &str = "query($slug: String, $category: String) {
  product(slug: $slug) { variants { stockOnHand price { amount } } }
  products(first: 50, filter: { categorySlug: $category }) { totalCount nodes { variants { stockOnHand } } }
  search(first: 20) { totalCount nodes { variants { stockOnHand } } } }";

/// Asserts that a mutation was refused with one user error on a field whose path ends
/// with `field` (paths are relative to the input, e.g. `tierPrices.0.minQuantity`).
fn refused_at(body: &Value, mutation: &str, field: &str) {
    let fields = error_fields(body, mutation);
    assert!(
        fields.iter().any(|f| f.ends_with(field)),
        "{mutation}: expected a user error at {field}: {body}"
    );
}

/// The public pages that read every variant of the product and its category: no
/// error, and the stock they show within its bound.
async fn public_pages_answer(server: &TestServer, slug: &str, category: &str) {
    server.drain_all().await;
    let body = while_healthy(
        server,
        server.graphql(PUBLIC_PAGES, json!({ "slug": slug, "category": category })),
    )
    .await;
    assert!(body["errors"].is_null(), "public pages failed: {body}");
    let stocks: Vec<i64> = [
        &body["data"]["product"]["variants"],
        &body["data"]["products"]["nodes"][0]["variants"],
    ]
    .into_iter()
    .flat_map(|variants| variants.as_array().cloned().unwrap_or_default())
    .filter_map(|v| v["stockOnHand"].as_i64())
    .collect();
    assert!(!stocks.is_empty(), "{body}");
    assert!(
        stocks.iter().all(|s| (0..=10_000_000).contains(s)),
        "{body}"
    );
    assert!(
        body["data"]["search"]["totalCount"].as_i64().unwrap_or(0) > 0,
        "{body}"
    );
}

async fn out_of_range_numbers_get_field_errors_and_public_pages_keep_answering(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let listing = server
        .graphql(
            "{ products(first: 1) { nodes { id slug category { slug } variants { id } } } }",
            json!({}),
        )
        .await;
    let product = &listing["data"]["products"]["nodes"][0];
    let slug = product["slug"]
        .as_str()
        .expect("a seeded product")
        .to_owned();
    let category = product["category"]["slug"]
        .as_str()
        .expect("its category")
        .to_owned();
    let product_id = product["id"].as_str().expect("its id").to_owned();
    let variant = product["variants"][0]["id"]
        .as_str()
        .expect("a variant")
        .to_owned();

    // Stock moved by i32::MAX (or i32::MIN) units at once, by an adjustment or a batch.
    for delta in [i64::from(i32::MAX), i64::from(i32::MIN)] {
        let body = server
            .graphql_as(
                Some(&admin),
                STOCK_ADJUST,
                json!({ "i": { "variantId": variant, "delta": delta, "reason": "RECOUNT" } }),
            )
            .await;
        refused_at(&body, "stockAdjust", "delta");
    }
    let batch = |code: &str, quantity: i64| {
        json!({ "i": { "variantId": variant, "code": code, "originVillage": "Domkhar",
                       "originDistrict": "Leh", "producedOn": "2025-09-01", "quantity": quantity } })
    };
    let body = server
        .graphql_as(
            Some(&admin),
            BATCH_CREATE,
            batch("HUGE-0001", i64::from(i32::MAX)),
        )
        .await;
    refused_at(&body, "batchCreate", "quantity");
    public_pages_answer(&server, &slug, &category).await;

    // Allowed movements that together would pass the stock bound: the one that would
    // cross it is refused by the conditional update itself, and stock stays in bound.
    let mut refusal = None;
    for _ in 0..12 {
        let body = server
            .graphql_as(
                Some(&admin),
                STOCK_ADJUST,
                json!({ "i": { "variantId": variant, "delta": 1_000_000, "reason": "RECOUNT" } }),
            )
            .await;
        if !user_errors(&body, "stockAdjust").is_empty() {
            refusal = Some(body);
            break;
        }
    }
    let refusal = refusal.expect("twelve million units do not fit under the bound");
    refused_at(&refusal, "stockAdjust", "delta");
    assert!(
        refusal["data"]["stockAdjust"]["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("above 10000000")),
        "{refusal}"
    );
    let body = server
        .graphql_as(Some(&admin), BATCH_CREATE, batch("FULL-0001", 1_000_000))
        .await;
    refused_at(&body, "batchCreate", "quantity");
    public_pages_answer(&server, &slug, &category).await;

    // Prices, tier prices, order quantities and weights beyond their bounds.
    let new_variant = |changes: Value| {
        let mut variant = json!({ "sku": "HUGE-1", "title": "Huge", "price": 1000, "mrp": 1000, "weightGrams": 10 });
        if let (Some(target), Some(changes)) = (variant.as_object_mut(), changes.as_object()) {
            target.extend(changes.clone());
        }
        json!({ "i": { "productId": product_id, "variant": variant } })
    };
    for (changes, field) in [
        (
            json!({ "price": i64::MAX, "mrp": i64::MAX }),
            "variant.price",
        ),
        (json!({ "price": 1000, "mrp": i64::MAX }), "variant.mrp"),
        (json!({ "minOrderQuantity": i32::MAX }), "minOrderQuantity"),
        (json!({ "weightGrams": i32::MAX }), "weightGrams"),
        (
            json!({ "tierPrices": [{ "minQuantity": i32::MAX, "price": 900 }] }),
            "tierPrices.0.minQuantity",
        ),
    ] {
        let body = server
            .graphql_as(Some(&admin), VARIANT_CREATE, new_variant(changes))
            .await;
        refused_at(&body, "variantCreate", field);
    }
    let body = server
        .graphql_as(
            Some(&admin),
            VARIANT_UPDATE,
            json!({ "i": { "id": variant, "price": i64::MAX, "mrp": i64::MAX } }),
        )
        .await;
    refused_at(&body, "variantUpdate", "input.price");

    // A cart line of i32::MAX units.
    let body = server
        .graphql(
            CART_ADD,
            json!({ "i": { "variantId": variant, "quantity": i32::MAX } }),
        )
        .await;
    refused_at(&body, "cartAddItem", "quantity");

    // The same values in a spreadsheet: one error per cell, naming its column.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let mut cells = row(
        "huge-apricots",
        "HUGE-1KG",
        "apricot-dried",
        "92233720368547758.07",
        "92233720368547758.07",
        "Halman",
    );
    cells[17] = i32::MAX.to_string();
    cells[18] = i32::MAX.to_string();
    cells[19] = format!("{}:1.00", i32::MAX);
    let file = csv(&[cells]);
    let body = while_healthy(
        &server,
        server.graphql_as(
            Some(&admin),
            IMPORT,
            json!({ "input": { "cooperativeId": sham, "format": "CSV", "contentBase64": STANDARD.encode(file), "dryRun": false } }),
        ),
    )
    .await;
    let report = &body["data"]["productImport"]["report"];
    assert_eq!(report["applied"], false, "{body}");
    let columns: Vec<&str> = report["rowErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["column"].as_str())
        .collect();
    for column in [
        "price_inr",
        "mrp_inr",
        "weight_grams",
        "min_order_quantity",
        "tier_prices",
    ] {
        assert!(columns.contains(&column), "{column}: {body}");
    }
    public_pages_answer(&server, &slug, &category).await;
    Ok(())
}

both_backends!(out_of_range_numbers_get_field_errors_and_public_pages_keep_answering);
