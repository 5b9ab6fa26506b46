//! Staff: a manager sees the cooperative's staff and invites more by email
//! (`staffInvite`; the API mails the invitation with a link to the accept page when
//! the site knows its public address). The invitee opens `/console/invitation?token=…`,
//! chooses a password (`staffInviteAccept`), and lands signed in on the console; a
//! visitor already signed in (a buyer's account at the invited address) accepts as
//! themselves, without a password.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Console, Frame, auth,
    forms::{Errors, Field, UserError, payload},
};
use crate::{
    foundation::{Ctx, FormData, field},
    graphql::GqlError,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    name: String,
    email: String,
    cooperative_role: Option<String>,
}

#[derive(Deserialize)]
struct Members {
    nodes: Vec<Member>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StaffData {
    cooperative_staff: Members,
}

#[derive(Template)]
#[template(path = "console/staff.html")]
struct StaffPage {
    frame: Frame,
    /// Name, email and role's words.
    members: Vec<(String, String, String)>,
    fields: Vec<Field>,
    errors: Vec<String>,
    done: Option<String>,
}

fn role_label(console: &Console, role: &str) -> String {
    console
        .ctx
        .t
        .t(&format!("con-role-{}", role.to_lowercase()))
}

async fn staff_page(
    console: &mut Console,
    sent: Option<(&FormData, &Errors)>,
    done: Option<String>,
) -> HttpResponse {
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    if !console.staff.is_manager() {
        return console.not_found();
    }
    let data: StaffData = match console
        .ctx
        .run(
            "query($c: ID!) { cooperativeStaff(cooperativeId: $c, first: 100) { nodes { name email cooperativeRole } } }",
            json!({ "c": cooperative }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let none = Errors::default();
    let (form, errors) = match sent {
        Some((form, errors)) => (Some(form), errors),
        None => (None, &none),
    };
    let mut email = Field::new("email", t.t("con-email"), "email")
        .required(true)
        .fill(form, "", errors);
    email.inputmode = "email";
    let fields = vec![
        Field::new("name", t.t("con-invite-name"), "text")
            .required(true)
            .fill(form, "", errors),
        email,
        Field::new("cooperativeRole", t.t("con-invite-role"), "select")
            .options(vec![
                ("STAFF".into(), t.t("con-role-staff")),
                ("MANAGER".into(), t.t("con-role-manager")),
            ])
            .required(true)
            .fill(form, "STAFF", errors),
    ];
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let members = data
        .cooperative_staff
        .nodes
        .into_iter()
        .map(|m| {
            let role = role_label(console, m.cooperative_role.as_deref().unwrap_or("STAFF"));
            (m.name, m.email, role)
        })
        .collect();
    let page = StaffPage {
        frame: console.frame("con-staff", "/console/staff", "staff"),
        members,
        errors: errors.general(&names),
        fields,
        done,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    console.ctx.render(status, &page)
}

#[derive(Deserialize)]
struct DoneQuery {
    invited: Option<String>,
}

async fn list(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let done = query
        .invited
        .as_deref()
        .map(|email| console.ctx.t.t1("con-invited", "email", email));
    staff_page(&mut console, None, done).await
}

async fn invite(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    if !console.staff.is_manager() {
        return console.not_found();
    }
    let role = match field(&form, "cooperativeRole") {
        "MANAGER" => "MANAGER",
        _ => "STAFF",
    };
    let errors = match console
        .mutate(
            "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { errors { field message } } }",
            "staffInvite",
            json!({ "cooperativeId": cooperative, "email": field(&form, "email"), "name": field(&form, "name"), "cooperativeRole": role }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/staff?invited={}",
            crate::foundation::encode(field(&form, "email"))
        ));
    }
    staff_page(&mut console, Some((&form, &errors)), None).await
}

// ---------------------------------------------------------------- accepting

#[derive(Template)]
#[template(path = "console/invitation.html")]
struct AcceptPage {
    frame: Frame,
    token: String,
    /// The visitor is signed in: they accept as themselves, with no password.
    signed_in: bool,
    fields: Vec<Field>,
    errors: Vec<String>,
}

fn accept_page(ctx: &Ctx, token: &str, errors: &Errors, status: StatusCode) -> HttpResponse {
    let t = ctx.t;
    let signed_in = ctx.session.tokens.signed_in();
    let mut fields = Vec::new();
    if !signed_in {
        // A password is never sent back.
        let mut password = Field::new("password", t.t("con-invitation-password"), "password")
            .required(true)
            .hint(t.t("con-invitation-password-hint"));
        password.error = errors.of("password");
        fields.push(password);
    }
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let mut layout = ctx.layout(
        t.t("con-invitation"),
        t.t("con-invitation"),
        "/console/invitation",
    );
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
        &AcceptPage {
            frame,
            token: token.to_owned(),
            signed_in,
            fields,
            errors: errors.general(&names),
        },
    )
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn accept_form(request: HttpRequest, query: web::Query<TokenQuery>) -> HttpResponse {
    let ctx = Ctx::new(&request);
    let token = query.token.clone().unwrap_or_default();
    if token.trim().is_empty() {
        return ctx.not_found_page();
    }
    accept_page(&ctx, &token, &Errors::default(), StatusCode::OK)
}

#[derive(Deserialize)]
struct Accepted {
    user: Option<AcceptedUser>,
    errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct AcceptedUser {
    email: String,
}

async fn accept(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut ctx = Ctx::new(&request);
    if let Some(refusal) = ctx.csrf_refusal(&form) {
        return refusal;
    }
    let token = field(&form, "token").to_owned();
    let signed_in = ctx.session.tokens.signed_in();
    let password = form.get("password").cloned().unwrap_or_default();
    let answer = ctx
        .run::<Value>(
            "mutation($input: StaffInviteAcceptInput!) { staffInviteAccept(input: $input) { user { email } errors { field message } } }",
            json!({ "input": { "token": token, "password": (!signed_in).then_some(password.as_str()) } }),
        )
        .await
        .and_then(|data| payload::<Accepted>(&data, "staffInviteAccept"));
    let accepted = match answer {
        Ok(accepted) => accepted,
        Err(GqlError::Conflict(message)) => {
            let mut errors = Errors::default();
            errors.push("", message);
            return accept_page(&ctx, &token, &errors, StatusCode::CONFLICT);
        }
        Err(error) => return super::failure(&ctx, error),
    };
    let errors = Errors::from_user_errors(&accepted.errors);
    let Some(user) = accepted.user.filter(|_| errors.is_empty()) else {
        return accept_page(&ctx, &token, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if !signed_in {
        // The new account signs in with the password just chosen.
        match auth::sign_in(&mut ctx, &user.email, &password).await {
            Ok(errors) if errors.is_empty() => {}
            Ok(errors) => {
                return accept_page(&ctx, &token, &errors, StatusCode::UNPROCESSABLE_ENTITY);
            }
            Err(error) => return super::failure(&ctx, error),
        }
    }
    ctx.redirect("/console")
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/staff", web::get().to(list))
        .route("/console/staff", web::post().to(invite))
        .route("/console/invitation", web::get().to(accept_form))
        .route("/console/invitation", web::post().to(accept));
}
