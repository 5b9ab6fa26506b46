//! Business-sized bounds on quantities, stock and prices, checked where input enters a
//! domain service. They are far above anything a cooperative sells and far below what
//! the storage types hold, so that every sum the marketplace makes of them (a line's
//! price × quantity, an order of many lines, stock plus a movement) fits with room to
//! spare, and no stored value can fail to load. docs/SECURITY.md ("Limits") lists them.

/// The highest unit price, MRP or tier price: ₹1 crore (10^9 paise).
pub const MAX_PRICE_PAISE: i64 = 1_000_000_000;

/// The most units of one variant in one cart line or order line; also the highest
/// minimum order quantity and tier threshold (a variant must be orderable).
pub const MAX_ORDER_QUANTITY: i32 = 10_000;

/// The most units one stock movement (a batch, an adjustment) may move either way.
pub const MAX_STOCK_MOVEMENT: i32 = 1_000_000;

/// The most units of one variant on hand.
pub const MAX_STOCK_ON_HAND: i32 = 10_000_000;

/// The heaviest variant: one tonne.
pub const MAX_WEIGHT_GRAMS: i32 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_order_fits_in_paise() {
        // 100 lines (a cart's most) of the most units at the highest price, taxed.
        let line = MAX_PRICE_PAISE.checked_mul(i64::from(MAX_ORDER_QUANTITY));
        let order = line
            .and_then(|l| l.checked_mul(100))
            .and_then(|o| o.checked_mul(2));
        assert!(order.is_some());
        assert!(MAX_STOCK_ON_HAND.checked_add(MAX_STOCK_MOVEMENT).is_some());
    }
}
