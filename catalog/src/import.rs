//! Bulk import of products and variants from CSV or XLSX.
//!
//! One row per variant; rows that share a `product_slug` make one product, whose
//! product-level columns come from its first row. Attributes go in `attr.<key>`
//! columns, prices in rupees with at most two decimals (parsed exactly into paise).
//! A dry run and a real run take the same path through the same services inside one
//! transaction; the dry run always rolls back, and a real run commits only when every
//! row is valid, so an import is all-or-nothing. Problems are reported per row and
//! column, rows counted as a spreadsheet shows them (the header is row 1), and every
//! problem of every row is reported, not only the first.
//!
//! By default ([`ImportMode::CreateOnly`]) every product is new and a slug or SKU
//! already in use is an error. [`ImportMode::Upsert`] updates the cooperative's own
//! products by slug and their variants by SKU (new SKUs are added to the product); an
//! empty optional cell leaves what is stored. A `stock_on_hand` cell is the count the
//! cooperative has: the difference is recorded in the stock ledger as a movement with
//! the row's `stock_reason` (RECOUNT unless given), never written over the stock.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    Actor, AttributeKind, CatalogError, Declarations, FieldError, NetQuantityInput, NetUnit,
    NewProduct, NewVariant, ProductChanges, ProductImage, ProductStatus, StockReason, TierPrice,
    Uqc, VariantChanges,
    categories::find_category,
    entity::{product, product_variant},
    products::{create_product_in, update_product_in},
    store::Product,
    variants::{
        Variant, insert_variant, load_variant, move_stock, movement_problem, refresh_min_price,
        update_variant_in,
    },
};

/// The columns every import file has, in template order.
pub const REQUIRED_COLUMNS: [&str; 20] = [
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
];

/// Columns a file may leave out (files made before they existed still import).
pub const OPTIONAL_COLUMNS: [&str; 7] = [
    "hsn_code",
    "pieces_per_unit",
    "uqc",
    "variant_net_quantity",
    "variant_net_unit",
    "stock_on_hand",
    "stock_reason",
];

/// The columns of the import file, in template order.
pub const IMPORT_COLUMNS: [&str; 28] = [
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
    "attr.<key> (one column per attribute of the category)",
];

/// The downloadable template: the header and one example row.
pub fn import_template_csv() -> String {
    let header: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .chain(OPTIONAL_COLUMNS.iter())
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
        "Main Road, Domkhar, Ladakh 194106 | +91 1982 000000 | care@example.org",
        "RKDA-1KG",
        "1 kg pouch",
        "1150.00",
        "1250.00",
        "1040",
        "1",
        "10:1080.00|50:1020.00",
        "08131000",
        "1",
        "KGS",
        "1",
        "kg",
        "40",
        "RECOUNT",
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

/// How an import treats products and variants that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Every product is new; a slug or SKU already in use is an error.
    CreateOnly,
    /// The cooperative's products are updated by slug and their variants by SKU;
    /// anything not found is created.
    Upsert,
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
    /// Products created.
    pub products: usize,
    /// Variants created (with their new products or added to existing ones).
    pub variants: usize,
    /// Existing products updated (upsert mode).
    pub products_updated: usize,
    /// Existing variants updated (upsert mode).
    pub variants_updated: usize,
    /// Stock movements recorded from `stock_on_hand` cells.
    pub stock_movements: usize,
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
        self.cells.get(column).copied().unwrap_or_default().trim()
    }

    fn error(&self, column: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            row: self.number,
            column: column.to_owned(),
            message: message.into(),
        }
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
        ["hsnCode"] => "hsn_code".into(),
        ["attributes", key, ..] => format!("attr.{key}"),
        ["images", _, "alt"] => "image_alts".into(),
        ["images", ..] => "image_urls".into(),
        ["declarations", "netQuantity"] => "net_quantity".into(),
        ["declarations", "manufacturerName"] => "manufacturer_name".into(),
        ["declarations", "manufacturerAddress"] => "manufacturer_address".into(),
        ["declarations", "countryOfOrigin"] => "country_of_origin".into(),
        ["declarations", "bestBeforeMonths"] => "best_before_months".into(),
        ["declarations", "consumerCare", ..] => "consumer_care".into(),
        ["variants", _, "sku"] => "sku".into(),
        ["variants", _, "title"] => "variant_title".into(),
        ["variants", _, "price"] => "price_inr".into(),
        ["variants", _, "mrp"] => "mrp_inr".into(),
        ["variants", _, "weightGrams"] => "weight_grams".into(),
        ["variants", _, "minOrderQuantity"] => "min_order_quantity".into(),
        ["variants", _, "tierPrices", ..] => "tier_prices".into(),
        ["variants", _, "piecesPerUnit"] => "pieces_per_unit".into(),
        ["variants", _, "uqc"] => "uqc".into(),
        ["variants", _, "netQuantity", ..] => "variant_net_quantity".into(),
        ["variants", _, "delta"] => "stock_on_hand".into(),
        other => other.join("."),
    }
}

fn variant_index(field: &[String]) -> Option<usize> {
    match field {
        [first, index, ..] if first == "variants" => index.parse().ok(),
        _ => None,
    }
}

/// What a row says about its variant. `None`: the cell was empty (or did not parse,
/// and its problem is recorded), so a new variant takes the default and an existing
/// one keeps its value.
struct RowVariant {
    sku: String,
    title: String,
    price_paise: Option<i64>,
    mrp_paise: Option<i64>,
    weight_grams: Option<i32>,
    min_order_quantity: Option<i32>,
    tier_prices: Option<Vec<TierPrice>>,
    pieces_per_unit: Option<i32>,
    uqc: Option<Uqc>,
    net_quantity: Option<NetQuantityInput>,
    /// The count on hand and why it differs from the stored one.
    stock: Option<(i32, StockReason)>,
}

impl RowVariant {
    fn new_variant(&self) -> NewVariant {
        let defaults = NewVariant::default();
        NewVariant {
            sku: self.sku.clone(),
            title: self.title.clone(),
            price_paise: self.price_paise.unwrap_or(0),
            mrp_paise: self.mrp_paise.unwrap_or(0),
            weight_grams: self.weight_grams.unwrap_or(0),
            min_order_quantity: self.min_order_quantity.unwrap_or(1),
            tier_prices: self.tier_prices.clone().unwrap_or_default(),
            pieces_per_unit: self.pieces_per_unit.unwrap_or(defaults.pieces_per_unit),
            uqc: self.uqc.unwrap_or(defaults.uqc),
            net_quantity: self.net_quantity.clone(),
        }
    }

    fn changes(&self) -> VariantChanges {
        VariantChanges {
            title: Some(self.title.clone()).filter(|t| !t.is_empty()),
            price_paise: self.price_paise,
            mrp_paise: self.mrp_paise,
            weight_grams: self.weight_grams,
            min_order_quantity: self.min_order_quantity,
            tier_prices: self.tier_prices.clone(),
            pieces_per_unit: self.pieces_per_unit,
            uqc: self.uqc,
            net_quantity: self.net_quantity.clone(),
        }
    }
}

/// A whole number in `column`, or None when the cell is empty; a problem is recorded.
fn integer(row: &Row<'_>, column: &str, errors: &mut Vec<ImportError>) -> Option<i32> {
    let text = row.get(column);
    if text.is_empty() {
        return None;
    }
    text.parse::<i32>()
        .map_err(|_| errors.push(row.error(column, format!("{text:?} is not a whole number"))))
        .ok()
}

/// Parses a row's variant cells, collecting every problem by column.
fn variant_from(row: &Row<'_>, errors: &mut Vec<ImportError>) -> RowVariant {
    let mut rupees = |column: &str| {
        let text = row.get(column);
        if text.is_empty() {
            return None;
        }
        parse_rupees(text)
            .map_err(|message| errors.push(row.error(column, message)))
            .ok()
    };
    let price_paise = rupees("price_inr");
    let mrp_paise = rupees("mrp_inr");
    let weight_grams = integer(row, "weight_grams", errors);
    let min_order_quantity = integer(row, "min_order_quantity", errors);
    let pieces_per_unit = integer(row, "pieces_per_unit", errors);
    let tiers: Vec<&str> = row
        .get("tier_prices")
        .split('|')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let mut tier_prices = Vec::with_capacity(tiers.len());
    for tier in &tiers {
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
            None => errors.push(row.error(
                "tier_prices",
                format!("{tier:?} is not a tier like 10:1080.00"),
            )),
        }
    }
    let uqc = match row.get("uqc") {
        "" => None,
        text => text
            .parse::<Uqc>()
            .map_err(|message| errors.push(row.error("uqc", message)))
            .ok(),
    };
    let net_quantity = match (row.get("variant_net_quantity"), row.get("variant_net_unit")) {
        ("", "") => None,
        ("", _) => {
            errors.push(row.error(
                "variant_net_quantity",
                "give the net quantity with its unit, e.g. 500 and g",
            ));
            None
        }
        (_, "") => {
            errors.push(row.error(
                "variant_net_unit",
                "give the unit of the net quantity: g, kg, ml, l, cm, m or piece",
            ));
            None
        }
        (amount, unit) => match unit.parse::<NetUnit>() {
            Ok(unit) => {
                let input = NetQuantityInput {
                    amount: amount.to_owned(),
                    unit,
                };
                // Checked here as the GraphQL input is, so that a dry run names the
                // cell even when the rest of the row keeps the service from running.
                match input.parse() {
                    Ok(_) => Some(input),
                    Err(problem) => {
                        errors.push(row.error("variant_net_quantity", problem.message));
                        None
                    }
                }
            }
            Err(message) => {
                errors.push(row.error("variant_net_unit", message));
                None
            }
        },
    };
    let stock = match integer(row, "stock_on_hand", errors) {
        Some(count) if count < 0 => {
            errors.push(row.error("stock_on_hand", "stock on hand cannot be negative"));
            None
        }
        Some(count) => match row.get("stock_reason") {
            "" => Some((count, StockReason::Recount)),
            text => match text.to_ascii_uppercase().as_str() {
                "RECOUNT" => Some((count, StockReason::Recount)),
                "CORRECTION" => Some((count, StockReason::Correction)),
                "DAMAGED" => Some((count, StockReason::Damaged)),
                "RETURNED" => Some((count, StockReason::Returned)),
                _ => {
                    errors.push(row.error(
                        "stock_reason",
                        format!(
                            "{text:?} is not a stock reason: RECOUNT, CORRECTION, DAMAGED or RETURNED (batches add stock by themselves)"
                        ),
                    ));
                    None
                }
            },
        },
        None => {
            if !row.get("stock_reason").is_empty() {
                errors.push(row.error(
                    "stock_on_hand",
                    "a stock_reason needs the stock_on_hand it explains",
                ));
            }
            None
        }
    };
    RowVariant {
        sku: row.get("sku").to_owned(),
        title: row.get("variant_title").to_owned(),
        price_paise,
        mrp_paise,
        weight_grams,
        min_order_quantity,
        tier_prices: (!tiers.is_empty()).then_some(tier_prices),
        pieces_per_unit,
        uqc,
        net_quantity,
        stock,
    }
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// What the first row of a product says about it.
struct RowProduct {
    title: String,
    description: String,
    category_slug: String,
    status: Option<ProductStatus>,
    hsn_code: Option<String>,
    attributes: serde_json::Map<String, serde_json::Value>,
    images: Vec<ProductImage>,
    declarations: Declarations,
}

async fn product_from(
    db: &impl ConnectionTrait,
    first: &Row<'_>,
    errors: &mut Vec<ImportError>,
) -> RowProduct {
    let category = find_category(db, first.get("category_slug")).await.ok();
    let mut attributes = serde_json::Map::new();
    for (column, value) in &first.cells {
        let Some(key) = column.strip_prefix("attr.") else {
            continue;
        };
        let value = value.trim();
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
            _ => Some(serde_json::Value::String(value.to_owned())),
        };
        match parsed {
            Some(value) => {
                attributes.insert(key.to_owned(), value);
            }
            None => errors.push(first.error(column, format!("{value:?} is not a valid {key}"))),
        }
    }
    let status = match first.get("status") {
        "" => None,
        text => text
            .parse::<ProductStatus>()
            .map_err(|message| errors.push(first.error("status", message)))
            .ok(),
    };
    let best_before_months = match first.get("best_before_months") {
        "" => None,
        text => text
            .parse()
            .map_err(|_| {
                errors.push(first.error(
                    "best_before_months",
                    format!("{text:?} is not a whole number of months"),
                ));
            })
            .ok(),
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
            media_id: None,
        })
        .collect();
    RowProduct {
        title: first.get("title").to_owned(),
        description: first.get("description").to_owned(),
        category_slug: first.get("category_slug").to_owned(),
        status,
        hsn_code: optional(first.get("hsn_code")),
        attributes,
        images,
        declarations: Declarations {
            net_quantity: optional(first.get("net_quantity")),
            manufacturer_name: optional(first.get("manufacturer_name")),
            manufacturer_address: optional(first.get("manufacturer_address")),
            country_of_origin: optional(first.get("country_of_origin")),
            best_before_months,
            consumer_care: optional(first.get("consumer_care"))
                .map(|cell| consumer_care_cell(&cell)),
        },
    }
}

/// The `consumer_care` cell, "address | phone | email", as the declaration it gives
/// (checked with the product's other fields; a part left out is reported as invalid).
fn consumer_care_cell(cell: &str) -> crate::ConsumerCare {
    let mut parts = cell.split('|').map(|p| p.trim().to_owned());
    crate::ConsumerCare {
        address: parts.next(),
        phone: parts.next(),
        email: parts.next(),
        legacy_text: None,
    }
}

/// A service's field errors as the rows and columns they concern: a variant's under
/// its row, the product's under its first row.
fn service_errors(fields: Vec<FieldError>, rows: &[Row<'_>], first: &Row<'_>) -> Vec<ImportError> {
    fields
        .into_iter()
        .map(|field| {
            let row = variant_index(&field.field)
                .and_then(|i| rows.get(i))
                .unwrap_or(first)
                .number;
            ImportError {
                row,
                column: column_of(&field.field),
                message: field.message,
            }
        })
        .collect()
}

/// The variants of the cooperative's catalogue by SKU, with their products' slugs.
async fn cooperative_skus(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
) -> Result<HashMap<String, (Uuid, Uuid)>, CatalogError> {
    Ok(product_variant::Entity::find()
        .filter(product_variant::Column::CooperativeId.eq(cooperative_id))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.sku, (v.id, v.product_id)))
        .collect())
}

/// What the import did with one product's rows.
#[derive(Default)]
struct Outcome {
    products: usize,
    variants: usize,
    products_updated: usize,
    variants_updated: usize,
    stock_movements: usize,
}

/// Who imports into which catalogue, how, and the SKUs it held before the import.
struct Target<'a> {
    actor: &'a Actor,
    cooperative_id: Uuid,
    mode: ImportMode,
    skus: &'a HashMap<String, (Uuid, Uuid)>,
    /// Rows whose SKU an earlier row of the file already has.
    duplicate_rows: &'a BTreeSet<usize>,
}

/// Creates or updates one product from its rows, inside the caller's savepoint;
/// every problem found goes to `errors`.
async fn import_group(
    db: &impl ConnectionTrait,
    target: &Target<'_>,
    slug: &str,
    rows: &[Row<'_>],
    errors: &mut Vec<ImportError>,
) -> Result<Outcome, CatalogError> {
    let Target {
        actor,
        cooperative_id,
        mode,
        skus,
        duplicate_rows,
    } = *target;
    let Some(first) = rows.first() else {
        return Ok(Outcome::default());
    };
    // Problems of the cells themselves; the services' problems with a cell already
    // reported here are not repeated.
    let mut parse_errors = Vec::new();
    let fields = product_from(db, first, &mut parse_errors).await;
    let variants: Vec<RowVariant> = rows
        .iter()
        .map(|row| variant_from(row, &mut parse_errors))
        .collect();
    let existing = match product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(db)
        .await?
    {
        Some(model) => Some(Product::try_from(model)?),
        None => None,
    };
    let updating = match (&existing, mode) {
        (Some(product), _) if product.cooperative_id != cooperative_id => {
            parse_errors.push(first.error(
                "product_slug",
                "another cooperative's product already uses this slug",
            ));
            None
        }
        (Some(_), ImportMode::CreateOnly) => {
            parse_errors.push(first.error(
                "product_slug",
                "a product with this slug exists; import in upsert mode to update it",
            ));
            None
        }
        (Some(product), ImportMode::Upsert) => Some(product.clone()),
        (None, _) => None,
    };
    // Rows whose SKU is taken (elsewhere, or by an earlier row) are checked but not
    // written: on PostgreSQL the refused insert would spoil the savepoint for the rows
    // after it.
    let mut blocked: Vec<bool> = rows
        .iter()
        .map(|row| duplicate_rows.contains(&row.number))
        .collect();
    for ((row, variant), blocked) in rows.iter().zip(&variants).zip(blocked.iter_mut()) {
        match skus.get(&variant.sku) {
            Some((_, product_id)) if updating.as_ref().is_some_and(|p| p.id == *product_id) => {}
            Some(_) => *blocked = true,
            None => {}
        }
        match skus.get(&variant.sku) {
            Some((_, product_id)) if updating.as_ref().is_some_and(|p| p.id == *product_id) => {}
            Some(_) if mode == ImportMode::Upsert => parse_errors.push(row.error(
                "sku",
                format!(
                    "SKU {} belongs to another of the cooperative's products",
                    variant.sku
                ),
            )),
            Some(_) => parse_errors.push(row.error(
                "sku",
                format!("SKU {} is already used by this cooperative", variant.sku),
            )),
            None => {}
        }
    }
    let reported: BTreeSet<(usize, String)> = parse_errors
        .iter()
        .map(|e| (e.row, e.column.clone()))
        .collect();
    let mut outcome = Outcome::default();
    let result = match &updating {
        None => create_group(db, actor, cooperative_id, slug, fields, &variants)
            .await
            .inspect(|created| {
                outcome.products = 1;
                outcome.variants = created.len();
            }),
        Some(product) => {
            update_group(
                db,
                actor,
                product,
                fields,
                &variants,
                &blocked,
                &mut outcome,
            )
            .await
        }
    };
    let saved = match result {
        Ok(saved) => saved,
        Err(CatalogError::Invalid(fields)) => {
            errors.extend(parse_errors);
            errors.extend(
                service_errors(fields, rows, first)
                    .into_iter()
                    .filter(|e| !reported.contains(&(e.row, e.column.clone()))),
            );
            return Ok(Outcome::default());
        }
        Err(CatalogError::CategoryNotFound(slug)) => {
            errors.extend(parse_errors);
            if !reported.contains(&(first.number, "category_slug".to_owned())) {
                errors.push(first.error("category_slug", format!("no category {slug}")));
            }
            return Ok(Outcome::default());
        }
        Err(other) => return Err(other),
    };
    if !parse_errors.is_empty() {
        errors.extend(parse_errors);
        return Ok(Outcome::default());
    }
    // Stock through the ledger: the difference between the count and the stored stock.
    for ((row, variant), saved) in rows.iter().zip(&variants).zip(&saved) {
        let Some((count, reason)) = variant.stock else {
            continue;
        };
        let current = load_variant(db, saved.id).await?;
        let delta = i64::from(count) - i64::from(current.stock_on_hand);
        if delta == 0 {
            continue;
        }
        let delta = i32::try_from(delta).unwrap_or(i32::MAX);
        if let Some(problem) = movement_problem("stock_on_hand", delta) {
            errors.push(row.error("stock_on_hand", problem.message));
            continue;
        }
        let note = format!("bulk import, row {}", row.number);
        match move_stock(
            db,
            &current,
            delta,
            reason,
            None,
            Some(note),
            actor.user_id(),
        )
        .await
        {
            Ok(()) => outcome.stock_movements += 1,
            Err(CatalogError::Invalid(problems)) => errors.extend(
                problems
                    .into_iter()
                    .map(|p| row.error("stock_on_hand", p.message)),
            ),
            Err(other) => return Err(other),
        }
    }
    Ok(outcome)
}

/// A new product with its variants, in row order.
async fn create_group(
    db: &impl ConnectionTrait,
    actor: &Actor,
    cooperative_id: Uuid,
    slug: &str,
    fields: RowProduct,
    variants: &[RowVariant],
) -> Result<Vec<Variant>, CatalogError> {
    let new = NewProduct {
        procurement: crate::Procurement::default(),
        hsn_code: fields.hsn_code,
        cooperative_id,
        category_slug: fields.category_slug,
        title: fields.title,
        slug: Some(slug.to_owned()),
        description: fields.description,
        attributes: fields.attributes,
        images: fields.images,
        declarations: fields.declarations,
        variants: variants.iter().map(RowVariant::new_variant).collect(),
        status: Some(fields.status.unwrap_or(ProductStatus::Draft)),
    };
    create_product_in(db, actor, new)
        .await
        .map(|(_, variants)| variants)
}

/// An existing product updated from its rows: its variants by SKU (new SKUs added),
/// then the product itself, so that going ACTIVE counts the variants just added. Every
/// variant is tried, and all their problems are reported together.
async fn update_group(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product: &Product,
    fields: RowProduct,
    variants: &[RowVariant],
    blocked: &[bool],
    outcome: &mut Outcome,
) -> Result<Vec<Variant>, CatalogError> {
    let stored: HashMap<String, Uuid> = crate::variants_by_product_ids(db, &[product.id])
        .await?
        .remove(&product.id)
        .unwrap_or_default()
        .into_iter()
        .map(|v| (v.sku, v.id))
        .collect();
    let mut problems: Vec<FieldError> = Vec::new();
    let mut saved = Vec::with_capacity(variants.len());
    for (index, variant) in variants.iter().enumerate() {
        if blocked.get(index).copied().unwrap_or(true) {
            let new = variant.new_variant();
            problems.extend(
                new.problems()
                    .into_iter()
                    .filter(|p| p.field != ["sku"])
                    .map(|f| f.under(&format!("variants.{index}"))),
            );
            continue;
        }
        let result = match stored.get(&variant.sku) {
            Some(id) => update_variant_in(db, actor, *id, variant.changes())
                .await
                .inspect(|_| outcome.variants_updated += 1),
            None => insert_variant(
                db,
                product.id,
                product.cooperative_id,
                variant.new_variant(),
            )
            .await
            .inspect(|_| outcome.variants += 1),
        };
        match result {
            Ok(variant) => saved.push(variant),
            Err(CatalogError::Invalid(fields)) => problems.extend(
                fields
                    .into_iter()
                    .map(|f| f.under(&format!("variants.{index}"))),
            ),
            Err(other) => return Err(other),
        }
    }
    refresh_min_price(db, product.id).await?;
    // Empty cells keep what is stored.
    let mut attributes = product.attributes.clone();
    attributes.extend(fields.attributes);
    let stored_declarations = product.declarations.clone();
    let given = fields.declarations;
    let declarations = Declarations {
        net_quantity: given.net_quantity.or(stored_declarations.net_quantity),
        manufacturer_name: given
            .manufacturer_name
            .or(stored_declarations.manufacturer_name),
        manufacturer_address: given
            .manufacturer_address
            .or(stored_declarations.manufacturer_address),
        country_of_origin: given
            .country_of_origin
            .or(stored_declarations.country_of_origin),
        best_before_months: given
            .best_before_months
            .or(stored_declarations.best_before_months),
        consumer_care: given.consumer_care.or(stored_declarations.consumer_care),
    };
    let changes = ProductChanges {
        title: Some(fields.title).filter(|t| !t.is_empty()),
        slug: None,
        description: Some(fields.description).filter(|d| !d.is_empty()),
        category_slug: Some(fields.category_slug).filter(|c| !c.is_empty()),
        attributes: Some(attributes),
        images: Some(fields.images).filter(|i| !i.is_empty()),
        declarations: Some(declarations),
        procurement: None,
        hsn_code: fields.hsn_code,
        status: fields.status,
    };
    match update_product_in(db, actor, product.id, changes).await {
        Ok(_) => {}
        Err(CatalogError::Invalid(fields)) => problems.extend(fields),
        Err(other) => return Err(other),
    }
    if problems.is_empty() {
        outcome.products_updated = 1;
        Ok(saved)
    } else {
        Err(CatalogError::Invalid(problems))
    }
}

/// Imports products into one cooperative's catalogue.
pub async fn import_products(
    db: &DatabaseConnection,
    actor: &Actor,
    cooperative_id: Uuid,
    format: ImportFormat,
    content: &[u8],
    dry_run: bool,
    mode: ImportMode,
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
    for required in REQUIRED_COLUMNS {
        if !header.iter().any(|h| h == required) {
            report.errors.push(ImportError {
                row: 1,
                column: required.to_owned(),
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
    let mut sku_rows: HashMap<String, usize> = HashMap::new();
    let mut duplicate_rows: BTreeSet<usize> = BTreeSet::new();
    for (index, cells) in data.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
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
        let sku = row.get("sku");
        if !sku.is_empty()
            && let Some(earlier) = sku_rows.insert(sku.to_owned(), row.number)
        {
            duplicate_rows.insert(row.number);
            report.errors.push(row.error(
                "sku",
                format!("SKU {sku} is also on row {earlier}: one row per variant"),
            ));
        }
        let slug = row.get("product_slug").to_owned();
        if slug.is_empty() {
            report
                .errors
                .push(row.error("product_slug", "product_slug is required"));
            // The rest of the row is still checked, so that it can be fixed at once.
            variant_from(&row, &mut report.errors);
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
    let skus = cooperative_skus(&txn, cooperative_id).await?;
    let target = Target {
        actor,
        cooperative_id,
        mode,
        skus: &skus,
        duplicate_rows: &duplicate_rows,
    };
    for (slug, rows) in groups.into_values() {
        // A savepoint per product: on PostgreSQL a failed statement spoils the whole
        // transaction otherwise, and the rows after it could not be checked.
        let savepoint = sea_orm::TransactionTrait::begin(&txn).await?;
        let before = report.errors.len();
        let outcome = import_group(&savepoint, &target, &slug, &rows, &mut report.errors).await;
        match outcome {
            Ok(outcome) if report.errors.len() == before => {
                savepoint.commit().await?;
                report.products += outcome.products;
                report.variants += outcome.variants;
                report.products_updated += outcome.products_updated;
                report.variants_updated += outcome.variants_updated;
                report.stock_movements += outcome.stock_movements;
            }
            Ok(_) => savepoint.rollback().await?,
            Err(error) => {
                savepoint.rollback().await?;
                return Err(error);
            }
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
            report.products_updated = 0;
            report.variants_updated = 0;
            report.stock_movements = 0;
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
        for column in REQUIRED_COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter()) {
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
