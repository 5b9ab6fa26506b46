//! Bulk import over HTTP: the template, CSV and XLSX, row-level errors from a dry run,
//! and all-or-nothing real runs.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, buyer_token, cooperative_id, staff_token},
    },
};

const IMPORT: &str = "mutation($input: ProductImportInput!) { productImport(input: $input) {
  report { dryRun applied products variants rowErrors { row column message } } errors { field code message } } }";
const OWN_PRODUCTS: &str =
    "query($id: ID!) { cooperativeProducts(cooperativeId: $id, first: 100) { totalCount } }";

pub const HEADER: [&str; 24] = [
    "product_slug",
    "title",
    "description",
    "category_slug",
    "status",
    "image_urls",
    "image_alts",
    "net_quantity",
    "manufacturer_name",
    "manufacturer_address",
    "country_of_origin",
    "best_before_months",
    "consumer_care",
    "sku",
    "variant_title",
    "price_inr",
    "mrp_inr",
    "weight_grams",
    "min_order_quantity",
    "tier_prices",
    "attr.variety",
    "attr.grade",
    "attr.form",
    "attr.net_weight_g",
];

pub fn row(
    slug: &str,
    sku: &str,
    category: &str,
    price: &str,
    mrp: &str,
    variety: &str,
) -> Vec<String> {
    [
        slug,
        "Imported Apricots",
        "From the import test.",
        category,
        "ACTIVE",
        "https://images.example.org/i.jpg",
        "Apricots",
        "1 kg",
        "Demo Coop",
        "Domkhar, Ladakh 194106",
        "India",
        "12",
        "care@example.org",
        sku,
        "1 kg pouch",
        price,
        mrp,
        "1040",
        "1",
        "10:1000.00",
        variety,
        "A",
        "whole",
        "1000",
    ]
    .iter()
    .map(|cell| (*cell).to_owned())
    .collect()
}

pub fn csv(rows: &[Vec<String>]) -> String {
    let quote = |cell: &str| {
        if cell.contains(',') {
            format!("\"{cell}\"")
        } else {
            cell.to_owned()
        }
    };
    let mut text = HEADER.join(",");
    for row in rows {
        text.push('\n');
        text.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
    }
    text
}

fn good_rows() -> Vec<Vec<String>> {
    vec![
        row(
            "imported-apricots",
            "IMP-1KG",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        row(
            "imported-apricots",
            "IMP-2KG",
            "apricot-dried",
            "2200",
            "2400.5",
            "Halman",
        ),
        row(
            "imported-apricots-b",
            "IMPB-1KG",
            "apricot-dried",
            "1100.00",
            "1250.00",
            "Safaida",
        ),
    ]
}

fn bad_rows() -> Vec<Vec<String>> {
    let mut rows = good_rows();
    rows.push(row(
        "imported-apricots-c",
        "IMPC-1KG",
        "apricot-dried",
        "1300.00",
        "1250.00",
        "Halman",
    ));
    rows.push(row(
        "imported-apricots-d",
        "IMPD-1KG",
        "mangoes",
        "abc",
        "1250.00",
        "Halman",
    ));
    rows.push(row(
        "imported-apricots-e",
        "IMPE-1KG",
        "apricot-dried",
        "1000",
        "1250",
        "Mango",
    ));
    rows
}

async fn import(
    server: &TestServer,
    token: &str,
    cooperative: &str,
    format: &str,
    content: &[u8],
    dry_run: bool,
) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            IMPORT,
            json!({ "input": { "cooperativeId": cooperative, "format": format, "contentBase64": STANDARD.encode(content), "dryRun": dry_run } }),
        )
        .await;
    body["data"]["productImport"]["report"].clone()
}

async fn count(server: &TestServer, token: &str, cooperative: &str) -> u64 {
    let body = server
        .graphql_as(Some(token), OWN_PRODUCTS, json!({ "id": cooperative }))
        .await;
    body["data"]["cooperativeProducts"]["totalCount"]
        .as_u64()
        .unwrap_or_default()
}

async fn csv_import_is_checked_by_row_and_all_or_nothing(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let before = count(&server, &staff, &sham).await;

    let template = server
        .client
        .get(server.url("/catalog/import-template.csv"))
        .send()
        .await?;
    assert_eq!(template.status(), 200);
    let template = template.text().await?;
    for column in &HEADER[..20] {
        assert!(
            template.lines().next().is_some_and(|h| h.contains(column)),
            "template lacks {column}"
        );
    }

    let dry = import(
        &server,
        &staff,
        &sham,
        "CSV",
        csv(&bad_rows()).as_bytes(),
        true,
    )
    .await;
    assert_eq!(dry["dryRun"], true);
    assert_eq!(dry["applied"], false);
    let errors: Vec<(i64, String)> = dry["rowErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or_default(),
                e["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Rows count as in a spreadsheet: the header is row 1.
    for expected in [(5, "price_inr"), (6, "price_inr"), (7, "attr.variety")] {
        assert!(
            errors.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} missing from {errors:?}"
        );
    }
    assert!(
        errors.iter().all(|(row, _)| *row >= 5),
        "the good rows have no errors: {errors:?}"
    );
    assert_eq!(
        count(&server, &staff, &sham).await,
        before,
        "a dry run stores nothing"
    );

    let failed = import(
        &server,
        &staff,
        &sham,
        "CSV",
        csv(&bad_rows()).as_bytes(),
        false,
    )
    .await;
    assert_eq!(failed["applied"], false);
    assert_eq!(failed["products"], 0);
    assert_eq!(
        count(&server, &staff, &sham).await,
        before,
        "a failed import stores nothing at all"
    );

    let applied = import(
        &server,
        &staff,
        &sham,
        "CSV",
        csv(&good_rows()).as_bytes(),
        false,
    )
    .await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(applied["products"], 2);
    assert_eq!(applied["variants"], 3);
    assert_eq!(count(&server, &staff, &sham).await, before + 2);
    let product = server
        .graphql("{ product(slug: \"imported-apricots\") { status variants { sku price { amount } mrp { amount } tierPrices { minQuantity price } } } }", json!({}))
        .await;
    assert_eq!(product["data"]["product"]["status"], "ACTIVE", "{product}");
    assert_eq!(
        product["data"]["product"]["variants"][1]["mrp"]["amount"], 240_050,
        "rupees parse exactly into paise"
    );

    let again = import(
        &server,
        &staff,
        &sham,
        "CSV",
        csv(&good_rows()).as_bytes(),
        false,
    )
    .await;
    assert_eq!(again["applied"], false, "slugs and SKUs are taken now");
    assert!(again["rowErrors"].as_array().is_some_and(|e| !e.is_empty()));

    let missing_column = import(&server, &staff, &sham, "CSV", b"title,sku\nx,y", true).await;
    assert_eq!(missing_column["rowErrors"][0]["row"], 1);

    let buyer = buyer_token(&server, "buyer@example.org").await;
    let forbidden = server
        .graphql_as(Some(&buyer), IMPORT, json!({ "input": { "cooperativeId": sham, "format": "CSV", "contentBase64": STANDARD.encode(csv(&good_rows())) } }))
        .await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));
    let not_base64 = server
        .graphql_as(
            Some(&staff),
            IMPORT,
            json!({ "input": { "cooperativeId": sham, "format": "CSV", "contentBase64": "***" } }),
        )
        .await;
    assert_eq!(
        not_base64["data"]["productImport"]["errors"][0]["field"],
        json!(["input", "contentBase64"])
    );
    Ok(())
}

fn xlsx(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in HEADER.iter().enumerate() {
        sheet.write_string(0, u16::try_from(column)?, *name)?;
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(index + 1)?, u16::try_from(column)?);
            // Numbers as numbers, the way a spreadsheet stores them.
            match cell.parse::<f64>() {
                Ok(number) if !cell.contains('.') || cell.ends_with(".00") => {
                    sheet.write_number(r, c, number)?
                }
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    Ok(workbook.save_to_buffer()?)
}

async fn xlsx_import_works_like_csv(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let dry = import(&server, &admin, &sham, "XLSX", &xlsx(&bad_rows())?, true).await;
    let rows: Vec<i64> = dry["rowErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["row"].as_i64())
        .collect();
    assert!(rows.contains(&5) && rows.contains(&7), "{dry}");
    let applied = import(&server, &admin, &sham, "XLSX", &xlsx(&good_rows())?, false).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(applied["variants"], 3);
    let garbage = import(&server, &admin, &sham, "XLSX", b"not a spreadsheet", true).await;
    assert_eq!(garbage["rowErrors"][0]["row"], 0);
    Ok(())
}

both_backends!(
    csv_import_is_checked_by_row_and_all_or_nothing,
    xlsx_import_works_like_csv
);
