//! Bulk import: a CSV or XLSX sheet of products and variants, first checked (a dry run
//! whose every problem is shown in a table by row and column), then applied, all rows
//! or none, through `productImport`. The template is the API's own
//! (`/catalog/import-template.csv`).
//!
//! Without JavaScript a browser cannot send a chosen file twice, so the checked sheet
//! travels back in the apply form (base64, as the API takes it): the staff choose the
//! file once.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Console, Frame,
    forms::{Errors, Field, UserError, payload},
    upload::{self, Unreadable},
};
use crate::{
    foundation::{FormData, field},
    i18n::Tr,
};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RowError {
    pub row: i64,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    pub dry_run: bool,
    pub applied: bool,
    pub products: i64,
    pub variants: i64,
    pub products_updated: i64,
    pub variants_updated: i64,
    pub row_errors: Vec<RowError>,
}

impl Report {
    fn problems(&self) -> i64 {
        i64::try_from(self.row_errors.len()).unwrap_or(i64::MAX)
    }

    fn updated(&self) -> i64 {
        self.products_updated.saturating_add(self.variants_updated)
    }
}

#[derive(Deserialize)]
struct ImportPayload {
    report: Option<Report>,
    errors: Vec<UserError>,
}

/// The sheet checked, carried to the apply form.
struct Checked {
    format: &'static str,
    mode: String,
    content: String,
}

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    frame: Frame,
    fields: Vec<Field>,
    file_error: Option<String>,
    errors: Vec<String>,
    report: Option<Report>,
    /// Set after a dry run without problems: the apply form.
    checked: Option<Checked>,
}

fn mode_field(t: &Tr, form: Option<&FormData>, errors: &Errors) -> Field {
    Field::new("mode", t.t("con-import-mode"), "select")
        .options(vec![
            ("CREATE_ONLY".into(), t.t("con-import-create-only")),
            ("UPSERT".into(), t.t("con-import-upsert")),
        ])
        .required(true)
        .fill(form, "CREATE_ONLY", errors)
}

fn render(
    console: &Console,
    form: Option<&FormData>,
    errors: &Errors,
    report: Option<Report>,
    checked: Option<Checked>,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let page = ImportPage {
        frame: console.frame("con-import", "/console/import", "products"),
        fields: vec![mode_field(&t, form, errors)],
        file_error: errors.of("file"),
        errors: errors.general(&["file".to_owned(), "mode".to_owned()]),
        report,
        checked,
    };
    console.ctx.render(status, &page)
}

async fn show(request: HttpRequest) -> HttpResponse {
    let console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if console.cooperative().is_none() {
        return console.not_found();
    }
    render(
        &console,
        None,
        &Errors::default(),
        None,
        None,
        StatusCode::OK,
    )
}

/// A sheet's format by its name, else by its content (an XLSX file is a ZIP archive).
fn format_of(filename: &str, content: &[u8]) -> &'static str {
    if filename.to_lowercase().ends_with(".xlsx") || content.starts_with(b"PK\x03\x04") {
        "XLSX"
    } else {
        "CSV"
    }
}

/// Checks a sheet (`action=check`, with the file) or applies the one checked
/// (`action=apply`, with the sheet the check page carried).
async fn submit(request: HttpRequest, body: web::Payload) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let (form, file) = match upload::read_form(&request, body).await {
        Ok(read) => read,
        Err(problem) => {
            let (status, key) = match problem {
                Unreadable::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "con-import-too-large"),
                Unreadable::Malformed => (StatusCode::BAD_REQUEST, "con-image-unreadable"),
            };
            errors.push("file", t.t(key));
            return render(&console, None, &errors, None, None, status);
        }
    };
    if let Some(refusal) = console.ctx.csrf_refusal(&form) {
        return refusal;
    }
    let apply = field(&form, "action") == "apply";
    let mode = match field(&form, "mode") {
        "UPSERT" => "UPSERT",
        _ => "CREATE_ONLY",
    };
    let (format, content) = match (&file, apply) {
        (Some(file), false) => (
            format_of(&file.filename, &file.content),
            STANDARD.encode(&file.content),
        ),
        (None, true) if !field(&form, "content").is_empty() => (
            match field(&form, "format") {
                "XLSX" => "XLSX",
                _ => "CSV",
            },
            field(&form, "content").to_owned(),
        ),
        _ => {
            errors.push("file", t.t("con-import-choose"));
            return render(
                &console,
                Some(&form),
                &errors,
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let answer: ImportPayload = match console
        .ctx
        .run::<Value>(
            "mutation($input: ProductImportInput!) { productImport(input: $input) { report { dryRun applied products variants productsUpdated variantsUpdated rowErrors { row column message } } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": cooperative,
                "format": format,
                "contentBase64": content,
                "dryRun": !apply,
                "mode": mode,
            } }),
        )
        .await
        .and_then(|data| payload(&data, "productImport"))
    {
        Ok(answer) => answer,
        Err(error) => return console.failure(error),
    };
    // The file as a whole refused (not a sheet, too large): said beside the file input.
    let mut errors = Errors::default();
    for error in Errors::from_user_errors(&answer.errors).0 {
        errors.push("file", error.1);
    }
    let Some(report) = answer.report else {
        return render(
            &console,
            Some(&form),
            &errors,
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if report.applied {
        return console.ctx.redirect(&format!(
            "/console/import/done?products={}&variants={}&updated={}",
            report.products,
            report.variants,
            report.updated()
        ));
    }
    let clean = report.row_errors.is_empty() && errors.is_empty();
    let checked = (clean && report.dry_run).then(|| Checked {
        format,
        mode: mode.to_owned(),
        content,
    });
    let status = if clean {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &console,
        Some(&form),
        &errors,
        Some(report),
        checked,
        status,
    )
}

#[derive(Deserialize)]
struct DoneQuery {
    products: Option<i64>,
    variants: Option<i64>,
    updated: Option<i64>,
}

#[derive(Template)]
#[template(path = "console/import_done.html")]
struct DonePage {
    frame: Frame,
    products: i64,
    variants: i64,
    updated: i64,
}

async fn done(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if console.cooperative().is_none() {
        return console.not_found();
    }
    let page = DonePage {
        frame: console.frame("con-import", "/console/import", "products"),
        products: query.products.unwrap_or_default(),
        variants: query.variants.unwrap_or_default(),
        updated: query.updated.unwrap_or_default(),
    };
    console.ctx.render(StatusCode::OK, &page)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/import", web::get().to(show))
        .route("/console/import", web::post().to(submit))
        .route("/console/import/done", web::get().to(done));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_known_by_its_name_or_its_zip_signature() {
        assert_eq!(format_of("products.xlsx", b"anything"), "XLSX");
        assert_eq!(format_of("export", b"PK\x03\x04rest"), "XLSX");
        assert_eq!(format_of("products.csv", b"product_slug,title"), "CSV");
    }
}
