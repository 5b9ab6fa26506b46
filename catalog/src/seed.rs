//! The demo catalogue: fictitious cooperatives, their products, GI authorisations,
//! batches with provenance trails, and GI claims, kept as JSON under `data/seed/` and
//! compiled into the binary, so that a fresh `cargo run` shows a realistic storefront.
//! It goes through the same services and rules as real data, in one transaction, and
//! only into a database without cooperatives.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    Actor, CatalogError, CooperativeFields, Declarations, EventKind, NetQuantity, NetQuantityInput,
    NewAuthorisedUser, NewBatch, NewEvent, NewProduct, NewVariant, Procurement, ProductImage,
    ProductStatus, TierPrice, Uqc, VerificationStatus,
    batches::{Certificate, create_batch_in},
    cooperatives::{create_cooperative, set_verification_status},
    entity::{cooperative, gi_tag},
    gi::{claim_gi, decide_authorised_user, register_authorised_user},
    products::create_product_in,
    provenance::append_event,
    variants::load_variant,
};

const COOPERATIVES_JSON: &str = include_str!("../../data/seed/cooperatives.json");
const PRODUCTS_JSON: &str = include_str!("../../data/seed/products.json");
const AUTHORISED_USERS_JSON: &str = include_str!("../../data/seed/authorised_users.json");
const BATCHES_JSON: &str = include_str!("../../data/seed/batches.json");
const GI_CLAIMS_JSON: &str = include_str!("../../data/seed/gi_claims.json");

#[derive(Debug, Deserialize)]
struct SeedCooperative {
    slug: String,
    name: String,
    registration_number: String,
    registrar: String,
    district: String,
    village: String,
    address_line: String,
    pin_code: String,
    contact_email: String,
    contact_phone: String,
    gstin: Option<String>,
    fssai_licence: Option<String>,
    verification_status: String,
}

#[derive(Debug, Deserialize)]
struct SeedProduct {
    slug: String,
    title: String,
    description: String,
    cooperative_slug: String,
    category_slug: String,
    status: String,
    attributes: serde_json::Map<String, serde_json::Value>,
    images: Vec<ProductImage>,
    declarations: Declarations,
    /// Demo products are made in Ladakh from Ladakh's raw material: 100% local content
    /// and ten days to deliver, unless a product says otherwise.
    #[serde(default = "demo_procurement")]
    procurement: Procurement,
    variants: Vec<SeedVariant>,
}

fn demo_procurement() -> Procurement {
    Procurement {
        local_content_percent: Some(100),
        delivery_lead_time_days: Some(10),
    }
}

#[derive(Debug, Deserialize)]
struct SeedVariant {
    sku: String,
    title: String,
    price_paise: i64,
    mrp_paise: i64,
    weight_grams: i32,
    stock_on_hand: i32,
    min_order_quantity: i32,
    #[serde(default)]
    tier_prices: Vec<TierPrice>,
    /// A pack's pieces; 1 when absent.
    #[serde(default)]
    pieces_per_unit: Option<i32>,
    /// A GST unit quantity code; NOS when absent.
    #[serde(default)]
    uqc: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SeedAuthorisedUser {
    gi_slug: String,
    cooperative_slug: String,
    au_number: String,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    status: String,
}

#[derive(Debug, Deserialize)]
struct SeedBatch {
    code: String,
    product_slug: String,
    variant_sku: String,
    origin_village: String,
    origin_district: String,
    produced_on: NaiveDate,
    quantity: i32,
    certificates: Vec<Certificate>,
    events: Vec<SeedEvent>,
}

#[derive(Debug, Deserialize)]
struct SeedEvent {
    kind: String,
    occurred_at: DateTime<Utc>,
    location: String,
    notes: String,
    data: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct SeedClaim {
    product_slug: String,
    gi_slug: String,
}

/// What the demo load inserted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub cooperatives: usize,
    pub products: usize,
    pub variants: usize,
    pub batches: usize,
    pub events: usize,
    pub gi_claims: usize,
}

/// True when no cooperative exists yet, i.e. the demo catalogue can be loaded.
pub async fn catalog_is_empty(db: &impl ConnectionTrait) -> Result<bool, CatalogError> {
    Ok(cooperative::Entity::find().count(db).await? == 0)
}

fn invalid(what: String) -> CatalogError {
    CatalogError::InvalidSeed(what)
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| invalid(format!("{name}: {e}")))
}

fn explain(context: &str) -> impl Fn(CatalogError) -> CatalogError + '_ {
    move |error| invalid(format!("{context}: {error}"))
}

/// Loads the demo catalogue in one transaction: all of it or nothing. Reference data
/// (districts, categories, GI register) must be loaded first.
pub async fn load_demo_catalog(db: &DatabaseConnection) -> Result<SeedSummary, CatalogError> {
    let cooperatives: Vec<SeedCooperative> = parse("cooperatives.json", COOPERATIVES_JSON)?;
    let products: Vec<SeedProduct> = parse("products.json", PRODUCTS_JSON)?;
    let authorised_users: Vec<SeedAuthorisedUser> =
        parse("authorised_users.json", AUTHORISED_USERS_JSON)?;
    let batches: Vec<SeedBatch> = parse("batches.json", BATCHES_JSON)?;
    let claims: Vec<SeedClaim> = parse("gi_claims.json", GI_CLAIMS_JSON)?;
    let system = Actor::System;
    let mut summary = SeedSummary::default();
    let txn = kernel::begin_write(db).await?;

    let mut cooperative_ids: HashMap<String, Uuid> = HashMap::new();
    let mut final_status: Vec<(Uuid, VerificationStatus)> = Vec::new();
    for seed in cooperatives {
        let context = format!("cooperative {}", seed.slug);
        let status: VerificationStatus = seed.verification_status.parse().map_err(invalid)?;
        let created = create_cooperative(
            &txn,
            &system,
            CooperativeFields {
                name: Some(seed.name),
                slug: Some(seed.slug.clone()),
                registration_number: Some(seed.registration_number),
                registrar: Some(seed.registrar),
                district: Some(seed.district),
                village: Some(seed.village),
                address_line: Some(seed.address_line),
                pin_code: Some(seed.pin_code),
                contact_email: Some(seed.contact_email),
                contact_phone: Some(seed.contact_phone),
                gstin: seed.gstin,
                gst_regime: None,
                state_code: None,
                fssai_licence: seed.fssai_licence,
                turnover_band: None,
            },
        )
        .await
        .map_err(explain(&context))?;
        cooperative_ids.insert(seed.slug, created.id);
        final_status.push((created.id, status));
        summary.cooperatives += 1;
    }

    let mut product_ids: HashMap<String, Uuid> = HashMap::new();
    let mut expected_stock: HashMap<(Uuid, String), i32> = HashMap::new();
    let mut variant_ids: HashMap<(Uuid, String), Uuid> = HashMap::new();
    let tag_ids: HashMap<String, Uuid> = gi_tag::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.slug, t.id))
        .collect();
    let tag_id = |slug: &str| {
        tag_ids
            .get(slug)
            .copied()
            .ok_or_else(|| invalid(format!("unknown GI {slug}")))
    };
    for seed in authorised_users {
        let context = format!("authorised user {}", seed.au_number);
        let cooperative_id = *cooperative_ids
            .get(&seed.cooperative_slug)
            .ok_or_else(|| invalid(format!("{context}: unknown cooperative")))?;
        let registration = register_authorised_user(
            &txn,
            &system,
            NewAuthorisedUser {
                gi_tag_id: tag_id(&seed.gi_slug)?,
                cooperative_id,
                au_number: seed.au_number,
                valid_from: seed.valid_from,
                valid_until: seed.valid_until,
            },
        )
        .await
        .map_err(explain(&context))?;
        match seed.status.as_str() {
            "PENDING" => {}
            "VERIFIED" => {
                decide_authorised_user(&txn, &system, registration.id, true)
                    .await
                    .map_err(explain(&context))?;
            }
            other => return Err(invalid(format!("{context}: status {other}"))),
        }
    }

    for seed in products {
        let context = format!("product {}", seed.slug);
        let cooperative_id = *cooperative_ids.get(&seed.cooperative_slug).ok_or_else(|| {
            invalid(format!(
                "{context}: unknown cooperative {}",
                seed.cooperative_slug
            ))
        })?;
        let status: ProductStatus = seed.status.parse().map_err(invalid)?;
        // The demo's free-text declaration describes the first variant, read as the
        // migration reads stored ones.
        let declared = seed
            .declarations
            .net_quantity
            .as_deref()
            .and_then(NetQuantity::parse_legacy)
            .map(|q| NetQuantityInput {
                amount: q.amount_text(),
                unit: q.unit,
            });
        let (product, variants) = create_product_in(
            &txn,
            &system,
            NewProduct {
                hsn_code: None,
                cooperative_id,
                category_slug: seed.category_slug,
                title: seed.title,
                slug: Some(seed.slug.clone()),
                description: seed.description,
                attributes: seed.attributes,
                images: seed.images,
                declarations: seed.declarations,
                procurement: seed.procurement,
                status: Some(status),
                variants: seed
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(index, v)| -> Result<NewVariant, CatalogError> {
                        Ok(NewVariant {
                            sku: v.sku.clone(),
                            title: v.title.clone(),
                            price_paise: v.price_paise,
                            mrp_paise: v.mrp_paise,
                            weight_grams: v.weight_grams,
                            min_order_quantity: v.min_order_quantity,
                            tier_prices: v.tier_prices.clone(),
                            pieces_per_unit: v.pieces_per_unit.unwrap_or(1),
                            uqc: v
                                .uqc
                                .as_deref()
                                .map(str::parse::<Uqc>)
                                .transpose()
                                .map_err(|e| invalid(format!("{context}: {e}")))?
                                .unwrap_or(Uqc::Nos),
                            net_quantity: declared.clone().filter(|_| index == 0),
                        })
                    })
                    .collect::<Result<Vec<_>, CatalogError>>()?,
            },
        )
        .await
        .map_err(explain(&context))?;
        for (seeded, created) in seed.variants.iter().zip(&variants) {
            expected_stock.insert((product.id, seeded.sku.clone()), seeded.stock_on_hand);
            variant_ids.insert((product.id, seeded.sku.clone()), created.id);
        }
        summary.variants += variants.len();
        product_ids.insert(seed.slug, product.id);
        summary.products += 1;
    }

    for seed in batches {
        let context = format!("batch {}", seed.code);
        let product_id = *product_ids
            .get(&seed.product_slug)
            .ok_or_else(|| invalid(format!("{context}: unknown product")))?;
        let variant_id = *variant_ids
            .get(&(product_id, seed.variant_sku.clone()))
            .ok_or_else(|| invalid(format!("{context}: unknown SKU {}", seed.variant_sku)))?;
        let batch = create_batch_in(
            &txn,
            &system,
            NewBatch {
                variant_id,
                code: seed.code,
                origin_village: seed.origin_village,
                origin_district: seed.origin_district,
                produced_on: seed.produced_on,
                quantity: seed.quantity,
                certificates: seed.certificates,
            },
        )
        .await
        .map_err(explain(&context))?;
        for event in seed.events {
            let kind: EventKind = event.kind.parse().map_err(invalid)?;
            append_event(
                &txn,
                &batch,
                NewEvent {
                    kind,
                    occurred_at: event.occurred_at,
                    location: event.location,
                    notes: event.notes,
                    data: event.data,
                },
                None,
            )
            .await
            .map_err(explain(&context))?;
            summary.events += 1;
        }
        summary.batches += 1;
    }

    for ((product_id, sku), expected) in &expected_stock {
        let variant_id = variant_ids
            .get(&(*product_id, sku.clone()))
            .copied()
            .unwrap_or_default();
        let stock = load_variant(&txn, variant_id).await?.stock_on_hand;
        if stock != *expected {
            return Err(invalid(format!(
                "variant {sku}: batches add up to {stock}, products.json says {expected}"
            )));
        }
    }

    for seed in claims {
        let context = format!("GI claim {} → {}", seed.product_slug, seed.gi_slug);
        let product_id = *product_ids
            .get(&seed.product_slug)
            .ok_or_else(|| invalid(format!("{context}: unknown product")))?;
        claim_gi(&txn, &system, product_id, tag_id(&seed.gi_slug)?)
            .await
            .map_err(explain(&context))?;
        summary.gi_claims += 1;
    }

    for (cooperative_id, status) in final_status {
        if status != VerificationStatus::Pending {
            set_verification_status(
                &txn,
                &system,
                cooperative_id,
                status,
                "demo data: registration as seeded",
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(summary)
}
