//! Variants: the SKUs a cooperative sells, with tax-inclusive prices in paise, tier
//! prices for bulk and institutional buyers, and stock that only moves through the
//! stock ledger (batches received, adjustments, and later orders).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Actor, CatalogError, Currency, FieldErrorCode, Money,
    entity::{product_variant, stock_movement},
    metrology::{NetQuantity, NetQuantityInput},
    status::{StockReason, Uqc},
    store::load_product,
};
use kernel::{
    FieldError, FieldErrors,
    limits::{
        MAX_ORDER_QUANTITY, MAX_PRICE_PAISE, MAX_STOCK_MOVEMENT, MAX_STOCK_ON_HAND,
        MAX_WEIGHT_GRAMS,
    },
};

/// The most pieces one unit (a pack) may hold. A pack's per-piece price decides GST
/// rates with per-piece thresholds, so an absurd count would push any pack under them.
pub const MAX_PIECES_PER_UNIT: i32 = 1_000;

/// A lower unit price from a minimum quantity on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPrice {
    pub min_quantity: i32,
    pub price_paise: i64,
}

/// A sellable variant of a product: its own SKU, price and stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub id: Uuid,
    pub product_id: Uuid,
    pub cooperative_id: Uuid,
    pub sku: String,
    pub title: String,
    /// Tax-inclusive selling price.
    pub price: Money,
    /// Maximum retail price, inclusive of all taxes; never below `price`.
    pub mrp: Money,
    pub weight_grams: i32,
    /// Pieces in one unit sold: 6 for a pack of six stoles, 1 for a single piece.
    pub pieces_per_unit: i32,
    /// The GST unit quantity code the unit is counted in on documents.
    pub uqc: Uqc,
    /// The pack's declared net quantity (Legal Metrology); None where it was never
    /// declared.
    pub net_quantity: Option<NetQuantity>,
    pub stock_on_hand: i32,
    pub min_order_quantity: i32,
    /// Ascending by `min_quantity`, each cheaper than the one before.
    pub tier_prices: Vec<TierPrice>,
    /// Price, stock or any other change.
    pub updated_at: chrono::DateTime<Utc>,
}

impl Variant {
    /// The unit price for an order of `quantity`: the best tier reached, else the price.
    pub fn unit_price_for(&self, quantity: i32) -> Money {
        let tier = self
            .tier_prices
            .iter()
            .filter(|tier| quantity >= tier.min_quantity)
            .map(|tier| tier.price_paise)
            .min();
        Money {
            minor: std::cmp::min(tier.unwrap_or(self.price.minor), self.price.minor),
            currency: self.price.currency,
        }
    }
}

impl TryFrom<product_variant::Model> for Variant {
    type Error = CatalogError;
    fn try_from(model: product_variant::Model) -> Result<Self, Self::Error> {
        let currency = model.currency;
        Ok(Self {
            tier_prices: serde_json::from_value(model.tier_prices)
                .map_err(|e| CatalogError::Corrupt(format!("tier prices: {e}")))?,
            id: model.id,
            product_id: model.product_id,
            cooperative_id: model.cooperative_id,
            sku: model.sku,
            title: model.title,
            price: Money {
                minor: model.price_paise,
                currency,
            },
            mrp: Money {
                minor: model.mrp_paise,
                currency,
            },
            weight_grams: model.weight_grams,
            pieces_per_unit: model.pieces_per_unit,
            uqc: model.uqc,
            net_quantity: match (model.net_quantity_milli, model.net_quantity_unit) {
                (Some(milli), Some(unit)) => Some(NetQuantity { milli, unit }),
                _ => None,
            },
            stock_on_hand: model.stock_on_hand,
            min_order_quantity: model.min_order_quantity,
            updated_at: model.updated_at,
        })
    }
}

/// A new variant. Stock starts at zero and arrives with batches.
#[derive(Debug, Clone)]
pub struct NewVariant {
    pub sku: String,
    pub title: String,
    pub price_paise: i64,
    pub mrp_paise: i64,
    pub weight_grams: i32,
    pub min_order_quantity: i32,
    pub tier_prices: Vec<TierPrice>,
    /// 1 (a single piece) unless the unit is a pack.
    pub pieces_per_unit: i32,
    /// `NOS` unless given, as documents printed before UQCs were per variant.
    pub uqc: Uqc,
    /// The pack's declared net quantity, as given.
    pub net_quantity: Option<NetQuantityInput>,
}

impl Default for NewVariant {
    fn default() -> Self {
        Self {
            sku: String::new(),
            title: String::new(),
            price_paise: 0,
            mrp_paise: 0,
            weight_grams: 0,
            min_order_quantity: 0,
            tier_prices: Vec::new(),
            pieces_per_unit: 1,
            uqc: Uqc::Nos,
            net_quantity: None,
        }
    }
}

fn check_pieces(errors: &mut FieldErrors, pieces_per_unit: i32) {
    if !(1..=MAX_PIECES_PER_UNIT).contains(&pieces_per_unit) {
        errors.push(
            "piecesPerUnit",
            FieldErrorCode::OutOfRange,
            format!("pieces per unit must be between 1 and {MAX_PIECES_PER_UNIT}"),
        );
    }
}

fn check_prices(
    errors: &mut FieldErrors,
    price_paise: i64,
    mrp_paise: i64,
    min_order_quantity: i32,
    tier_prices: &[TierPrice],
) {
    if price_paise <= 0 {
        errors.push(
            "price",
            FieldErrorCode::OutOfRange,
            "price must be more than zero",
        );
    }
    if price_paise > MAX_PRICE_PAISE {
        errors.push(
            "price",
            FieldErrorCode::OutOfRange,
            format!("price must be at most {MAX_PRICE_PAISE} paise"),
        );
    }
    if mrp_paise > MAX_PRICE_PAISE {
        errors.push(
            "mrp",
            FieldErrorCode::OutOfRange,
            format!("MRP must be at most {MAX_PRICE_PAISE} paise"),
        );
    }
    if mrp_paise < price_paise {
        errors.push(
            "price",
            FieldErrorCode::OutOfRange,
            "price must not exceed the MRP",
        );
    }
    if !(1..=MAX_ORDER_QUANTITY).contains(&min_order_quantity) {
        errors.push(
            "minOrderQuantity",
            FieldErrorCode::OutOfRange,
            format!("minimum order quantity must be between 1 and {MAX_ORDER_QUANTITY}"),
        );
    }
    let mut previous: Option<TierPrice> = None;
    for (index, tier) in tier_prices.iter().enumerate() {
        let field = format!("tierPrices.{index}");
        if tier.min_quantity <= 1 || tier.min_quantity <= std::cmp::max(min_order_quantity, 1) {
            errors.push(
                &format!("{field}.minQuantity"),
                FieldErrorCode::OutOfRange,
                "a tier starts above the minimum order quantity",
            );
        }
        if tier.min_quantity > MAX_ORDER_QUANTITY {
            errors.push(
                &format!("{field}.minQuantity"),
                FieldErrorCode::OutOfRange,
                format!("a tier starts at {MAX_ORDER_QUANTITY} units at most"),
            );
        }
        if tier.price_paise <= 0 || tier.price_paise >= price_paise {
            errors.push(
                &format!("{field}.price"),
                FieldErrorCode::OutOfRange,
                "a tier price must be positive and below the base price",
            );
        }
        if let Some(previous) = previous
            && (tier.min_quantity <= previous.min_quantity
                || tier.price_paise >= previous.price_paise)
        {
            errors.push(
                &field,
                FieldErrorCode::Invalid,
                "tiers must rise in quantity and fall in price",
            );
        }
        previous = Some(*tier);
    }
    if tier_prices.len() > 10 {
        errors.push("tierPrices", FieldErrorCode::OutOfRange, "at most 10 tiers");
    }
}

fn check_weight(errors: &mut FieldErrors, weight_grams: i32) {
    if !(0..=MAX_WEIGHT_GRAMS).contains(&weight_grams) {
        errors.push(
            "weightGrams",
            FieldErrorCode::OutOfRange,
            format!("weight must be between 0 and {MAX_WEIGHT_GRAMS} grams"),
        );
    }
}

fn check_sku(errors: &mut FieldErrors, sku: &str) {
    let valid = (1..=64).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if !valid {
        errors.push(
            "sku",
            FieldErrorCode::Invalid,
            "SKU must be 1 to 64 letters, digits, '-', '_', '.' or '/'",
        );
    }
}

impl NewVariant {
    /// What is wrong with this variant, as field errors relative to the variant.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = FieldErrors::default();
        check_sku(&mut errors, &self.sku);
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            errors.push(
                "title",
                FieldErrorCode::Required,
                "variant title must have 1 to 200 characters",
            );
        }
        check_weight(&mut errors, self.weight_grams);
        check_pieces(&mut errors, self.pieces_per_unit);
        if let Some(Err(problem)) = self.net_quantity.as_ref().map(NetQuantityInput::parse) {
            errors.0.push(problem);
        }
        check_prices(
            &mut errors,
            self.price_paise,
            self.mrp_paise,
            self.min_order_quantity,
            &self.tier_prices,
        );
        errors.0
    }
}

fn tier_json(tiers: &[TierPrice]) -> Result<serde_json::Value, CatalogError> {
    serde_json::to_value(tiers).map_err(|e| CatalogError::Corrupt(e.to_string()))
}

pub(crate) async fn insert_variant(
    db: &impl ConnectionTrait,
    product_id: Uuid,
    cooperative_id: Uuid,
    new: NewVariant,
) -> Result<Variant, CatalogError> {
    let problems = new.problems();
    if !problems.is_empty() {
        return Err(CatalogError::Invalid(problems));
    }
    let net_quantity = new
        .net_quantity
        .as_ref()
        .map(NetQuantityInput::parse)
        .transpose()
        .map_err(|problem| CatalogError::Invalid(vec![problem]))?;
    let now = Utc::now();
    let model = product_variant::ActiveModel {
        id: Set(Uuid::now_v7()),
        product_id: Set(product_id),
        cooperative_id: Set(cooperative_id),
        sku: Set(new.sku.clone()),
        title: Set(new.title.trim().to_owned()),
        price_paise: Set(new.price_paise),
        mrp_paise: Set(new.mrp_paise),
        currency: Set(Currency::Inr),
        weight_grams: Set(new.weight_grams),
        pieces_per_unit: Set(new.pieces_per_unit),
        uqc: Set(new.uqc),
        net_quantity_milli: Set(net_quantity.map(|q| q.milli)),
        net_quantity_unit: Set(net_quantity.map(|q| q.unit)),
        stock_on_hand: Set(0),
        min_order_quantity: Set(new.min_order_quantity),
        tier_prices: Set(tier_json(&new.tier_prices)?),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match product_variant::Entity::insert(model)
        .exec_with_returning(db)
        .await
    {
        Ok(inserted) => Variant::try_from(inserted),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(CatalogError::invalid(
                "sku",
                FieldErrorCode::Taken,
                format!("SKU {} is already used by this cooperative", new.sku),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Adds a variant to a product.
pub async fn create_variant(
    db: &impl kernel::Writer,
    actor: &Actor,
    product_id: Uuid,
    new: NewVariant,
) -> Result<Variant, CatalogError> {
    in_transaction!(db, |txn| create_variant_in(&txn, actor, product_id, new))
}

// The body of [`create_variant`], inside the transaction it opens.
async fn create_variant_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    product_id: Uuid,
    new: NewVariant,
) -> Result<Variant, CatalogError> {
    let product = load_product(db, product_id).await?;
    actor.require_manage(product.cooperative_id)?;
    let variant = insert_variant(db, product.id, product.cooperative_id, new).await?;
    refresh_min_price(db, product.id).await?;
    Ok(variant)
}

/// Keeps the product's cheapest-variant price, used for sorting by price, in step
/// with its variants.
pub(crate) async fn refresh_min_price(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> Result<(), CatalogError> {
    let cheapest = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.eq(product_id))
        .order_by_asc(product_variant::Column::PricePaise)
        .one(db)
        .await?
        .map_or(0, |variant| variant.price_paise);
    crate::entity::product::Entity::update_many()
        .col_expr(
            crate::entity::product::Column::MinPricePaise,
            cheapest.into(),
        )
        .filter(crate::entity::product::Column::Id.eq(product_id))
        .exec(db)
        .await?;
    crate::changes::product_changed(db, &[product_id]).await?;
    Ok(())
}

/// Changes to a variant's price, MRP, weight, order quantity or tiers; stock is not
/// edited here but through [`adjust_stock`] and batches.
#[derive(Debug, Clone, Default)]
pub struct VariantChanges {
    pub title: Option<String>,
    pub price_paise: Option<i64>,
    pub mrp_paise: Option<i64>,
    pub weight_grams: Option<i32>,
    pub min_order_quantity: Option<i32>,
    pub tier_prices: Option<Vec<TierPrice>>,
    pub pieces_per_unit: Option<i32>,
    pub uqc: Option<Uqc>,
    /// Replaces the declared net quantity.
    pub net_quantity: Option<NetQuantityInput>,
}

pub(crate) async fn load_variant(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Variant, CatalogError> {
    product_variant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::VariantNotFound)
        .and_then(Variant::try_from)
}

/// Edits a variant.
pub async fn update_variant(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    changes: VariantChanges,
) -> Result<Variant, CatalogError> {
    in_transaction!(db, |txn| update_variant_in(&txn, actor, id, changes))
}

// The body of [`update_variant`], inside the transaction it opens (and the bulk
// import's).
pub(crate) async fn update_variant_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    changes: VariantChanges,
) -> Result<Variant, CatalogError> {
    let variant = load_variant(db, id).await?;
    actor.require_manage(variant.cooperative_id)?;
    let mut errors = FieldErrors::default();
    let title = changes
        .title
        .map(|t| t.trim().to_owned())
        .unwrap_or(variant.title.clone());
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(
            "title",
            FieldErrorCode::Required,
            "variant title must have 1 to 200 characters",
        );
    }
    let price = changes.price_paise.unwrap_or(variant.price.minor);
    let mrp = changes.mrp_paise.unwrap_or(variant.mrp.minor);
    let weight = changes.weight_grams.unwrap_or(variant.weight_grams);
    check_weight(&mut errors, weight);
    let pieces = changes.pieces_per_unit.unwrap_or(variant.pieces_per_unit);
    check_pieces(&mut errors, pieces);
    let uqc = changes.uqc.unwrap_or(variant.uqc);
    let net_quantity = match changes.net_quantity.as_ref().map(NetQuantityInput::parse) {
        Some(Ok(quantity)) => Some(quantity),
        Some(Err(problem)) => {
            errors.0.push(problem);
            None
        }
        None => variant.net_quantity,
    };
    let moq = changes
        .min_order_quantity
        .unwrap_or(variant.min_order_quantity);
    let tiers = changes.tier_prices.unwrap_or(variant.tier_prices.clone());
    check_prices(&mut errors, price, mrp, moq, &tiers);
    errors.finish()?;
    product_variant::Entity::update_many()
        .col_expr(product_variant::Column::Title, title.into())
        .col_expr(product_variant::Column::PricePaise, price.into())
        .col_expr(product_variant::Column::MrpPaise, mrp.into())
        .col_expr(product_variant::Column::WeightGrams, weight.into())
        .col_expr(product_variant::Column::PiecesPerUnit, pieces.into())
        .col_expr(product_variant::Column::Uqc, uqc.code().into())
        .col_expr(
            product_variant::Column::NetQuantityMilli,
            net_quantity.map(|q| q.milli).into(),
        )
        .col_expr(
            product_variant::Column::NetQuantityUnit,
            net_quantity.map(|q| q.unit.symbol()).into(),
        )
        .col_expr(product_variant::Column::MinOrderQuantity, moq.into())
        .col_expr(
            product_variant::Column::TierPrices,
            Expr::value(tier_json(&tiers)?),
        )
        .col_expr(product_variant::Column::UpdatedAt, Utc::now().into())
        .filter(product_variant::Column::Id.eq(id))
        .exec(db)
        .await?;
    refresh_min_price(db, variant.product_id).await?;
    load_variant(db, id).await
}

/// Moves stock by `delta` in one conditional statement, so stock never goes negative
/// however many writers race, and records the movement in the ledger.
pub(crate) async fn move_stock(
    db: &impl ConnectionTrait,
    variant: &Variant,
    delta: i32,
    reason: StockReason,
    batch_id: Option<Uuid>,
    note: Option<String>,
    actor_user_id: Option<Uuid>,
) -> Result<(), CatalogError> {
    if try_move_stock(db, variant, delta, reason, batch_id, note, actor_user_id).await? {
        Ok(())
    } else if delta > 0 {
        Err(CatalogError::invalid(
            "delta",
            FieldErrorCode::OutOfRange,
            format!("stock cannot go above {MAX_STOCK_ON_HAND} units"),
        ))
    } else {
        Err(CatalogError::invalid(
            "delta",
            FieldErrorCode::OutOfRange,
            "stock cannot go below zero",
        ))
    }
}

/// What is wrong with moving `delta` units at once, under the name `field`.
pub(crate) fn movement_problem(field: &str, delta: i32) -> Option<FieldError> {
    (delta == 0 || delta.unsigned_abs() > MAX_STOCK_MOVEMENT.unsigned_abs()).then(|| {
        FieldError::new(
            field,
            FieldErrorCode::OutOfRange,
            format!("between 1 and {MAX_STOCK_MOVEMENT} units move at once"),
        )
    })
}

/// Like [`move_stock`], but reports a movement that would take stock below zero or
/// above [`MAX_STOCK_ON_HAND`] as `Ok(false)` and changes nothing. The bound is part of
/// the conditional statement, computed in 64 bits, so that however writers race the
/// stored stock always fits the column's and the code's 32-bit type.
async fn try_move_stock(
    db: &impl ConnectionTrait,
    variant: &Variant,
    delta: i32,
    reason: StockReason,
    batch_id: Option<Uuid>,
    note: Option<String>,
    actor_user_id: Option<Uuid>,
) -> Result<bool, CatalogError> {
    if let Some(problem) = movement_problem("delta", delta) {
        return Err(CatalogError::Invalid(vec![problem]));
    }
    let after = Expr::col(product_variant::Column::StockOnHand)
        .cast_as("BIGINT")
        .add(i64::from(delta));
    let updated = product_variant::Entity::update_many()
        .col_expr(
            product_variant::Column::StockOnHand,
            Expr::col(product_variant::Column::StockOnHand).add(delta),
        )
        .col_expr(product_variant::Column::UpdatedAt, Utc::now().into())
        .filter(product_variant::Column::Id.eq(variant.id))
        .filter(after.between(0, i64::from(MAX_STOCK_ON_HAND)))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    stock_movement::Entity::insert(stock_movement::ActiveModel {
        id: Set(Uuid::now_v7()),
        variant_id: Set(variant.id),
        batch_id: Set(batch_id),
        delta: Set(delta),
        reason: Set(reason),
        note: Set(note),
        actor_user_id: Set(actor_user_id),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    crate::changes::product_changed(db, &[variant.product_id]).await?;
    Ok(true)
}

/// Takes `quantity` units out of stock for an order, in the one conditional statement
/// every stock movement goes through: `Ok(false)`, and nothing changed, when fewer
/// units are left. Concurrent orders for the last units cannot both succeed.
pub async fn reserve_stock_for_order(
    db: &impl ConnectionTrait,
    variant: &Variant,
    quantity: i32,
    order_id: Uuid,
) -> Result<bool, CatalogError> {
    if quantity <= 0 {
        return Err(CatalogError::invalid(
            "quantity",
            FieldErrorCode::OutOfRange,
            "quantity must be positive",
        ));
    }
    try_move_stock(
        db,
        variant,
        -quantity,
        StockReason::OrderReserved,
        None,
        Some(format!("order {order_id}")),
        None,
    )
    .await
}

/// Gives an order's units back to stock.
pub async fn release_stock_for_order(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    quantity: i32,
    order_id: Uuid,
) -> Result<(), CatalogError> {
    let variant = load_variant(db, variant_id).await?;
    move_stock(
        db,
        &variant,
        quantity,
        StockReason::OrderReleased,
        None,
        Some(format!("order {order_id}")),
        None,
    )
    .await
}

/// Units of an order that came back (rejected by the consignee and returned to the
/// cooperative) go back to stock, recorded in the ledger as a return.
pub async fn return_stock_for_order(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    quantity: i32,
    order_id: Uuid,
    actor_user_id: Option<Uuid>,
) -> Result<(), CatalogError> {
    let variant = load_variant(db, variant_id).await?;
    move_stock(
        db,
        &variant,
        quantity,
        StockReason::Returned,
        None,
        Some(format!("rejected at acceptance, order {order_id}")),
        actor_user_id,
    )
    .await
}

/// Corrects stock outside batches (recount, damage, return, correction).
pub async fn adjust_stock(
    db: &impl kernel::Writer,
    actor: &Actor,
    variant_id: Uuid,
    delta: i32,
    reason: StockReason,
    note: Option<String>,
) -> Result<Variant, CatalogError> {
    in_transaction!(db, |txn| adjust_stock_in(
        &txn, actor, variant_id, delta, reason, note
    ))
}

// The body of [`adjust_stock`], inside the transaction it opens.
async fn adjust_stock_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    variant_id: Uuid,
    delta: i32,
    reason: StockReason,
    note: Option<String>,
) -> Result<Variant, CatalogError> {
    let variant = load_variant(db, variant_id).await?;
    actor.require_manage(variant.cooperative_id)?;
    if reason == StockReason::BatchReceived {
        return Err(CatalogError::invalid(
            "reason",
            FieldErrorCode::NotAllowed,
            "stock from batches is added by creating a batch",
        ));
    }
    if let Some(problem) = movement_problem("delta", delta) {
        return Err(CatalogError::Invalid(vec![problem]));
    }
    move_stock(db, &variant, delta, reason, None, note, actor.user_id()).await?;
    load_variant(db, variant_id).await
}

/// Loads the variants of many products in one query, each product's in the order they
/// were given in: ids are UUIDv7, ordered by creation, and a product's variants are
/// inserted in the order of its input (later `variantCreate`s come after them).
pub async fn variants_by_product_ids(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Variant>>, CatalogError> {
    let mut by_product: HashMap<Uuid, Vec<Variant>> = HashMap::new();
    let models = product_variant::Entity::find()
        .filter(product_variant::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(product_variant::Column::Id)
        .all(db)
        .await?;
    for model in models {
        let variant = Variant::try_from(model)?;
        by_product
            .entry(variant.product_id)
            .or_default()
            .push(variant);
    }
    Ok(by_product)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(tiers: Vec<TierPrice>) -> NewVariant {
        NewVariant {
            sku: "RKDA-5KG".into(),
            title: "5 kg carton".into(),
            price_paise: 400_000,
            mrp_paise: 450_000,
            weight_grams: 5_200,
            min_order_quantity: 2,
            tier_prices: tiers,
            ..NewVariant::default()
        }
    }

    #[test]
    fn pieces_per_unit_is_bounded() {
        for (pieces, refused) in [(0, true), (1, false), (6, false), (1_001, true)] {
            let mut v = variant(vec![]);
            v.pieces_per_unit = pieces;
            assert_eq!(
                v.problems().iter().any(|p| p.field == ["piecesPerUnit"]),
                refused,
                "{pieces}"
            );
        }
    }

    #[test]
    fn price_above_mrp_is_refused() {
        let mut v = variant(vec![]);
        v.price_paise = 460_000;
        assert!(v.problems().iter().any(|p| p.field == ["price"]));
    }

    #[test]
    fn tiers_must_rise_in_quantity_and_fall_in_price() {
        let good = vec![
            TierPrice {
                min_quantity: 10,
                price_paise: 380_000,
            },
            TierPrice {
                min_quantity: 50,
                price_paise: 360_000,
            },
        ];
        assert!(variant(good).problems().is_empty());
        let bad = vec![
            TierPrice {
                min_quantity: 10,
                price_paise: 380_000,
            },
            TierPrice {
                min_quantity: 50,
                price_paise: 390_000,
            },
        ];
        assert!(!variant(bad).problems().is_empty());
    }

    #[test]
    fn unit_price_takes_the_best_tier_reached() {
        let new = variant(vec![
            TierPrice {
                min_quantity: 10,
                price_paise: 380_000,
            },
            TierPrice {
                min_quantity: 50,
                price_paise: 360_000,
            },
        ]);
        let v = Variant {
            id: Uuid::nil(),
            product_id: Uuid::nil(),
            cooperative_id: Uuid::nil(),
            sku: new.sku,
            title: new.title,
            price: Money::inr(new.price_paise),
            mrp: Money::inr(new.mrp_paise),
            weight_grams: 0,
            pieces_per_unit: 1,
            uqc: Uqc::Nos,
            net_quantity: None,
            stock_on_hand: 0,
            min_order_quantity: 2,
            tier_prices: new.tier_prices,
            updated_at: Utc::now(),
        };
        assert_eq!(v.unit_price_for(2).minor, 400_000);
        assert_eq!(v.unit_price_for(10).minor, 380_000);
        assert_eq!(v.unit_price_for(80).minor, 360_000);
    }
}
