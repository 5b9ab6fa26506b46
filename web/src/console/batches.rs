//! One batch's page, `/console/batches/{code}`: its origin, certificates and provenance
//! chain, with the forms to record a step of its life (`provenanceEventAdd`), to
//! correct its origin, production date or quantity (`batchCorrect`) and to void it
//! (`batchVoid`, after a confirmation page, so a slip of the thumb withdraws nothing).
//! Another cooperative's batch is not found.

use super::SavedQuery;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame, dates,
    forms::{Errors, Field, whole},
};
use crate::{
    foundation::{FormData, encode, field},
    i18n::Tr,
};

/// The steps staff record; a correction and a void go through their own forms, which
/// keep the reason (the API refuses them here).
const EVENT_KINDS: [&str; 10] = [
    "HARVESTED",
    "DRIED",
    "PROCESSED",
    "SORTED",
    "SPUN",
    "WOVEN",
    "DYED",
    "PACKED",
    "CERTIFIED",
    "SHIPPED_TO_WAREHOUSE",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Certificate {
    kind: String,
    issuer: String,
    number: String,
    issued_on: String,
    document_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    sequence: i64,
    kind: String,
    occurred_at: String,
    location: String,
    notes: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    code: String,
    origin_village: String,
    origin_district: String,
    produced_on: String,
    quantity: i64,
    voided_at: Option<String>,
    void_reason: Option<String>,
    certificates: Vec<Certificate>,
    events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize)]
struct ProductRef {
    id: String,
    title: String,
}

#[derive(Debug, Clone, Deserialize)]
struct TitleOnly {
    title: String,
}

#[derive(Debug, Clone, Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    record_status: String,
    record_reason: Option<String>,
    chain_intact: bool,
    batch: Batch,
    product: ProductRef,
    variant: TitleOnly,
    cooperative: IdOnly,
}

#[derive(Debug, Clone, Deserialize)]
struct District {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchData {
    verify_provenance: Report,
    districts: Vec<District>,
}

const BATCH: &str = "query($code: String!) { verifyProvenance(code: $code) {
  recordStatus recordReason chainIntact
  batch { code originVillage originDistrict producedOn quantity voidedAt voidReason
    certificates { kind issuer number issuedOn documentUrl }
    events { sequence kind occurredAt location notes } }
  product { id title } variant { title } cooperative { id } }
  districts { name } }";

/// A certificate as the page lists it.
struct CertificateView {
    kind: String,
    issuer: String,
    number: String,
    issued_on: String,
    document_url: String,
}

/// A step of the chain as the page lists it.
struct EventView {
    sequence: i64,
    kind: String,
    day: String,
    location: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "console/batch.html")]
struct BatchPage {
    frame: Frame,
    code: String,
    product_id: String,
    product_title: String,
    variant_title: String,
    origin: String,
    produced_on: String,
    quantity: i64,
    record_status: String,
    /// The void's day and reason, once voided.
    voided: Option<(String, String)>,
    record_reason: Option<String>,
    chain_intact: bool,
    certificates: Vec<CertificateView>,
    events: Vec<EventView>,
    event: Vec<Field>,
    event_errors: Vec<String>,
    correct: Vec<Field>,
    correct_errors: Vec<String>,
    void: Vec<Field>,
    void_errors: Vec<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "console/batch_void.html")]
struct VoidConfirmPage {
    frame: Frame,
    code: String,
    reason: String,
}

/// Which form was sent, with what was typed and the errors.
#[derive(Clone, Copy)]
enum Sent<'a> {
    Nothing,
    Event(&'a FormData, &'a Errors),
    Correct(&'a FormData, &'a Errors),
    Void(&'a FormData, &'a Errors),
}

async fn load(console: &mut Console, code: &str) -> Result<(Report, Vec<District>), HttpResponse> {
    let data: BatchData = console
        .ctx
        .run(BATCH, json!({ "code": code }))
        .await
        .map_err(|error| console.failure(error))?;
    let report = data.verify_provenance;
    // The code must be the batch's own: the API also reads whole verify URLs.
    if console.owns(&report.cooperative.id) && report.batch.code == code {
        Ok((report, data.districts))
    } else {
        Err(console.not_found())
    }
}

/// The steps to choose from, named as the storefront's trail names them.
fn event_kinds(t: &Tr) -> Vec<(String, String)> {
    EVENT_KINDS
        .iter()
        .map(|kind| ((*kind).to_owned(), t.t(&format!("event-{kind}"))))
        .collect()
}

fn page(
    console: &Console,
    report: Report,
    districts: &[District],
    sent: Sent<'_>,
    saved: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let none = Errors::default();
    let batch = report.batch;

    let (form, errors) = match sent {
        Sent::Event(form, errors) => (Some(form), errors),
        _ => (None, &none),
    };
    let event = vec![
        Field::new("kind", t.t("con-event-kind"), "select")
            .scoped("event")
            .options(event_kinds(&t))
            .required(true)
            .fill(form, "", errors),
        Field::new("occurredAt", t.t("con-event-date"), "date")
            .scoped("event")
            .required(true)
            .fill(form, &dates::today().to_string(), errors),
        Field::new("location", t.t("con-event-place"), "text")
            .scoped("event")
            .hint(t.t("con-event-place-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new("notes", t.t("con-event-note"), "textarea")
            .scoped("event")
            .fill(form, "", errors),
    ];
    let names: Vec<String> = event.iter().map(|f| f.name.clone()).collect();
    let event_errors = errors.general(&names);

    let (form, errors) = match sent {
        Sent::Correct(form, errors) => (Some(form), errors),
        _ => (None, &none),
    };
    let correct = vec![
        Field::new("originVillage", t.t("con-batch-village"), "text")
            .scoped("correct")
            .required(true)
            .fill(form, &batch.origin_village, errors),
        Field::new("originDistrict", t.t("con-batch-district"), "select")
            .scoped("correct")
            .options(
                districts
                    .iter()
                    .map(|d| (d.name.clone(), d.name.clone()))
                    .collect(),
            )
            .required(true)
            .fill(form, &batch.origin_district, errors),
        Field::new("producedOn", t.t("con-batch-date"), "date")
            .scoped("correct")
            .required(true)
            .fill(form, &batch.produced_on, errors),
        Field::new("quantity", t.t("con-batch-quantity"), "number")
            .scoped("correct")
            .numeric()
            .hint(t.t("con-correct-quantity-hint"))
            .required(true)
            .fill(form, &batch.quantity.to_string(), errors),
        Field::new("reason", t.t("con-correct-reason"), "text")
            .scoped("correct")
            .hint(t.t("con-reason-public-hint"))
            .required(true)
            .fill(form, "", errors),
    ];
    let names: Vec<String> = correct.iter().map(|f| f.name.clone()).collect();
    let correct_errors = errors.general(&names);

    let (form, errors) = match sent {
        Sent::Void(form, errors) => (Some(form), errors),
        _ => (None, &none),
    };
    let void = vec![
        Field::new("reason", t.t("con-void-reason"), "text")
            .scoped("void")
            .hint(t.t("con-reason-public-hint"))
            .required(true)
            .fill(form, "", errors),
    ];
    let names: Vec<String> = void.iter().map(|f| f.name.clone()).collect();
    let void_errors = errors.general(&names);

    let certificates = batch
        .certificates
        .iter()
        .map(|c| CertificateView {
            kind: t.t(&format!("con-cert-kind-{}", c.kind.to_lowercase())),
            issuer: c.issuer.clone(),
            number: c.number.clone(),
            issued_on: dates::day(&t, &c.issued_on),
            document_url: c.document_url.clone(),
        })
        .collect();
    let events = batch
        .events
        .iter()
        .map(|e| EventView {
            sequence: e.sequence,
            kind: t.t(&format!("event-{}", e.kind)),
            day: dates::day(&t, &e.occurred_at),
            location: e.location.clone(),
            notes: e.notes.clone(),
        })
        .collect();
    let voided = batch.voided_at.as_deref().map(|at| {
        (
            dates::day(&t, at),
            batch.void_reason.clone().unwrap_or_default(),
        )
    });
    let path = format!("/console/batches/{}", encode(&batch.code));
    let page = BatchPage {
        frame: console.frame_titled(t.t1("con-batch-of", "code", &batch.code), &path, "products"),
        code: batch.code,
        product_id: report.product.id,
        product_title: report.product.title,
        variant_title: report.variant.title,
        origin: format!("{}, {}", batch.origin_village, batch.origin_district),
        produced_on: dates::day(&t, &batch.produced_on),
        quantity: batch.quantity,
        record_status: report.record_status,
        voided,
        record_reason: report.record_reason,
        chain_intact: report.chain_intact,
        certificates,
        events,
        event,
        event_errors,
        correct,
        correct_errors,
        void,
        void_errors,
        saved,
    };
    console.ctx.render(status, &page)
}

async fn show(
    request: HttpRequest,
    code: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let (report, districts) = match load(&mut console, &code).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let saved = query.saved.as_deref().and_then(|what| match what {
        "event" | "corrected" | "voided" => {
            Some(console.ctx.t.t(&format!("con-saved-batch-{what}")))
        }
        _ => None,
    });
    page(
        &console,
        report,
        &districts,
        Sent::Nothing,
        saved,
        StatusCode::OK,
    )
}

/// The moment recorded for a step on `day`: midday in India (06:30 UTC), so that the
/// day reads the same in UTC and in India, or now when that is still to come today.
fn occurred_at(day: NaiveDate) -> Option<String> {
    let midday = day.and_hms_opt(6, 30, 0)?.and_utc();
    Some(midday.min(Utc::now()).to_rfc3339())
}

/// A date field: its value as the API takes it, or an error beside it.
fn date_field(t: &Tr, form: &FormData, name: &str, errors: &mut Errors) -> Option<NaiveDate> {
    let text = field(form, name);
    if text.is_empty() {
        errors.push(name, t.t("con-error-required"));
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            errors.push(name, t.t("con-error-date"));
            None
        }
    }
}

/// A provenance step, a correction, a void to confirm or a confirmed void, by the
/// form's `form` field.
async fn submit(
    request: HttpRequest,
    code: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let (report, districts) = match load(&mut console, &code).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let code = report.batch.code.clone();
    let mut errors = Errors::default();
    let which = field(&form, "form");
    let (document, name, input, done) = match which {
        "event" => {
            let day = date_field(&t, &form, "occurredAt", &mut errors);
            let at = day.and_then(occurred_at);
            if field(&form, "kind").is_empty() {
                errors.push("kind", t.t("con-error-required"));
            }
            (
                "mutation($input: ProvenanceEventAddInput!) { provenanceEventAdd(input: $input) { errors { field message } } }",
                "provenanceEventAdd",
                json!({
                    "batchCode": code,
                    "kind": field(&form, "kind"),
                    "occurredAt": at,
                    "location": field(&form, "location"),
                    "notes": field(&form, "notes"),
                }),
                "event",
            )
        }
        "correct" => {
            let produced_on = date_field(&t, &form, "producedOn", &mut errors);
            let quantity = whole(field(&form, "quantity"), "quantity", &t, &mut errors);
            if field(&form, "quantity").is_empty() {
                errors.push("quantity", t.t("con-error-required"));
            }
            (
                "mutation($input: BatchCorrectInput!) { batchCorrect(input: $input) { errors { field message } } }",
                "batchCorrect",
                json!({
                    "batchCode": code,
                    "originVillage": field(&form, "originVillage"),
                    "originDistrict": field(&form, "originDistrict"),
                    "producedOn": produced_on.map(|d| d.to_string()),
                    "quantity": quantity,
                    "reason": field(&form, "reason"),
                }),
                "corrected",
            )
        }
        "void" | "void-confirm" => {
            let reason = field(&form, "reason").to_owned();
            if reason.is_empty() {
                errors.push("reason", t.t("con-error-required"));
            } else if which == "void" {
                // Nothing is withdrawn before the staff confirm it on a page of its own.
                let path = format!("/console/batches/{}", encode(&code));
                let confirm = VoidConfirmPage {
                    frame: console.frame_titled(
                        t.t1("con-void-confirm-title", "code", &code),
                        &path,
                        "products",
                    ),
                    code,
                    reason,
                };
                return console.ctx.render(StatusCode::OK, &confirm);
            }
            (
                "mutation($input: BatchVoidInput!) { batchVoid(input: $input) { errors { field message } } }",
                "batchVoid",
                json!({ "batchCode": code, "reason": reason }),
                "voided",
            )
        }
        _ => return console.not_found(),
    };
    if errors.is_empty() {
        let new_errors = match console.mutate(document, name, input).await {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if new_errors.is_empty() {
            return console
                .ctx
                .redirect(&format!("/console/batches/{}?saved={done}", encode(&code)));
        }
        errors = new_errors;
    }
    let sent = match which {
        "event" => Sent::Event(&form, &errors),
        "correct" => Sent::Correct(&form, &errors),
        _ => Sent::Void(&form, &errors),
    };
    page(
        &console,
        report,
        &districts,
        sent,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/batches/{code}", web::get().to(show))
        .route("/console/batches/{code}", web::post().to(submit));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_dated_midday_in_india() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            occurred_at(day).as_deref(),
            Some("2026-03-01T06:30:00+00:00")
        );
    }
}
