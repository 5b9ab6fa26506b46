//! Checkout: the delivery address (checked by the API, its field errors shown beside
//! the fields), the quote with shipping and the GST split, cash on delivery or bank
//! transfer, or card and UPI through Stripe's Payment Element when the API offers a
//! publishable key; a visitor pays as a guest or creates an account on the way. Then
//! the order's page, and the card payment step.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    account, cart,
    types::{FieldErrors, UserError},
};
use crate::{
    foundation::{Ctx, FormData, Layout, field},
    graphql::GqlError,
    money,
};

/// GST state codes of the States and Union Territories (their names are in the
/// message files as `state-<code>`).
const STATE_CODES: [&str; 36] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "26", "27", "29", "30", "31", "32", "33", "34",
    "35", "36", "37", "38",
];

const ADDRESS_FIELDS: [&str; 7] = [
    "name",
    "phone",
    "line1",
    "line2",
    "city",
    "pinCode",
    "stateCode",
];

/// One input of the form, as the template lays it out.
pub(crate) struct Input {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub autocomplete: &'static str,
    pub required: bool,
}

pub(crate) fn input(
    ctx: &Ctx,
    form: &FormData,
    errors: &FieldErrors,
    (name, kind, autocomplete, required): (&'static str, &'static str, &'static str, bool),
) -> Input {
    Input {
        name,
        label: ctx.t.t(&format!("field-{name}")),
        kind,
        // A password is never sent back.
        value: if kind == "password" {
            String::new()
        } else {
            field(form, name).to_owned()
        },
        error: errors.of(name).map(str::to_owned),
        autocomplete,
        required,
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QuoteParcel {
    cooperative: NameOnly,
    shipping: i64,
    total: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct NameOnly {
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Totals {
    goods_total: i64,
    shipping_total: i64,
    taxable_value: i64,
    cgst: i64,
    sgst: i64,
    utgst: i64,
    igst: i64,
    total: i64,
}

impl Totals {
    /// The lines of the money summary: label key and amount, GST heads only when
    /// charged.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            ("sum-goods", money::rupees(self.goods_total)),
            ("sum-shipping", money::rupees(self.shipping_total)),
            ("sum-taxable", money::rupees(self.taxable_value)),
        ];
        for (key, amount) in [
            ("sum-cgst", self.cgst),
            ("sum-sgst", self.sgst),
            ("sum-utgst", self.utgst),
            ("sum-igst", self.igst),
        ] {
            if amount != 0 {
                rows.push((key, money::rupees(amount)));
            }
        }
        rows.push(("sum-total", money::rupees(self.total)));
        rows
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Quote {
    parcels: Vec<QuoteParcel>,
    orderable: bool,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage {
    layout: Layout,
    signed_in: bool,
    contact: Vec<Input>,
    address: Vec<Input>,
    states: Vec<(String, String)>,
    state_value: String,
    state_error: Option<String>,
    payment: String,
    /// Card and UPI through Stripe is offered.
    card: bool,
    idempotency: String,
    errors: Vec<String>,
    quote: Option<Quote>,
    cart: cart::Cart,
}

impl CheckoutPage {
    fn parcel_lines(&self) -> Vec<(String, String, String)> {
        self.quote
            .as_ref()
            .map(|q| {
                q.parcels
                    .iter()
                    .map(|p| {
                        (
                            p.cooperative.name.clone(),
                            money::rupees(p.shipping),
                            money::rupees(p.total),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The payment method chosen in the form: card only when it is offered, otherwise cash
/// on delivery unless bank transfer was chosen.
fn payment_of(form: &FormData, card: bool) -> &'static str {
    match field(form, "payment") {
        "BANK_TRANSFER" => "BANK_TRANSFER",
        "STRIPE" if card => "STRIPE",
        _ => "CASH_ON_DELIVERY",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StripeKey {
    stripe_publishable_key: Option<String>,
}

/// Stripe's publishable key, when the API offers card payments through Stripe.
async fn stripe_key(ctx: &mut Ctx) -> Result<Option<String>, GqlError> {
    let data: StripeKey = ctx.run("{ stripePublishableKey }", json!({})).await?;
    Ok(data.stripe_publishable_key)
}

fn page(
    ctx: &Ctx,
    (cart, card): (cart::Cart, bool),
    form: &FormData,
    errors: &FieldErrors,
    quote: Option<Quote>,
    status: StatusCode,
) -> HttpResponse {
    let signed_in = ctx.session.tokens.signed_in();
    let contact = if signed_in {
        Vec::new()
    } else {
        vec![
            input(ctx, form, errors, ("email", "email", "email", true)),
            input(
                ctx,
                form,
                errors,
                ("password", "password", "new-password", false),
            ),
        ]
    };
    let address = vec![
        input(ctx, form, errors, ("name", "text", "name", true)),
        input(ctx, form, errors, ("phone", "tel", "tel", true)),
        input(ctx, form, errors, ("line1", "text", "address-line1", true)),
        input(ctx, form, errors, ("line2", "text", "address-line2", false)),
        input(ctx, form, errors, ("city", "text", "address-level2", true)),
        input(ctx, form, errors, ("pinCode", "text", "postal-code", true)),
    ];
    let mut known: Vec<&str> = ADDRESS_FIELDS.to_vec();
    known.extend(["email", "password", "paymentMethod"]);
    let payment = payment_of(form, card);
    let idempotency = match field(form, "idempotency") {
        key if key.len() == 36 => key.to_owned(),
        _ => uuid::Uuid::now_v7().to_string(),
    };
    let mut layout = ctx.layout(
        ctx.t.t("checkout-title"),
        ctx.t.t("checkout-title"),
        "/checkout",
    );
    layout.noindex = true;
    let page = CheckoutPage {
        layout,
        signed_in,
        contact,
        address,
        states: STATE_CODES
            .iter()
            .map(|code| ((*code).to_owned(), ctx.t.t(&format!("state-{code}"))))
            .collect(),
        state_value: field(form, "stateCode").to_owned(),
        state_error: errors.of("stateCode").map(str::to_owned),
        payment: payment.to_owned(),
        card,
        idempotency,
        errors: errors
            .general(&known)
            .into_iter()
            .map(str::to_owned)
            .chain(errors.of("paymentMethod").map(str::to_owned))
            .collect(),
        quote,
        cart,
    };
    ctx.render(status, &page)
}

async fn show(request: HttpRequest) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let cart = match cart::load(&mut ctx).await {
        Ok(cart) => cart,
        Err(error) => return ctx.failure(error),
    };
    if cart.lines.is_empty() {
        return ctx.redirect("/cart");
    }
    let card = match stripe_key(&mut ctx).await {
        Ok(key) => key.is_some(),
        Err(error) => return ctx.failure(error),
    };
    page(
        &ctx,
        (cart, card),
        &FormData::new(),
        &FieldErrors::default(),
        None,
        StatusCode::OK,
    )
}

fn address_of(form: &FormData) -> Value {
    let line2 = field(form, "line2");
    json!({
        "name": field(form, "name"),
        "phone": field(form, "phone"),
        "line1": field(form, "line1"),
        "line2": (!line2.is_empty()).then_some(line2),
        "city": field(form, "city"),
        "pinCode": field(form, "pinCode"),
        "stateCode": field(form, "stateCode"),
    })
}

/// The payload of a mutation `name` in `data`.
fn payload<T: serde::de::DeserializeOwned>(data: &Value, name: &str) -> Result<T, GqlError> {
    data.get(name)
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| GqlError::Internal(e.to_string()))?
        .ok_or_else(|| GqlError::Internal(format!("no {name} payload")))
}

#[derive(Deserialize)]
struct QuotePayload {
    quote: Option<Quote>,
    errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct PlacedOrder {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlacePayload {
    order: Option<PlacedOrder>,
    access_token: Option<String>,
    errors: Vec<UserError>,
}

async fn submit(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    let card = match stripe_key(&mut ctx).await {
        Ok(key) => key.is_some(),
        Err(error) => return ctx.failure(error),
    };
    // A visitor who chose a password becomes a buyer first (their cart merges in).
    if !ctx.session.tokens.signed_in() && !field(&form, "password").is_empty() {
        let mut errors = match account::register_and_sign_in(
            &mut ctx,
            field(&form, "name"),
            field(&form, "email"),
            field(&form, "password"),
        )
        .await
        {
            Ok(errors) => errors,
            Err(error) => return ctx.failure(error),
        };
        if !errors.is_empty() {
            // The registration's own `name` error is the address's name field too.
            errors
                .0
                .retain(|(f, _)| f != "name" || field(&form, "name").is_empty());
            return match cart::load(&mut ctx).await {
                Ok(cart) => page(
                    &ctx,
                    (cart, card),
                    &form,
                    &errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(error) => ctx.failure(error),
            };
        }
    }
    let signed_in = ctx.session.tokens.signed_in();
    let cart_token = if signed_in {
        None
    } else {
        ctx.session.cart.clone()
    };
    let mut errors = FieldErrors::default();
    if !signed_in {
        if field(&form, "email").is_empty() {
            errors.push("email", ctx.t.t("field-required"));
        }
        if field(&form, "phone").is_empty() {
            errors.push("phone", ctx.t.t("field-required"));
        }
    }
    let quote = match ctx
        .run::<Value>(
            "query($input: CheckoutQuoteInput!) { checkoutQuote(input: $input) { quote { parcels { cooperative { name } shipping total } orderable goodsTotal shippingTotal taxableValue cgst sgst utgst igst total } errors { field message } } }",
            json!({ "input": { "cartToken": cart_token, "shippingAddress": address_of(&form) } }),
        )
        .await
        .and_then(|data| payload::<QuotePayload>(&data, "checkoutQuote"))
    {
        Ok(quoted) => {
            errors.0.extend(FieldErrors::from_user_errors(&quoted.errors).0);
            quoted.quote
        }
        Err(error) => return ctx.failure(error),
    };
    let placing = field(&form, "step") == "place";
    if !errors.is_empty() || !placing || !quote.as_ref().is_some_and(|q| q.orderable) {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return match cart::load(&mut ctx).await {
            Ok(cart) => page(&ctx, (cart, card), &form, &errors, quote, status),
            Err(error) => ctx.failure(error),
        };
    }
    let payment = payment_of(&form, card);
    let guest = (!signed_in)
        .then(|| json!({ "email": field(&form, "email"), "phone": field(&form, "phone") }));
    let idempotency = match field(&form, "idempotency") {
        key if key.len() == 36 => key.to_owned(),
        _ => uuid::Uuid::now_v7().to_string(),
    };
    let placed = match ctx
        .run::<Value>(
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } accessToken errors { field message } } }",
            json!({ "input": {
                "cartToken": cart_token,
                "idempotencyKey": idempotency,
                "shippingAddress": address_of(&form),
                "paymentMethod": payment,
                "guest": guest,
            }}),
        )
        .await
        .and_then(|data| payload::<PlacePayload>(&data, "placeOrder"))
    {
        Ok(placed) => placed,
        Err(error) => return ctx.failure(error),
    };
    match placed.order {
        Some(order) if placed.errors.is_empty() => {
            if let Some(token) = placed.access_token {
                ctx.session
                    .set_guest_order(Some(format!("{}.{token}", order.id)));
            }
            ctx.session.set_cart(None);
            if payment == "STRIPE" {
                ctx.redirect(&format!("/orders/{}/pay", order.id))
            } else {
                ctx.redirect(&format!("/orders/{}", order.id))
            }
        }
        _ => {
            let errors = FieldErrors::from_user_errors(&placed.errors);
            match cart::load(&mut ctx).await {
                Ok(cart) => page(
                    &ctx,
                    (cart, card),
                    &form,
                    &errors,
                    quote,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(error) => ctx.failure(error),
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The order's page.

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderLine {
    description: String,
    quantity: i64,
    total: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fulfilment {
    cooperative: NameOnly,
    status: String,
    lines: Vec<OrderLine>,
    invoice_number: Option<String>,
    invoice_url: Option<String>,
    carrier: Option<String>,
    tracking_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayoutAccount {
    account_name: String,
    account_number: String,
    ifsc: String,
    upi_vpa: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instructions {
    account: PayoutAccount,
    reference: String,
    amount: i64,
    upi_link: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct History {
    to_status: String,
    at: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    number: String,
    status: String,
    payment_method: String,
    payment_instructions: Option<Instructions>,
    fulfilments: Vec<Fulfilment>,
    history: Vec<History>,
    created_at: String,
    #[serde(flatten)]
    totals: Totals,
}

impl Order {
    fn status_key(&self) -> String {
        format!("status-{}", self.status)
    }
    fn method_key(&self) -> String {
        format!("method-{}", self.payment_method)
    }
    /// A card order not paid yet: its page links to the payment step.
    fn payable_by_card(&self) -> bool {
        self.payment_method == "STRIPE" && self.status == "PENDING_PAYMENT"
    }
}

impl Instructions {
    fn amount_text(&self) -> String {
        money::rupees(self.amount)
    }
    /// The `upi://pay` link as an inline SVG QR code, for a buyer on a computer to
    /// scan with the phone that holds their UPI app.
    fn upi_qr(&self, label: &str) -> Option<String> {
        crate::console::qr::svg(self.upi_link.as_deref()?, label)
    }
}

impl OrderLine {
    fn total_text(&self) -> String {
        money::rupees(self.total)
    }
}

#[derive(Deserialize)]
struct OrderData {
    order: Order,
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    layout: Layout,
    order_id: String,
    order: Order,
}

const ORDER: &str = "query($id: ID!, $token: String) { order(id: $id, accessToken: $token) { number status paymentMethod paymentInstructions { account { accountName accountNumber ifsc upiVpa } reference amount upiLink } fulfilments { cooperative { name } status lines { description quantity total } invoiceNumber invoiceUrl carrier trackingNumber } history { toStatus at } createdAt goodsTotal shippingTotal taxableValue cgst sgst utgst igst total } }";

/// The guest's access token to order `id`, from the session's last guest order.
fn guest_token(ctx: &Ctx, id: &str) -> Option<String> {
    ctx.session
        .guest_order
        .as_deref()
        .and_then(|value| value.split_once('.'))
        .filter(|(order, _)| *order == id)
        .map(|(_, token)| token.to_owned())
}

async fn order(request: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    if uuid::Uuid::parse_str(&id).is_err() {
        return ctx.not_found_page();
    }
    let token = guest_token(&ctx, &id);
    if token.is_none() && !ctx.session.tokens.signed_in() {
        return ctx.redirect(&format!("/sign-in?next=/orders/{id}"));
    }
    let data: OrderData = match ctx.run(ORDER, json!({ "id": *id, "token": token })).await {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let mut layout = ctx.layout(
        ctx.t.t1("order-title", "number", &data.order.number),
        ctx.t.t1("order-title", "number", &data.order.number),
        &format!("/orders/{id}"),
    );
    layout.noindex = true;
    ctx.render(
        StatusCode::OK,
        &OrderPage {
            layout,
            order_id: id.into_inner(),
            order: data.order,
        },
    )
}

// ---------------------------------------------------------------------------------
// The card payment step: Stripe's Payment Element confirms the order's PaymentIntent
// in the browser; Stripe's webhook tells the API, and the order page shows the outcome.

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayableOrder {
    number: String,
    stripe_client_secret: Option<String>,
    total: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayData {
    order: PayableOrder,
    stripe_publishable_key: Option<String>,
}

#[derive(Template)]
#[template(path = "pay.html")]
struct PayPage {
    layout: Layout,
    number: String,
    amount: String,
    publishable_key: String,
    client_secret: String,
    order_path: String,
    return_url: String,
}

const PAY: &str = "query($id: ID!, $token: String) { order(id: $id, accessToken: $token) { number stripeClientSecret total } stripePublishableKey }";

async fn pay(request: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    if uuid::Uuid::parse_str(&id).is_err() {
        return ctx.not_found_page();
    }
    let order_path = format!("/orders/{id}");
    let token = guest_token(&ctx, &id);
    if token.is_none() && !ctx.session.tokens.signed_in() {
        return ctx.redirect(&format!("/sign-in?next={order_path}/pay"));
    }
    let data: PayData = match ctx.run(PAY, json!({ "id": *id, "token": token })).await {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    // Paid, cancelled, expired, not a card order, or Stripe switched off: nothing to
    // pay here, the order page says why.
    let (Some(client_secret), Some(publishable_key)) =
        (data.order.stripe_client_secret, data.stripe_publishable_key)
    else {
        return ctx.redirect(&order_path);
    };
    let title = ctx.t.t1("pay-title", "number", &data.order.number);
    let mut layout = ctx.layout(title.clone(), title, &format!("{order_path}/pay"));
    layout.noindex = true;
    let return_url = layout.canonical.trim_end_matches("/pay").to_owned();
    ctx.render_payment(&PayPage {
        layout,
        number: data.order.number,
        amount: money::rupees(data.order.total),
        publishable_key,
        client_secret,
        order_path,
        return_url,
    })
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/checkout", web::get().to(show))
        .route("/checkout", web::post().to(submit))
        .route("/orders/{id}", web::get().to(order))
        .route("/orders/{id}/pay", web::get().to(pay));
}
