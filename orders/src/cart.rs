//! Carts. An anonymous visitor's cart is found by an opaque cart token (only its
//! SHA-256 is stored); a signed-in buyer has one open cart, into which an anonymous
//! cart merges when the buyer presents its token (at login or on any cart call).
//! A cart line remembers the unit price the buyer last saw, so that checkout can tell
//! them when it changed instead of charging the new price silently.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use catalog::{SaleItem, sale_items};
use chrono::Utc;
use kernel::{Actor, FieldErrorCode};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    CartStatus, OrderError, Party,
    entity::{cart, cart_item},
    tax::TaxError,
};

/// The most units of one variant a cart line may hold.
pub const MAX_LINE_QUANTITY: i32 = kernel::limits::MAX_ORDER_QUANTITY;
/// The most distinct variants in one cart.
pub const MAX_CART_LINES: usize = 100;

/// One line of a cart with today's price and stock.
#[derive(Debug, Clone)]
pub struct CartLine {
    pub variant_id: Uuid,
    pub quantity: i32,
    /// The unit price the buyer was last shown.
    pub seen_unit_price_paise: i64,
    /// Today's unit price for this quantity (tier prices applied).
    pub unit_price_paise: i64,
    pub line_total_paise: i64,
    pub item: Option<SaleItem>,
}

impl CartLine {
    pub fn price_changed(&self) -> bool {
        self.seen_unit_price_paise != self.unit_price_paise
    }

    pub fn available(&self) -> bool {
        self.item.as_ref().is_some_and(|item| item.on_sale)
    }
}

/// A cart as the storefront sees it.
#[derive(Debug, Clone, Default)]
pub struct Cart {
    /// None for a visitor who has not added anything yet.
    pub id: Option<Uuid>,
    pub lines: Vec<CartLine>,
    /// Set when this call created an anonymous cart: the client keeps it.
    pub new_token: Option<String>,
}

impl Cart {
    /// The sum of available lines; an overflow (only possible with amounts stored
    /// before prices were bounded) is an error, never a wrapped total.
    pub fn subtotal_paise(&self) -> Result<i64, OrderError> {
        self.lines
            .iter()
            .filter(|line| line.available())
            .try_fold(0_i64, |sum, line| sum.checked_add(line.line_total_paise))
            .ok_or(OrderError::Tax(TaxError::Overflow))
    }

    /// The units in the cart.
    pub fn item_count(&self) -> Result<i32, OrderError> {
        self.lines
            .iter()
            .try_fold(0_i32, |sum, line| sum.checked_add(line.quantity))
            .ok_or(OrderError::Tax(TaxError::Overflow))
    }
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn require_shopper(party: &Party) -> Result<(), OrderError> {
    match party.actor {
        Actor::Anonymous | Actor::Buyer { .. } | Actor::Institution { .. } => Ok(()),
        _ => Err(OrderError::Forbidden(
            "staff and admin accounts do not have carts".into(),
        )),
    }
}

fn purchaser_id(party: &Party) -> Option<Uuid> {
    match party.actor {
        Actor::Buyer { user_id } | Actor::Institution { user_id } => Some(user_id),
        _ => None,
    }
}

async fn open_cart_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<cart::Model>, OrderError> {
    Ok(cart::Entity::find()
        .filter(cart::Column::UserId.eq(user_id))
        .filter(cart::Column::Status.eq(CartStatus::Open))
        .order_by_asc(cart::Column::Id)
        .one(db)
        .await?)
}

async fn anonymous_cart(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<cart::Model>, OrderError> {
    Ok(cart::Entity::find()
        .filter(cart::Column::TokenHash.eq(hash_token(token)))
        .filter(cart::Column::Status.eq(CartStatus::Open))
        .filter(cart::Column::UserId.is_null())
        .one(db)
        .await?)
}

async fn insert_cart(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    token: Option<&str>,
) -> Result<cart::Model, OrderError> {
    let now = Utc::now();
    let model = cart::Model {
        id: Uuid::now_v7(),
        token_hash: token.map(hash_token),
        user_id,
        status: CartStatus::Open,
        order_id: None,
        created_at: now,
        updated_at: now,
    };
    cart::Entity::insert(cart::ActiveModel {
        id: Set(model.id),
        token_hash: Set(model.token_hash.clone()),
        user_id: Set(model.user_id),
        status: Set(model.status),
        order_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(model)
}

/// Moves an anonymous cart's lines into the buyer's open cart (quantities of the same
/// variant add up) and deletes the anonymous cart. An unknown token merges nothing.
pub async fn merge_anonymous_cart(
    db: &DatabaseConnection,
    user_id: Uuid,
    token: &str,
) -> Result<(), OrderError> {
    let txn = kernel::begin_write(db).await?;
    if let Some(anonymous) = anonymous_cart(&txn, token).await? {
        let target = match open_cart_of_user(&txn, user_id).await? {
            Some(cart) => cart,
            None => insert_cart(&txn, Some(user_id), None).await?,
        };
        let items = items_of(&txn, anonymous.id).await?;
        let existing: HashMap<Uuid, cart_item::Model> = items_of(&txn, target.id)
            .await?
            .into_iter()
            .map(|item| (item.variant_id, item))
            .collect();
        for item in items {
            match existing.get(&item.variant_id) {
                Some(mine) => {
                    let quantity = mine
                        .quantity
                        .saturating_add(item.quantity)
                        .min(MAX_LINE_QUANTITY);
                    cart_item::Entity::update_many()
                        .col_expr(cart_item::Column::Quantity, quantity.into())
                        .col_expr(cart_item::Column::UpdatedAt, Utc::now().into())
                        .filter(cart_item::Column::Id.eq(mine.id))
                        .exec(&txn)
                        .await?;
                }
                None => {
                    cart_item::Entity::update_many()
                        .col_expr(cart_item::Column::CartId, target.id.into())
                        .filter(cart_item::Column::Id.eq(item.id))
                        .exec(&txn)
                        .await?;
                }
            }
        }
        cart::Entity::delete_by_id(anonymous.id).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn items_of(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
) -> Result<Vec<cart_item::Model>, OrderError> {
    Ok(cart_item::Entity::find()
        .filter(cart_item::Column::CartId.eq(cart_id))
        .order_by_asc(cart_item::Column::CreatedAt)
        .order_by_asc(cart_item::Column::Id)
        .all(db)
        .await?)
}

/// The cart model a call acts on, merging a presented anonymous cart into a signed-in
/// buyer's first.
async fn locate(
    db: &DatabaseConnection,
    party: &Party,
    token: Option<&str>,
) -> Result<Option<cart::Model>, OrderError> {
    require_shopper(party)?;
    match (purchaser_id(party), token) {
        (Some(user_id), token) => {
            if let Some(token) = token {
                merge_anonymous_cart(db, user_id, token).await?;
            }
            open_cart_of_user(db, user_id).await
        }
        (None, Some(token)) => anonymous_cart(db, token).await,
        (None, None) => Ok(None),
    }
}

/// The lines of a cart with today's prices and availability.
pub(crate) async fn lines_of(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
) -> Result<Vec<CartLine>, OrderError> {
    let items = items_of(db, cart_id).await?;
    let ids: Vec<Uuid> = items.iter().map(|item| item.variant_id).collect();
    let mut sale = sale_items(db, &ids).await?;
    items
        .into_iter()
        .map(|item| {
            let sale_item = sale.remove(&item.variant_id);
            let unit = sale_item.as_ref().map_or(item.seen_unit_price_paise, |s| {
                s.variant.unit_price_for(item.quantity).minor
            });
            Ok(CartLine {
                variant_id: item.variant_id,
                quantity: item.quantity,
                seen_unit_price_paise: item.seen_unit_price_paise,
                unit_price_paise: unit,
                line_total_paise: line_total(unit, item.quantity)?,
                item: sale_item,
            })
        })
        .collect()
}

/// The caller's cart.
pub async fn view_cart(
    db: &DatabaseConnection,
    party: &Party,
    token: Option<&str>,
) -> Result<Cart, OrderError> {
    let Some(model) = locate(db, party, token).await? else {
        return Ok(Cart::default());
    };
    Ok(Cart {
        id: Some(model.id),
        lines: lines_of(db, model.id).await?,
        new_token: None,
    })
}

/// A line's total, refused rather than wrapped when it does not fit.
pub(crate) fn line_total(unit_paise: i64, quantity: i32) -> Result<i64, OrderError> {
    unit_paise
        .checked_mul(i64::from(quantity))
        .ok_or(OrderError::Tax(TaxError::Overflow))
}

fn check_quantity(quantity: i32, allow_zero: bool) -> Result<(), OrderError> {
    let least = i32::from(!allow_zero);
    if quantity < least || quantity > MAX_LINE_QUANTITY {
        return Err(OrderError::invalid(
            "quantity",
            FieldErrorCode::OutOfRange,
            format!("quantity must be between {least} and {MAX_LINE_QUANTITY}"),
        ));
    }
    Ok(())
}

/// How a cart call changes one variant's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartChange {
    /// Adds units to the line (creating it).
    Add(i32),
    /// Sets the line's quantity; zero removes it.
    Set(i32),
    Remove,
}

/// Applies one change to the caller's cart, creating the cart (and, for a visitor, its
/// token) on the first addition.
pub async fn change_cart(
    db: &DatabaseConnection,
    party: &Party,
    token: Option<&str>,
    variant_id: Uuid,
    change: CartChange,
) -> Result<Cart, OrderError> {
    match change {
        CartChange::Add(quantity) => check_quantity(quantity, false)?,
        CartChange::Set(quantity) => check_quantity(quantity, true)?,
        CartChange::Remove => {}
    }
    let existing = locate(db, party, token).await?;
    let txn = kernel::begin_write(db).await?;
    let mut created_token = None;
    let cart = match existing {
        Some(cart) => cart,
        None => {
            if !matches!(change, CartChange::Add(_)) {
                return Err(OrderError::invalid(
                    "variantId",
                    FieldErrorCode::NotFound,
                    "that variant is not in the cart",
                ));
            }
            let user_id = purchaser_id(party);
            let token = match (user_id, token) {
                (Some(_), _) => None,
                // A visitor whose token is unknown (expired, or from another device)
                // gets a fresh cart and token.
                (None, _) => Some(new_token()),
            };
            let cart = insert_cart(&txn, user_id, token.as_deref()).await?;
            created_token = token;
            cart
        }
    };
    let line = cart_item::Entity::find()
        .filter(cart_item::Column::CartId.eq(cart.id))
        .filter(cart_item::Column::VariantId.eq(variant_id))
        .one(&txn)
        .await?;
    let quantity = match (change, &line) {
        (CartChange::Add(more), Some(line)) => line.quantity.saturating_add(more),
        (CartChange::Add(quantity) | CartChange::Set(quantity), _) => quantity,
        (CartChange::Remove, _) => 0,
    };
    if line.is_none() && quantity == 0 {
        return Err(OrderError::invalid(
            "variantId",
            FieldErrorCode::NotFound,
            "that variant is not in the cart",
        ));
    }
    if quantity == 0 {
        if let Some(line) = line {
            cart_item::Entity::delete_by_id(line.id).exec(&txn).await?;
        }
    } else {
        check_quantity(quantity, false)?;
        let sale = sale_items(&txn, &[variant_id]).await?;
        let Some(item) = sale.get(&variant_id).filter(|item| item.on_sale) else {
            return Err(OrderError::invalid(
                "variantId",
                FieldErrorCode::NotFound,
                "that variant is not for sale",
            ));
        };
        if quantity > item.variant.stock_on_hand {
            return Err(OrderError::invalid(
                "quantity",
                FieldErrorCode::OutOfStock,
                format!(
                    "only {} of {} in stock",
                    item.variant.stock_on_hand, item.variant.sku
                ),
            ));
        }
        // Told when the line is made, not at checkout: a buyer should not fill a cart
        // the checkout will refuse. (Checkout checks again: the minimum can rise.)
        if quantity < item.variant.min_order_quantity {
            return Err(OrderError::invalid(
                "quantity",
                FieldErrorCode::OutOfRange,
                format!(
                    "{} is sold in quantities of at least {}",
                    item.variant.sku, item.variant.min_order_quantity
                ),
            ));
        }
        let price = item.variant.unit_price_for(quantity).minor;
        let now = Utc::now();
        match line {
            Some(line) => {
                cart_item::Entity::update_many()
                    .col_expr(cart_item::Column::Quantity, quantity.into())
                    .col_expr(cart_item::Column::SeenUnitPricePaise, price.into())
                    .col_expr(cart_item::Column::UpdatedAt, now.into())
                    .filter(cart_item::Column::Id.eq(line.id))
                    .exec(&txn)
                    .await?;
            }
            None => {
                let lines = cart_item::Entity::find()
                    .filter(cart_item::Column::CartId.eq(cart.id))
                    .count(&txn)
                    .await?;
                if usize::try_from(lines).unwrap_or(usize::MAX) >= MAX_CART_LINES {
                    return Err(OrderError::invalid(
                        "variantId",
                        FieldErrorCode::OutOfRange,
                        format!("a cart holds at most {MAX_CART_LINES} different items"),
                    ));
                }
                cart_item::Entity::insert(cart_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    cart_id: Set(cart.id),
                    variant_id: Set(variant_id),
                    quantity: Set(quantity),
                    seen_unit_price_paise: Set(price),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec(&txn)
                .await?;
            }
        }
    }
    cart::Entity::update_many()
        .col_expr(cart::Column::UpdatedAt, Utc::now().into())
        .filter(cart::Column::Id.eq(cart.id))
        .exec(&txn)
        .await?;
    let lines = lines_of(&txn, cart.id).await?;
    txn.commit().await?;
    Ok(Cart {
        id: Some(cart.id),
        lines,
        new_token: created_token,
    })
}

/// Records the prices a buyer has now been shown, after checkout reported changes.
pub(crate) async fn acknowledge_prices(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    lines: &[CartLine],
) -> Result<(), OrderError> {
    for line in lines.iter().filter(|line| line.price_changed()) {
        cart_item::Entity::update_many()
            .col_expr(
                cart_item::Column::SeenUnitPricePaise,
                line.unit_price_paise.into(),
            )
            .filter(cart_item::Column::CartId.eq(cart_id))
            .filter(cart_item::Column::VariantId.eq(line.variant_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Marks a cart as turned into `order_id`; the buyer's next cart is a new one.
pub(crate) async fn check_out(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    order_id: Uuid,
) -> Result<(), OrderError> {
    let updated = cart::Entity::update_many()
        .col_expr(cart::Column::Status, CartStatus::CheckedOut.into())
        .col_expr(cart::Column::OrderId, Some(order_id).into())
        .col_expr(cart::Column::UpdatedAt, Utc::now().into())
        .filter(cart::Column::Id.eq(cart_id))
        .filter(cart::Column::Status.eq(CartStatus::Open))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(OrderError::Conflict(
            "this cart was checked out by another request".into(),
        ));
    }
    Ok(())
}

/// The open cart a checkout starts from (merging a presented anonymous cart first).
pub(crate) async fn checkout_cart(
    db: &DatabaseConnection,
    party: &Party,
    token: Option<&str>,
) -> Result<Option<cart::Model>, OrderError> {
    locate(db, party, token).await
}

/// The cart a quote reads: like [`checkout_cart`], but a signed-in buyer's token is
/// not merged, because a quote writes nothing.
pub(crate) async fn quote_cart(
    db: &DatabaseConnection,
    party: &Party,
    token: Option<&str>,
) -> Result<Option<cart::Model>, OrderError> {
    require_shopper(party)?;
    match (purchaser_id(party), token) {
        (Some(user_id), _) => open_cart_of_user(db, user_id).await,
        (None, Some(token)) => anonymous_cart(db, token).await,
        (None, None) => Ok(None),
    }
}

/// The cart an order was placed from.
pub(crate) async fn cart_of_order(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<cart::Model>, OrderError> {
    Ok(cart::Entity::find()
        .filter(cart::Column::OrderId.eq(order_id))
        .one(db)
        .await?)
}

#[cfg(test)]
mod known_answer {
    /// Cart tokens are stored as their SHA-256 in lower-case hex; the FIPS 180-2 vector
    /// for "abc" pins both the digest and the encoding.
    #[test]
    fn a_token_is_stored_as_its_sha256_in_hex() {
        assert_eq!(
            super::hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
