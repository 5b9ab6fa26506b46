//! The cart: adding, changing and removing lines, for signed-in buyers and for
//! visitors by their cart token.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use orders::OrderError;

use crate::graphql::{
    UserError, context::ContextExt, errors::respond, ids::parse_id, orders::Cart,
};

#[derive(SimpleObject)]
pub struct CartPayload {
    pub cart: Option<Cart>,
    /// Set when this call created an anonymous cart: send it as `cartToken` from now on.
    pub cart_token: Option<String>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CartAddItemInput {
    /// An anonymous visitor's cart token; ignored for a new cart.
    pub cart_token: Option<String>,
    pub variant_id: ID,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct CartUpdateItemInput {
    pub cart_token: Option<String>,
    pub variant_id: ID,
    /// The new quantity; 0 removes the line.
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct CartRemoveItemInput {
    pub cart_token: Option<String>,
    pub variant_id: ID,
}

async fn cart_change(
    ctx: &Context<'_>,
    token: Option<String>,
    variant_id: &ID,
    change: orders::CartChange,
) -> Result<CartPayload> {
    let service = ctx.orders()?;
    let result = match parse_id("variantId", variant_id).map_err(OrderError::from) {
        Ok(variant_id) => {
            orders::change_cart(
                service.db(),
                &ctx.party()?,
                token.as_deref(),
                variant_id,
                change,
            )
            .await
        }
        Err(e) => Err(e),
    };
    respond(result, |cart, errors| CartPayload {
        cart_token: cart.as_ref().and_then(|c| c.new_token.clone()),
        cart: cart.map(Cart),
        errors,
    })
}

#[derive(Default)]
pub struct CartMutation;

#[Object]
impl CartMutation {
    /// Adds units of a variant to the cart (creating the cart, and for a visitor its
    /// token, on first use).
    async fn cart_add_item(
        &self,
        ctx: &Context<'_>,
        input: CartAddItemInput,
    ) -> Result<CartPayload> {
        cart_change(
            ctx,
            input.cart_token,
            &input.variant_id,
            orders::CartChange::Add(input.quantity),
        )
        .await
    }

    /// Sets a line's quantity; 0 removes it.
    async fn cart_update_item(
        &self,
        ctx: &Context<'_>,
        input: CartUpdateItemInput,
    ) -> Result<CartPayload> {
        cart_change(
            ctx,
            input.cart_token,
            &input.variant_id,
            orders::CartChange::Set(input.quantity),
        )
        .await
    }

    async fn cart_remove_item(
        &self,
        ctx: &Context<'_>,
        input: CartRemoveItemInput,
    ) -> Result<CartPayload> {
        cart_change(
            ctx,
            input.cart_token,
            &input.variant_id,
            orders::CartChange::Remove,
        )
        .await
    }
}
