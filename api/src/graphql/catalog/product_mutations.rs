//! Product writes over GraphQL: products, variants, stock and bulk import.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use base64::{Engine, engine::general_purpose::STANDARD};

use crate::graphql::{
    ApiError, UserError, UserErrorCode,
    catalog::{Product, ProductStatusValue, Variant},
    context::ContextExt,
    errors::respond,
    ids::parse_id,
    money::Paise,
};

/// An image of a product: an upload of its cooperative (`mediaId`, from `mediaUpload`
/// or `POST /media`), or an external `url`; alt text either way.
#[derive(InputObject)]
pub struct ProductImageInput {
    /// An external image (http or https); ignored when `mediaId` is given.
    pub url: Option<String>,
    /// An upload of the product's cooperative.
    pub media_id: Option<ID>,
    pub alt: String,
}

impl ProductImageInput {
    fn into_image(self, index: usize) -> Result<catalog::ProductImage> {
        let media_id = self
            .media_id
            .map(|id| parse_id(&format!("images.{index}.mediaId"), &id))
            .transpose()?;
        Ok(catalog::ProductImage {
            url: self.url.unwrap_or_default(),
            alt: self.alt,
            media_id,
        })
    }
}

fn images(input: Vec<ProductImageInput>) -> Result<Vec<catalog::ProductImage>> {
    input
        .into_iter()
        .enumerate()
        .map(|(index, image)| image.into_image(index))
        .collect()
}

/// What government buyers need beyond the label (GeM's catalogue asks for both).
#[derive(InputObject, Default)]
pub struct ProcurementInput {
    /// Make in India local content, 0 to 100 (Class-I above 50, Class-II above 20).
    pub local_content_percent: Option<i32>,
    /// Days from order to delivery, 1 to 180.
    pub delivery_lead_time_days: Option<i32>,
}

impl From<ProcurementInput> for catalog::Procurement {
    fn from(input: ProcurementInput) -> Self {
        Self {
            local_content_percent: input.local_content_percent,
            delivery_lead_time_days: input.delivery_lead_time_days,
        }
    }
}

#[derive(InputObject, Default)]
pub struct DeclarationsInput {
    pub net_quantity: Option<String>,
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Option<String>,
    pub country_of_origin: Option<String>,
    pub best_before_months: Option<i32>,
    /// Where buyers send complaints; checked field by field at
    /// `declarations.consumerCare.address`, `.phone` and `.email`.
    pub consumer_care: Option<ConsumerCareInput>,
}

/// The consumer-care declaration (Legal Metrology Rule 6(1)(b)).
#[derive(InputObject)]
pub struct ConsumerCareInput {
    /// A postal address of 10 to 300 characters ending with its 6-digit PIN code.
    pub address: String,
    /// An Indian number: 10 digits (with the STD code for a landline), `+91` optional,
    /// or a toll-free 1800/1860 number.
    pub phone: String,
    pub email: String,
}

impl From<DeclarationsInput> for catalog::Declarations {
    fn from(input: DeclarationsInput) -> Self {
        Self {
            net_quantity: input.net_quantity,
            manufacturer_name: input.manufacturer_name,
            manufacturer_address: input.manufacturer_address,
            country_of_origin: input.country_of_origin,
            best_before_months: input.best_before_months,
            // Checked and normalised by the catalogue with the product's other fields.
            consumer_care: input.consumer_care.map(|care| catalog::ConsumerCare {
                address: Some(care.address),
                phone: Some(care.phone),
                email: Some(care.email),
                legacy_text: None,
            }),
        }
    }
}

#[derive(InputObject)]
pub struct TierPriceInput {
    pub min_quantity: i32,
    pub price: Paise,
}

#[derive(InputObject)]
pub struct VariantInput {
    pub sku: String,
    pub title: String,
    /// Tax-inclusive price in paise; at most the MRP.
    pub price: Paise,
    pub mrp: Paise,
    pub weight_grams: i32,
    #[graphql(default = 1)]
    pub min_order_quantity: i32,
    #[graphql(default)]
    pub tier_prices: Vec<TierPriceInput>,
    /// Pieces in one unit: 6 for a pack of six stoles (1 to 1000). Per-piece GST rate
    /// thresholds are judged on the price per piece.
    #[graphql(default = 1)]
    pub pieces_per_unit: i32,
    /// The GST unit quantity code the unit is counted in on documents.
    #[graphql(default_with = "UqcValue::Nos")]
    pub uqc: UqcValue,
    /// The pack's net quantity, as its label declares it (Legal Metrology).
    pub net_quantity: Option<NetQuantityInput>,
}

/// The standard unit of a declared net quantity.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "NetUnit", remote = "catalog::NetUnit")]
pub enum NetUnitValue {
    #[graphql(name = "G")]
    Gram,
    #[graphql(name = "KG")]
    Kilogram,
    #[graphql(name = "ML")]
    Millilitre,
    #[graphql(name = "L")]
    Litre,
    #[graphql(name = "CM")]
    Centimetre,
    #[graphql(name = "M")]
    Metre,
    #[graphql(name = "PIECE")]
    Piece,
}

/// A pack's declared net quantity: a number and a standard unit.
#[derive(InputObject)]
pub struct NetQuantityInput {
    /// A positive decimal number with at most three decimals, e.g. "500" or "1.5".
    pub amount: String,
    pub unit: NetUnitValue,
}

impl From<NetQuantityInput> for catalog::NetQuantityInput {
    fn from(input: NetQuantityInput) -> Self {
        Self {
            amount: input.amount,
            unit: input.unit.into(),
        }
    }
}

/// A GST unit quantity code (UQC), as the GST portal lists them.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Uqc", remote = "catalog::Uqc")]
pub enum UqcValue {
    Bag,
    Bal,
    Bdl,
    Bkl,
    Bou,
    Box,
    Btl,
    Bun,
    Can,
    Cbm,
    Ccm,
    Cms,
    Ctn,
    Doz,
    Drm,
    Ggr,
    Gms,
    Grs,
    Gyd,
    Kgs,
    Klr,
    Kme,
    Ltr,
    Mlt,
    Mtr,
    Mts,
    Nos,
    Oth,
    Pac,
    Pcs,
    Prs,
    Qtl,
    Rol,
    Set,
    Sqf,
    Sqm,
    Sqy,
    Tbs,
    Tgm,
    Thd,
    Ton,
    Tub,
    Ugs,
    Unt,
    Yds,
}

fn tiers(input: Vec<TierPriceInput>) -> Vec<catalog::TierPrice> {
    input
        .into_iter()
        .map(|tier| catalog::TierPrice {
            min_quantity: tier.min_quantity,
            price_paise: tier.price.0,
        })
        .collect()
}

impl From<VariantInput> for catalog::NewVariant {
    fn from(input: VariantInput) -> Self {
        Self {
            sku: input.sku,
            title: input.title,
            price_paise: input.price.0,
            mrp_paise: input.mrp.0,
            weight_grams: input.weight_grams,
            min_order_quantity: input.min_order_quantity,
            tier_prices: tiers(input.tier_prices),
            pieces_per_unit: input.pieces_per_unit,
            uqc: input.uqc.into(),
            net_quantity: input.net_quantity.map(Into::into),
        }
    }
}

fn attributes(
    json: Option<Json<serde_json::Value>>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ApiError> {
    match json.map(|j| j.0) {
        None => Ok(None),
        Some(serde_json::Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(ApiError::BadUserInput(
            "`attributes` must be a JSON object".to_owned(),
        )),
    }
}

#[derive(InputObject)]
pub struct ProductCreateInput {
    pub cooperative_id: ID,
    pub category_slug: String,
    pub title: String,
    /// Made from the title when omitted.
    pub slug: Option<String>,
    #[graphql(default)]
    pub description: String,
    /// Values keyed as in the category's attribute schema.
    pub attributes: Option<Json<serde_json::Value>>,
    #[graphql(default)]
    pub images: Vec<ProductImageInput>,
    pub declarations: Option<DeclarationsInput>,
    pub procurement: Option<ProcurementInput>,
    /// The product's own HSN code (4, 6 or 8 digits) where its category's default does
    /// not fit, e.g. blankets (6301) in a woollens category; at least as many digits as
    /// the cooperative's turnover band needs.
    pub hsn_code: Option<String>,
    #[graphql(default)]
    pub variants: Vec<VariantInput>,
    /// DRAFT when omitted.
    pub status: Option<ProductStatusValue>,
}

#[derive(SimpleObject, Default)]
pub struct ProductPayload {
    pub product: Option<Product>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ProductUpdateInput {
    pub id: ID,
    pub title: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub category_slug: Option<String>,
    pub attributes: Option<Json<serde_json::Value>>,
    pub images: Option<Vec<ProductImageInput>>,
    pub declarations: Option<DeclarationsInput>,
    /// Replaces the procurement details (an omitted field inside clears it).
    pub procurement: Option<ProcurementInput>,
    /// The product's own HSN code; an empty string returns to the category's.
    pub hsn_code: Option<String>,
    /// ACTIVE only once every mandatory declaration is present.
    pub status: Option<ProductStatusValue>,
}

#[derive(InputObject)]
pub struct VariantCreateInput {
    pub product_id: ID,
    pub variant: VariantInput,
}

#[derive(SimpleObject, Default)]
pub struct VariantPayload {
    pub variant: Option<Variant>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct VariantUpdateInput {
    pub id: ID,
    pub title: Option<String>,
    pub price: Option<Paise>,
    pub mrp: Option<Paise>,
    pub weight_grams: Option<i32>,
    pub min_order_quantity: Option<i32>,
    pub tier_prices: Option<Vec<TierPriceInput>>,
    pub pieces_per_unit: Option<i32>,
    pub uqc: Option<UqcValue>,
    /// Replaces the declared net quantity.
    pub net_quantity: Option<NetQuantityInput>,
}

// Only the manual subset of `catalog::StockReason` (batches and orders move stock
// themselves), so a one-way exhaustive match rather than a remote enum.
/// Why stock is corrected outside batches.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum StockAdjustReason {
    Recount,
    Damaged,
    Returned,
    Correction,
}

#[derive(InputObject)]
pub struct StockAdjustInput {
    pub variant_id: ID,
    /// Units to add (positive) or remove (negative); stock never goes below zero.
    pub delta: i32,
    pub reason: StockAdjustReason,
    pub note: Option<String>,
}

/// The format of an import file.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "catalog::ImportFormat")]
pub enum ImportFormat {
    Csv,
    Xlsx,
}

/// How an import treats products and variants that already exist.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "catalog::ImportMode")]
pub enum ImportMode {
    /// Every product is new: a slug or SKU already in use is an error.
    CreateOnly,
    /// The cooperative's own products are updated by slug and their variants by SKU
    /// (new SKUs are added); empty optional cells keep what is stored.
    Upsert,
}

#[derive(InputObject)]
pub struct ProductImportInput {
    pub cooperative_id: ID,
    pub format: ImportFormat,
    /// The file, base64-encoded. The template is at `GET /catalog/import-template.csv`.
    pub content_base64: String,
    /// Check every row without storing anything.
    #[graphql(default = true)]
    pub dry_run: bool,
    #[graphql(default_with = "ImportMode::CreateOnly")]
    pub mode: ImportMode,
}

/// One problem in an import file.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// Spreadsheet row (the header is row 1); 0 for the file as a whole.
    pub row: i32,
    pub column: String,
    pub message: String,
}

/// What an import did or would do. A real run stores everything or nothing.
#[derive(SimpleObject)]
pub struct ImportReport {
    pub dry_run: bool,
    pub applied: bool,
    /// Products created.
    pub products: i32,
    /// Variants created, with new products or added to existing ones.
    pub variants: i32,
    /// Existing products updated (`UPSERT`).
    pub products_updated: i32,
    /// Existing variants updated (`UPSERT`).
    pub variants_updated: i32,
    /// Stock movements recorded in the ledger from `stock_on_hand` cells.
    pub stock_movements: i32,
    /// Every problem of every row.
    pub row_errors: Vec<ImportRowError>,
}

#[derive(SimpleObject, Default)]
pub struct ProductImportPayload {
    pub report: Option<ImportReport>,
    pub errors: Vec<UserError>,
}

fn count(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// Creates a product with its variants (the cooperative's staff and admins).
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductCreateInput,
    ) -> Result<ProductPayload> {
        let new = catalog::NewProduct {
            cooperative_id: parse_id("cooperativeId", &input.cooperative_id)?,
            category_slug: input.category_slug,
            title: input.title,
            slug: input.slug,
            description: input.description,
            attributes: attributes(input.attributes)?.unwrap_or_default(),
            images: images(input.images)?,
            declarations: input.declarations.unwrap_or_default().into(),
            procurement: input.procurement.unwrap_or_default().into(),
            hsn_code: input.hsn_code,
            variants: input.variants.into_iter().map(Into::into).collect(),
            status: input.status.map(Into::into),
        };
        let created = catalog::create_product(ctx.db()?, &ctx.actor()?, new).await;
        respond(created, |p, errors| ProductPayload {
            product: p.map(|(product, _)| Product(product)),
            errors,
        })
    }

    /// Edits a product, including its status.
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        input: ProductUpdateInput,
    ) -> Result<ProductPayload> {
        let changes = catalog::ProductChanges {
            title: input.title,
            slug: input.slug,
            description: input.description,
            category_slug: input.category_slug,
            attributes: attributes(input.attributes)?,
            images: input.images.map(images).transpose()?,
            declarations: input.declarations.map(Into::into),
            procurement: input.procurement.map(Into::into),
            hsn_code: input.hsn_code,
            status: input.status.map(Into::into),
        };
        let updated = catalog::update_product(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("id", &input.id)?,
            changes,
        )
        .await;
        respond(updated, |p, errors| ProductPayload {
            product: p.map(Product),
            errors,
        })
    }

    /// Adds a variant to a product; its stock arrives with batches.
    async fn variant_create(
        &self,
        ctx: &Context<'_>,
        input: VariantCreateInput,
    ) -> Result<VariantPayload> {
        let created = catalog::create_variant(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("productId", &input.product_id)?,
            input.variant.into(),
        )
        .await
        // The domain checks a variant on its own; here it is `input.variant`.
        .map_err(|error| match error {
            catalog::CatalogError::Invalid(fields) => catalog::CatalogError::Invalid(
                fields
                    .into_iter()
                    .map(|field| field.under("variant"))
                    .collect(),
            ),
            other => other,
        });
        respond(created, |v, errors| VariantPayload {
            variant: v.map(Variant),
            errors,
        })
    }

    /// Edits a variant's title, price, MRP, weight, minimum order or tier prices.
    async fn variant_update(
        &self,
        ctx: &Context<'_>,
        input: VariantUpdateInput,
    ) -> Result<VariantPayload> {
        let changes = catalog::VariantChanges {
            title: input.title,
            price_paise: input.price.map(|p| p.0),
            mrp_paise: input.mrp.map(|p| p.0),
            weight_grams: input.weight_grams,
            min_order_quantity: input.min_order_quantity,
            tier_prices: input.tier_prices.map(tiers),
            pieces_per_unit: input.pieces_per_unit,
            uqc: input.uqc.map(Into::into),
            net_quantity: input.net_quantity.map(Into::into),
        };
        let updated = catalog::update_variant(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("id", &input.id)?,
            changes,
        )
        .await;
        respond(updated, |v, errors| VariantPayload {
            variant: v.map(Variant),
            errors,
        })
    }

    /// Corrects stock outside batches; recorded in the stock ledger.
    async fn stock_adjust(
        &self,
        ctx: &Context<'_>,
        input: StockAdjustInput,
    ) -> Result<VariantPayload> {
        let reason = match input.reason {
            StockAdjustReason::Recount => catalog::StockReason::Recount,
            StockAdjustReason::Damaged => catalog::StockReason::Damaged,
            StockAdjustReason::Returned => catalog::StockReason::Returned,
            StockAdjustReason::Correction => catalog::StockReason::Correction,
        };
        let adjusted = catalog::adjust_stock(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("variantId", &input.variant_id)?,
            input.delta,
            reason,
            input.note,
        )
        .await;
        respond(adjusted, |v, errors| VariantPayload {
            variant: v.map(Variant),
            errors,
        })
    }

    /// Imports products and variants from CSV or XLSX. A dry run reports row-level
    /// problems without storing anything; a real run stores all rows or none.
    async fn product_import(
        &self,
        ctx: &Context<'_>,
        input: ProductImportInput,
    ) -> Result<ProductImportPayload> {
        let Ok(content) = STANDARD.decode(input.content_base64.trim()) else {
            return Ok(ProductImportPayload {
                report: None,
                errors: vec![UserError::new(
                    "contentBase64",
                    UserErrorCode::Invalid,
                    "the file is not valid base64",
                )],
            });
        };
        let format = input.format.into();
        let imported = catalog::import_products(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("cooperativeId", &input.cooperative_id)?,
            format,
            &content,
            input.dry_run,
            input.mode.into(),
        )
        .await;
        respond(imported, |report, errors| ProductImportPayload {
            report: report.map(|report| ImportReport {
                dry_run: report.dry_run,
                applied: report.applied,
                products: count(report.products),
                variants: count(report.variants),
                products_updated: count(report.products_updated),
                variants_updated: count(report.variants_updated),
                stock_movements: count(report.stock_movements),
                row_errors: report
                    .errors
                    .into_iter()
                    .map(|e| ImportRowError {
                        row: count(e.row),
                        column: e.column,
                        message: e.message,
                    })
                    .collect(),
            }),
            errors,
        })
    }
}
