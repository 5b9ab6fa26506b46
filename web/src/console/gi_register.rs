//! The GI register as admins keep it: each Geographical Indication with its register
//! facts (application number, class of goods, proprietor, registration and expiry
//! dates, the districts of its area, the goods it covers) and the warnings an admin
//! must act on (lapsed, ending within 60 days, not in force yet, facts unconfirmed),
//! and a form per GI to correct its facts with `giTagUpdate` as the register confirms
//! them. A GI whose registration has lapsed stops counting for every product's claim;
//! the API decides that, the page only shows it.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    Console, Frame, dates,
    forms::{Errors, Field, items},
    gi::{WARN_DAYS, today},
    registers::{DoneQuery, done_of, open_admin, status_of},
};
use crate::{
    foundation::{FormData, encode},
    i18n::Tr,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tag {
    id: String,
    slug: String,
    name: String,
    application_number: Option<String>,
    class_of_goods: Option<String>,
    goods_description: String,
    registered_proprietor: Option<String>,
    area_districts: Vec<String>,
    area_description: String,
    registration_date: Option<NaiveDate>,
    expiry_date: Option<NaiveDate>,
    in_force: bool,
    facts_confirmed: bool,
    source_note: String,
    covered_categories: Vec<String>,
    hsn_prefixes: Vec<String>,
}

const TAG_FIELDS: &str = "id slug name applicationNumber classOfGoods goodsDescription registeredProprietor areaDistricts areaDescription registrationDate expiryDate inForce factsConfirmed sourceNote coveredCategories hsnPrefixes";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagsData {
    gi_tags: Vec<Tag>,
}

/// The text fields, sent as typed (an empty one clears an optional fact).
const TEXTS: [&str; 6] = [
    "applicationNumber",
    "classOfGoods",
    "registeredProprietor",
    "goodsDescription",
    "areaDescription",
    "sourceNote",
];
/// The list fields: one item a line or separated by commas.
const LISTS: [&str; 3] = ["areaDistricts", "coveredCategories", "hsnPrefixes"];
const DATES: [&str; 2] = ["registrationDate", "expiryDate"];

/// What an admin should know about a GI's registration on `today`: each a line.
fn warnings(t: &Tr, tag: &Tag, today: NaiveDate) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(from) = tag.registration_date
        && from > today
    {
        warnings.push(t.t1("con-gt-not-yet", "date", dates::day(t, &from.to_string())));
    }
    match tag.expiry_date {
        Some(until) => {
            let days = until.signed_duration_since(today).num_days();
            if days < 0 {
                warnings.push(t.t1("con-gt-lapsed", "date", dates::day(t, &until.to_string())));
            } else if days <= WARN_DAYS {
                warnings.push(t.n("con-gt-ends-in", days));
            }
        }
        None => warnings.push(t.t("con-gt-no-expiry")),
    }
    if !tag.facts_confirmed {
        warnings.push(t.t("con-gt-unconfirmed"));
    }
    warnings
}

/// A GI as the page shows it, with its correction form.
struct TagView {
    id: String,
    slug: String,
    name: String,
    in_force: bool,
    /// Label and value of each fact, in the register's order.
    facts: Vec<(String, String)>,
    warnings: Vec<String>,
    fields: Vec<Field>,
    errors: Vec<String>,
    /// The form is unfolded when it came back with errors.
    open: bool,
}

#[derive(Template)]
#[template(path = "console/gi_tags.html")]
struct GiTagsPage {
    frame: Frame,
    tags: Vec<TagView>,
    done: Option<String>,
}

/// The form sent for one GI, and what was wrong with it.
struct Sent<'a> {
    id: &'a str,
    form: &'a FormData,
    errors: &'a Errors,
}

fn date_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn fields(t: &Tr, tag: &Tag, form: Option<&FormData>, errors: &Errors) -> Vec<Field> {
    let scope = format!("g-{}", tag.slug);
    let yes_no = vec![
        ("true".to_owned(), t.t("con-yes")),
        ("false".to_owned(), t.t("con-no")),
    ];
    let text = |name: &str, kind: &'static str, stored: &str| {
        Field::new(name, t.t(&format!("con-gt-{name}")), kind)
            .scoped(&scope)
            .fill(form, stored, errors)
    };
    vec![
        text(
            "applicationNumber",
            "text",
            tag.application_number.as_deref().unwrap_or_default(),
        ),
        text(
            "classOfGoods",
            "text",
            tag.class_of_goods.as_deref().unwrap_or_default(),
        )
        .numeric(),
        text(
            "registeredProprietor",
            "text",
            tag.registered_proprietor.as_deref().unwrap_or_default(),
        ),
        text(
            "registrationDate",
            "date",
            &date_text(tag.registration_date),
        ),
        text("expiryDate", "date", &date_text(tag.expiry_date)).hint(t.t("con-gt-expiry-hint")),
        text("areaDistricts", "textarea", &tag.area_districts.join("\n"))
            .required(true)
            .hint(t.t("con-gt-list-hint")),
        text("areaDescription", "textarea", &tag.area_description),
        text("goodsDescription", "textarea", &tag.goods_description),
        text(
            "coveredCategories",
            "textarea",
            &tag.covered_categories.join("\n"),
        )
        .hint(t.t("con-gt-categories-hint")),
        text("hsnPrefixes", "text", &tag.hsn_prefixes.join(", ")).hint(t.t("con-gt-hsn-hint")),
        text(
            "factsConfirmed",
            "select",
            if tag.facts_confirmed { "true" } else { "false" },
        )
        .options(yes_no)
        .required(true),
        text("sourceNote", "textarea", &tag.source_note).hint(t.t("con-gt-source-hint")),
    ]
}

fn view(t: &Tr, tag: Tag, sent: Option<&Sent<'_>>, today: NaiveDate) -> TagView {
    let none = Errors::default();
    let (form, errors) = match sent {
        Some(sent) if sent.id == tag.id => (Some(sent.form), sent.errors),
        _ => (None, &none),
    };
    let fields = fields(t, &tag, form, errors);
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let unknown = || t.t("con-gt-unknown");
    let date =
        |date: Option<NaiveDate>| date.map_or_else(unknown, |d| dates::day(t, &d.to_string()));
    let facts = vec![
        (
            t.t("con-gt-applicationNumber"),
            tag.application_number.clone().unwrap_or_else(unknown),
        ),
        (
            t.t("con-gt-classOfGoods"),
            tag.class_of_goods.clone().unwrap_or_else(unknown),
        ),
        (
            t.t("con-gt-registeredProprietor"),
            tag.registered_proprietor.clone().unwrap_or_else(unknown),
        ),
        (t.t("con-gt-registrationDate"), date(tag.registration_date)),
        (t.t("con-gt-expiryDate"), date(tag.expiry_date)),
        (t.t("con-gt-areaDistricts"), tag.area_districts.join(", ")),
        (
            t.t("con-gt-coveredCategories"),
            tag.covered_categories.join(", "),
        ),
        (t.t("con-gt-hsnPrefixes"), tag.hsn_prefixes.join(", ")),
    ];
    TagView {
        warnings: warnings(t, &tag, today),
        open: !errors.is_empty(),
        errors: errors.general(&names),
        fields,
        facts,
        id: tag.id,
        slug: tag.slug,
        name: tag.name,
        in_force: tag.in_force,
    }
}

async fn tags(console: &mut Console) -> Result<Vec<Tag>, HttpResponse> {
    match console
        .ctx
        .run::<TagsData>(&format!("{{ giTags {{ {TAG_FIELDS} }} }}"), json!({}))
        .await
    {
        Ok(data) => Ok(data.gi_tags),
        Err(error) => Err(console.failure(error)),
    }
}

fn render(
    console: &Console,
    tags: Vec<Tag>,
    sent: Option<&Sent<'_>>,
    done: Option<String>,
) -> HttpResponse {
    let t = console.ctx.t;
    let today = today();
    let page = GiTagsPage {
        frame: console.frame("con-gt-title", "/console/registers/gi-tags", "registers"),
        tags: tags
            .into_iter()
            .map(|tag| view(&t, tag, sent, today))
            .collect(),
        done,
    };
    let code = sent.map_or(StatusCode::OK, |sent| status_of(sent.errors));
    console.ctx.render(code, &page)
}

async fn show(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match open_admin(&request, None).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let done = done_of(&console, &query, &["gi-tag"]);
    match tags(&mut console).await {
        Ok(tags) => render(&console, tags, None, done),
        Err(response) => response,
    }
}

/// The correction as `giTagUpdate` takes it: the facts the form carried (one left
/// out is left as it is; an emptied one clears it). A date that is not one, or a
/// date emptied (the register's dates can be corrected, not removed), is said beside
/// its field before the API is asked.
fn correction(t: &Tr, tag: &Tag, form: &FormData, errors: &mut Errors) -> Value {
    let mut input = Map::new();
    input.insert("id".into(), json!(tag.id));
    let sent = |name: &str| form.get(name).map(String::as_str);
    for name in TEXTS {
        if let Some(text) = sent(name) {
            input.insert(name.into(), json!(text));
        }
    }
    for name in LISTS {
        if let Some(text) = sent(name) {
            input.insert(name.into(), json!(items(text)));
        }
    }
    for (name, stored) in DATES
        .into_iter()
        .zip([tag.registration_date, tag.expiry_date])
    {
        match sent(name).map(str::trim) {
            None => {}
            Some("") if stored.is_some() => errors.push(name, t.t("con-gt-date-kept")),
            Some("") => {}
            Some(text) => match text.parse::<NaiveDate>() {
                Ok(date) => {
                    input.insert(name.into(), json!(date));
                }
                Err(_) => errors.push(name, t.t("con-error-date")),
            },
        }
    }
    match sent("factsConfirmed") {
        Some("true") => input.insert("factsConfirmed".into(), json!(true)),
        Some("false") => input.insert("factsConfirmed".into(), json!(false)),
        _ => None,
    };
    Value::Object(input)
}

async fn correct(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match open_admin(&request, Some(&form)).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let all = match tags(&mut console).await {
        Ok(tags) => tags,
        Err(response) => return response,
    };
    let Some(tag) = all.iter().find(|tag| tag.id == id.as_str()) else {
        return console.not_found();
    };
    let slug = tag.slug.clone();
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let input = correction(&t, tag, &form, &mut errors);
    if errors.is_empty() {
        errors = match console
            .mutate(
                "mutation($input: GiTagUpdateInput!) { giTagUpdate(input: $input) { errors { field message } } }",
                "giTagUpdate",
                input,
            )
            .await
        {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if errors.is_empty() {
            return console.ctx.redirect(&format!(
                "/console/registers/gi-tags?done=gi-tag#g-{}",
                encode(&slug)
            ));
        }
    }
    let sent = Sent {
        id: id.as_str(),
        form: &form,
        errors: &errors,
    };
    render(&console, all, Some(&sent), None)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/registers/gi-tags", web::get().to(show))
        .route("/console/registers/gi-tags/{id}", web::post().to(correct));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn tag(registered: Option<&str>, expires: Option<&str>, confirmed: bool) -> Tag {
        Tag {
            id: "1".into(),
            slug: "pashmina".into(),
            name: "Pashmina".into(),
            application_number: None,
            class_of_goods: None,
            goods_description: String::new(),
            registered_proprietor: None,
            area_districts: vec!["Leh".into()],
            area_description: String::new(),
            registration_date: registered.map(|d| d.parse().unwrap()),
            expiry_date: expires.map(|d| d.parse().unwrap()),
            in_force: true,
            facts_confirmed: confirmed,
            source_note: String::new(),
            covered_categories: Vec::new(),
            hsn_prefixes: Vec::new(),
        }
    }

    #[test]
    fn lapsed_ending_and_future_registrations_are_announced() {
        let t = Tr { lang: Lang::En };
        let today: NaiveDate = "2026-11-30".parse().unwrap();
        let long = tag(Some("2022-12-14"), Some("2032-12-13"), true);
        assert!(warnings(&t, &long, today).is_empty());
        let ending = tag(Some("2016-12-01"), Some("2027-01-29"), true);
        assert_eq!(
            warnings(&t, &ending, today),
            ["The registration ends in 60 days: renew it with the GI registry."]
        );
        let lapsed = tag(Some("2016-12-01"), Some("2026-11-29"), true);
        assert_eq!(
            warnings(&t, &lapsed, today),
            ["The registration lapsed on 29 Nov 2026: no product's claim on this GI is valid."]
        );
        let future = tag(Some("2026-12-01"), None, false);
        assert_eq!(warnings(&t, &future, today).len(), 3);
    }
}
