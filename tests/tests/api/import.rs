//! Bulk import over HTTP: the template, CSV and XLSX, row-level errors from a dry run
//! (every one of every row), all-or-nothing real runs, upserts by slug and SKU with
//! stock through the ledger, and the per-variant compliance columns.

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
  report { dryRun applied products variants productsUpdated variantsUpdated stockMovements rowErrors { row column message } }
  errors { field code message } } }";
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
        "Domkhar, Ladakh 194106 | +91 1982 000001 | care@example.org",
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

/// The header with the optional columns (HSN, pack, UQC, net quantity, stock) after
/// the twenty required ones.
const FULL_HEADER: [&str; 31] = [
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
    "hsn_code",
    "pieces_per_unit",
    "uqc",
    "variant_net_quantity",
    "variant_net_unit",
    "stock_on_hand",
    "stock_reason",
    "attr.variety",
    "attr.grade",
    "attr.form",
    "attr.net_weight_g",
];

/// A [`row`] with the optional columns: HSN, pieces per unit, UQC, net quantity and
/// its unit, stock on hand and its reason.
fn full_row(base: Vec<String>, extra: [&str; 7]) -> Vec<String> {
    let mut cells = base;
    let attributes = cells.split_off(20);
    cells.extend(extra.iter().map(|c| (*c).to_owned()));
    cells.extend(attributes);
    cells
}

fn full_csv(rows: &[Vec<String>]) -> String {
    let mut text = FULL_HEADER.join(",");
    for row in rows {
        text.push('\n');
        let cells: Vec<String> = row
            .iter()
            .map(|cell| {
                if cell.contains(',') {
                    format!("\"{cell}\"")
                } else {
                    cell.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
    }
    text
}

async fn import_as(
    server: &TestServer,
    token: &str,
    cooperative: &str,
    content: &str,
    dry_run: bool,
    mode: Option<&str>,
) -> Value {
    let mut input = json!({ "cooperativeId": cooperative, "format": "CSV", "contentBase64": STANDARD.encode(content), "dryRun": dry_run });
    if let Some(mode) = mode {
        input["mode"] = json!(mode);
    }
    let body = server
        .graphql_as(Some(token), IMPORT, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["productImport"]["report"].clone()
}

fn row_columns(report: &Value) -> Vec<(i64, String)> {
    report["rowErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no report: {report}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The ledger's movements of a SKU, oldest first: delta, reason, note.
async fn movements(server: &TestServer, sku: &str) -> anyhow::Result<Vec<(i32, String, String)>> {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(server.database.url.clone()).await?;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT m.delta, m.reason, m.note FROM stock_movements m \
                 JOIN product_variants v ON v.id = m.variant_id \
                 WHERE v.sku = '{sku}' ORDER BY m.created_at, m.id"
            ),
        ))
        .await?;
    let mut found = Vec::new();
    for row in rows {
        found.push((
            row.try_get::<i32>("", "delta")?,
            row.try_get::<String>("", "reason")?,
            row.try_get::<Option<String>>("", "note")?
                .unwrap_or_default(),
        ));
    }
    Ok(found)
}

async fn variants_of(server: &TestServer, slug: &str) -> Value {
    let body = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { title hsnCode hsnCodeOverride
               variants { sku price { amount } stockOnHand piecesPerUnit uqc netQuantity { amount unit } } } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["product"].clone()
}

async fn upsert_updates_by_slug_and_sku_with_stock_through_the_ledger(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let created = import(
        &server,
        &staff,
        &sham,
        "CSV",
        csv(&good_rows()).as_bytes(),
        false,
    )
    .await;
    assert_eq!(created["applied"], true, "{created}");

    let no_stock = ["", "", "", "", "", "", ""];
    let mut repriced = full_row(
        row(
            "imported-apricots",
            "IMP-1KG",
            "apricot-dried",
            "1100.00",
            "1250.00",
            "Halman",
        ),
        ["", "", "", "", "", "25", "RECOUNT"],
    );
    repriced[1] = "Imported Apricots, new crop".to_owned();
    let counted = full_row(
        row(
            "imported-apricots",
            "IMP-2KG",
            "apricot-dried",
            "2200",
            "2400.5",
            "Halman",
        ),
        ["", "", "", "", "", "10", ""],
    );
    let mut added = full_row(
        row(
            "imported-apricots",
            "IMP-500G",
            "apricot-dried",
            "600.00",
            "650.00",
            "Halman",
        ),
        no_stock,
    );
    added[19] = String::new();
    let fresh = full_row(
        row(
            "imported-apricots-f",
            "IMPF-1KG",
            "apricot-dried",
            "1100",
            "1250",
            "Halman",
        ),
        ["", "", "", "", "", "5", ""],
    );
    let file = full_csv(&[repriced, counted, added, fresh]);

    // The default stays create-only: the existing slug and SKUs are refused.
    let refused = import_as(&server, &staff, &sham, &file, true, None).await;
    let columns = row_columns(&refused);
    for expected in [(2, "product_slug"), (2, "sku"), (3, "sku")] {
        assert!(
            columns.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?}: {refused}"
        );
    }
    // An upsert dry run says what it would do, and does nothing.
    let dry = import_as(&server, &staff, &sham, &file, true, Some("UPSERT")).await;
    assert_eq!(dry["rowErrors"], json!([]), "{dry}");
    assert_eq!(
        (
            &dry["products"],
            &dry["productsUpdated"],
            &dry["variants"],
            &dry["variantsUpdated"],
            &dry["stockMovements"]
        ),
        (&json!(1), &json!(1), &json!(2), &json!(2), &json!(3)),
        "{dry}"
    );
    assert_eq!(dry["applied"], false);
    let before = variants_of(&server, "imported-apricots").await;
    assert_eq!(before["variants"][0]["price"]["amount"], 115_000);
    assert!(movements(&server, "IMP-1KG").await?.is_empty());

    let applied = import_as(&server, &staff, &sham, &file, false, Some("UPSERT")).await;
    assert_eq!(applied["applied"], true, "{applied}");
    let product = variants_of(&server, "imported-apricots").await;
    assert_eq!(product["title"], "Imported Apricots, new crop");
    let variants: Vec<(String, i64, i64)> = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["sku"].as_str().unwrap().to_owned(),
                v["price"]["amount"].as_i64().unwrap(),
                v["stockOnHand"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        variants,
        [
            ("IMP-1KG".to_owned(), 110_000, 25),
            ("IMP-2KG".to_owned(), 220_000, 10),
            ("IMP-500G".to_owned(), 60_000, 0)
        ]
    );
    assert_eq!(
        variants_of(&server, "imported-apricots-f").await["variants"][0]["stockOnHand"],
        5
    );
    // The stock arrived as a movement with its reason, not as an overwrite.
    assert_eq!(
        movements(&server, "IMP-1KG").await?,
        [(25, "RECOUNT".to_owned(), "bulk import, row 2".to_owned())]
    );

    // A later count records the difference only, with the reason given.
    let damaged = full_csv(&[full_row(
        row(
            "imported-apricots",
            "IMP-1KG",
            "apricot-dried",
            "1100.00",
            "1250.00",
            "Halman",
        ),
        ["", "", "", "", "", "20", "damaged"],
    )]);
    let applied = import_as(&server, &staff, &sham, &damaged, false, Some("UPSERT")).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(
        (&applied["variantsUpdated"], &applied["stockMovements"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        movements(&server, "IMP-1KG").await?,
        [
            (25, "RECOUNT".to_owned(), "bulk import, row 2".to_owned()),
            (-5, "DAMAGED".to_owned(), "bulk import, row 2".to_owned())
        ]
    );
    assert_eq!(
        variants_of(&server, "imported-apricots").await["variants"][0]["stockOnHand"],
        20
    );

    // Upsert touches only the cooperative's own products, and a SKU stays with its
    // product.
    let foreign = full_csv(&[
        full_row(
            row(
                "nubra-leh-berry-juice-500ml",
                "IMPX-1",
                "apricot-dried",
                "1000",
                "1250",
                "Halman",
            ),
            no_stock,
        ),
        full_row(
            row(
                "imported-apricots",
                "IMPB-1KG",
                "apricot-dried",
                "1000",
                "1250",
                "Halman",
            ),
            no_stock,
        ),
    ]);
    let refused = import_as(&server, &staff, &sham, &foreign, false, Some("UPSERT")).await;
    assert_eq!(refused["applied"], false);
    let columns = row_columns(&refused);
    assert!(
        columns.contains(&(2, "product_slug".to_owned())),
        "{refused}"
    );
    assert!(columns.contains(&(3, "sku".to_owned())), "{refused}");
    Ok(())
}

async fn a_dry_run_reports_every_error_of_every_row(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let good = full_row(
        row(
            "imported-good",
            "IMPG-1KG",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["", "", "", "", "", "", ""],
    );
    // Cells that do not parse and values the catalogue refuses, in the same rows.
    let mut first = full_row(
        row(
            "imported-bad",
            "IMPBAD-1",
            "apricot-dried",
            "abc",
            "1250.00",
            "Halman",
        ),
        ["", "0", "XYZ", "x", "kg", "-3", ""],
    );
    first[1] = String::new();
    let mut second = full_row(
        row(
            "imported-bad",
            "IMPBAD-2",
            "apricot-dried",
            "1000",
            "x",
            "Halman",
        ),
        ["", "", "", "", "", "", ""],
    );
    second[17] = "heavy".to_owned();
    second[19] = "ten".to_owned();
    let report = import_as(
        &server,
        &admin,
        &sham,
        &full_csv(&[good, first, second]),
        true,
        None,
    )
    .await;
    let columns = row_columns(&report);
    for expected in [
        (3, "price_inr"),
        (3, "title"),
        (3, "pieces_per_unit"),
        (3, "uqc"),
        (3, "variant_net_quantity"),
        (3, "stock_on_hand"),
        (4, "mrp_inr"),
        (4, "weight_grams"),
        (4, "tier_prices"),
    ] {
        assert!(
            columns.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} missing from {columns:?}"
        );
    }
    assert!(columns.iter().all(|(row, _)| *row >= 3), "{columns:?}");
    Ok(())
}

async fn compliance_columns_are_imported_and_checked(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let template = server
        .client
        .get(server.url("/catalog/import-template.csv"))
        .send()
        .await?
        .text()
        .await?;
    let header = template.lines().next().unwrap_or_default().to_owned();
    for column in [
        "hsn_code",
        "pieces_per_unit",
        "uqc",
        "variant_net_quantity",
        "variant_net_unit",
        "stock_on_hand",
        "stock_reason",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "template lacks {column}: {header}"
        );
    }

    let pack = full_row(
        row(
            "imported-pack",
            "IMPP-6",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["08131000", "6", "pac", "1.5", "kg", "", ""],
    );
    let bad = full_row(
        row(
            "imported-pack-bad",
            "IMPPB-1",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["12x", "1001", "XYZ", "500", "stone", "", ""],
    );
    let unitless = full_row(
        row(
            "imported-pack-bad",
            "IMPPB-2",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["", "", "", "500", "", "", ""],
    );
    let zero = full_row(
        row(
            "imported-pack-bad",
            "IMPPB-3",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["", "", "", "0", "g", "", ""],
    );
    let report = import_as(
        &server,
        &admin,
        &sham,
        &full_csv(&[pack.clone(), bad, unitless, zero]),
        true,
        None,
    )
    .await;
    assert_eq!(
        row_columns(&report),
        [
            (3, "hsn_code".to_owned()),
            (3, "pieces_per_unit".to_owned()),
            (3, "uqc".to_owned()),
            (3, "variant_net_unit".to_owned()),
            (4, "variant_net_unit".to_owned()),
            (5, "variant_net_quantity".to_owned()),
        ],
        "{report}"
    );

    let applied = import_as(&server, &admin, &sham, &full_csv(&[pack]), false, None).await;
    assert_eq!(applied["applied"], true, "{applied}");
    let product = variants_of(&server, "imported-pack").await;
    assert_eq!(product["hsnCodeOverride"], "08131000", "{product}");
    assert_eq!(product["hsnCode"], "08131000");
    let variant = &product["variants"][0];
    assert_eq!(variant["piecesPerUnit"], 6, "{product}");
    assert_eq!(variant["uqc"], "PAC");
    assert_eq!(variant["netQuantity"]["unit"], "KG");
    assert_eq!(variant["netQuantity"]["amount"], "1.5");

    // An upsert changes them on the stored variant.
    let repacked = full_row(
        row(
            "imported-pack",
            "IMPP-6",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
        ["", "12", "PCS", "500", "g", "", ""],
    );
    let applied = import_as(
        &server,
        &admin,
        &sham,
        &full_csv(&[repacked]),
        false,
        Some("UPSERT"),
    )
    .await;
    assert_eq!(applied["variantsUpdated"], 1, "{applied}");
    let product = variants_of(&server, "imported-pack").await;
    let variant = &product["variants"][0];
    assert_eq!(
        (&variant["piecesPerUnit"], &variant["uqc"]),
        (&json!(12), &json!("PCS"))
    );
    assert_eq!(
        variant["netQuantity"],
        json!({ "amount": "500", "unit": "G" })
    );
    assert_eq!(
        product["hsnCodeOverride"], "08131000",
        "an empty cell keeps the override"
    );
    Ok(())
}

both_backends!(
    csv_import_is_checked_by_row_and_all_or_nothing,
    xlsx_import_works_like_csv,
    upsert_updates_by_slug_and_sku_with_stock_through_the_ledger,
    a_dry_run_reports_every_error_of_every_row,
    compliance_columns_are_imported_and_checked,
);
