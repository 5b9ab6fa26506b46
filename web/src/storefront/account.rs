//! Registering, signing in and out, and the buyer's account page with their orders.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    checkout::{Input, input},
    types::{FieldErrors, UserError},
};
use crate::{
    foundation::{Ctx, FormData, Layout, field},
    graphql::GqlError,
    money, session,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthPayload {
    access_token: Option<String>,
    refresh_token: Option<String>,
    errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct RegisterPayload {
    errors: Vec<UserError>,
}

/// Signs in; the visitor's cart is merged into the buyer's. A wrong password is a
/// form error, not a failure.
async fn sign_in(ctx: &mut Ctx, email: &str, password: &str) -> Result<FieldErrors, GqlError> {
    // Whatever session the browser had is replaced.
    ctx.session.tokens.clear();
    let cart = ctx.session.cart.clone();
    let data: Value = match ctx
        .run_with(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken errors { field message } } }",
            json!({ "input": { "email": email, "password": password, "cartToken": cart } }),
            false,
        )
        .await
    {
        Ok(data) => data,
        Err(GqlError::Unauthenticated) => {
            let mut errors = FieldErrors::default();
            errors.push("password", ctx.t.t("sign-in-wrong"));
            return Ok(errors);
        }
        Err(error) => return Err(error),
    };
    let payload: AuthPayload = data
        .get("login")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| GqlError::Internal(e.to_string()))?
        .ok_or_else(|| GqlError::Internal("no login payload".into()))?;
    let errors = FieldErrors::from_user_errors(&payload.errors);
    if let (Some(access), Some(refresh)) = (payload.access_token, payload.refresh_token) {
        ctx.session.tokens.set(access, refresh);
        ctx.session.set_cart(None);
    }
    Ok(errors)
}

/// Registers a buyer and signs them in; the form errors when either refuses.
pub(crate) async fn register_and_sign_in(
    ctx: &mut Ctx,
    name: &str,
    email: &str,
    password: &str,
) -> Result<FieldErrors, GqlError> {
    ctx.session.tokens.clear();
    let data: Value = ctx
        .run_with(
            "mutation($input: RegisterInput!) { register(input: $input) { errors { field message } } }",
            json!({ "input": { "name": name, "email": email, "password": password } }),
            false,
        )
        .await?;
    let payload: RegisterPayload = data
        .get("register")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| GqlError::Internal(e.to_string()))?
        .ok_or_else(|| GqlError::Internal("no register payload".into()))?;
    if !payload.errors.is_empty() {
        return Ok(FieldErrors::from_user_errors(&payload.errors));
    }
    sign_in(ctx, email, password).await
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    heading: String,
    action: &'static str,
    submit: String,
    fields: Vec<Input>,
    next: String,
    errors: Vec<String>,
    other: (&'static str, String),
}

fn next_of(value: &str) -> String {
    session::local_path(value).unwrap_or("/account").to_owned()
}

fn form_page(
    ctx: &Ctx,
    registering: bool,
    form: &FormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> HttpResponse {
    let next = next_of(field(form, "next"));
    let mut fields = Vec::new();
    if registering {
        fields.push(input(ctx, form, errors, ("name", "text", "name", true)));
    }
    fields.push(input(ctx, form, errors, ("email", "email", "email", true)));
    fields.push(input(
        ctx,
        form,
        errors,
        (
            "password",
            "password",
            if registering {
                "new-password"
            } else {
                "current-password"
            },
            true,
        ),
    ));
    let (heading, action, path) = if registering {
        (ctx.t.t("sign-up-title"), "/sign-up", "/sign-up")
    } else {
        (ctx.t.t("sign-in-title"), "/sign-in", "/sign-in")
    };
    let mut layout = ctx.layout(heading.clone(), heading.clone(), path);
    layout.noindex = true;
    let other = if registering {
        ("/sign-in", ctx.t.t("sign-in-instead"))
    } else {
        ("/sign-up", ctx.t.t("sign-up-instead"))
    };
    let page = SignInPage {
        layout,
        submit: heading.clone(),
        heading,
        action,
        errors: errors
            .general(&["name", "email", "password"])
            .into_iter()
            .map(str::to_owned)
            .collect(),
        fields,
        next,
        other,
    };
    ctx.render(status, &page)
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn query_form(query: &NextQuery) -> FormData {
    let mut form = FormData::new();
    if let Some(next) = &query.next {
        form.insert("next".into(), next.clone());
    }
    form
}

async fn sign_in_page(request: HttpRequest, query: web::Query<NextQuery>) -> HttpResponse {
    let ctx = Ctx::new(&request);
    form_page(
        &ctx,
        false,
        &query_form(&query),
        &FieldErrors::default(),
        StatusCode::OK,
    )
}

async fn sign_up_page(request: HttpRequest, query: web::Query<NextQuery>) -> HttpResponse {
    let ctx = Ctx::new(&request);
    form_page(
        &ctx,
        true,
        &query_form(&query),
        &FieldErrors::default(),
        StatusCode::OK,
    )
}

async fn sign_in_submit(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    match sign_in(&mut ctx, field(&form, "email"), field(&form, "password")).await {
        Ok(errors) if errors.is_empty() && ctx.session.tokens.signed_in() => {
            ctx.redirect(&next_of(field(&form, "next")))
        }
        Ok(errors) => form_page(
            &ctx,
            false,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => ctx.failure(error),
    }
}

async fn sign_up_submit(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    match register_and_sign_in(
        &mut ctx,
        field(&form, "name"),
        field(&form, "email"),
        field(&form, "password"),
    )
    .await
    {
        Ok(errors) if errors.is_empty() && ctx.session.tokens.signed_in() => {
            ctx.redirect(&next_of(field(&form, "next")))
        }
        Ok(errors) => form_page(&ctx, true, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(error) => ctx.failure(error),
    }
}

async fn sign_out(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    if let Some(refresh) = ctx.session.tokens.refresh.clone() {
        // Ending the session server-side; the cookies go whatever the answer.
        if let Err(error) = ctx
            .run::<Value>(
                "mutation($token: String) { logout(input: {refreshToken: $token}) { __typename } }",
                json!({ "token": refresh }),
            )
            .await
        {
            tracing::info!(?error, "logout was refused; the cookies are dropped anyway");
        }
    }
    ctx.session.tokens.clear();
    ctx.redirect("/")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderRow {
    id: String,
    number: String,
    status: String,
    total: i64,
    created_at: String,
}

impl OrderRow {
    fn total(&self) -> String {
        money::rupees(self.total)
    }

    /// The day it was placed, in words in the page's language (India's date).
    fn placed(&self, t: &crate::i18n::Tr) -> String {
        crate::dates::day(t, &self.created_at)
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Me {
    name: String,
    email: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountData {
    me: Me,
    my_orders: super::types::Nodes<OrderRow>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    me: Me,
    orders: Vec<OrderRow>,
}

async fn account(request: HttpRequest) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    if !ctx.session.tokens.signed_in() {
        return ctx.redirect("/sign-in?next=/account");
    }
    let data: AccountData = match ctx
        .run(
            "{ me { name email } myOrders(first: 50) { nodes { id number status total createdAt } } }",
            json!({}),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let mut layout = ctx.layout(
        ctx.t.t("account-title"),
        ctx.t.t("account-title"),
        "/account",
    );
    layout.noindex = true;
    ctx.render(
        StatusCode::OK,
        &AccountPage {
            layout,
            me: data.me,
            orders: data.my_orders.nodes,
        },
    )
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in_submit))
        .route("/sign-up", web::get().to(sign_up_page))
        .route("/sign-up", web::post().to(sign_up_submit))
        .route("/sign-out", web::post().to(sign_out))
        .route("/account", web::get().to(account));
}
