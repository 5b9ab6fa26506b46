//! Admins' registers: districts (and adding one), institutional buyer organisations
//! with their users (and creating both), and cooperatives' GI authorised-user
//! registrations waiting to be verified or revoked. The GI register itself is
//! `gi_register`, the categories `categories`.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame,
    forms::{Errors, Field},
};
use crate::foundation::{FormData, encode, field};

/// Opens a register's page: admins only; cooperative staff are told it is not theirs.
pub(super) async fn open_admin(
    request: &HttpRequest,
    form: Option<&FormData>,
) -> Result<Console, HttpResponse> {
    let console = match form {
        Some(form) => Console::open_form(request, form).await?,
        None => Console::open(request).await?,
    };
    if console.staff.is_admin() {
        Ok(console)
    } else {
        Err(console.admins_only())
    }
}

pub(super) fn status_of(errors: &Errors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Deserialize)]
pub(super) struct DoneQuery {
    pub done: Option<String>,
}

pub(super) fn done_of(console: &Console, query: &DoneQuery, known: &[&str]) -> Option<String> {
    query
        .done
        .as_deref()
        .filter(|what| known.contains(what))
        .map(|what| console.ctx.t.t(&format!("con-reg-done-{what}")))
}

// ---------------------------------------------------------------- districts

#[derive(Debug, Clone, Deserialize)]
struct District {
    name: String,
}

#[derive(Deserialize)]
struct DistrictsData {
    districts: Vec<District>,
}

#[derive(Template)]
#[template(path = "console/districts.html")]
struct DistrictsPage {
    frame: Frame,
    names: Vec<String>,
    fields: Vec<Field>,
    errors: Vec<String>,
    done: Option<String>,
}

async fn districts_page(
    console: &mut Console,
    form: Option<&FormData>,
    errors: &Errors,
    done: Option<String>,
) -> HttpResponse {
    let data: DistrictsData = match console.ctx.run("{ districts { name } }", json!({})).await {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let fields = vec![
        Field::new("name", t.t("con-reg-district-name"), "text")
            .required(true)
            .fill(form, "", errors),
    ];
    let page = DistrictsPage {
        frame: console.frame(
            "con-reg-districts",
            "/console/registers/districts",
            "registers",
        ),
        names: data.districts.into_iter().map(|d| d.name).collect(),
        errors: errors.general(&["name".to_owned()]),
        fields,
        done,
    };
    console.ctx.render(status_of(errors), &page)
}

async fn districts(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match open_admin(&request, None).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let done = done_of(&console, &query, &["district"]);
    districts_page(&mut console, None, &Errors::default(), done).await
}

async fn district_create(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match open_admin(&request, Some(&form)).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let errors = match console
        .mutate(
            "mutation($input: DistrictCreateInput!) { districtCreate(input: $input) { errors { field message } } }",
            "districtCreate",
            json!({ "name": field(&form, "name") }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console
            .ctx
            .redirect("/console/registers/districts?done=district");
    }
    districts_page(&mut console, Some(&form), &errors, None).await
}

// ---------------------------------------------------------------- buyers

/// The API's `BuyerOrganisationKind` values, in the order the form offers them (Ladakh's
/// own administration first: most of its institutional buyers are UT departments).
const ORG_KINDS: [&str; 9] = [
    "UT_GOVERNMENT_DEPARTMENT",
    "CENTRAL_GOVERNMENT_DEPARTMENT",
    "STATE_GOVERNMENT_DEPARTMENT",
    "CENTRAL_PSU",
    "STATE_PSU",
    "AUTONOMOUS_BODY",
    "LOCAL_BODY",
    "COOPERATIVE",
    "OTHER",
];

/// A kind's words in the page's language (`con-org-kind-ut-government-department`).
fn org_kind_label(t: crate::i18n::Tr, kind: &str) -> String {
    t.t(&format!(
        "con-org-kind-{}",
        kind.to_lowercase().replace('_', "-")
    ))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Organisation {
    id: String,
    name: String,
    kind: String,
    gem_buyer_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuyerUser {
    name: String,
    email: String,
    buyer_organisation_id: Option<String>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuyersData {
    buyer_organisations: Nodes<Organisation>,
    users: Nodes<BuyerUser>,
}

struct OrganisationView {
    organisation: Organisation,
    kind: String,
    /// Name and email of each of its users.
    users: Vec<(String, String)>,
    fields: Vec<Field>,
    errors: Vec<String>,
    open: bool,
}

#[derive(Template)]
#[template(path = "console/buyers.html")]
struct BuyersPage {
    frame: Frame,
    organisations: Vec<OrganisationView>,
    fields: Vec<Field>,
    errors: Vec<String>,
    done: Option<String>,
}

/// Which form was sent: a new organisation (None) or a user of one.
struct Sent<'a> {
    organisation: Option<&'a str>,
    form: &'a FormData,
    errors: &'a Errors,
}

async fn buyers_page(
    console: &mut Console,
    sent: Option<Sent<'_>>,
    done: Option<String>,
) -> HttpResponse {
    let data: BuyersData = match console
        .ctx
        .run(
            "{ buyerOrganisations(first: 100) { nodes { id name kind gemBuyerId } } users(filter: { role: INSTITUTION }, first: 100) { nodes { name email buyerOrganisationId } } }",
            json!({}),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let none = Errors::default();
    let (org_form, org_errors) = match &sent {
        Some(sent) if sent.organisation.is_none() => (Some(sent.form), sent.errors),
        _ => (None, &none),
    };
    let fields = vec![
        Field::new("name", t.t("con-reg-org-name"), "text")
            .required(true)
            .fill(org_form, "", org_errors),
        Field::new("kind", t.t("con-reg-org-kind"), "select")
            .required(true)
            .options(
                ORG_KINDS
                    .iter()
                    .map(|k| ((*k).to_owned(), org_kind_label(t, k)))
                    .collect(),
            )
            .fill(org_form, "", org_errors),
        Field::new("gemBuyerId", t.t("con-reg-org-gem"), "text").fill(org_form, "", org_errors),
    ];
    let org_names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let users = data.users.nodes;
    let organisations = data
        .buyer_organisations
        .nodes
        .into_iter()
        .map(|organisation| {
            let (form, errors) = match &sent {
                Some(sent) if sent.organisation == Some(organisation.id.as_str()) => {
                    (Some(sent.form), sent.errors)
                }
                _ => (None, &none),
            };
            let scope = format!("u-{}", organisation.id);
            let mut email = Field::new("email", t.t("con-email"), "email")
                .scoped(&scope)
                .required(true)
                .fill(form, "", errors);
            email.inputmode = "email";
            // A password is never sent back.
            let mut password = Field::new("password", t.t("con-password"), "password")
                .scoped(&scope)
                .required(true)
                .hint(t.t("con-manager-password-hint"));
            password.error = errors.of("password");
            let fields = vec![
                Field::new("name", t.t("con-reg-user-name"), "text")
                    .scoped(&scope)
                    .required(true)
                    .fill(form, "", errors),
                email,
                password,
            ];
            let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
            OrganisationView {
                users: users
                    .iter()
                    .filter(|u| {
                        u.buyer_organisation_id.as_deref() == Some(organisation.id.as_str())
                    })
                    .map(|u| (u.name.clone(), u.email.clone()))
                    .collect(),
                open: !errors.is_empty(),
                errors: errors.general(&names),
                fields,
                kind: org_kind_label(t, &organisation.kind),
                organisation,
            }
        })
        .collect();
    let code = match &sent {
        Some(sent) => status_of(sent.errors),
        None => StatusCode::OK,
    };
    let page = BuyersPage {
        frame: console.frame("con-reg-buyers", "/console/registers/buyers", "registers"),
        organisations,
        errors: org_errors.general(&org_names),
        fields,
        done,
    };
    console.ctx.render(code, &page)
}

async fn buyers(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match open_admin(&request, None).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let done = done_of(&console, &query, &["organisation", "user"]);
    buyers_page(&mut console, None, done).await
}

async fn organisation_create(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match open_admin(&request, Some(&form)).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let gem = Some(field(&form, "gemBuyerId")).filter(|g| !g.is_empty());
    // The API's kind is an enum: a value outside it would be refused as a malformed
    // request, not as a field, so it is said beside the choice before asking.
    if !ORG_KINDS.contains(&field(&form, "kind")) {
        let mut errors = Errors::default();
        errors.push("kind", console.ctx.t.t("con-reg-org-kind-choose"));
        let sent = Sent {
            organisation: None,
            form: &form,
            errors: &errors,
        };
        return buyers_page(&mut console, Some(sent), None).await;
    }
    let errors = match console
        .mutate(
            "mutation($input: BuyerOrganisationCreateInput!) { buyerOrganisationCreate(input: $input) { errors { field message } } }",
            "buyerOrganisationCreate",
            json!({ "name": field(&form, "name"), "kind": field(&form, "kind"), "gemBuyerId": gem }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console
            .ctx
            .redirect("/console/registers/buyers?done=organisation");
    }
    let sent = Sent {
        organisation: None,
        form: &form,
        errors: &errors,
    };
    buyers_page(&mut console, Some(sent), None).await
}

async fn user_create(
    request: HttpRequest,
    organisation: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match open_admin(&request, Some(&form)).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let errors = match console
        .mutate(
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { errors { field message } } }",
            "userCreate",
            json!({ "name": field(&form, "name"), "email": field(&form, "email"),
                    "password": form.get("password").cloned().unwrap_or_default(),
                    "role": "INSTITUTION", "buyerOrganisationId": organisation.as_str() }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/registers/buyers?done=user#o-{}",
            encode(&organisation)
        ));
    }
    let sent = Sent {
        organisation: Some(organisation.as_str()),
        form: &form,
        errors: &errors,
    };
    buyers_page(&mut console, Some(sent), None).await
}

// ---------------------------------------------------------------- GI authorised users

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Authorisation {
    id: String,
    gi_tag_id: String,
    au_number: String,
    valid_from: String,
    valid_until: String,
    status: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CooperativeAus {
    name: String,
    gi_authorisations: Vec<Authorisation>,
}

#[derive(Debug, Clone, Deserialize)]
struct Tag {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GiData {
    cooperatives: Nodes<CooperativeAus>,
    gi_tags: Vec<Tag>,
}

struct AuView {
    id: String,
    cooperative: String,
    gi: String,
    number: String,
    validity: String,
    status: String,
    status_label: String,
}

#[derive(Template)]
#[template(path = "console/gi_users.html")]
struct GiPage {
    frame: Frame,
    rows: Vec<AuView>,
    errors: Vec<String>,
    done: Option<String>,
}

async fn gi_page(console: &mut Console, errors: &Errors, done: Option<String>) -> HttpResponse {
    let data: GiData = match console
        .ctx
        .run(
            "{ cooperatives(first: 100) { nodes { name giAuthorisations { id giTagId auNumber validFrom validUntil status } } } giTags { id name } }",
            json!({}),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let mut rows: Vec<AuView> = data
        .cooperatives
        .nodes
        .iter()
        .flat_map(|c| {
            c.gi_authorisations.iter().map(|a| AuView {
                id: a.id.clone(),
                cooperative: c.name.clone(),
                gi: data
                    .gi_tags
                    .iter()
                    .find(|g| g.id == a.gi_tag_id)
                    .map(|g| g.name.clone())
                    .unwrap_or_default(),
                number: a.au_number.clone(),
                validity: format!(
                    "{} – {}",
                    super::dates::day(&t, &a.valid_from),
                    super::dates::day(&t, &a.valid_until)
                ),
                status: a.status.clone(),
                status_label: t.t(&format!("con-au-{}", a.status.to_lowercase())),
            })
        })
        .collect();
    // The registrations waiting for a decision first.
    rows.sort_by_key(|r| r.status != "PENDING");
    let page = GiPage {
        frame: console.frame("con-reg-gi", "/console/registers/gi", "registers"),
        rows,
        errors: errors.general(&[]),
        done,
    };
    console.ctx.render(status_of(errors), &page)
}

async fn gi(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match open_admin(&request, None).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let done = done_of(&console, &query, &["verified", "revoked"]);
    gi_page(&mut console, &Errors::default(), done).await
}

async fn gi_decide(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match open_admin(&request, Some(&form)).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let approve = match field(&form, "decision") {
        "verify" => true,
        "revoke" => false,
        _ => return console.not_found(),
    };
    let errors = match console
        .mutate(
            "mutation($input: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $input) { errors { field message } } }",
            "giAuthorisedUserVerify",
            json!({ "id": id.as_str(), "approve": approve }),
        )
        .await
    {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        let done = if approve { "verified" } else { "revoked" };
        return console
            .ctx
            .redirect(&format!("/console/registers/gi?done={done}"));
    }
    gi_page(&mut console, &errors, None).await
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/registers/districts", web::get().to(districts))
        .route(
            "/console/registers/districts",
            web::post().to(district_create),
        )
        .route("/console/registers/buyers", web::get().to(buyers))
        .route(
            "/console/registers/buyers",
            web::post().to(organisation_create),
        )
        .route(
            "/console/registers/buyers/{organisation}/users",
            web::post().to(user_create),
        )
        .route("/console/registers/gi", web::get().to(gi))
        .route("/console/registers/gi/{id}", web::post().to(gi_decide));
}
