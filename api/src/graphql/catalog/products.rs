//! The product and variant types; relations are loaded through the request's
//! DataLoaders.

use async_graphql::{Context, ID, Json, Object, Result};
use chrono::{DateTime, Utc};

use crate::graphql::{
    ApiError,
    context::ContextExt,
    loaders::loader_error,
    money::{Money, Paise},
    provenance::{Batch, GiClaim},
};

use super::*;

/// A sellable variant: its own SKU, price and stock.
pub struct Variant(pub catalog::Variant);

#[Object]
impl Variant {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn sku(&self) -> &str {
        &self.0.sku
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Tax-inclusive selling price.
    async fn price(&self) -> Money {
        Money(self.0.price)
    }

    /// Maximum retail price, inclusive of all taxes.
    async fn mrp(&self) -> Money {
        Money(self.0.mrp)
    }

    async fn weight_grams(&self) -> i32 {
        self.0.weight_grams
    }

    /// Pieces in one unit: 6 for a pack of six stoles.
    async fn pieces_per_unit(&self) -> i32 {
        self.0.pieces_per_unit
    }

    /// The GST unit quantity code the unit is counted in on documents.
    async fn uqc(&self) -> UqcValue {
        self.0.uqc.into()
    }

    /// The pack's declared net quantity (Legal Metrology); null until declared.
    async fn net_quantity(&self) -> Option<NetQuantity> {
        self.0.net_quantity.map(NetQuantity)
    }

    /// The MRP per gram, kilogram, millilitre, litre, centimetre, metre or piece, by
    /// the Legal Metrology (Packaged Commodities) Rules' Rule 6(11); null until the net
    /// quantity is declared.
    async fn unit_sale_price(&self) -> Option<UnitSalePrice> {
        self.0
            .net_quantity
            .map(|quantity| UnitSalePrice(catalog::unit_sale_price(self.0.mrp.minor, quantity)))
    }

    async fn stock_on_hand(&self) -> i32 {
        self.0.stock_on_hand
    }

    async fn in_stock(&self) -> bool {
        self.0.stock_on_hand > 0
    }

    async fn min_order_quantity(&self) -> i32 {
        self.0.min_order_quantity
    }

    async fn tier_prices(&self) -> Vec<TierPrice> {
        self.0
            .tier_prices
            .iter()
            .map(|tier| TierPrice {
                min_quantity: tier.min_quantity,
                price: Paise(tier.price_paise),
            })
            .collect()
    }
}

/// A pack's declared net quantity.
pub struct NetQuantity(pub catalog::NetQuantity);

#[Object]
impl NetQuantity {
    /// The number, e.g. "500" or "1.5".
    async fn amount(&self) -> String {
        self.0.amount_text()
    }
    async fn unit(&self) -> NetUnitValue {
        self.0.unit.into()
    }
    /// As printed: "500 g".
    async fn text(&self) -> String {
        self.0.text()
    }
}

/// The price per unit of measure a label declares next to the MRP.
pub struct UnitSalePrice(pub catalog::UnitSalePrice);

#[Object]
impl UnitSalePrice {
    /// In paise, rounded half up to the paisa.
    async fn amount(&self) -> Paise {
        Paise(self.0.paise)
    }
    /// The unit the price is per.
    async fn per(&self) -> NetUnitValue {
        self.0.per.into()
    }
    /// As printed: "Rs 0.72 per g".
    async fn text(&self) -> String {
        format!(
            "Rs {}.{:02} per {}",
            self.0.paise / 100,
            self.0.paise % 100,
            self.0.per.symbol()
        )
    }
}

/// A product listed by a cooperative.
pub struct Product(pub catalog::Product);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    async fn status(&self) -> ProductStatusValue {
        self.0.status.into()
    }

    /// Attribute values, keyed as in the category's attribute schema.
    async fn attributes(&self) -> Json<serde_json::Map<String, serde_json::Value>> {
        Json(self.0.attributes.clone())
    }

    /// Uploads come in several sizes (`url(width:)`, `srcset`).
    async fn images(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::media::ProductImage>> {
        crate::graphql::media::product_images(ctx, &self.0.images).await
    }

    /// Make in India local content (%) and delivery lead time (days), for government buyers.
    async fn local_content_percent(&self) -> Option<i32> {
        self.0.procurement.local_content_percent
    }

    async fn delivery_lead_time_days(&self) -> Option<i32> {
        self.0.procurement.delivery_lead_time_days
    }

    async fn declarations(&self, ctx: &Context<'_>) -> Result<Declarations> {
        let first_variant_mrp = ctx
            .loaders()?
            .variants
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .and_then(|variants| variants.first().map(|variant| Paise(variant.mrp.minor)));
        let d = &self.0.declarations;
        Ok(Declarations {
            net_quantity: d.net_quantity.clone(),
            mrp: first_variant_mrp,
            manufacturer_name: d.manufacturer_name.clone(),
            manufacturer_address: d.manufacturer_address.clone(),
            country_of_origin: d.country_of_origin.clone(),
            best_before_months: d.best_before_months,
            consumer_care: d.consumer_care.clone().map(Into::into),
        })
    }

    async fn cooperative(&self, ctx: &Context<'_>) -> Result<Cooperative> {
        ctx.loaders()?
            .cooperatives
            .load_one(self.0.cooperative_id)
            .await
            .map_err(loader_error)?
            .map(Cooperative::from)
            .ok_or_else(|| ApiError::Internal.into())
    }

    /// The HSN code the product's documents, GST rate and channel listings use: its
    /// own (`hsnCodeOverride`), else its category's.
    async fn hsn_code(&self, ctx: &Context<'_>) -> Result<String> {
        if let Some(own) = &self.0.hsn_code {
            return Ok(own.clone());
        }
        ctx.loaders()?
            .categories
            .load_one(self.0.category_id)
            .await
            .map_err(loader_error)?
            .map(|category| category.hsn_code)
            .ok_or_else(|| ApiError::Internal.into())
    }

    /// The product's own HSN code, overriding its category's; null keeps the
    /// category's.
    async fn hsn_code_override(&self) -> Option<&str> {
        self.0.hsn_code.as_deref()
    }

    async fn category(&self, ctx: &Context<'_>) -> Result<Category> {
        ctx.loaders()?
            .categories
            .load_one(self.0.category_id)
            .await
            .map_err(loader_error)?
            .map(Category::from)
            .ok_or_else(|| ApiError::Internal.into())
    }

    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        Ok(ctx
            .loaders()?
            .variants
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(Variant)
            .collect())
    }

    /// The Geographical Indications this product validly claims today (the GI badge):
    /// a claim whose authorisation has lapsed, been revoked or is not valid yet is left
    /// out, except for the cooperative's own staff and admins, who see every claim with
    /// its `validNow`.
    async fn gi_claims(&self, ctx: &Context<'_>) -> Result<Vec<GiClaim>> {
        let loaders = ctx.loaders()?;
        let claims = loaders
            .gi_claims
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        let sees_all = ctx.actor()?.can_manage(self.0.cooperative_id);
        let registrations = if sees_all || claims.is_empty() {
            Vec::new()
        } else {
            loaders
                .authorised_users
                .load_one(self.0.cooperative_id)
                .await
                .map_err(loader_error)?
                .unwrap_or_default()
        };
        let today = Utc::now().date_naive();
        Ok(claims
            .into_iter()
            .map(|mut claim| {
                if !sees_all {
                    claim.authorised_user = registrations
                        .iter()
                        .filter(|au| au.gi_tag_id == claim.gi_tag.id)
                        .find(|au| au.valid_on(today))
                        .cloned();
                }
                claim
            })
            .filter(|claim| sees_all || claim.valid_on(today))
            .map(|claim| GiClaim {
                claim,
                cooperative_id: self.0.cooperative_id,
            })
            .collect())
    }

    /// Production batches, oldest first; their codes are printed on the packs.
    async fn batches(&self, ctx: &Context<'_>) -> Result<Vec<Batch>> {
        Ok(ctx
            .loaders()?
            .batches
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(Batch)
            .collect())
    }

    /// The cheapest variant's price.
    async fn price_from(&self) -> Money {
        Money(kernel::Money::inr(self.0.min_price_paise))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
