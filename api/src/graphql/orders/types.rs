//! What clients see of carts and orders: the statuses (generated from the domain's
//! enums), addresses, carts, orders with their fulfilments, lines, history and refunds,
//! settlement statements, and the payload most order mutations answer with.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use orders::{OrderError, OrderView};
use uuid::Uuid;

use crate::graphql::{
    ApiError, UserError,
    catalog::Cooperative,
    context::ContextExt,
    errors::{respond, top_error},
    loaders::loader_error,
    money::Paise,
};

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
    Returned,
}

/// How the buyer pays.
/// What a fulfilment is billed on: TAX_INVOICE (every line bears GST), BILL_OF_SUPPLY
/// (the supplier collects no GST, or every line is nil-rated or exempt) or
/// INVOICE_CUM_BILL_OF_SUPPLY (taxable and non-taxable goods together, Rule 46A).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "DocumentKind", remote = "orders::DocumentKind")]
pub enum DocumentKindValue {
    TaxInvoice,
    BillOfSupply,
    InvoiceCumBillOfSupply,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "PaymentMethod", remote = "orders::PaymentMethod")]
pub enum PaymentMethodValue {
    /// Card or UPI through Stripe; the order carries the PaymentIntent's client secret.
    Stripe,
    /// UPI (intent, QR, collect), cards, netbanking or wallets through Razorpay
    /// Checkout; the order carries `razorpayCheckout`.
    Razorpay,
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

pub struct Cart(pub(super) orders::Cart);

#[Object]
impl Cart {
    async fn id(&self) -> Option<ID> {
        self.0.id.map(|id| ID(id.to_string()))
    }
    async fn lines(&self) -> Vec<CartLine> {
        self.0.lines.iter().cloned().map(CartLine).collect()
    }
    /// The sum of available lines, tax included, before shipping.
    async fn subtotal(&self) -> Result<Paise> {
        Ok(Paise(self.0.subtotal_paise().map_err(top_error)?))
    }
    async fn item_count(&self) -> Result<i32> {
        self.0.item_count().map_err(top_error)
    }
}

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
    /// Units sold, counted in `uqc`.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// The GST unit quantity code of `quantity` (the variant's when it was sold).
    async fn uqc(&self) -> crate::graphql::catalog::UqcValue {
        self.0.uqc.into()
    }
    /// Pieces in each unit sold (a pack's).
    async fn pieces_per_unit(&self) -> i32 {
        self.0.pieces_per_unit
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
    /// Tax collected at source by the platform on this invoice (0.5% of the taxable
    /// value of its lines bearing GST), when the platform collects the money; 0 for cash
    /// on delivery, purchase orders, GeM contracts and channel orders. A later credit
    /// note takes TCS back in its own month, not here.
    async fn tcs(&self) -> Paise {
        Paise(self.0.fulfilment.tcs_paise)
    }
    async fn refunded(&self) -> Paise {
        Paise(self.0.fulfilment.refunded_paise)
    }
    /// The document the supply is billed on, decided when the order was placed.
    async fn document_kind(&self) -> DocumentKindValue {
        self.0.fulfilment.document_kind.into()
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
    /// When the consignee accepted the goods (institutional orders; GeM's CRAC).
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.accepted_at
    }
    /// When the consignee provisionally received the goods (GeM's PRC); set by the
    /// CRAC too when no PRC was recorded before it.
    async fn provisional_receipt_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.received_at
    }
    /// The CRAC per consignee and line: ordered, accepted and rejected units, and
    /// what became of the rejected ones. Empty before acceptance.
    async fn acceptance(&self, ctx: &Context<'_>) -> Result<Vec<AcceptanceLine>> {
        Ok(ctx
            .orders()?
            .acceptance_lines(self.0.fulfilment.id)
            .await
            .map_err(top_error)?
            .into_iter()
            .map(AcceptanceLine)
            .collect())
    }
    /// Acceptance plus the order's payment terms (10 days for a GeM contract).
    async fn payment_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.payment_due_at
    }
    /// Cash on delivery: the cash recorded as collected for this fulfilment.
    async fn cash_collected(&self) -> Paise {
        Paise(self.0.fulfilment.cash_collected_paise)
    }
    async fn cash_collected_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilment.cash_collected_at
    }
    async fn payment_overdue(&self) -> bool {
        self.0.payment_overdue
    }
    /// Credit notes against this fulfilment's invoice (refunds and returns after
    /// invoicing), oldest first.
    async fn credit_notes(&self, ctx: &Context<'_>) -> Result<Vec<TaxNote>> {
        self.notes(ctx, orders::NoteKind::CreditNote).await
    }
    /// Debit notes against this fulfilment's invoice (value added after invoicing).
    async fn debit_notes(&self, ctx: &Context<'_>) -> Result<Vec<TaxNote>> {
        self.notes(ctx, orders::NoteKind::DebitNote).await
    }
    /// Invoices of this supply cancelled before they were reported (each replaced by
    /// the next number), oldest first.
    async fn cancelled_invoices(&self, ctx: &Context<'_>) -> Result<Vec<CancelledInvoice>> {
        Ok(ctx
            .orders()?
            .cancelled_invoices_of(self.0.fulfilment.id)
            .await
            .map_err(top_error)?
            .into_iter()
            .map(CancelledInvoice)
            .collect())
    }
}

/// An invoice cancelled before its month's GSTR-1 was filed: its number stays in the
/// series, counted as cancelled in the return's table 13.
pub struct CancelledInvoice(pub(super) orders::CancelledInvoice);

#[Object]
impl CancelledInvoice {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn date(&self) -> NaiveDate {
        self.0.date
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// The invoice issued in its place for the same supply.
    async fn replaced_by(&self) -> &str {
        &self.0.replaced_by
    }
    async fn cancelled_at(&self) -> DateTime<Utc> {
        self.0.cancelled_at
    }
    /// Where the cancelled document is rendered (HTML, marked CANCELLED).
    async fn url(&self) -> String {
        self.0.url()
    }
}

impl Fulfilment {
    async fn notes(&self, ctx: &Context<'_>, kind: orders::NoteKind) -> Result<Vec<TaxNote>> {
        Ok(ctx
            .orders()?
            .notes_of_fulfilment(self.0.fulfilment.id)
            .await
            .map_err(top_error)?
            .into_iter()
            .filter(|n| n.kind == kind)
            .map(TaxNote)
            .collect())
    }
}

/// What became of units the consignee rejected. Either way a credit note takes their
/// value off the invoice.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "RejectedDisposition", remote = "orders::RejectedDisposition")]
pub enum RejectedDispositionValue {
    /// The units came back and return to stock (recorded in the stock ledger).
    ReturnToStock,
    /// The units are not coming back or cannot be sold again.
    WriteOff,
}

/// One line of a consignee's receipt and acceptance (GeM's CRAC).
pub struct AcceptanceLine(pub orders::AcceptanceLine);

#[Object]
impl AcceptanceLine {
    async fn order_line_id(&self) -> ID {
        ID(self.0.order_line_id.to_string())
    }
    async fn consignee_id(&self) -> Option<ID> {
        self.0.consignee_id.map(|id| ID(id.to_string()))
    }
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn ordered(&self) -> i32 {
        self.0.ordered
    }
    async fn accepted(&self) -> i32 {
        self.0.accepted
    }
    async fn rejected(&self) -> i32 {
        self.0.rejected
    }
    async fn disposition(&self) -> Option<RejectedDispositionValue> {
        self.0.disposition.map(Into::into)
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "NoteKind", remote = "orders::NoteKind")]
pub enum NoteKindValue {
    CreditNote,
    DebitNote,
}

/// A credit or debit note (CGST s.34, Rule 53) against a fulfilment's invoice. Its
/// amounts are positive; the kind says whether they lower or raise the invoice.
pub struct TaxNote(pub(super) orders::TaxNote);

#[Object]
impl TaxNote {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> NoteKindValue {
        self.0.kind.into()
    }
    /// In the cooperative's series of this kind for the financial year, e.g. SAGD/C2627/00001.
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn date(&self) -> NaiveDate {
        self.0.date
    }
    /// The invoice the note corrects.
    async fn invoice_number(&self) -> &str {
        &self.0.invoice_number
    }
    async fn invoice_date(&self) -> NaiveDate {
        self.0.invoice_date
    }
    async fn reason(&self) -> &str {
        &self.0.reason
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
    async fn total(&self) -> Paise {
        Paise(self.0.total_paise)
    }
    /// The refund a credit note records, if any.
    async fn refund_id(&self) -> Option<ID> {
        self.0.refund_id.map(|id| ID(id.to_string()))
    }
    /// Where the note is rendered (HTML).
    async fn url(&self) -> String {
        self.0.url()
    }
}

/// A buyer's order: one payment, one or more fulfilments.
pub struct Order(pub(super) OrderView);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }
    /// A short reference to quote, e.g. LM-261125-7KQ2M9XD.
    async fn number(&self) -> &str {
        &self.0.order.number
    }
    /// The guest's email, for an order placed without an account.
    async fn guest_email(&self) -> Option<&str> {
        self.0.order.guest_email.as_deref()
    }
    async fn guest_phone(&self) -> Option<&str> {
        self.0.order.guest_phone.as_deref()
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
    /// the payment; only its buyer sees it, and only while the order is payable
    /// (PENDING_PAYMENT): never once it is paid, cancelled or expired.
    async fn stripe_client_secret(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let viewer = ctx.viewer_opt()?.map(|v| v.user_id);
        let order = &self.0.order;
        // A visitor reaches an order only as its guest: through the access token, or
        // as placeOrder's answer.
        let guest = viewer.is_none() && order.guest_email.is_some();
        Ok(((viewer == Some(order.buyer_user_id) || guest)
            && order.payment_provider == orders::PaymentProvider::Stripe
            && order.status == orders::OrderStatus::PendingPayment
            && order.payment_received_paise == 0)
            .then(|| order.payment_client_secret.clone())
            .flatten())
    }
    /// What the storefront opens Razorpay Checkout with; only its buyer sees it, and
    /// only while the order is payable through Razorpay (as `stripeClientSecret`).
    async fn razorpay_checkout(&self, ctx: &Context<'_>) -> Result<Option<RazorpayCheckout>> {
        let viewer = ctx.viewer_opt()?.map(|v| v.user_id);
        let order = &self.0.order;
        let guest = viewer.is_none() && order.guest_email.is_some();
        let payable = (viewer == Some(order.buyer_user_id) || guest)
            && order.payment_provider == orders::PaymentProvider::Razorpay
            && order.status == orders::OrderStatus::PendingPayment
            && order.payment_received_paise == 0;
        let Some(razorpay_order_id) = order.payment_client_secret.clone().filter(|_| payable)
        else {
            return Ok(None);
        };
        let service = ctx.orders()?;
        let Some(key_id) = service
            .gateway_for(orders::PaymentProvider::Razorpay)
            .and_then(|g| g.checkout_key())
        else {
            return Ok(None);
        };
        let address = address_of(&order.shipping_address);
        Ok(Some(RazorpayCheckout {
            key_id: key_id.to_owned(),
            razorpay_order_id,
            amount: Paise(order.total_paise),
            currency: order.currency.clone(),
            description: format!("Order {}", order.number),
            prefill: RazorpayPrefill {
                name: address.as_ref().map(|a| a.name.clone()),
                email: order.guest_email.clone(),
                contact: address.map(|a| a.phone),
            },
        }))
    }
    /// Why the buyer's last attempt to pay was declined (e.g. "Your card has
    /// insufficient funds. (insufficient_funds)"). The order stays payable with another
    /// card until its reservation expires; cleared once paid. Only its buyer and staff
    /// see it.
    async fn payment_failure(&self) -> Option<&str> {
        self.0.order.payment_failure.as_deref()
    }
    /// Bank transfer: whom to pay (the cooperative, or the marketplace when it
    /// collects), the account, and the reference to quote; none for other methods, or
    /// when no payout account is configured.
    async fn payment_instructions(&self, ctx: &Context<'_>) -> Result<Option<PaymentInstructions>> {
        let Some(instructions) = self.0.order.payment_instructions.clone() else {
            return Ok(None);
        };
        let upi_link = ctx.orders()?.upi_link(&instructions);
        Ok(Some(PaymentInstructions::new(instructions, upi_link)))
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
        let refunds = ctx
            .orders()?
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

pub struct Refund(pub(super) orders::RefundView);

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

/// The cash the platform handled for a cooperative in a period: what it collected,
/// refunded and kept as TCS, and what it owes. Orders whose money never came to the
/// platform (cash on delivery, purchase orders and GeM contracts paid to the
/// cooperative, channel orders, bank transfers into the cooperative's account) are
/// not in it.
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
    /// Invoices dated in the period on orders the platform collected.
    async fn invoices(&self) -> u64 {
        self.statement.invoices
    }
    /// Their invoiced value, tax included.
    async fn gross_sales(&self) -> Paise {
        Paise(self.statement.gross_sales_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.statement.taxable_value_paise)
    }
    async fn gst(&self) -> Paise {
        Paise(self.statement.gst_paise)
    }
    /// What the platform received for the cooperative's parcels in the period (by
    /// the day the payment arrived).
    async fn collected(&self) -> Paise {
        Paise(self.statement.collected_paise)
    }
    /// TCS kept by the platform as e-commerce operator (CGST s.52) on the period's
    /// invoices less its credit notes, credited to the cooperative's GST account.
    async fn tcs(&self) -> Paise {
        Paise(self.statement.tcs_paise)
    }
    /// The CGST part of `tcs` (0.25% of the net within a State or UT).
    async fn tcs_cgst(&self) -> Paise {
        Paise(self.statement.tcs.cgst_paise)
    }
    /// The SGST or UTGST part of `tcs`.
    async fn tcs_sgst(&self) -> Paise {
        Paise(self.statement.tcs.sgst_paise)
    }
    /// The IGST part of `tcs` (0.5% of the net between States).
    async fn tcs_igst(&self) -> Paise {
        Paise(self.statement.tcs.igst_paise)
    }
    /// Refunds the platform paid out in the period.
    async fn refunds(&self) -> Paise {
        Paise(self.statement.refunds_paise)
    }
    /// Collected less refunds and TCS: what the platform owes the cooperative.
    async fn net_payable(&self) -> Paise {
        Paise(self.statement.net_payable_paise)
    }
    /// Razorpay Route: transfers of the cooperative's share made in the period.
    async fn route_transferred(&self) -> Paise {
        Paise(self.statement.route_transferred_paise)
    }
    /// The marketplace's commission kept on those transfers.
    async fn route_commission(&self) -> Paise {
        Paise(self.statement.route_commission_paise)
    }
    /// Of those transfers, what is still on hold (parcels not yet delivered).
    async fn route_on_hold(&self) -> Paise {
        Paise(self.statement.route_on_hold_paise)
    }
    /// Transfers released in the period (parcels delivered).
    async fn route_released(&self) -> Paise {
        Paise(self.statement.route_released_paise)
    }
    /// Transfers reversed in the period, for refunds.
    async fn route_reversed(&self) -> Paise {
        Paise(self.statement.route_reversed_paise)
    }
    /// What the platform still owes outside Route: the net payable less the
    /// commission and what Route transferred and did not take back.
    async fn owed_outside_route(&self) -> Paise {
        Paise(self.statement.owed_outside_route_paise)
    }
}

#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Option<Order>,
    pub errors: Vec<UserError>,
}

/// The order as the caller may now see it, after a change.
pub(super) async fn reload(ctx: &Context<'_>, order_id: Uuid) -> Result<Order, OrderError> {
    let party = ctx.party().map_err(|_| OrderError::Unauthenticated)?;
    let service = ctx
        .orders()
        .map_err(|_| OrderError::Corrupt("order service missing".into()))?;
    service.order_for(&party, order_id).await.map(Order)
}

/// Answers a change of the order `result` names with the order reloaded, or with the
/// failure as the payload's errors.
pub(super) async fn order_payload(
    ctx: &Context<'_>,
    result: Result<Uuid, OrderError>,
) -> Result<OrderPayload> {
    let result = match result {
        Ok(id) => reload(ctx, id).await,
        Err(e) => Err(e),
    };
    respond(result, |order, errors| OrderPayload { order, errors })
}

/// The options Razorpay Checkout opens with (`key`, `order_id`, `amount`, `currency`,
/// `description`, `prefill`). Its handler posts the callback to `paymentConfirm`.
#[derive(SimpleObject)]
pub struct RazorpayCheckout {
    /// The public key id (`rzp_…`).
    pub key_id: String,
    /// The Razorpay order Checkout pays (`order_…`).
    pub razorpay_order_id: String,
    pub amount: Paise,
    pub currency: String,
    pub description: String,
    pub prefill: RazorpayPrefill,
}

/// What Checkout fills in for the buyer: the delivery name and phone, and a guest's
/// email (a signed-in buyer's is theirs to add from `me`).
#[derive(SimpleObject)]
pub struct RazorpayPrefill {
    pub name: Option<String>,
    pub email: Option<String>,
    pub contact: Option<String>,
}

/// Where a bank transfer or UPI payment to an account goes.
#[derive(SimpleObject)]
pub struct PayoutAccount {
    /// The name on the account.
    pub account_name: String,
    pub account_number: String,
    pub ifsc: String,
    /// The payee's UPI id (name@handle), if it takes UPI.
    pub upi_vpa: Option<String>,
}

impl From<orders::PayoutAccount> for PayoutAccount {
    fn from(a: orders::PayoutAccount) -> Self {
        Self {
            account_name: a.account_name,
            account_number: a.account_number,
            ifsc: a.ifsc,
            upi_vpa: a.upi_vpa,
        }
    }
}

/// Who collects a bank transfer.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PaymentCollector {
    /// The only cooperative in the order, into its payout account.
    Cooperative,
    /// The marketplace, which settles with the cooperatives.
    Marketplace,
}

/// What the buyer of a bank-transfer order needs to pay it.
#[derive(SimpleObject)]
pub struct PaymentInstructions {
    pub collected_by: Option<PaymentCollector>,
    pub account: PayoutAccount,
    /// Quote this with the transfer (the order number).
    pub reference: String,
    pub amount: Paise,
    /// A `upi://pay` link (NPCI's UPI linking specification) paying the exact amount
    /// to the account's UPI id with the order number as its reference: open it on a
    /// phone, or show it as a QR code. Only when the account has a UPI id and no
    /// payment gateway is configured (with one, UPI goes through the gateway); staff
    /// confirm the payment as for any bank transfer.
    pub upi_link: Option<String>,
}

impl PaymentInstructions {
    fn new(i: orders::PaymentInstructions, upi_link: Option<String>) -> Self {
        Self {
            collected_by: i.collector().map(|c| match c {
                orders::Collector::Cooperative => PaymentCollector::Cooperative,
                orders::Collector::Marketplace => PaymentCollector::Marketplace,
            }),
            account: i.account.into(),
            reference: i.reference,
            amount: Paise(i.amount_paise),
            upi_link,
        }
    }
}
