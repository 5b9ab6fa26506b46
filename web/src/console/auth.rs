//! Staff sign in and out at `/console/sign-in`: the same `login` as buyers, the same
//! session cookies, then the console.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Frame,
    forms::{Errors, Field, UserError, payload},
};
use crate::{
    foundation::{Ctx, FormData, field},
    graphql::GqlError,
    session,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthPayload {
    access_token: Option<String>,
    refresh_token: Option<String>,
    errors: Vec<UserError>,
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    frame: Frame,
    fields: Vec<Field>,
    next: String,
    errors: Vec<String>,
}

fn next_of(value: &str) -> String {
    session::local_path(value)
        .filter(|path| path.starts_with("/console"))
        .unwrap_or("/console")
        .to_owned()
}

fn page(ctx: &Ctx, form: &FormData, errors: &Errors, status: StatusCode) -> HttpResponse {
    let t = ctx.t;
    let mut email = Field::new("email", t.t("con-email"), "email")
        .required(true)
        .fill(Some(form), "", errors);
    email.inputmode = "email";
    // A password is never sent back.
    let mut password = Field::new("password", t.t("con-password"), "password").required(true);
    password.error = errors.of("password");
    let fields = vec![email, password];
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let mut layout = ctx.layout(t.t("con-sign-in"), t.t("con-sign-in"), "/console/sign-in");
    layout.noindex = true;
    let frame = Frame {
        layout,
        staff_name: String::new(),
        admin: false,
        has_cooperative: false,
        manager: false,
        section: "",
    };
    ctx.render(
        status,
        &SignInPage {
            frame,
            fields,
            next: next_of(field(form, "next")),
            errors: errors.general(&names),
        },
    )
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_page(request: HttpRequest, query: web::Query<NextQuery>) -> HttpResponse {
    let ctx = Ctx::new(&request);
    let mut form = FormData::new();
    if let Some(next) = &query.next {
        form.insert("next".into(), next.clone());
    }
    page(&ctx, &form, &Errors::default(), StatusCode::OK)
}

pub(super) async fn sign_in(
    ctx: &mut Ctx,
    email: &str,
    password: &str,
) -> Result<Errors, GqlError> {
    // Whatever session the browser had is replaced.
    ctx.session.tokens.clear();
    let data: Value = match ctx
        .run_with(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken errors { field message } } }",
            json!({ "input": { "email": email, "password": password } }),
            false,
        )
        .await
    {
        Ok(data) => data,
        Err(GqlError::Unauthenticated) => {
            let mut errors = Errors::default();
            errors.push("password", ctx.t.t("con-sign-in-wrong"));
            return Ok(errors);
        }
        Err(error) => return Err(error),
    };
    let answer: AuthPayload = payload(&data, "login")?;
    if let (Some(access), Some(refresh)) = (answer.access_token, answer.refresh_token) {
        ctx.session.tokens.set(access, refresh);
    }
    Ok(Errors::from_user_errors(&answer.errors))
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
        Ok(errors) => page(&ctx, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
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
    ctx.redirect("/console/sign-in")
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/sign-in", web::get().to(sign_in_page))
        .route("/console/sign-in", web::post().to(sign_in_submit))
        .route("/console/sign-out", web::post().to(sign_out));
}
