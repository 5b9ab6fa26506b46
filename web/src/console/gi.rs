//! Geographical Indications: the cooperative's registrations as an authorised user of
//! a GI (Part B of the GI register), each with its validity and a warning when it ends
//! within 60 days or has lapsed, and the form to record a new one (it counts once an
//! admin verifies it). A product's GI claims are made on its own page, from the
//! authorisations that hold today.

use super::SavedQuery;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame,
    forms::{Errors, Field},
};
use crate::{
    foundation::{FormData, field},
    i18n::Tr,
};

/// How far ahead an authorisation's end is announced: time enough to renew it with
/// the GI registry before the claims on it stop counting.
pub(crate) const WARN_DAYS: i64 = 60;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Authorisation {
    pub gi_tag_id: String,
    pub au_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: String,
    pub valid_now: bool,
}

pub(crate) const AUTHORISATION_FIELDS: &str =
    "giTagId auNumber validFrom validUntil status validNow";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GiTag {
    pub id: String,
    pub name: String,
    pub expiry_date: Option<NaiveDate>,
    pub in_force: bool,
}

pub(crate) const GI_TAG_FIELDS: &str = "id name expiryDate inForce";

/// Today, in UTC as every date the API keeps.
pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What a person should know about a registration that ends on `until`: lapsed, or
/// ending within [`WARN_DAYS`]; None while it has longer to run.
fn ending(t: &Tr, until: NaiveDate, today: NaiveDate) -> Option<String> {
    let days = until.signed_duration_since(today).num_days();
    if days < 0 {
        Some(t.t1("con-gi-lapsed", "date", until.to_string()))
    } else if days <= WARN_DAYS {
        Some(t.n("con-gi-ends-in", days))
    } else {
        None
    }
}

/// An authorisation as the GI page shows it.
pub(crate) struct AuthorisationView {
    pub gi: String,
    pub au_number: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    pub status_label: String,
    pub valid_now: bool,
    /// Lapsed, ending soon, not valid yet, revoked, or the GI's own registration
    /// lapsing: each a line the staff must act on.
    pub warnings: Vec<String>,
}

pub(crate) fn view(
    t: &Tr,
    authorisation: &Authorisation,
    tags: &[GiTag],
    today: NaiveDate,
) -> AuthorisationView {
    let tag = tags.iter().find(|g| g.id == authorisation.gi_tag_id);
    let mut warnings = Vec::new();
    match authorisation.status.as_str() {
        "PENDING" => warnings.push(t.t("con-gi-pending")),
        "REVOKED" => warnings.push(t.t("con-gi-revoked")),
        _ => {}
    }
    if authorisation.valid_from > today {
        warnings.push(t.t1(
            "con-gi-not-yet",
            "date",
            authorisation.valid_from.to_string(),
        ));
    }
    warnings.extend(ending(t, authorisation.valid_until, today));
    if let Some(tag) = tag {
        if !tag.in_force {
            warnings.push(t.t("con-gi-tag-not-in-force"));
        } else if let Some(expiry) = tag.expiry_date
            && let Some(warning) = ending(t, expiry, today)
        {
            warnings.push(format!("{} {warning}", t.t("con-gi-tag-registration")));
        }
    }
    AuthorisationView {
        gi: tag.map(|g| g.name.clone()).unwrap_or_default(),
        au_number: authorisation.au_number.clone(),
        valid_from: crate::dates::day(t, &authorisation.valid_from.to_string()),
        valid_until: crate::dates::day(t, &authorisation.valid_until.to_string()),
        status: authorisation.status.clone(),
        status_label: t.t(&format!(
            "con-au-status-{}",
            authorisation.status.to_lowercase()
        )),
        valid_now: authorisation.valid_now,
        warnings,
    }
}

// ---------------------------------------------------------------- the GI page

#[derive(Deserialize)]
struct CooperativeAuthorisations {
    #[serde(rename = "giAuthorisations")]
    authorisations: Vec<Authorisation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageData {
    cooperative: Option<CooperativeAuthorisations>,
    gi_tags: Vec<GiTag>,
}

#[derive(Template)]
#[template(path = "console/gi.html")]
struct GiPage {
    frame: Frame,
    authorisations: Vec<AuthorisationView>,
    fields: Vec<Field>,
    errors: Vec<String>,
    saved: bool,
}

const REGISTER_FIELDS: [&str; 4] = ["giTagId", "auNumber", "validFrom", "validUntil"];

async fn page(
    console: &mut Console,
    cooperative: &str,
    form: Option<&FormData>,
    errors: &Errors,
    saved: bool,
    status: StatusCode,
) -> HttpResponse {
    let data: PageData = match console
        .ctx
        .run(
            &format!(
                "query($c: ID!) {{ cooperative(id: $c) {{ giAuthorisations {{ {AUTHORISATION_FIELDS} }} }} giTags {{ {GI_TAG_FIELDS} }} }}"
            ),
            json!({ "c": cooperative }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let Some(own) = data.cooperative else {
        return console.not_found();
    };
    let t = console.ctx.t;
    let today = today();
    let authorisations = own
        .authorisations
        .iter()
        .map(|a| view(&t, a, &data.gi_tags, today))
        .collect();
    let fields = vec![
        Field::new("giTagId", t.t("con-gi"), "select")
            .options(
                data.gi_tags
                    .iter()
                    .map(|g| (g.id.clone(), g.name.clone()))
                    .collect(),
            )
            .required(true)
            .fill(form, "", errors),
        Field::new("auNumber", t.t("con-au-number"), "text")
            .hint(t.t("con-au-number-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new("validFrom", t.t("con-au-valid-from"), "date")
            .required(true)
            .fill(form, "", errors),
        Field::new("validUntil", t.t("con-au-valid-until"), "date")
            .hint(t.t("con-au-valid-until-hint"))
            .required(true)
            .fill(form, "", errors),
    ];
    let page = GiPage {
        frame: console.frame("con-gi-title", "/console/gi", "gi"),
        authorisations,
        fields,
        errors: errors.general(&REGISTER_FIELDS.map(str::to_owned)),
        saved,
    };
    console.ctx.render(status, &page)
}

async fn show(request: HttpRequest, query: web::Query<SavedQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let saved = query.saved.is_some();
    page(
        &mut console,
        &cooperative,
        None,
        &Errors::default(),
        saved,
        StatusCode::OK,
    )
    .await
}

/// Records the cooperative as an authorised user; a date that is not one is said
/// beside its field before the API is asked.
async fn register(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    for key in REGISTER_FIELDS {
        if field(&form, key).is_empty() {
            errors.push(key, t.t("con-error-required"));
        }
    }
    for key in ["validFrom", "validUntil"] {
        let text = field(&form, key);
        if !text.is_empty() && text.parse::<NaiveDate>().is_err() {
            errors.push(key, t.t("con-error-date"));
        }
    }
    if errors.is_empty() {
        errors = match console
            .mutate(
                "mutation($input: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $input) { errors { field message } } }",
                "giAuthorisedUserRegister",
                json!({
                    "giTagId": field(&form, "giTagId"),
                    "cooperativeId": cooperative,
                    "auNumber": field(&form, "auNumber"),
                    "validFrom": field(&form, "validFrom"),
                    "validUntil": field(&form, "validUntil"),
                }),
            )
            .await
        {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if errors.is_empty() {
            return console.ctx.redirect("/console/gi?saved=1");
        }
    }
    page(
        &mut console,
        &cooperative,
        Some(&form),
        &errors,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/gi", web::get().to(show))
        .route("/console/gi", web::post().to(register));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_end_within_sixty_days_or_past_is_announced() {
        let t = Tr { lang: Lang::En };
        let today = date("2026-11-30");
        assert_eq!(ending(&t, date("2027-03-01"), today), None);
        assert_eq!(
            ending(&t, date("2027-01-29"), today).as_deref(),
            Some("Ends in 60 days.")
        );
        assert_eq!(
            ending(&t, date("2026-11-30"), today).as_deref(),
            Some("Ends today.")
        );
        assert_eq!(
            ending(&t, date("2026-11-29"), today).as_deref(),
            Some("Lapsed on 2026-11-29. Renew it with the GI registry and record the new one.")
        );
    }
}
