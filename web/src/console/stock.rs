//! Stock and batches: adjustments with a reason, production batches with their origin
//! village and date, and for each batch a printable label sheet whose QR codes hold the
//! storefront's absolute `/verify/{batchCode}` address (and a PNG of one code).

use super::SavedQuery;
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame,
    forms::{Errors, Field, whole},
    public_origin, qr,
};
use crate::{
    foundation::{FormData, Layout, encode, field},
    i18n::Tr,
};

const REASONS: [&str; 4] = ["RECOUNT", "DAMAGED", "RETURNED", "CORRECTION"];

/// The API's `CertificateKind`s, in the order the form offers them.
pub(crate) const CERTIFICATE_KINDS: [&str; 5] = [
    "LAB_REPORT",
    "ORGANIC",
    "FSSAI_TEST",
    "PASHMINA_MICRON_TEST",
    "OTHER",
];

/// Certificate rows on a fresh new-batch form: a lab report and one more are the usual.
/// **Another certificate** sends the form back with one row more (what was typed kept),
/// which needs no JavaScript, up to [`MAX_CERTIFICATE_ROWS`].
const CERTIFICATE_ROWS: usize = 2;
const MAX_CERTIFICATE_ROWS: usize = 10;

/// The certificate fields of one row, by their input names.
const CERTIFICATE_FIELDS: [&str; 5] = ["kind", "issuer", "number", "issuedOn", "documentUrl"];

/// One certificate row of the new batch's form.
struct CertificateRow {
    legend: String,
    /// What the API says of the row as a whole (an issuer or number missing).
    error: Option<String>,
    fields: Vec<Field>,
}

/// Most labels one sheet prints.
const MAX_LABELS: usize = 200;
/// Labels on a sheet unless asked otherwise: an A4 page of 3 × 8.
const SHEET_LABELS: usize = 24;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Variant {
    id: String,
    sku: String,
    title: String,
    stock_on_hand: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    code: String,
    origin_village: String,
    origin_district: String,
    produced_on: String,
    quantity: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    id: String,
    title: String,
    cooperative: IdOnly,
    variants: Vec<Variant>,
    batches: Vec<Batch>,
}

#[derive(Debug, Clone, Deserialize)]
struct District {
    name: String,
}

#[derive(Deserialize)]
struct StockData {
    product: Option<Product>,
    districts: Vec<District>,
}

const STOCK: &str = "query($id: ID!) { product(id: $id) { id title cooperative { id }
  variants { id sku title stockOnHand }
  batches { code originVillage originDistrict producedOn quantity } }
  districts { name } }";

#[derive(Template)]
#[template(path = "console/stock.html")]
struct StockPage {
    frame: Frame,
    id: String,
    title: String,
    variants: Vec<Variant>,
    batches: Vec<Batch>,
    adjust: Vec<Field>,
    adjust_errors: Vec<String>,
    batch: Vec<Field>,
    batch_errors: Vec<String>,
    certificates: Vec<CertificateRow>,
    saved: Option<String>,
}

/// How many certificate rows the new batch's form has: as many as were sent, else
/// [`CERTIFICATE_ROWS`].
fn certificate_row_count(form: Option<&FormData>) -> usize {
    form.and_then(|form| field(form, "rows").parse::<usize>().ok())
        .unwrap_or(CERTIFICATE_ROWS)
        .clamp(1, MAX_CERTIFICATE_ROWS)
}

fn certificate_rows(t: &Tr, form: Option<&FormData>, errors: &Errors) -> Vec<CertificateRow> {
    let kinds: Vec<(String, String)> = CERTIFICATE_KINDS
        .iter()
        .map(|kind| {
            (
                (*kind).to_owned(),
                t.t(&format!("con-cert-kind-{}", kind.to_lowercase())),
            )
        })
        .collect();
    (0..certificate_row_count(form))
        .map(|index| {
            let name = |part: &str| format!("certificates.{index}.{part}");
            CertificateRow {
                legend: t.t1("con-cert-row", "number", (index + 1).to_string()),
                error: errors.of(&format!("certificates.{index}")),
                fields: vec![
                    Field::new(&name("kind"), t.t("con-cert-kind"), "select")
                        .scoped("batch")
                        .options(kinds.clone())
                        .fill(form, "", errors),
                    Field::new(&name("issuer"), t.t("con-cert-issuer"), "text")
                        .scoped("batch")
                        .hint(t.t("con-cert-issuer-hint"))
                        .fill(form, "", errors),
                    Field::new(&name("number"), t.t("con-cert-number"), "text")
                        .scoped("batch")
                        .fill(form, "", errors),
                    Field::new(&name("issuedOn"), t.t("con-cert-issued-on"), "date")
                        .scoped("batch")
                        .fill(form, "", errors),
                    Field::new(&name("documentUrl"), t.t("con-cert-url"), "url")
                        .scoped("batch")
                        .hint(t.t("con-cert-url-hint"))
                        .fill(form, "", errors),
                ],
            }
        })
        .collect()
}

/// The certificate rows typed into the new batch's form, as the API's
/// `CertificateInput`s, and for each one sent the row it came from (empty rows are
/// left out, so the API's `certificates.1` may be the form's third row). What the
/// console can tell before asking (a kind not chosen, a date that is not a date) is
/// added to `errors` under the row's own field names.
fn typed_certificates(
    t: &Tr,
    form: &FormData,
    errors: &mut Errors,
) -> (Vec<serde_json::Value>, Vec<usize>) {
    let mut sent = Vec::new();
    let mut rows = Vec::new();
    for index in 0..certificate_row_count(Some(form)) {
        let value = |part: &str| field(form, &format!("certificates.{index}.{part}")).to_owned();
        if CERTIFICATE_FIELDS.iter().all(|part| value(part).is_empty()) {
            continue;
        }
        if value("kind").is_empty() {
            errors.push(
                &format!("certificates.{index}.kind"),
                t.t("con-error-required"),
            );
        }
        let issued_on = value("issuedOn");
        if issued_on.is_empty() {
            errors.push(
                &format!("certificates.{index}.issuedOn"),
                t.t("con-error-required"),
            );
        } else if NaiveDate::parse_from_str(&issued_on, "%Y-%m-%d").is_err() {
            errors.push(
                &format!("certificates.{index}.issuedOn"),
                t.t("con-error-date"),
            );
        }
        sent.push(json!({
            "kind": value("kind"),
            "issuer": value("issuer"),
            "number": value("number"),
            "issuedOn": issued_on,
            "documentUrl": value("documentUrl"),
        }));
        rows.push(index);
    }
    (sent, rows)
}

/// The API's errors of `certificates.{sent}…` renamed after the form row each
/// certificate came from.
fn to_rows(errors: Errors, rows: &[usize]) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|(path, message)| {
                let mut parts = path.splitn(3, '.');
                let renamed = match (parts.next(), parts.next().map(str::parse::<usize>)) {
                    (Some("certificates"), Some(Ok(sent))) => {
                        rows.get(sent).map(|row| match parts.next() {
                            Some(rest) => format!("certificates.{row}.{rest}"),
                            None => format!("certificates.{row}"),
                        })
                    }
                    _ => None,
                };
                (renamed.unwrap_or(path), message)
            })
            .collect(),
    )
}

/// Which form was sent, with what was typed and the errors.
enum Sent<'a> {
    Nothing,
    Adjust(&'a FormData, &'a Errors),
    Batch(&'a FormData, &'a Errors),
}

async fn load(console: &mut Console, id: &str) -> Result<(Product, Vec<District>), HttpResponse> {
    let data: StockData = console
        .ctx
        .run(STOCK, json!({ "id": id }))
        .await
        .map_err(|error| console.failure(error))?;
    match data.product {
        Some(product) if console.owns(&product.cooperative.id) => Ok((product, data.districts)),
        _ => Err(console.not_found()),
    }
}

fn page(
    console: &Console,
    product: Product,
    districts: &[District],
    sent: Sent<'_>,
    saved: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let none = Errors::default();
    let variant_options: Vec<(String, String)> = product
        .variants
        .iter()
        .map(|v| (v.id.clone(), format!("{} ({})", v.title, v.sku)))
        .collect();
    let (form, errors) = match sent {
        Sent::Adjust(form, errors) => (Some(form), errors),
        _ => (None, &none),
    };
    let adjust = vec![
        Field::new("variantId", t.t("con-variant"), "select")
            .scoped("adj")
            .options(variant_options.clone())
            .required(true)
            .fill(form, "", errors),
        Field::new("delta", t.t("con-adjust-delta"), "number")
            .scoped("adj")
            .hint(t.t("con-adjust-delta-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new("reason", t.t("con-adjust-reason"), "select")
            .scoped("adj")
            .options(
                REASONS
                    .iter()
                    .map(|r| {
                        (
                            (*r).to_owned(),
                            t.t(&format!("con-reason-{}", r.to_lowercase())),
                        )
                    })
                    .collect(),
            )
            .required(true)
            .fill(form, "", errors),
        Field::new("note", t.t("con-adjust-note"), "text")
            .scoped("adj")
            .fill(form, "", errors),
    ];
    let adjust_names: Vec<String> = adjust.iter().map(|f| f.name.clone()).collect();
    let adjust_errors = errors.general(&adjust_names);
    let (form, errors) = match sent {
        Sent::Batch(form, errors) => (Some(form), errors),
        _ => (None, &none),
    };
    let batch = vec![
        Field::new("variantId", t.t("con-variant"), "select")
            .scoped("batch")
            .options(variant_options)
            .required(true)
            .fill(form, "", errors),
        Field::new("code", t.t("con-batch-code"), "text")
            .scoped("batch")
            .hint(t.t("con-batch-code-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new("originVillage", t.t("con-batch-village"), "text")
            .scoped("batch")
            .required(true)
            .fill(form, "", errors),
        Field::new("originDistrict", t.t("con-batch-district"), "select")
            .scoped("batch")
            .options(
                districts
                    .iter()
                    .map(|d| (d.name.clone(), d.name.clone()))
                    .collect(),
            )
            .required(true)
            .fill(form, "", errors),
        Field::new("producedOn", t.t("con-batch-date"), "date")
            .scoped("batch")
            .required(true)
            .fill(form, "", errors),
        Field::new("quantity", t.t("con-batch-quantity"), "number")
            .scoped("batch")
            .numeric()
            .required(true)
            .fill(form, "", errors),
    ];
    let certificates = certificate_rows(&t, form, errors);
    let mut batch_names: Vec<String> = batch.iter().map(|f| f.name.clone()).collect();
    for (index, row) in certificates.iter().enumerate() {
        batch_names.push(format!("certificates.{index}"));
        batch_names.extend(row.fields.iter().map(|f| f.name.clone()));
    }
    let batch_errors = errors.general(&batch_names);
    let path = format!("/console/products/{}/stock", product.id);
    let page = StockPage {
        frame: console.frame_titled(
            t.t1("con-stock-of", "product", &product.title),
            &path,
            "products",
        ),
        id: product.id,
        title: product.title,
        variants: product.variants,
        batches: product.batches,
        adjust,
        adjust_errors,
        batch,
        batch_errors,
        certificates,
        saved,
    };
    console.ctx.render(status, &page)
}

async fn stock(
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let (product, districts) = match load(&mut console, &id).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let saved = query.saved.as_deref().and_then(|what| match what {
        "adjusted" | "batch" => Some(console.ctx.t.t(&format!("con-saved-{what}"))),
        _ => None,
    });
    page(
        &console,
        product,
        &districts,
        Sent::Nothing,
        saved,
        StatusCode::OK,
    )
}

/// A stock adjustment or a new batch, by the form's `form` field.
async fn submit(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let (product, districts) = match load(&mut console, &id).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let adjusting = field(&form, "form") == "adjust";
    if !adjusting && !field(&form, "more").is_empty() {
        // One certificate row more, nothing recorded yet.
        let mut form = form;
        let rows = (certificate_row_count(Some(&form)) + 1).min(MAX_CERTIFICATE_ROWS);
        form.insert("rows".to_owned(), rows.to_string());
        let none = Errors::default();
        return page(
            &console,
            product,
            &districts,
            Sent::Batch(&form, &none),
            None,
            StatusCode::OK,
        );
    }
    let mut errors = Errors::default();
    let mut certificate_rows = Vec::new();
    let (document, name, input, done) = if adjusting {
        let delta = whole(field(&form, "delta"), "delta", &t, &mut errors);
        let note = Some(field(&form, "note")).filter(|n| !n.is_empty());
        let reason = Some(field(&form, "reason")).filter(|r| !r.is_empty());
        (
            "mutation($input: StockAdjustInput!) { stockAdjust(input: $input) { errors { field message } } }",
            "stockAdjust",
            json!({ "variantId": field(&form, "variantId"), "delta": delta, "reason": reason, "note": note }),
            "adjusted",
        )
    } else {
        let quantity = whole(field(&form, "quantity"), "quantity", &t, &mut errors);
        let produced_on = Some(field(&form, "producedOn")).filter(|d| !d.is_empty());
        let (certificates, rows) = typed_certificates(&t, &form, &mut errors);
        certificate_rows = rows;
        (
            "mutation($input: BatchCreateInput!) { batchCreate(input: $input) { errors { field message } } }",
            "batchCreate",
            json!({
                "variantId": field(&form, "variantId"),
                "code": field(&form, "code"),
                "originVillage": field(&form, "originVillage"),
                "originDistrict": field(&form, "originDistrict"),
                "producedOn": produced_on,
                "quantity": quantity,
                "certificates": certificates,
            }),
            "batch",
        )
    };
    // Required values left blank are the API's to report, beside their fields; a
    // document with a null for a non-null input would be refused whole instead.
    for key in ["variantId", "delta", "reason", "quantity", "producedOn"] {
        let applies = if adjusting {
            matches!(key, "variantId" | "delta" | "reason")
        } else {
            matches!(key, "variantId" | "quantity" | "producedOn")
        };
        if applies && field(&form, key).is_empty() && errors.of(key).is_none() {
            errors.push(key, t.t("con-error-required"));
        }
    }
    if errors.is_empty() {
        let new_errors = match console.mutate(document, name, json!(input)).await {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if new_errors.is_empty() {
            return console.ctx.redirect(&format!(
                "/console/products/{}/stock?saved={done}",
                product.id
            ));
        }
        errors = to_rows(new_errors, &certificate_rows);
    }
    let sent = if adjusting {
        Sent::Adjust(&form, &errors)
    } else {
        Sent::Batch(&form, &errors)
    };
    page(
        &console,
        product,
        &districts,
        sent,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

// ---------------------------------------------------------------- labels

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitleOnly {
    title: String,
}

#[derive(Debug, Clone, Deserialize)]
struct CooperativeRef {
    id: String,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    batch: Batch,
    product: TitleOnly,
    variant: TitleOnly,
    cooperative: CooperativeRef,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportData {
    verify_provenance: Report,
}

/// The batch behind a printed code, when it is this member of staff's cooperative's.
async fn own_batch(console: &mut Console, code: &str) -> Result<Report, HttpResponse> {
    let data: ReportData = console
        .ctx
        .run(
            "query($code: String!) { verifyProvenance(code: $code) { batch { code originVillage originDistrict producedOn quantity } product { title } variant { title } cooperative { id name } } }",
            json!({ "code": code }),
        )
        .await
        .map_err(|error| console.failure(error))?;
    let report = data.verify_provenance;
    // The code must be the batch's own: the API also reads whole verify URLs.
    if console.owns(&report.cooperative.id) && report.batch.code == code {
        Ok(report)
    } else {
        Err(console.not_found())
    }
}

fn verify_url(request: &HttpRequest, code: &str) -> String {
    format!("{}/verify/{}", public_origin(request), encode(code))
}

#[derive(Template)]
#[template(path = "console/labels.html")]
struct LabelsPage {
    layout: Layout,
    report: Report,
    url: String,
    /// The QR code, inline SVG (already escaped where it holds text).
    svg: String,
    labels: Vec<usize>,
}

#[derive(Deserialize)]
struct CountQuery {
    count: Option<usize>,
}

async fn labels(
    request: HttpRequest,
    code: web::Path<String>,
    query: web::Query<CountQuery>,
) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let report = match own_batch(&mut console, &code).await {
        Ok(report) => report,
        Err(response) => return response,
    };
    let url = verify_url(&request, &report.batch.code);
    let t = console.ctx.t;
    let Some(svg) = qr::svg(&url, &t.t1("con-qr-of", "code", &report.batch.code)) else {
        return console.ctx.internal_error();
    };
    let count = query.count.unwrap_or(SHEET_LABELS).clamp(1, MAX_LABELS);
    let path = format!("/console/batches/{}/labels", encode(&report.batch.code));
    let mut layout = console.ctx.layout(
        t.t1("con-labels-of", "code", &report.batch.code),
        String::new(),
        &path,
    );
    layout.noindex = true;
    let page = LabelsPage {
        layout,
        report,
        url,
        svg,
        labels: (0..count).collect(),
    };
    console.ctx.render(StatusCode::OK, &page)
}

/// One QR code as a PNG image.
async fn qr_png(request: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let report = match own_batch(&mut console, &code).await {
        Ok(report) => report,
        Err(response) => return response,
    };
    let url = verify_url(&request, &report.batch.code);
    match qr::png(&url, 8) {
        Some(png) => {
            let mut response = HttpResponse::Ok()
                .content_type("image/png")
                .insert_header((header::CACHE_CONTROL, "private, no-cache"))
                .body(png);
            console.ctx.session.apply(&mut response);
            response
        }
        None => console.ctx.internal_error(),
    }
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/products/{id}/stock", web::get().to(stock))
        .route("/console/products/{id}/stock", web::post().to(submit))
        .route("/console/batches/{code}/labels", web::get().to(labels))
        .route("/console/batches/{code}/qr.png", web::get().to(qr_png));
}
