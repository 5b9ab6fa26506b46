//! Reading carts and orders: the caller's cart, one order, the caller's orders, a
//! cooperative's orders, and a cooperative's settlement statement.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::{
    context::ContextExt,
    errors::top_error,
    ids::parse_id,
    orders::{
        Cart, FulfilmentStatusValue, Order, OrderStatusValue, PaymentMethodValue, PayoutAccount,
        SettlementStatement,
    },
    pagination::{ForwardPage, RelayConnection, connection_complexity, connection_from_page},
};

/// A page of orders as a connection; `page` is what the client asked for.
fn order_connection(page: ForwardPage, orders: orders::OrderPage) -> RelayConnection<Order> {
    connection_from_page(
        page.page(orders.orders, orders.has_next_page, orders.total_count),
        |o| o.order.id,
        Order,
    )
}

/// Which orders `orders` lists; every field left out lets all through.
#[derive(InputObject, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatusValue>,
    /// Orders with a fulfilment from this cooperative.
    pub cooperative_id: Option<ID>,
    /// Placed at or after this instant.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before this instant (exclusive).
    pub placed_to: Option<DateTime<Utc>>,
    pub payment_method: Option<PaymentMethodValue>,
}

/// Stripe's publishable key when the storefront may offer the Payment Element.
#[derive(Debug, Clone, Default)]
pub struct StripePublishableKey(pub Option<String>);

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// Stripe's publishable key, for Stripe's Payment Element in a buyer's browser (it
    /// confirms an order's `stripeClientSecret`); null when card payments through
    /// Stripe are off or no publishable key is configured. Public: Stripe.js sends it
    /// from every buyer's browser.
    async fn stripe_publishable_key(&self, ctx: &Context<'_>) -> Option<String> {
        ctx.data_opt::<StripePublishableKey>()
            .and_then(|key| key.0.clone())
    }

    /// The caller's cart: a signed-in buyer's own (merging the anonymous cart named by
    /// `cartToken`), or a visitor's by its token.
    async fn cart(&self, ctx: &Context<'_>, cart_token: Option<String>) -> Result<Cart> {
        let service = ctx.orders()?;
        let cart = orders::view_cart(service.db(), &ctx.party()?, cart_token.as_deref())
            .await
            .map_err(top_error)?;
        Ok(Cart(cart))
    }

    /// One order: its buyer's, its cooperatives' (their part) or any for admins; or,
    /// with the `accessToken` `placeOrder` gave a guest, that guest order whole.
    async fn order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        access_token: Option<String>,
    ) -> Result<Order> {
        let id = parse_id("id", &id)?;
        let service = ctx.orders()?;
        let view = match access_token {
            Some(token) => service.order_by_access_token(id, &token).await,
            None => service.order_for(&ctx.party()?, id).await,
        }
        .map_err(top_error)?;
        Ok(Order(view))
    }

    /// The caller's orders, newest first; institution users see their organisation's.
    #[graphql(complexity = "connection_complexity(child_complexity, first, None)")]
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<Order>> {
        let page = ForwardPage::parse(first, after, ctx.limits()?)?;
        let orders = ctx
            .orders()?
            .my_orders(&ctx.party()?, page.size, page.after)
            .await
            .map_err(top_error)?;
        Ok(order_connection(page, orders))
    }

    /// Every order of the marketplace, newest first, each whole, narrowed by `filter`
    /// (admins only).
    #[graphql(complexity = "connection_complexity(child_complexity, first, None)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<Order>> {
        ctx.admin()?;
        let page = ForwardPage::parse(first, after, ctx.limits()?)?;
        let filter = filter.unwrap_or_default();
        let filter = orders::AdminOrderFilter {
            status: filter.status.map(Into::into),
            cooperative_id: filter
                .cooperative_id
                .map(|id| parse_id("filter.cooperativeId", &id))
                .transpose()?,
            placed_from: filter.placed_from,
            placed_to: filter.placed_to,
            payment_method: filter.payment_method.map(Into::into),
        };
        let orders = ctx
            .orders()?
            .all_orders(&ctx.party()?, &filter, page.size, page.after)
            .await
            .map_err(top_error)?;
        Ok(order_connection(page, orders))
    }

    /// A cooperative's orders, each showing only its own fulfilment (staff and admins).
    #[graphql(complexity = "connection_complexity(child_complexity, first, None)")]
    async fn cooperative_orders(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        status: Option<FulfilmentStatusValue>,
        #[graphql(default)] overdue_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<Order>> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let page = ForwardPage::parse(first, after, ctx.limits()?)?;
        let filter = orders::OrderFilter {
            status: status.map(orders::FulfilmentStatus::from),
            overdue_only,
        };
        let orders = ctx
            .orders()?
            .cooperative_orders(
                &ctx.party()?,
                cooperative_id,
                &filter,
                page.size,
                page.after,
            )
            .await
            .map_err(top_error)?;
        Ok(order_connection(page, orders))
    }

    /// A cooperative's settlement for `from` to `to` (inclusive, dates in India): the
    /// money the platform collected for it, refunded, kept as TCS, and owes it.
    async fn settlement_statement(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SettlementStatement> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let statement = ctx
            .orders()?
            .settlement_statement(&ctx.party()?, cooperative_id, from, to)
            .await
            .map_err(top_error)?;
        Ok(SettlementStatement { statement })
    }

    /// A cooperative's Razorpay Route linked account and commission (its managers
    /// and admins).
    async fn cooperative_route_account(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> Result<super::RouteAccount> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let account = ctx
            .orders()?
            .route_account(&ctx.party()?, cooperative_id)
            .await
            .map_err(top_error)?;
        Ok(account.into())
    }

    /// A cooperative's payout account (its managers and admins).
    async fn cooperative_payout_account(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
    ) -> Result<Option<PayoutAccount>> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let account = ctx
            .orders()?
            .payout_account(&ctx.party()?, cooperative_id)
            .await
            .map_err(top_error)?;
        Ok(account.map(PayoutAccount::from))
    }
}
