//! From a product to a channel's catalogue item, with every field the channel needs
//! checked first. Each missing or invalid field is a [`FieldError`] naming it, so a
//! cooperative can fix its product before anything is sent.

use std::{collections::HashMap, path::Path};

use catalog::{Category, Cooperative, Product, ProductStatus, Variant, VerificationStatus};
use chrono::{NaiveDate, Utc};
use kernel::{FieldError, FieldErrorCode};
use orders::RateSchedule;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Channel, ConnectorError};

const BUILT_IN_CATEGORIES: &str = include_str!("../../data/reference/channel_categories.json");

/// Which channel category each marketplace category goes under.
#[derive(Debug, Clone, Default)]
pub struct ChannelCategories {
    by_channel: HashMap<String, HashMap<String, String>>,
}

impl ChannelCategories {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut by_channel = HashMap::new();
        for channel in Channel::ALL {
            let map: HashMap<String, String> = value
                .get(channel.as_str())
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| format!("{channel}: {e}"))?
                .unwrap_or_default();
            by_channel.insert(channel.as_str().to_owned(), map);
        }
        Ok(Self { by_channel })
    }

    /// `DATA_DIR/channel_categories.json` when present, else the built-in table.
    pub fn load(data_dir: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(data_dir.join("channel_categories.json")) {
            Ok(text) => Self::from_json(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::from_json(BUILT_IN_CATEGORIES)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn built_in() -> Result<Self, String> {
        Self::from_json(BUILT_IN_CATEGORIES)
    }

    fn lookup(&self, channel: Channel, slug: &str, parent: Option<&str>) -> Option<&str> {
        let map = self.by_channel.get(channel.as_str())?;
        map.get(slug)
            .or_else(|| parent.and_then(|p| map.get(p)))
            .map(String::as_str)
    }
}

/// Everything a channel item is made from.
#[derive(Debug, Clone)]
pub struct ListingSource {
    pub product: Product,
    pub variants: Vec<Variant>,
    pub cooperative: Cooperative,
    pub category: Category,
    pub parent_category_slug: Option<String>,
    pub gi_tags: Vec<String>,
}

impl ListingSource {
    /// The product may be sold now: ACTIVE, from a VERIFIED cooperative.
    pub fn sellable(&self) -> bool {
        self.product.status == ProductStatus::Active
            && self.cooperative.verification_status == VerificationStatus::Verified
    }
}

/// Loads the sources of many products in six queries.
pub async fn load_sources(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, ListingSource>, ConnectorError> {
    let products = catalog::products_by_ids(db, product_ids).await?;
    let mut variants = catalog::variants_by_product_ids(db, product_ids).await?;
    let cooperative_ids: Vec<Uuid> = products.values().map(|p| p.cooperative_id).collect();
    let cooperatives = catalog::cooperatives_by_ids(db, &cooperative_ids).await?;
    let category_ids: Vec<Uuid> = products.values().map(|p| p.category_id).collect();
    let categories = catalog::categories_by_ids(db, &category_ids).await?;
    let parent_ids: Vec<Uuid> = categories.values().filter_map(|c| c.parent_id).collect();
    let parents = catalog::categories_by_ids(db, &parent_ids).await?;
    let mut claims = catalog::gi_claims_by_product_ids(db, product_ids).await?;
    let registrations = catalog::authorised_users_by_cooperative_ids(db, &cooperative_ids).await?;
    let today = Utc::now().date_naive();
    let mut sources = HashMap::new();
    for (id, product) in products {
        let (Some(cooperative), Some(category)) = (
            cooperatives.get(&product.cooperative_id),
            categories.get(&product.category_id),
        ) else {
            return Err(ConnectorError::Corrupt(format!(
                "product {id} without its cooperative or category"
            )));
        };
        sources.insert(
            id,
            ListingSource {
                variants: variants.remove(&id).unwrap_or_default(),
                cooperative: cooperative.clone(),
                parent_category_slug: category
                    .parent_id
                    .and_then(|p| parents.get(&p))
                    .map(|p| p.slug.clone()),
                category: category.clone(),
                // Only claims valid today, judged when the feed or push is built.
                gi_tags: claims
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut claim| {
                        claim.authorised_user = registrations
                            .get(&product.cooperative_id)
                            .into_iter()
                            .flatten()
                            .filter(|au| au.gi_tag_id == claim.gi_tag.id)
                            .find(|au| au.valid_on(today))
                            .cloned();
                        claim
                    })
                    .filter(|c| c.valid_on(today))
                    .map(|c| c.gi_tag.name)
                    .collect(),
                product,
            },
        );
    }
    Ok(sources)
}

/// GeM's Make in India classes from local content (Public Procurement (Preference to
/// Make in India) Order): Class-I above 50%, Class-II above 20%.
pub fn make_in_india_class(local_content_percent: i32) -> &'static str {
    if local_content_percent > 50 {
        "CLASS_I"
    } else if local_content_percent > 20 {
        "CLASS_II"
    } else {
        "NON_LOCAL"
    }
}

fn percent(bp: i64) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// The channel's item for a product, or every problem with it. Each variant carries the
/// GST rate the checkout would charge for it on `today` (India's date), from `rates`.
pub fn map_item(
    channel: Channel,
    source: &ListingSource,
    categories: &ChannelCategories,
    rates: &RateSchedule,
    today: NaiveDate,
) -> Result<Value, Vec<FieldError>> {
    let mut problems = Vec::new();
    let product = &source.product;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if !source.sellable() {
        problems.push(FieldError::new(
            "product.status",
            FieldErrorCode::NotAllowed,
            "only ACTIVE products of VERIFIED cooperatives can be listed",
        ));
    }
    let category = categories.lookup(
        channel,
        &source.category.slug,
        source.parent_category_slug.as_deref(),
    );
    if category.is_none() {
        problems.push(FieldError::new(
            "product.category",
            FieldErrorCode::NotFound,
            format!(
                "no {channel} category is mapped for {}",
                source.category.slug
            ),
        ));
    }
    // The product's own code where it has one (blankets in a woollens category).
    let hsn = product.hsn(&source.category.hsn_code);
    if !matches!(hsn.len(), 4 | 6 | 8) || !hsn.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(FieldError::new(
            "product.hsn",
            FieldErrorCode::Invalid,
            "the product's HSN code must have 4, 6 or 8 digits",
        ));
    }
    if blank(&product.declarations.country_of_origin) {
        problems.push(FieldError::new(
            "product.declarations.countryOfOrigin",
            FieldErrorCode::Required,
            "country of origin is required",
        ));
    }
    if product.images.is_empty() {
        problems.push(FieldError::new(
            "product.images",
            FieldErrorCode::Required,
            "at least one image is required",
        ));
    }
    if source.variants.is_empty() {
        problems.push(FieldError::new(
            "product.variants",
            FieldErrorCode::Required,
            "at least one variant is required",
        ));
    }
    if channel == Channel::Gem {
        match product.procurement.local_content_percent {
            None => problems.push(FieldError::new(
                "product.localContentPercent",
                FieldErrorCode::Required,
                "GeM needs the Make in India local-content percentage",
            )),
            Some(p) if !(0..=100).contains(&p) => problems.push(FieldError::new(
                "product.localContentPercent",
                FieldErrorCode::OutOfRange,
                "local content is between 0 and 100",
            )),
            Some(_) => {}
        }
        if product.procurement.delivery_lead_time_days.is_none() {
            problems.push(FieldError::new(
                "product.deliveryLeadTimeDays",
                FieldErrorCode::Required,
                "GeM needs the delivery lead time in days",
            ));
        }
        if blank(&source.cooperative.gstin) {
            problems.push(FieldError::new(
                "cooperative.gstin",
                FieldErrorCode::Required,
                "GeM sellers need a GSTIN",
            ));
        }
    }
    let mut rates_bp = Vec::with_capacity(source.variants.len());
    for (index, variant) in source.variants.iter().enumerate() {
        let field = |name: &str| format!("variants.{index}.{name}");
        if variant.mrp.minor <= 0 {
            problems.push(FieldError::new(
                &field("mrp"),
                FieldErrorCode::Required,
                "MRP is required",
            ));
        }
        if variant.price.minor > variant.mrp.minor {
            problems.push(FieldError::new(
                &field("price"),
                FieldErrorCode::OutOfRange,
                "the offer price may not exceed the MRP",
            ));
        } else if channel == Channel::Gem && variant.price.minor == variant.mrp.minor {
            problems.push(FieldError::new(
                &field("price"),
                FieldErrorCode::NotAllowed,
                "GeM requires a discount on the MRP: the offer price must be below it",
            ));
        }
        if variant.min_order_quantity < 1 {
            problems.push(FieldError::new(
                &field("minOrderQuantity"),
                FieldErrorCode::OutOfRange,
                "minimum order quantity is at least 1",
            ));
        }
        // The checkout's own rule (per-piece textile thresholds included), so that a
        // buyer on the channel is shown the tax the invoice will carry.
        match orders::tax::charged_rate(
            rates,
            source.cooperative.gst_regime,
            hsn,
            today,
            variant.price.minor,
            variant.pieces_per_unit,
            i64::from(source.category.gst_rate_bp),
        ) {
            Ok(rate) => rates_bp.push(rate),
            Err(e) => problems.push(FieldError::new(
                &field("price"),
                FieldErrorCode::Invalid,
                format!("no GST rate can be worked out: {e}"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let variants: Vec<Value> = source
        .variants
        .iter()
        .zip(&rates_bp)
        .map(|(v, rate)| {
            json!({
                "sku": v.sku,
                "title": v.title,
                "mrpPaise": v.mrp.minor,
                "offerPricePaise": v.price.minor,
                "gstRatePercent": percent(*rate),
                "stock": v.stock_on_hand,
                "minOrderQuantity": v.min_order_quantity,
                "weightGrams": v.weight_grams,
            })
        })
        .collect();
    // One figure for the item when every variant is taxed alike; a product whose
    // pieces straddle a per-piece threshold has none, its variants say.
    let item_rate = match rates_bp.split_first() {
        Some((first, rest)) if rest.iter().all(|r| r == first) => Some(percent(*first)),
        _ => None,
    };
    let mut item = json!({
        "listingKey": product.id,
        "title": product.title,
        "description": product.description,
        "category": category,
        "brand": source.cooperative.name,
        "seller": {
            "name": source.cooperative.name,
            "gstin": source.cooperative.gstin,
            "district": source.cooperative.district,
            "pinCode": source.cooperative.pin_code,
        },
        "hsn": hsn,
        "gstRatePercent": item_rate,
        "countryOfOrigin": product.declarations.country_of_origin,
        "giTags": source.gi_tags,
        "images": product.images.iter().map(|i| json!({ "url": i.url, "alt": i.alt })).collect::<Vec<_>>(),
        "variants": variants,
    });
    if channel == Channel::Gem
        && let (Some(obj), Some(local)) = (
            item.as_object_mut(),
            product.procurement.local_content_percent,
        )
    {
        obj.insert("localContentPercent".into(), json!(local));
        obj.insert("makeInIndiaClass".into(), json!(make_in_india_class(local)));
        obj.insert(
            "deliveryLeadTimeDays".into(),
            json!(product.procurement.delivery_lead_time_days),
        );
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_in_india_classes() {
        assert_eq!(make_in_india_class(100), "CLASS_I");
        assert_eq!(make_in_india_class(51), "CLASS_I");
        assert_eq!(make_in_india_class(50), "CLASS_II");
        assert_eq!(make_in_india_class(21), "CLASS_II");
        assert_eq!(make_in_india_class(20), "NON_LOCAL");
    }

    #[test]
    fn the_built_in_category_table_maps_every_top_level_line() -> Result<(), String> {
        let table = ChannelCategories::built_in()?;
        for channel in Channel::ALL {
            for slug in ["apricot", "sea-buckthorn", "pashmina", "handloom"] {
                assert!(
                    table.lookup(channel, slug, None).is_some(),
                    "{channel} {slug}"
                );
            }
            assert!(
                table
                    .lookup(channel, "apricot-fresh", Some("apricot"))
                    .is_some()
            );
        }
        Ok(())
    }
}
