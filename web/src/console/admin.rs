//! Admins: the cooperatives by verification status, each with its GSTIN, FSSAI
//! licence and registration, to verify or suspend with a reason (recorded in the
//! cooperative's verification history), and to give a cooperative a manager account.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame,
    forms::{Errors, Field},
};
use crate::foundation::{FormData, field};

const STATUSES: [&str; 3] = ["PENDING", "VERIFIED", "SUSPENDED"];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingRegistration {
    gstin: Option<String>,
    fssai_licence: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cooperative {
    id: String,
    name: String,
    district: String,
    village: String,
    registration_number: String,
    registrar: String,
    gstin: Option<String>,
    gst_regime: String,
    state_code: String,
    fssai_licence: Option<String>,
    verification_status: String,
    pending_registration: Option<PendingRegistration>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
struct ListData {
    cooperatives: Nodes<Cooperative>,
}

struct Row {
    cooperative: Cooperative,
    fields: Vec<Field>,
    errors: Vec<String>,
    manager: Vec<Field>,
    manager_errors: Vec<String>,
    /// The manager form was sent and refused: shown open.
    manager_open: bool,
    /// The decisions open to an admin from the cooperative's status.
    decisions: Vec<(&'static str, String)>,
}

/// What was sent about one cooperative, and the errors.
struct Sent<'a> {
    id: &'a str,
    /// The manager form, rather than the verification form.
    manager: bool,
    form: &'a FormData,
    errors: &'a Errors,
}

#[derive(Template)]
#[template(path = "console/cooperatives.html")]
struct ListPage {
    frame: Frame,
    filters: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    done: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    done: Option<String>,
}

fn status_of(query: Option<&str>) -> &'static str {
    STATUSES
        .iter()
        .find(|s| Some(**s) == query)
        .copied()
        .unwrap_or("PENDING")
}

async fn render(
    console: &mut Console,
    status: &'static str,
    sent: Option<Sent<'_>>,
    done: Option<String>,
    code: StatusCode,
) -> HttpResponse {
    let data: ListData = match console
        .ctx
        .run(
            "query($s: VerificationStatus) { cooperatives(first: 50, verificationStatus: $s) { nodes { id name district village registrationNumber registrar gstin gstRegime stateCode fssaiLicence verificationStatus pendingRegistration { gstin fssaiLicence } } } }",
            json!({ "s": status }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let none = Errors::default();
    let rows = data
        .cooperatives
        .nodes
        .into_iter()
        .map(|cooperative| {
            let (form, errors) = match &sent {
                Some(sent) if sent.id == cooperative.id && !sent.manager => {
                    (Some(sent.form), sent.errors)
                }
                _ => (None, &none),
            };
            let (manager_form, manager_errors) = match &sent {
                Some(sent) if sent.id == cooperative.id && sent.manager => {
                    (Some(sent.form), sent.errors)
                }
                _ => (None, &none),
            };
            let scope = format!("m-{}", cooperative.id);
            let mut password = Field::new("password", t.t("con-password"), "password")
                .scoped(&scope)
                .hint(t.t("con-manager-password-hint"))
                .required(true);
            password.error = manager_errors.of("password");
            let manager = vec![
                Field::new("name", t.t("con-manager-name"), "text")
                    .scoped(&scope)
                    .required(true)
                    .fill(manager_form, "", manager_errors),
                Field::new("email", t.t("con-email"), "email")
                    .scoped(&scope)
                    .required(true)
                    .fill(manager_form, "", manager_errors),
                password,
            ];
            let manager_known = ["name", "email", "password"].map(str::to_owned);
            let fields = vec![
                Field::new("reason", t.t("con-verify-reason"), "textarea")
                    .scoped(&cooperative.id)
                    .hint(t.t("con-verify-reason-hint"))
                    .required(true)
                    .fill(form, "", errors),
            ];
            let decisions = match cooperative.verification_status.as_str() {
                "VERIFIED" => vec![("SUSPENDED", t.t("con-suspend"))],
                "SUSPENDED" => vec![("VERIFIED", t.t("con-reinstate"))],
                _ => vec![
                    ("VERIFIED", t.t("con-verify")),
                    ("SUSPENDED", t.t("con-suspend")),
                ],
            };
            Row {
                manager_open: manager_form.is_some(),
                manager_errors: manager_errors.general(&manager_known),
                manager,
                errors: errors.general(&["reason".to_owned()]),
                cooperative,
                fields,
                decisions,
            }
        })
        .collect();
    let filters = STATUSES
        .iter()
        .map(|s| {
            (
                *s,
                t.t(&format!("con-vstatus-{}", s.to_lowercase())),
                *s == status,
            )
        })
        .collect();
    let page = ListPage {
        frame: console.frame("con-cooperatives", "/console/cooperatives", "cooperatives"),
        filters,
        rows,
        done,
    };
    console.ctx.render(code, &page)
}

async fn list(request: HttpRequest, query: web::Query<ListQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if !console.staff.is_admin() {
        return console.admins_only();
    }
    let done = query
        .done
        .as_deref()
        .filter(|d| STATUSES.contains(d) || *d == "manager")
        .map(|d| {
            console
                .ctx
                .t
                .t(&format!("con-decided-{}", d.to_lowercase()))
        });
    let status = status_of(query.status.as_deref());
    render(&mut console, status, None, done, StatusCode::OK).await
}

/// Verifies, suspends or reinstates one cooperative.
async fn decide(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if !console.staff.is_admin() {
        return console.admins_only();
    }
    let Some(decision) = STATUSES
        .iter()
        .find(|s| **s == field(&form, "decision"))
        .copied()
    else {
        return console.not_found();
    };
    let listed = status_of(Some(field(&form, "listed")));
    let errors = match console
        .mutate(
            "mutation($input: CooperativeVerifyInput!) { cooperativeVerify(input: $input) { errors { field message } } }",
            "cooperativeVerify",
            json!({ "id": id.as_str(), "status": decision, "reason": field(&form, "reason") }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/cooperatives?status={listed}&done={decision}"
        ));
    }
    let sent = Sent {
        id: id.as_str(),
        manager: false,
        form: &form,
        errors: &errors,
    };
    render(
        &mut console,
        listed,
        Some(sent),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Creates a manager account for the cooperative (`userCreate`); they sign in with
/// the email and password given.
async fn add_manager(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if !console.staff.is_admin() {
        return console.admins_only();
    }
    let listed = status_of(Some(field(&form, "listed")));
    let input = json!({
        "name": field(&form, "name"),
        "email": field(&form, "email"),
        // Passwords are taken as typed: spaces may be part of one.
        "password": form.get("password").map_or("", String::as_str),
        "role": "COOPERATIVE",
        "cooperativeId": id.as_str(),
        "cooperativeRole": "MANAGER",
    });
    let errors = match console
        .mutate(
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { errors { field message } } }",
            "userCreate",
            json!(input),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/cooperatives?status={listed}&done=manager"
        ));
    }
    let sent = Sent {
        id: id.as_str(),
        manager: true,
        form: &form,
        errors: &errors,
    };
    render(
        &mut console,
        listed,
        Some(sent),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/cooperatives", web::get().to(list))
        .route(
            "/console/cooperatives/{id}/verification",
            web::post().to(decide),
        )
        .route(
            "/console/cooperatives/{id}/managers",
            web::post().to(add_manager),
        );
}
