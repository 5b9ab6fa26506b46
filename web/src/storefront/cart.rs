//! The cart: a visitor's is named by a token in a cookie, a buyer's belongs to their
//! account (and takes in the visitor's cart at sign-in, by the API's merge).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::types::{FieldErrors, UserError};
use crate::{
    foundation::{Ctx, FormData, Layout, field},
    money,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VariantTitle {
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Line {
    pub variant_id: String,
    pub variant: Option<VariantTitle>,
    pub product_title: Option<String>,
    pub product_slug: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
    pub line_total: i64,
    pub price_changed: bool,
    pub available: bool,
}

impl Line {
    fn unit(&self) -> String {
        money::rupees(self.unit_price)
    }
    fn total(&self) -> String {
        money::rupees(self.line_total)
    }
    fn variant_title(&self) -> &str {
        self.variant.as_ref().map_or("", |v| v.title.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cart {
    pub lines: Vec<Line>,
    pub subtotal: i64,
    pub item_count: i64,
}

pub(crate) const CART_FIELDS: &str = "lines { variantId variant { title } productTitle productSlug quantity unitPrice lineTotal priceChanged available } subtotal itemCount";

#[derive(Deserialize)]
struct CartData {
    cart: Cart,
}

/// The viewer's cart. A signed-in buyer's query names the visitor's cart too, which
/// the API merges into theirs; the cookie is then dropped.
pub(crate) async fn load(ctx: &mut Ctx) -> Result<Cart, crate::graphql::GqlError> {
    let document =
        format!("query($token: String) {{ cart(cartToken: $token) {{ {CART_FIELDS} }} }}");
    let token = ctx.session.cart.clone();
    let data: CartData = ctx.run(&document, json!({ "token": token })).await?;
    if ctx.session.tokens.signed_in() && ctx.session.cart.is_some() {
        ctx.session.set_cart(None);
    }
    Ok(data.cart)
}

#[derive(Template)]
#[template(path = "cart.html")]
struct CartPage {
    layout: Layout,
    cart: Cart,
    subtotal: String,
    errors: Vec<String>,
}

async fn show(request: HttpRequest) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let cart = match load(&mut ctx).await {
        Ok(cart) => cart,
        Err(error) => return ctx.failure(error),
    };
    render(&ctx, cart, Vec::new())
}

fn render(ctx: &Ctx, cart: Cart, errors: Vec<String>) -> HttpResponse {
    let mut layout = ctx.layout(ctx.t.t("cart-title"), ctx.t.t("cart-title"), "/cart");
    layout.noindex = true;
    let page = CartPage {
        layout,
        subtotal: money::rupees(cart.subtotal),
        cart,
        errors,
    };
    ctx.render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CartPayload {
    cart_token: Option<String>,
    errors: Vec<UserError>,
}

/// Adds to or sets a line of the cart; `mutation` is `cartAddItem` or `cartUpdateItem`.
async fn change(request: HttpRequest, form: FormData, mutation: &str) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    let quantity: i64 = match field(&form, "quantity").parse() {
        Ok(quantity) if (0..=10_000).contains(&quantity) => quantity,
        _ => {
            let message = ctx.t.t("cart-bad-quantity");
            if ctx.wants_json() {
                return ctx.json(&json!({ "message": message }));
            }
            return match load(&mut ctx).await {
                Ok(cart) => render(&ctx, cart, vec![message]),
                Err(error) => ctx.failure(error),
            };
        }
    };
    let document = format!(
        "mutation($input: {input}!) {{ {mutation}(input: $input) {{ cartToken errors {{ field message }} }} }}",
        input = if mutation == "cartAddItem" {
            "CartAddItemInput"
        } else {
            "CartUpdateItemInput"
        }
    );
    let token = if ctx.session.tokens.signed_in() {
        None
    } else {
        ctx.session.cart.clone()
    };
    let variables = json!({ "input": {
        "cartToken": token,
        "variantId": field(&form, "variant"),
        "quantity": quantity,
    }});
    let payload: serde_json::Value = match ctx.run(&document, variables).await {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let payload: CartPayload = match payload.get(mutation).cloned().map(serde_json::from_value) {
        Some(Ok(payload)) => payload,
        _ => return ctx.internal_error(),
    };
    if !ctx.session.tokens.signed_in()
        && let Some(token) = payload.cart_token
    {
        ctx.session.set_cart(Some(token));
    }
    let errors: Vec<String> = FieldErrors::from_user_errors(&payload.errors)
        .0
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    if ctx.wants_json() {
        let message = errors
            .first()
            .cloned()
            .unwrap_or_else(|| ctx.t.t("cart-added"));
        return ctx.json(&json!({ "message": message, "reload": mutation != "cartAddItem" && errors.is_empty() }));
    }
    if errors.is_empty() {
        return ctx.redirect("/cart");
    }
    match load(&mut ctx).await {
        Ok(cart) => render(&ctx, cart, errors),
        Err(error) => ctx.failure(error),
    }
}

async fn add(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    change(request, form.into_inner(), "cartAddItem").await
}

async fn update(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    change(request, form.into_inner(), "cartUpdateItem").await
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/cart", web::get().to(show))
        .route("/cart/add", web::post().to(add))
        .route("/cart/update", web::post().to(update));
}
