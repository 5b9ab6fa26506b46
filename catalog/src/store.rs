//! The product view that several use cases share, and its loader. It sits below the use
//! cases (products, variants, GI claims, provenance) so that each of them can load a
//! product without importing from another that imports from it.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    CatalogError, FieldErrorCode, consumer_care::ConsumerCare, entity::product,
    status::ProductStatus,
};
use kernel::FieldError;

/// A product image with the alt text that screen readers and GeM's reviewers need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductImage {
    /// An external image's URL, or an upload's full-size path (`/media/…`), filled
    /// from the upload.
    pub url: String,
    pub alt: String,
    /// The upload shown (its renditions serve the storefront); None for a linked image.
    #[serde(default, rename = "mediaId", skip_serializing_if = "Option::is_none")]
    pub media_id: Option<Uuid>,
}

/// The Legal Metrology (Packaged Commodities) Rules 2011 declarations that a listing
/// must show (Rule 6(1), 6(10)). The MRP is declared per variant, and only there: the
/// product's declarations show its first variant's (an MRP kept here as well went stale,
/// and only imports wrote it; rows stored with one still read, the value ignored).
/// Optional while a product is a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declarations {
    pub net_quantity: Option<String>,
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Option<String>,
    pub country_of_origin: Option<String>,
    /// Food only: months from packing until best before.
    pub best_before_months: Option<i32>,
    /// Where buyers send complaints: address, phone and e-mail.
    pub consumer_care: Option<ConsumerCare>,
}

impl Declarations {
    /// Checks and normalises a consumer-care declaration as typed (one read from old
    /// free text is kept as it is), as field errors under `declarations.consumerCare`.
    /// The other text declarations are checked for what they must say, so that "x" or
    /// "1" cannot stand for one: a net quantity names a number and a unit, a
    /// manufacturer a name, its address ends with a PIN code, a country is a name.
    pub(crate) fn check_input(&mut self) -> Vec<FieldError> {
        let mut problems = self.text_problems();
        let Some(care) = self.consumer_care.take() else {
            return problems;
        };
        if care.legacy_text.is_some() {
            self.consumer_care = Some(care);
            return problems;
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match ConsumerCare::checked(&text(&care.address), &text(&care.phone), &text(&care.email)) {
            Ok(checked) => self.consumer_care = Some(checked),
            Err(found) => {
                self.consumer_care = Some(care);
                problems.extend(found);
            }
        }
        problems
    }

    fn text_problems(&self) -> Vec<FieldError> {
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let letters = |v: &str| v.chars().filter(|c| c.is_alphabetic()).count();
        let mut problems = Vec::new();
        let mut refuse = |field: &str, message: &str| {
            problems.push(FieldError::new(
                &format!("declarations.{field}"),
                FieldErrorCode::Invalid,
                message,
            ));
        };
        if let Some(quantity) = given(&self.net_quantity)
            && (!quantity.chars().any(|c| c.is_ascii_digit()) || letters(&quantity) == 0)
        {
            refuse(
                "netQuantity",
                "the net quantity is a number and its unit, such as 500 g",
            );
        }
        if let Some(name) = given(&self.manufacturer_name)
            && (letters(&name) < 2 || name.chars().count() > 200)
        {
            refuse(
                "manufacturerName",
                "the manufacturer's name has 2 to 200 characters, with letters",
            );
        }
        if let Some(address) = given(&self.manufacturer_address)
            && (letters(&address) < 2
                || !(10..=300).contains(&address.chars().count())
                || !crate::consumer_care::ends_with_pin(&address))
        {
            refuse(
                "manufacturerAddress",
                "the manufacturer's address is a postal address of 10 to 300 characters ending with its 6-digit PIN code",
            );
        }
        if let Some(country) = given(&self.country_of_origin)
            && (letters(&country) < 4
                || country.chars().count() > 60
                || !country
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.')))
        {
            refuse(
                "countryOfOrigin",
                "the country of origin is a country's name, such as India",
            );
        }
        problems
    }

    /// The declarations a listing cannot go live without, as field errors.
    pub(crate) fn missing(&self, is_food: bool) -> Vec<FieldError> {
        let mut missing = Vec::new();
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        for (field, value) in [
            ("netQuantity", &self.net_quantity),
            ("manufacturerName", &self.manufacturer_name),
            ("manufacturerAddress", &self.manufacturer_address),
            ("countryOfOrigin", &self.country_of_origin),
        ] {
            if blank(value) {
                missing.push(FieldError::new(
                    &format!("declarations.{field}"),
                    FieldErrorCode::Required,
                    format!("the {field} declaration is required before the product can be active"),
                ));
            }
        }
        match &self.consumer_care {
            None => missing.push(FieldError::new(
                "declarations.consumerCare",
                FieldErrorCode::Required,
                "the consumerCare declaration (address, phone and e-mail) is required before the product can be active",
            )),
            Some(care) => {
                for part in care.missing_parts() {
                    missing.push(FieldError::new(
                        &format!("declarations.consumerCare.{part}"),
                        FieldErrorCode::Required,
                        format!("the consumer-care {part} is required before the product can be active"),
                    ));
                }
            }
        }
        if is_food && self.best_before_months.is_none_or(|months| months <= 0) {
            missing.push(FieldError::new(
                "declarations.bestBeforeMonths",
                FieldErrorCode::Required,
                "food needs a best-before declaration before it can be active",
            ));
        }
        missing
    }
}

/// What government buyers (GeM) need to know beyond the label: the Make in India
/// local-content percentage (Class-I above 50%, Class-II above 20%) and how many days
/// after an order the cooperative delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procurement {
    pub local_content_percent: Option<i32>,
    pub delivery_lead_time_days: Option<i32>,
}

impl Procurement {
    pub(crate) fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self
            .local_content_percent
            .is_some_and(|p| !(0..=100).contains(&p))
        {
            problems.push(FieldError::new(
                "procurement.localContentPercent",
                FieldErrorCode::OutOfRange,
                "localContentPercent is between 0 and 100",
            ));
        }
        if self
            .delivery_lead_time_days
            .is_some_and(|d| !(1..=180).contains(&d))
        {
            problems.push(FieldError::new(
                "procurement.deliveryLeadTimeDays",
                FieldErrorCode::OutOfRange,
                "deliveryLeadTimeDays is between 1 and 180",
            ));
        }
        problems
    }
}

/// A product as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub cooperative_id: Uuid,
    pub category_id: Uuid,
    pub status: ProductStatus,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub images: Vec<ProductImage>,
    pub declarations: Declarations,
    pub procurement: Procurement,
    /// The product's own HSN code, overriding its category's default (blankets, 6301,
    /// in a woollens category); None keeps the category's.
    pub hsn_code: Option<String>,
    /// The cheapest variant's price in paise (0 without variants).
    pub min_price_paise: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<product::Model> for Product {
    type Error = CatalogError;
    fn try_from(model: product::Model) -> Result<Self, Self::Error> {
        let corrupt =
            |what: &str, e: serde_json::Error| CatalogError::Corrupt(format!("{what}: {e}"));
        Ok(Self {
            status: model.status,
            attributes: serde_json::from_value(model.attributes)
                .map_err(|e| corrupt("attributes", e))?,
            images: serde_json::from_value(model.images).map_err(|e| corrupt("images", e))?,
            declarations: serde_json::from_value(model.declarations)
                .map_err(|e| corrupt("declarations", e))?,
            procurement: model
                .procurement
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| corrupt("procurement", e))?
                .unwrap_or_default(),
            hsn_code: model.hsn_code,
            id: model.id,
            slug: model.slug,
            title: model.title,
            description: model.description,
            cooperative_id: model.cooperative_id,
            category_id: model.category_id,
            min_price_paise: model.min_price_paise,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

impl Product {
    /// The HSN code its documents, rate lookups and channel listings use: its own, else
    /// its category's.
    pub fn hsn<'a>(&'a self, category_hsn: &'a str) -> &'a str {
        self.hsn_code.as_deref().unwrap_or(category_hsn)
    }
}

pub(crate) async fn load_product(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Product, CatalogError> {
    product::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::ProductNotFound)
        .and_then(Product::try_from)
}
