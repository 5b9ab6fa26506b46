//! Bulk import of products and variants from CSV or XLSX.
//!
//! One row per variant; rows that share a `product_slug` make one product, whose
//! product-level columns come from its first row. Attributes go in `attr.<key>`
//! columns, prices in rupees with at most two decimals (parsed exactly into paise).
//! A dry run and a real run take the same path through the same services inside one
//! transaction; the dry run always rolls back, and a real run commits only when every
//! row is valid, so an import is all-or-nothing. Problems are reported per row and
//! column, rows counted as a spreadsheet shows them (the header is row 1).

use std::collections::{BTreeMap, HashMap};

use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::{
    Actor, AttributeKind, CatalogError, Declarations, FieldError, NewProduct, NewVariant,
    ProductImage, ProductStatus, TierPrice, categories::find_category, products::create_product_in,
};

/// The columns of the import file, in template order.
pub const IMPORT_COLUMNS: [&str; 21] = [
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
    "attr.<key> (one column per attribute of the category)",
];

/// The downloadable template: the header and one example row.
pub fn import_template_csv() -> String {
    let header: Vec<&str> = IMPORT_COLUMNS
        .iter()
        .take(20)
        .copied()
        .chain([
            "attr.variety",
            "attr.grade",
            "attr.form",
            "attr.net_weight_g",
        ])
        .collect();
    let example = [
        "raktsey-karpo-dried-apricots-1kg",
        "Raktsey Karpo Dried Apricots",
        "Sun-dried white-stone apricots from Sham.",
        "apricot-dried",
        "DRAFT",
        "https://images.example.org/rk-1kg.jpg",
        "Dried apricots in a kraft pouch",
        "1 kg",
        "Demo Apricot Growers Cooperative",
        "Main Road, Domkhar, Ladakh 194106",
        "India",
        "12",
        "care@example.org / +91 1982 000000",
        "RKDA-1KG",
        "1 kg pouch",
        "1150.00",
        "1250.00",
        "1040",
        "1",
        "10:1080.00|50:1020.00",
        "Raktsey Karpo",
        "A",
        "whole",
        "1000",
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut text = String::new();
    if writer.write_record(&header).is_ok()
        && writer.write_record(example).is_ok()
        && let Ok(bytes) = writer.into_inner()
    {
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

/// The format of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    Xlsx,
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Spreadsheet row (the header is row 1); 0 for problems with the file as a whole.
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What an import did or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the products were stored (never for a dry run or with errors).
    pub applied: bool,
    pub products: usize,
    pub variants: usize,
    pub errors: Vec<ImportError>,
}

/// Imports that may read and hold their file at the same time (the memory budget:
/// each file is bounded by `spreadsheet`, so all of them together are too).
pub const MAX_CONCURRENT_IMPORTS: usize = 2;
static IMPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_IMPORTS);
/// How long an import waits for its turn before it is told to come back later.
const IMPORT_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

fn file_error(message: impl Into<String>) -> ImportError {
    ImportError {
        row: 0,
        column: String::new(),
        message: message.into(),
    }
}

/// The cells of an import file, before any row is interpreted. Untrusted input: it
/// must fail with an [`ImportError`], never panic nor allocate beyond the bounds of
/// [`crate::spreadsheet`] (fuzz targets hold it to that).
pub fn read_rows(format: ImportFormat, content: &[u8]) -> Result<Vec<Vec<String>>, ImportError> {
    let read = match format {
        ImportFormat::Csv => crate::spreadsheet::read_csv(content),
        ImportFormat::Xlsx => crate::spreadsheet::read_xlsx(content),
    };
    read.map_err(|error| file_error(error.0))
}

/// Parses rupees with at most two decimals ("590", "590.5", "590.50") into paise,
/// without floating point.
pub fn parse_rupees(text: &str) -> Result<i64, String> {
    let text = text.trim().trim_start_matches('₹').replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && (!digits(fraction) || fraction.len() > 2)) {
        return Err(format!("{text:?} is not an amount in rupees like 590.00"));
    }
    let rupees: i64 = whole
        .parse()
        .map_err(|_| "amount is too large".to_owned())?;
    let paise: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    rupees
        .checked_mul(100)
        .and_then(|v| v.checked_add(paise))
        .ok_or_else(|| "amount is too large".to_owned())
}

struct Row<'a> {
    number: usize,
    cells: HashMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.cells.get(column).copied().unwrap_or_default()
    }
}

/// Maps a service's field path back to the file's column.
fn column_of(field: &[String]) -> String {
    let path: Vec<&str> = field.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["title"] => "title".into(),
        ["slug"] => "product_slug".into(),
        ["description"] => "description".into(),
        ["categorySlug"] => "category_slug".into(),
        ["status"] => "status".into(),
        ["attributes", key, ..] => format!("attr.{key}"),
        ["images", _, "alt"] => "image_alts".into(),
        ["images", ..] => "image_urls".into(),
        ["declarations", "netQuantity"] => "net_quantity".into(),
        ["declarations", "manufacturerName"] => "manufacturer_name".into(),
        ["declarations", "manufacturerAddress"] => "manufacturer_address".into(),
        ["declarations", "countryOfOrigin"] => "country_of_origin".into(),
        ["declarations", "bestBeforeMonths"] => "best_before_months".into(),
        ["declarations", "consumerCare"] => "consumer_care".into(),
        ["variants", _, "sku"] => "sku".into(),
        ["variants", _, "title"] => "variant_title".into(),
        ["variants", _, "price"] => "price_inr".into(),
        ["variants", _, "mrp"] => "mrp_inr".into(),
        ["variants", _, "weightGrams"] => "weight_grams".into(),
        ["variants", _, "minOrderQuantity"] => "min_order_quantity".into(),
        ["variants", _, "tierPrices", ..] => "tier_prices".into(),
        other => other.join("."),
    }
}

fn variant_index(field: &[String]) -> Option<usize> {
    match field {
        [first, index, ..] if first == "variants" => index.parse().ok(),
        _ => None,
    }
}

/// Parses a row's cells into a variant, collecting problems by column.
fn variant_from(row: &Row<'_>, errors: &mut Vec<ImportError>) -> NewVariant {
    let mut problem = |column: &str, message: String| {
        errors.push(ImportError {
            row: row.number,
            column: column.to_owned(),
            message,
        });
    };
    let mut rupees = |column: &str| match parse_rupees(row.get(column)) {
        Ok(paise) => paise,
        Err(message) => {
            problem(column, message);
            0
        }
    };
    let price_paise = rupees("price_inr");
    let mrp_paise = rupees("mrp_inr");
    let mut integer = |column: &str, default: i32| {
        let text = row.get(column);
        if text.is_empty() {
            return default;
        }
        text.parse::<i32>().unwrap_or_else(|_| {
            errors.push(ImportError {
                row: row.number,
                column: column.to_owned(),
                message: format!("{text:?} is not a whole number"),
            });
            default
        })
    };
    let weight_grams = integer("weight_grams", 0);
    let min_order_quantity = integer("min_order_quantity", 1);
    let mut tier_prices = Vec::new();
    for tier in row
        .get("tier_prices")
        .split('|')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let parsed = tier.split_once(':').and_then(|(quantity, price)| {
            Some((
                quantity.trim().parse::<i32>().ok()?,
                parse_rupees(price).ok()?,
            ))
        });
        match parsed {
            Some((min_quantity, price_paise)) => tier_prices.push(TierPrice {
                min_quantity,
                price_paise,
            }),
            None => errors.push(ImportError {
                row: row.number,
                column: "tier_prices".into(),
                message: format!("{tier:?} is not a tier like 10:1080.00"),
            }),
        }
    }
    NewVariant {
        sku: row.get("sku").to_owned(),
        title: row.get("variant_title").to_owned(),
        price_paise,
        mrp_paise,
        weight_grams,
        min_order_quantity,
        tier_prices,
        ..NewVariant::default()
    }
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Imports products into one cooperative's catalogue.
pub async fn import_products(
    db: &DatabaseConnection,
    actor: &Actor,
    cooperative_id: Uuid,
    format: ImportFormat,
    content: &[u8],
    dry_run: bool,
) -> Result<ImportReport, CatalogError> {
    actor.require_manage(cooperative_id)?;
    let mut report = ImportReport {
        dry_run,
        ..ImportReport::default()
    };
    // The memory budget: at most this many imports read and hold a file at once (each
    // within the bounds of `spreadsheet`), and the reading runs off the async workers.
    let Ok(Ok(_permit)) = tokio::time::timeout(IMPORT_QUEUE_WAIT, IMPORTS.acquire()).await else {
        report.errors.push(file_error(
            "too many imports are running at once; try again in a minute",
        ));
        return Ok(report);
    };
    let owned = content.to_vec();
    let read = tokio::task::spawn_blocking(move || read_rows(format, &owned)).await;
    let rows = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(error)) => {
            report.errors.push(error);
            return Ok(report);
        }
        Err(join) => {
            tracing::error!(error = %join, "reading an import file failed");
            report.errors.push(file_error("the file cannot be read"));
            return Ok(report);
        }
    };
    let Some((header, data)) = rows.split_first() else {
        report.errors.push(file_error("the file is empty"));
        return Ok(report);
    };
    for required in IMPORT_COLUMNS.iter().take(20) {
        if !header.iter().any(|h| h == required) {
            report.errors.push(ImportError {
                row: 1,
                column: (*required).to_owned(),
                message: format!("column {required} is missing"),
            });
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    // Group rows by product, keeping file order.
    let mut groups: BTreeMap<usize, (String, Vec<Row<'_>>)> = BTreeMap::new();
    let mut group_of_slug: HashMap<String, usize> = HashMap::new();
    for (index, cells) in data.iter().enumerate() {
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let row = Row {
            number: index + 2,
            cells: header
                .iter()
                .map(String::as_str)
                .zip(cells.iter().map(String::as_str))
                .collect(),
        };
        let slug = row.get("product_slug").to_owned();
        if slug.is_empty() {
            report.errors.push(ImportError {
                row: row.number,
                column: "product_slug".into(),
                message: "product_slug is required".into(),
            });
            continue;
        }
        let group = *group_of_slug.entry(slug.clone()).or_insert(index);
        groups
            .entry(group)
            .or_insert_with(|| (slug, Vec::new()))
            .1
            .push(row);
    }

    let txn = kernel::begin_write(db).await?;
    for (slug, rows) in groups.into_values() {
        let Some(first) = rows.first() else { continue };
        let mut row_errors = Vec::new();
        let category = find_category(&txn, first.get("category_slug")).await.ok();
        let mut attributes = serde_json::Map::new();
        for (column, value) in &first.cells {
            let Some(key) = column.strip_prefix("attr.") else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let kind = category
                .as_ref()
                .and_then(|c| c.attribute_schema.iter().find(|d| d.key == key))
                .map(|d| d.kind);
            let parsed = match kind {
                Some(AttributeKind::Number) => value
                    .parse::<i64>()
                    .map(serde_json::Value::from)
                    .ok()
                    .or_else(|| {
                        value
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                            .map(serde_json::Value::Number)
                    }),
                Some(AttributeKind::Boolean) => match value.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Some(serde_json::Value::Bool(true)),
                    "false" | "no" | "0" => Some(serde_json::Value::Bool(false)),
                    _ => None,
                },
                _ => Some(serde_json::Value::String((*value).to_owned())),
            };
            match parsed {
                Some(value) => {
                    attributes.insert(key.to_owned(), value);
                }
                None => row_errors.push(ImportError {
                    row: first.number,
                    column: (*column).to_owned(),
                    message: format!("{value:?} is not a valid {key}"),
                }),
            }
        }
        let status = match first.get("status") {
            "" => Some(ProductStatus::Draft),
            text => match text.parse::<ProductStatus>() {
                Ok(status) => Some(status),
                Err(message) => {
                    row_errors.push(ImportError {
                        row: first.number,
                        column: "status".into(),
                        message,
                    });
                    None
                }
            },
        };
        let best_before_months = match first.get("best_before_months") {
            "" => None,
            text => text.parse().map(Some).unwrap_or_else(|_| {
                row_errors.push(ImportError {
                    row: first.number,
                    column: "best_before_months".into(),
                    message: format!("{text:?} is not a whole number of months"),
                });
                None
            }),
        };
        let urls: Vec<&str> = first
            .get("image_urls")
            .split('|')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let alts: Vec<&str> = first.get("image_alts").split('|').map(str::trim).collect();
        let images = urls
            .iter()
            .enumerate()
            .map(|(i, url)| ProductImage {
                url: (*url).to_owned(),
                alt: alts.get(i).copied().unwrap_or_default().to_owned(),
            })
            .collect();
        let variants: Vec<NewVariant> = rows
            .iter()
            .map(|row| variant_from(row, &mut row_errors))
            .collect();
        if !row_errors.is_empty() {
            report.errors.extend(row_errors);
            continue;
        }
        let new = NewProduct {
            procurement: crate::Procurement::default(),
            // The spreadsheet has no HSN column yet: imported products use their
            // category's code until edited.
            hsn_code: None,
            cooperative_id,
            category_slug: first.get("category_slug").to_owned(),
            title: first.get("title").to_owned(),
            slug: Some(slug),
            description: first.get("description").to_owned(),
            attributes,
            images,
            declarations: Declarations {
                net_quantity: optional(first.get("net_quantity")),
                manufacturer_name: optional(first.get("manufacturer_name")),
                manufacturer_address: optional(first.get("manufacturer_address")),
                country_of_origin: optional(first.get("country_of_origin")),
                best_before_months,
                consumer_care: optional(first.get("consumer_care")),
            },
            variants,
            status,
        };
        // A savepoint per product: on PostgreSQL a failed statement spoils the whole
        // transaction otherwise, and the rows after it could not be checked.
        let savepoint = txn.begin().await?;
        let created = create_product_in(&savepoint, actor, new).await;
        if created.is_ok() {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
        }
        match created {
            Ok((_, variants)) => {
                report.products += 1;
                report.variants += variants.len();
            }
            Err(CatalogError::Invalid(fields)) => {
                report
                    .errors
                    .extend(fields.into_iter().map(|field: FieldError| {
                        let row = variant_index(&field.field)
                            .and_then(|i| rows.get(i))
                            .unwrap_or(first)
                            .number;
                        ImportError {
                            row,
                            column: column_of(&field.field),
                            message: field.message,
                        }
                    }));
            }
            Err(CatalogError::CategoryNotFound(slug)) => report.errors.push(ImportError {
                row: first.number,
                column: "category_slug".into(),
                message: format!("no category {slug}"),
            }),
            Err(other) => return Err(other),
        }
    }
    report
        .errors
        .sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    if dry_run || !report.errors.is_empty() {
        txn.rollback().await?;
        if !report.errors.is_empty() && !dry_run {
            report.products = 0;
            report.variants = 0;
        }
    } else {
        txn.commit().await?;
        report.applied = true;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_parse_exactly_into_paise() {
        assert_eq!(parse_rupees("590"), Ok(59_000));
        assert_eq!(parse_rupees("590.5"), Ok(59_050));
        assert_eq!(parse_rupees("₹1,150.05"), Ok(115_005));
        for bad in ["", "5.999", "abc", "-5", "1e3"] {
            assert!(parse_rupees(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_fields_map_back_to_columns() {
        let field = |path: &str| path.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(column_of(&field("variants.2.price")), "price_inr");
        assert_eq!(variant_index(&field("variants.2.price")), Some(2));
        assert_eq!(column_of(&field("attributes.variety")), "attr.variety");
        assert_eq!(
            column_of(&field("declarations.netQuantity")),
            "net_quantity"
        );
    }

    #[test]
    fn the_template_has_every_column() {
        let template = import_template_csv();
        for column in IMPORT_COLUMNS.iter().take(20) {
            assert!(
                template
                    .lines()
                    .next()
                    .is_some_and(|header| header.contains(column)),
                "{column}"
            );
        }
    }
}

#[cfg(test)]
mod hostile_input {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    /// The same property the fuzz targets check, on seeded random input, so that it runs
    /// in every test run: untrusted bytes get an error, never a panic.
    #[test]
    fn random_bytes_never_panic_the_readers_or_the_identifier_parsers() {
        let mut rng = StdRng::seed_from_u64(2026);
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz,;\"\n\r\t .-/\\\xc3\xa9\xe2\x82\xb9\x00PK\x03\x04";
        for _ in 0..3_000 {
            let len = rng.random_range(0..200);
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let _ = read_rows(ImportFormat::Csv, &bytes);
            let _ = read_rows(ImportFormat::Xlsx, &bytes);
            let text = String::from_utf8_lossy(&bytes);
            let _ = crate::identifiers::parse_gstin(&text);
            let _ = crate::identifiers::parse_pin_code(&text);
            let _ = crate::identifiers::parse_fssai_licence(&text);
            if let Ok(paise) = parse_rupees(&text) {
                assert!(paise >= 0);
            }
        }
    }
}
