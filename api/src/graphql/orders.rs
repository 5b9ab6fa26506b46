//! Carts, checkout, orders, fulfilment, payments and refunds over GraphQL. The rules
//! live in the `orders` crate; this module maps inputs and outputs.

use async_graphql::{
    Context, Enum, ID, InputObject, Object, Result, SimpleObject,
    connection::{Connection, Edge},
};
use chrono::{DateTime, NaiveDate, Utc};
use orders::{OrderError, OrderService, OrderView, Party};
use uuid::Uuid;

use crate::graphql::{
    ApiError, UserError,
    catalog::Cooperative,
    context::ContextExt,
    errors::{respond, top_error},
    ids::parse_id,
    loaders::loader_error,
    money::Paise,
    pagination::{ConnectionFields, IdCursor, RelayConnection},
};

pub(crate) fn service<'a>(ctx: &'a Context<'_>) -> Result<&'a OrderService, ApiError> {
    ctx.orders()
}

/// The order domain's view of the caller.
pub(crate) fn party(ctx: &Context<'_>) -> Result<Party, ApiError> {
    let organisation = ctx.viewer_opt()?.and_then(|v| v.buyer_organisation_id);
    Ok(Party::new(ctx.actor()?, organisation))
}

fn page_size(first: Option<i32>) -> Result<u64, ApiError> {
    match first {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(u64::try_from(n).unwrap_or(20)),
        Some(_) => Err(ApiError::BadUserInput(
            "`first` must be between 1 and 100".into(),
        )),
    }
}

fn after_cursor(after: Option<String>) -> Result<Option<Uuid>, ApiError> {
    use async_graphql::connection::CursorType;
    after
        .map(|a| IdCursor::decode_cursor(&a).map(|c| c.0))
        .transpose()
}

fn order_connection(page: orders::OrderPage, after: bool) -> RelayConnection<Order> {
    let mut connection = Connection::with_additional_fields(
        after,
        page.has_next_page,
        ConnectionFields {
            total_count: page.total_count,
        },
    );
    connection.edges.extend(
        page.orders
            .into_iter()
            .map(|o| Edge::new(IdCursor(o.order.id), Order(o))),
    );
    connection
}

// The GraphQL enums are generated against the domain's (`remote`): a variant added on
// either side without the other fails to compile, in both directions.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "OrderStatus", remote = "orders::OrderStatus")]
pub enum OrderStatusValue {
    PendingPayment,
    Confirmed,
    Paid,
    Cancelled,
    PartiallyRefunded,
    Refunded,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "FulfilmentStatus", remote = "orders::FulfilmentStatus")]
pub enum FulfilmentStatusValue {
    PendingPayment,
    Confirmed,
    Paid,
    Packed,
    Shipped,
    Delivered,
    Accepted,
    Cancelled,
}

/// How the buyer pays.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "PaymentMethod", remote = "orders::PaymentMethod")]
pub enum PaymentMethodValue {
    /// Card or UPI through Stripe; the order carries the PaymentIntent's client secret.
    Stripe,
    /// Paid to the courier; the order is confirmed at once and paid when staff record it.
    CashOnDelivery,
    /// Paid by bank transfer before dispatch; staff record it.
    BankTransfer,
    /// An institution's purchase order on payment terms.
    PurchaseOrder,
    /// Settled by the sales channel the order came from (NCUI Haat, GeM); not for checkout.
    Channel,
}

/// A delivery or billing address in India.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "Address")]
pub struct AddressObject {
    pub name: String,
    pub phone: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub pin_code: String,
    /// GST state code, e.g. 38 for Ladakh.
    pub state_code: String,
    pub state_name: Option<String>,
    pub gstin: Option<String>,
}

impl From<orders::Address> for AddressObject {
    fn from(a: orders::Address) -> Self {
        Self {
            state_name: orders::state_name(&a.state_code).map(str::to_owned),
            name: a.name,
            phone: a.phone,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            pin_code: a.pin_code,
            state_code: a.state_code,
            gstin: a.gstin,
        }
    }
}

fn address_of(value: &serde_json::Value) -> Option<AddressObject> {
    serde_json::from_value::<orders::Address>(value.clone())
        .ok()
        .map(AddressObject::from)
}

#[derive(InputObject, Clone, Debug)]
pub struct AddressInput {
    pub name: String,
    /// A 10-digit Indian mobile number, with or without +91.
    pub phone: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    /// Six digits, consistent with the state.
    pub pin_code: String,
    /// GST state code of the delivery address, e.g. 38 (Ladakh), 07 (Delhi).
    pub state_code: String,
    /// The buyer's GSTIN, for a registered business buyer.
    pub gstin: Option<String>,
}

impl From<AddressInput> for orders::Address {
    fn from(a: AddressInput) -> Self {
        Self {
            name: a.name,
            phone: a.phone,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            pin_code: a.pin_code,
            state_code: a.state_code,
            gstin: a.gstin,
        }
    }
}

// ---------------------------------------------------------------- carts

/// One line of a cart, priced today.
pub struct CartLine(orders::CartLine);

#[Object]
impl CartLine {
    async fn variant_id(&self) -> ID {
        ID(self.0.variant_id.to_string())
    }
    async fn variant(&self) -> Option<crate::graphql::catalog::Variant> {
        self.0
            .item
            .as_ref()
            .map(|i| crate::graphql::catalog::Variant(i.variant.clone()))
    }
    async fn product_title(&self) -> Option<&str> {
        self.0.item.as_ref().map(|i| i.product_title.as_str())
    }
    async fn product_slug(&self) -> Option<&str> {
        self.0.item.as_ref().map(|i| i.product_slug.as_str())
    }
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Today's unit price for this quantity, tier prices applied, tax included.
    async fn unit_price(&self) -> Paise {
        Paise(self.0.unit_price_paise)
    }
    /// The unit price the buyer was last shown.
    async fn seen_unit_price(&self) -> Paise {
        Paise(self.0.seen_unit_price_paise)
    }
    async fn price_changed(&self) -> bool {
        self.0.price_changed()
    }
    async fn line_total(&self) -> Paise {
        Paise(self.0.line_total_paise)
    }
    /// The product is on sale (active, its cooperative verified).
    async fn available(&self) -> bool {
        self.0.available()
    }
    async fn in_stock(&self) -> i32 {
        self.0.item.as_ref().map_or(0, |i| i.variant.stock_on_hand)
    }
}

pub struct Cart(orders::Cart);

#[Object]
impl Cart {
    async fn id(&self) -> Option<ID> {
        self.0.id.map(|id| ID(id.to_string()))
    }
    async fn lines(&self) -> Vec<CartLine> {
        self.0.lines.iter().cloned().map(CartLine).collect()
    }
    /// The sum of available lines, tax included, before shipping.
    async fn subtotal(&self) -> Paise {
        Paise(self.0.subtotal_paise())
    }
    async fn item_count(&self) -> i32 {
        self.0.lines.iter().map(|l| l.quantity).sum()
    }
}

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

// ---------------------------------------------------------------- orders

pub struct OrderLine(orders::OrderLineView);

#[Object]
impl OrderLine {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// GOODS or SHIPPING.
    async fn kind(&self) -> &str {
        self.0.kind.as_str()
    }
    async fn variant_id(&self) -> Option<ID> {
        self.0.variant_id.map(|id| ID(id.to_string()))
    }
    async fn product_id(&self) -> Option<ID> {
        self.0.product_id.map(|id| ID(id.to_string()))
    }
    async fn consignee_id(&self) -> Option<ID> {
        self.0.consignee_id.map(|id| ID(id.to_string()))
    }
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn hsn(&self) -> &str {
        &self.0.hsn
    }
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    async fn unit_price(&self) -> Paise {
        Paise(self.0.unit_price_paise)
    }
    /// What the buyer pays for the line, tax included.
    async fn total(&self) -> Paise {
        Paise(self.0.total_paise)
    }
    /// GST rate in basis points (500 = 5%).
    async fn gst_rate_bp(&self) -> i32 {
        self.0.rate_bp
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.0.taxable_paise)
    }
    async fn cgst(&self) -> Paise {
        Paise(self.0.cgst_paise)
    }
    async fn sgst(&self) -> Paise {
        Paise(self.0.sgst_paise)
    }
    async fn utgst(&self) -> Paise {
        Paise(self.0.utgst_paise)
    }
    async fn igst(&self) -> Paise {
        Paise(self.0.igst_paise)
    }
    /// GST state code of the place of supply.
    async fn place_of_supply(&self) -> &str {
        &self.0.place_of_supply
    }
}

/// One entry of the append-only history.
#[derive(SimpleObject)]
pub struct OrderHistoryEntry {
    /// Set for a fulfilment's change, empty for the order's.
    pub fulfilment_id: Option<ID>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_role: String,
    pub actor_user_id: Option<ID>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct Consignee {
    pub id: ID,
    pub name: String,
    pub address: Option<AddressObject>,
    pub state_code: String,
}

/// One cooperative's part of an order, with its own GST invoice.
pub struct Fulfilment(orders::FulfilmentView);

#[Object]
impl Fulfilment {
    async fn id(&self) -> ID {
        ID(self.0.fulfilment.id.to_string())
    }
    async fn cooperative(&self, ctx: &Context<'_>) -> Result<Cooperative> {
        ctx.loaders()?
            .cooperatives
            .load_one(self.0.fulfilment.cooperative_id)
            .await
            .map_err(loader_error)?
            .map(Cooperative::from)
            .ok_or_else(|| ApiError::Internal.into())
    }
    async fn status(&self) -> FulfilmentStatusValue {
        self.0.fulfilment.status.into()
    }
    async fn lines(&self) -> Vec<OrderLine> {
        self.0.lines.iter().cloned().map(OrderLine).collect()
    }
    async fn goods_total(&self) -> Paise {
        Paise(self.0.fulfilment.goods_paise)
    }
    async fn shipping_total(&self) -> Paise {
        Paise(self.0.fulfilment.shipping_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.0.fulfilment.taxable_paise)
    }
    async fn cgst(&self) -> Paise {
        Paise(self.0.fulfilment.cgst_paise)
    }
    async fn sgst(&self) -> Paise {
        Paise(self.0.fulfilment.sgst_paise)
    }
    async fn utgst(&self) -> Paise {
        Paise(self.0.fulfilment.utgst_paise)
    }
    async fn igst(&self) -> Paise {
        Paise(self.0.fulfilment.igst_paise)
    }
    async fn total(&self) -> Paise {
        Paise(self.0.fulfilment.total_paise)
    }
    /// Tax collected at source by the platform (0.5% of net taxable value), from invoicing.
    async fn tcs(&self) -> Paise {
        Paise(self.0.fulfilment.tcs_paise)
    }
    async fn refunded(&self) -> Paise {
        Paise(self.0.fulfilment.refunded_paise)
    }
    /// Issued when the fulfilment ships; unique per cooperative and financial year.
    async fn invoice_number(&self) -> Option<&str> {
        self.0.fulfilment.invoice_number.as_deref()
    }
    async fn invoice_date(&self) -> Option<NaiveDate> {
        self.0.fulfilment.invoice_date
    }
    /// Where the GST invoice is rendered (HTML), once issued.
    async fn invoice_url(&self) -> Option<String> {
        self.0
            .fulfilment
            .invoice_number
            .as_ref()
            .map(|_| format!("/invoices/{}", self.0.fulfilment.id))
    }
    async fn carrier(&self) -> Option<&str> {
        self.0.fulfilment.carrier.as_deref()
    }
    async fn tracking_number(&self) -> Option<&str> {
        self.0.fulfilment.tracking_number.as_deref()
    }
    /// When the consignee accepted the goods (institutional orders).
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.accepted_at
    }
    /// Acceptance plus the order's payment terms.
    async fn payment_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.payment_due_at
    }
    async fn payment_overdue(&self) -> bool {
        self.0.payment_overdue
    }
}

/// A buyer's order: one payment, one or more fulfilments.
pub struct Order(OrderView);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }
    /// A short reference to quote, e.g. LM-261125-7KQ2M9XD.
    async fn number(&self) -> &str {
        &self.0.order.number
    }
    /// RETAIL or INSTITUTIONAL.
    async fn kind(&self) -> &str {
        self.0.order.kind.as_str()
    }
    /// The sales channel the order came from (NCUI_HAAT, GEM), or none for the storefront.
    async fn source_channel(&self) -> Option<&str> {
        self.0.order.source_channel.as_deref()
    }
    async fn status(&self) -> OrderStatusValue {
        self.0.order.status.into()
    }
    async fn payment_method(&self) -> PaymentMethodValue {
        self.0.order.payment_method.into()
    }
    /// The Stripe PaymentIntent's client secret, for the buyer's browser to confirm
    /// the payment; only its buyer sees it, and only while it is unpaid.
    async fn stripe_client_secret(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let viewer = ctx.viewer_opt()?.map(|v| v.user_id);
        Ok(
            (viewer == Some(self.0.order.buyer_user_id)
                && self.0.order.payment_received_paise == 0)
                .then(|| self.0.order.payment_client_secret.clone())
                .flatten(),
        )
    }
    async fn currency(&self) -> &str {
        &self.0.order.currency
    }
    async fn goods_total(&self) -> Paise {
        Paise(self.0.order.goods_paise)
    }
    async fn shipping_total(&self) -> Paise {
        Paise(self.0.order.shipping_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.0.order.taxable_paise)
    }
    async fn cgst(&self) -> Paise {
        Paise(self.0.order.cgst_paise)
    }
    async fn sgst(&self) -> Paise {
        Paise(self.0.order.sgst_paise)
    }
    async fn utgst(&self) -> Paise {
        Paise(self.0.order.utgst_paise)
    }
    async fn igst(&self) -> Paise {
        Paise(self.0.order.igst_paise)
    }
    /// Tax included, shipping included.
    async fn total(&self) -> Paise {
        Paise(self.0.order.total_paise)
    }
    async fn payment_received(&self) -> Paise {
        Paise(self.0.order.payment_received_paise)
    }
    async fn refunded(&self) -> Paise {
        Paise(self.0.order.refunded_paise)
    }
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.order.paid_at
    }
    /// A payment that did not match (amount, currency, timing), for staff to resolve.
    async fn payment_issue(&self) -> Option<&str> {
        self.0.order.payment_issue.as_deref()
    }
    /// Unpaid orders hold their stock until then.
    async fn reservation_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.order.reservation_expires_at
    }
    /// GST state code of the place of supply.
    async fn place_of_supply(&self) -> &str {
        &self.0.order.place_of_supply
    }
    async fn shipping_address(&self) -> Option<AddressObject> {
        address_of(&self.0.order.shipping_address)
    }
    async fn purchase_order_number(&self) -> Option<&str> {
        self.0.order.purchase_order_number.as_deref()
    }
    async fn gem_contract_number(&self) -> Option<&str> {
        self.0.order.gem_contract_number.as_deref()
    }
    async fn buyer_organisation_id(&self) -> Option<ID> {
        self.0
            .order
            .buyer_organisation_id
            .map(|id| ID(id.to_string()))
    }
    async fn payment_terms_days(&self) -> Option<i32> {
        self.0.order.payment_terms_days
    }
    /// All of them for the buyer and admins; a cooperative sees its own.
    async fn fulfilments(&self) -> Vec<Fulfilment> {
        self.0.fulfilments.iter().cloned().map(Fulfilment).collect()
    }
    async fn consignees(&self) -> Vec<Consignee> {
        self.0
            .consignees
            .iter()
            .map(|c| Consignee {
                id: ID(c.id.to_string()),
                name: c.name.clone(),
                address: address_of(&c.address),
                state_code: c.state_code.clone(),
            })
            .collect()
    }
    /// Oldest first.
    async fn history(&self) -> Vec<OrderHistoryEntry> {
        self.0
            .history
            .iter()
            .map(|h| OrderHistoryEntry {
                fulfilment_id: h.fulfilment_id.map(|id| ID(id.to_string())),
                from_status: h.from_status.map(|s| s.as_str().to_owned()),
                to_status: h.to_status.as_str().to_owned(),
                actor_role: h.actor_role.as_str().to_owned(),
                actor_user_id: h.actor_user_id.map(|id| ID(id.to_string())),
                reason: h.reason.clone(),
                at: h.created_at,
            })
            .collect()
    }
    async fn refunds(&self, ctx: &Context<'_>) -> Result<Vec<Refund>> {
        let refunds = service(ctx)?
            .refunds_of(self.0.order.id)
            .await
            .map_err(top_error)?;
        let visible: Vec<Uuid> = self.0.fulfilments.iter().map(|f| f.fulfilment.id).collect();
        Ok(refunds
            .into_iter()
            .filter(|r| visible.contains(&r.fulfilment_id))
            .map(Refund)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.order.created_at
    }
}

pub struct Refund(orders::RefundView);

#[Object]
impl Refund {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn fulfilment_id(&self) -> ID {
        ID(self.0.fulfilment_id.to_string())
    }
    async fn amount(&self) -> Paise {
        Paise(self.0.amount_paise)
    }
    /// PENDING (sent, outcome unknown), SUCCEEDED or FAILED.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// stripe or manual.
    async fn provider(&self) -> &str {
        self.0.provider.as_str()
    }
    async fn provider_reference(&self) -> Option<&str> {
        self.0.provider_reference.as_deref()
    }
    async fn failure_message(&self) -> Option<&str> {
        self.0.failure_message.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What a cooperative earned through the marketplace in a period.
pub struct SettlementStatement {
    pub statement: orders::SettlementStatement,
}

#[Object]
impl SettlementStatement {
    async fn cooperative_id(&self) -> ID {
        ID(self.statement.cooperative_id.to_string())
    }
    async fn from(&self) -> NaiveDate {
        self.statement.from
    }
    async fn to(&self) -> NaiveDate {
        self.statement.to
    }
    /// Invoices issued in the period.
    async fn invoices(&self) -> u64 {
        self.statement.invoices
    }
    /// Invoiced value, tax included.
    async fn gross_sales(&self) -> Paise {
        Paise(self.statement.gross_sales_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.statement.taxable_value_paise)
    }
    async fn gst(&self) -> Paise {
        Paise(self.statement.gst_paise)
    }
    /// Collected by the platform as e-commerce operator and credited to the cooperative's GST account.
    async fn tcs(&self) -> Paise {
        Paise(self.statement.tcs_paise)
    }
    async fn refunds(&self) -> Paise {
        Paise(self.statement.refunds_paise)
    }
    /// Gross sales less refunds and TCS.
    async fn net_payable(&self) -> Paise {
        Paise(self.statement.net_payable_paise)
    }
}

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// The caller's cart: a signed-in buyer's own (merging the anonymous cart named by
    /// `cartToken`), or a visitor's by its token.
    async fn cart(&self, ctx: &Context<'_>, cart_token: Option<String>) -> Result<Cart> {
        let service = service(ctx)?;
        let cart = orders::view_cart(service.db(), &party(ctx)?, cart_token.as_deref())
            .await
            .map_err(top_error)?;
        Ok(Cart(cart))
    }

    /// One order: its buyer's, its cooperatives' (their part) or any for admins.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Order> {
        let id = parse_id("id", &id)?;
        let view = service(ctx)?
            .order_for(&party(ctx)?, id)
            .await
            .map_err(top_error)?;
        Ok(Order(view))
    }

    /// The caller's orders, newest first; institution users see their organisation's.
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<RelayConnection<Order>> {
        let size = page_size(first)?;
        let after_id = after_cursor(after)?;
        let page = service(ctx)?
            .my_orders(&party(ctx)?, size, after_id)
            .await
            .map_err(top_error)?;
        Ok(order_connection(page, after_id.is_some()))
    }

    /// A cooperative's orders, each showing only its own fulfilment (staff and admins).
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
        let size = page_size(first)?;
        let after_id = after_cursor(after)?;
        let filter = orders::OrderFilter {
            status: status.map(orders::FulfilmentStatus::from),
            overdue_only,
        };
        let page = service(ctx)?
            .cooperative_orders(&party(ctx)?, cooperative_id, &filter, size, after_id)
            .await
            .map_err(top_error)?;
        Ok(order_connection(page, after_id.is_some()))
    }

    /// A cooperative's sales, GST, TCS, refunds and net payable for invoices dated
    /// `from` to `to` (inclusive).
    async fn settlement_statement(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SettlementStatement> {
        let cooperative_id = parse_id("cooperativeId", &cooperative_id)?;
        let statement = service(ctx)?
            .settlement_statement(&party(ctx)?, cooperative_id, from, to)
            .await
            .map_err(top_error)?;
        Ok(SettlementStatement { statement })
    }
}

#[derive(InputObject)]
pub struct ConsigneeItemInput {
    pub variant_id: ID,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct ConsigneeInput {
    pub name: String,
    pub address: AddressInput,
    pub items: Vec<ConsigneeItemInput>,
}

/// What an institution adds: its contract and its consignees.
#[derive(InputObject)]
pub struct InstitutionalOrderInput {
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    /// Days from the consignee's acceptance to payment; 10 (GeM's terms) by default.
    pub payment_terms_days: Option<i32>,
    pub consignees: Vec<ConsigneeInput>,
}

#[derive(InputObject)]
pub struct PlaceOrderInput {
    pub cart_token: Option<String>,
    /// Chosen by the client, one per checkout attempt: repeating the call with the same
    /// key and cart returns the same order.
    pub idempotency_key: String,
    /// The delivery address (billing address for institutional orders).
    pub shipping_address: AddressInput,
    pub payment_method: PaymentMethodValue,
    /// Required for institution accounts.
    pub institutional: Option<InstitutionalOrderInput>,
}

#[derive(SimpleObject)]
pub struct PlaceOrderPayload {
    pub order: Option<Order>,
    /// True when an earlier call with the same key created the order.
    pub replayed: bool,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Option<Order>,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct RefundPayload {
    pub refund: Option<Refund>,
    pub order: Option<Order>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct FulfilmentInput {
    pub fulfilment_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct FulfilmentShipInput {
    pub fulfilment_id: ID,
    pub carrier: String,
    pub tracking_number: String,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct OrderCancelInput {
    pub order_id: ID,
    /// One cooperative's part; all the caller may cancel when omitted.
    pub fulfilment_id: Option<ID>,
    pub reason: String,
}

#[derive(InputObject)]
pub struct OrderRefundInput {
    pub order_id: ID,
    pub fulfilment_id: ID,
    /// Everything not yet refunded of the fulfilment when omitted.
    pub amount_paise: Option<Paise>,
    pub reason: String,
    /// Repeating a refund with the same key never refunds twice.
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct PaymentMarkReceivedInput {
    pub order_id: ID,
    pub amount_paise: Paise,
    /// Receipt, bank-transfer or cheque reference.
    pub reference: String,
}

fn id_or_error(field: &str, id: &ID) -> Result<Uuid, OrderError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        OrderError::invalid(
            field,
            kernel::FieldErrorCode::Invalid,
            format!("{field} is not a valid id"),
        )
    })
}

async fn reload(ctx: &Context<'_>, order_id: Uuid) -> Result<Order, OrderError> {
    let party = party(ctx).map_err(|_| OrderError::Unauthenticated)?;
    let service = service(ctx).map_err(|_| OrderError::Corrupt("order service missing".into()))?;
    service.order_for(&party, order_id).await.map(Order)
}

async fn order_payload(
    ctx: &Context<'_>,
    result: Result<Uuid, OrderError>,
) -> Result<OrderPayload> {
    let result = match result {
        Ok(id) => reload(ctx, id).await,
        Err(e) => Err(e),
    };
    respond(result, |order, errors| OrderPayload { order, errors })
}

async fn transition(
    ctx: &Context<'_>,
    input: FulfilmentInput,
    action: orders::FulfilmentAction,
) -> Result<OrderPayload> {
    let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
    let result = service(ctx)?
        .fulfilment_transition(&party(ctx)?, id, action, None, input.note)
        .await;
    order_payload(ctx, result).await
}

async fn cart_change(
    ctx: &Context<'_>,
    token: Option<String>,
    variant_id: &ID,
    change: orders::CartChange,
) -> Result<CartPayload> {
    let service = service(ctx)?;
    let result = match id_or_error("variantId", variant_id) {
        Ok(variant_id) => {
            orders::change_cart(
                service.db(),
                &party(ctx)?,
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
pub struct OrdersMutation;

#[Object]
impl OrdersMutation {
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

    /// Turns the cart into an order: prices, availability, minimum quantities and stock
    /// are checked again (changes come back as errors, never silently applied), GST is
    /// worked out per line, the order is split per cooperative and its stock reserved.
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
    ) -> Result<PlaceOrderPayload> {
        let service = service(ctx)?;
        let party = party(ctx)?;
        let institutional = match input.institutional {
            None => Ok(None),
            Some(terms) => terms
                .consignees
                .into_iter()
                .enumerate()
                .map(|(index, c)| {
                    let items = c
                        .items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            id_or_error(
                                &format!("institutional.consignees.{index}.items.{i}.variantId"),
                                &item.variant_id,
                            )
                            .map(|variant_id| orders::ConsigneeItem {
                                variant_id,
                                quantity: item.quantity,
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(orders::ConsigneeInput {
                        name: c.name,
                        address: c.address.into(),
                        items,
                    })
                })
                .collect::<Result<Vec<_>, OrderError>>()
                .map(|consignees| {
                    Some(orders::InstitutionalTerms {
                        purchase_order_number: terms.purchase_order_number,
                        gem_contract_number: terms.gem_contract_number,
                        payment_terms_days: terms.payment_terms_days,
                        consignees,
                    })
                }),
        };
        let result = match institutional {
            Ok(institutional) => {
                service
                    .place_order(
                        &party,
                        orders::PlaceOrder {
                            cart_token: input.cart_token,
                            idempotency_key: input.idempotency_key,
                            address: input.shipping_address.into(),
                            payment_method: input.payment_method.into(),
                            institutional,
                        },
                    )
                    .await
            }
            Err(e) => Err(e),
        };
        let placed = match result {
            Ok(placed) => placed,
            Err(e) => {
                return respond(Err::<(), _>(e), |_, errors| PlaceOrderPayload {
                    order: None,
                    replayed: false,
                    errors,
                });
            }
        };
        let order = reload(ctx, placed.order_id).await.map_err(top_error)?;
        let errors = placed
            .payment_error
            .map(|message| {
                vec![UserError::new(
                    "paymentMethod",
                    crate::graphql::UserErrorCode::PaymentProviderUnavailable,
                    message,
                )]
            })
            .unwrap_or_default();
        Ok(PlaceOrderPayload {
            order: Some(order),
            replayed: placed.replayed,
            errors,
        })
    }

    /// The cooperative has packed its part (PAID or CONFIRMED → PACKED).
    async fn fulfilment_pack(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Pack).await
    }

    /// Handed to the carrier (PACKED → SHIPPED); issues the GST invoice.
    async fn fulfilment_ship(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentShipInput,
    ) -> Result<OrderPayload> {
        let id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = service(ctx)?
            .fulfilment_transition(
                &party(ctx)?,
                id,
                orders::FulfilmentAction::Ship,
                Some(orders::ShipmentDetails {
                    carrier: input.carrier,
                    tracking_number: input.tracking_number,
                }),
                input.note,
            )
            .await;
        order_payload(ctx, result).await
    }

    /// SHIPPED → DELIVERED.
    async fn fulfilment_deliver(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Deliver).await
    }

    /// The consignee's receipt and acceptance (like GeM's CRAC): DELIVERED → ACCEPTED,
    /// which starts the payment-due clock. Institution users of the buying organisation.
    async fn fulfilment_accept(
        &self,
        ctx: &Context<'_>,
        input: FulfilmentInput,
    ) -> Result<OrderPayload> {
        transition(ctx, input, orders::FulfilmentAction::Accept).await
    }

    /// Cancels before shipping: stock goes back, and anything paid is refunded.
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        input: OrderCancelInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let fulfilment_id = input
            .fulfilment_id
            .as_ref()
            .map(|id| parse_id("fulfilmentId", id))
            .transpose()?;
        let result = service(ctx)?
            .cancel(&party(ctx)?, order_id, fulfilment_id, &input.reason)
            .await;
        order_payload(ctx, result).await
    }

    /// Refunds part or all of a fulfilment (admins and the cooperative's manager).
    async fn order_refund(
        &self,
        ctx: &Context<'_>,
        input: OrderRefundInput,
    ) -> Result<RefundPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let fulfilment_id = parse_id("fulfilmentId", &input.fulfilment_id)?;
        let result = service(ctx)?
            .refund(
                &party(ctx)?,
                orders::RefundRequest {
                    order_id,
                    fulfilment_id,
                    amount_paise: input.amount_paise.map(|p| p.0),
                    reason: input.reason,
                    idempotency_key: input.idempotency_key,
                },
            )
            .await;
        let result = match result {
            Ok(refund) => reload(ctx, order_id).await.map(|order| (refund, order)),
            Err(e) => Err(e),
        };
        respond(result, |done, errors| {
            let (refund, order) = done.map_or((None, None), |(r, o)| (Some(Refund(r)), Some(o)));
            RefundPayload {
                refund,
                order,
                errors,
            }
        })
    }

    /// Records a cash, bank-transfer or purchase-order payment (admins, or the manager
    /// of the only cooperative in the order).
    async fn payment_mark_received(
        &self,
        ctx: &Context<'_>,
        input: PaymentMarkReceivedInput,
    ) -> Result<OrderPayload> {
        let order_id = parse_id("orderId", &input.order_id)?;
        let result = service(ctx)?
            .mark_payment_received(
                &party(ctx)?,
                order_id,
                input.amount_paise.0,
                &input.reference,
            )
            .await;
        order_payload(ctx, result).await
    }
}
