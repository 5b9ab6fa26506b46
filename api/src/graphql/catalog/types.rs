//! The catalogue's plain types: statuses, districts, categories and the small value
//! types products carry.

use async_graphql::{Enum, ID, SimpleObject};

use crate::graphql::money::Paise;

/// A cooperative's standing on the platform.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "VerificationStatus", remote = "catalog::VerificationStatus")]
pub enum VerificationStatusValue {
    Pending,
    Verified,
    Suspended,
}

/// How a cooperative is registered for GST: REGULAR (a GSTIN holder, charges GST and
/// issues tax invoices), COMPOSITION (a GSTIN under the composition scheme: charges no
/// GST, issues bills of supply, sells within its own State/UT only) or ENROLLED (a
/// PAN-based enrolment without a GSTIN, Notif. 34/2023-CT: the same limits).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "GstRegime", remote = "catalog::GstRegime")]
pub enum GstRegimeValue {
    Regular,
    Composition,
    Enrolled,
}

/// A cooperative's aggregate turnover in the previous financial year, which sets the
/// HSN digits its invoices carry (Notif. 78/2020-CT): UP_TO_5_CRORE at least 4 (the
/// default), ABOVE_5_CRORE at least 6.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "TurnoverBand", remote = "catalog::TurnoverBand")]
pub enum TurnoverBandValue {
    #[graphql(name = "UP_TO_5_CRORE")]
    UpTo5Crore,
    #[graphql(name = "ABOVE_5_CRORE")]
    Above5Crore,
}

/// A product's place in its life cycle.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ProductStatus", remote = "catalog::ProductStatus")]
pub enum ProductStatusValue {
    Draft,
    Active,
    Archived,
}

/// A district cooperatives and batches are located in.
#[derive(SimpleObject, Clone, Debug)]
pub struct District {
    pub id: ID,
    pub name: String,
}

/// The value type of a category attribute.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "AttributeKind", remote = "catalog::AttributeKind")]
pub enum AttributeKindValue {
    Text,
    Number,
    Enum,
    Boolean,
}

/// One attribute that products of a category carry.
#[derive(SimpleObject, Clone, Debug)]
pub struct AttributeDefinition {
    pub key: String,
    pub label: String,
    pub kind: AttributeKindValue,
    pub required: bool,
    pub options: Vec<String>,
}

/// A category of the catalog tree.
#[derive(SimpleObject, Clone, Debug)]
pub struct Category {
    pub id: ID,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<ID>,
    /// Default HSN code of the category's goods.
    pub hsn_code: String,
    /// Default GST rate in basis points (500 = 5%).
    pub gst_rate_bp: i32,
    /// Food needs an FSSAI licence and a best-before declaration.
    pub is_food: bool,
    pub attribute_schema: Vec<AttributeDefinition>,
}

impl From<catalog::Category> for Category {
    fn from(category: catalog::Category) -> Self {
        Self {
            id: ID(category.id.to_string()),
            slug: category.slug,
            name: category.name,
            parent_id: category.parent_id.map(|id| ID(id.to_string())),
            hsn_code: category.hsn_code,
            gst_rate_bp: category.gst_rate_bp,
            is_food: category.is_food,
            attribute_schema: category
                .attribute_schema
                .into_iter()
                .map(|definition| AttributeDefinition {
                    key: definition.key,
                    label: definition.label,
                    kind: definition.kind.into(),
                    required: definition.required,
                    options: definition.options,
                })
                .collect(),
        }
    }
}

/// The Legal Metrology declarations shown with a listing.
#[derive(SimpleObject, Clone, Debug)]
pub struct Declarations {
    pub net_quantity: Option<String>,
    /// The MRP of the product's first variant (in the order the variants were given);
    /// each variant declares its own as `Variant.mrp`.
    pub mrp: Option<Paise>,
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Option<String>,
    pub country_of_origin: Option<String>,
    pub best_before_months: Option<i32>,
    /// Where buyers send complaints (Rule 6(1)(b)).
    pub consumer_care: Option<ConsumerCare>,
}

/// The consumer-care declaration: the address, phone number and e-mail address a buyer
/// contacts with a complaint.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsumerCare {
    /// A postal address ending with its PIN code.
    pub address: Option<String>,
    /// `+91` and ten digits, or a toll-free 1800/1860 number.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The free text declared before these fields existed, kept as written (the fields
    /// above were read from it); null for a declaration made with the fields.
    pub legacy_text: Option<String>,
}

impl From<catalog::ConsumerCare> for ConsumerCare {
    fn from(care: catalog::ConsumerCare) -> Self {
        Self {
            address: care.address,
            phone: care.phone,
            email: care.email,
            legacy_text: care.legacy_text,
        }
    }
}

/// A lower unit price from a minimum quantity on, for bulk and institutional buyers.
#[derive(SimpleObject, Clone, Debug)]
pub struct TierPrice {
    pub min_quantity: i32,
    pub price: Paise,
}
